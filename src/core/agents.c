/* agents.c — the agent table's data: one row per agent cachetop reads (names, options, roots,
 * cache economics, where its limits come from). It depends on nothing: its parser and model
 * rules are its row in agent_ops.c. Adding an agent is a row here and there, its enum value in
 * agent.h, and its module (parse_<name>.c for lines, model_<name>.c for how its requests are
 * keyed, deduplicated and grouped into sessions); the rest of the program iterates or looks up
 * this table. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/agent.h"
#include "cachetop/model.h"

const struct agent_desc agent_table[AGENT_COUNT] = {
	[AGENT_CLAUDE] = {
		.id = AGENT_CLAUDE, .name = "claude", .label = "Claude Code",
		.option = "--claude-dir", .option_help = "a Claude root (holds projects/)",
		.dirs_key = "claude_dirs",
		.root_sub = "/projects",
		.env = "CLAUDE_CONFIG_DIR", .env_list = true, .xdg_sub = "claude", .home_sub = ".claude",
		.implicit_cache = false,
		.header_always = true,
		.limits = AGENT_LIMITS_STATUSLINE,
	},
	[AGENT_CODEX] = {
		.id = AGENT_CODEX, .name = "codex", .label = "Codex CLI",
		.option = "--codex-dir", .option_help = "a Codex root (holds sessions/)",
		.dirs_key = "codex_dirs",
		.root_sub = "/sessions", .root_sub2 = "/archived_sessions",
		.env = "CODEX_HOME", .home_sub = ".codex",
		.implicit_cache = true,
		.ttl_key = "thresholds.codex_ttl_s", .ttl_default = 300,
		.tag_in_list = true, .header_always = true,
		.limits = AGENT_LIMITS_TRANSCRIPT, .account_limit_id = "codex",
	},
	[AGENT_GEMINI] = {
		.id = AGENT_GEMINI, .name = "gemini", .label = "Gemini CLI",
		.option = "--gemini-dir", .option_help = "a Gemini CLI root (holds tmp/)",
		.dirs_key = "gemini_dirs",
		.root_sub = "/tmp",
		/* Gemini CLI's home directory is $GEMINI_CLI_HOME when set; .gemini sits in it */
		.env = "GEMINI_CLI_HOME", .env_join = ".gemini", .home_sub = ".gemini",
		.implicit_cache = true,
		.cache_seen_first = true,
		.ttl_key = "thresholds.gemini_ttl_s", .ttl_default = 300,
		.tag_in_list = true,
		.limits = AGENT_LIMITS_NONE,
	},
	[AGENT_OPENCODE] = {
		.id = AGENT_OPENCODE, .name = "opencode", .label = "opencode",
		.option = "--opencode-dir",
		.option_help = "an opencode data folder (holds opencode.db, storage/)",
		.dirs_key = "opencode_dirs",
		.root_sub = "/storage",
		/* its data folder; OPENCODE_DB (the database's path) is the source's to read */
		.data_sub = "opencode",
		/* Anthropic models keep Claude's rules; the others get OpenAI's per request, with
		 * Codex's assumed TTL */
		.implicit_cache = false, .tier_unknown = true, .openai_rules_ttl = AGENT_CODEX,
		.tag_in_list = true,
		.limits = AGENT_LIMITS_NONE,
	},
};

const struct agent_desc *agent_get(enum agent a)
{
	if ((unsigned)a >= AGENT_COUNT || agent_table[a].id != a) {
		fprintf(stderr, "cachetop: internal error: agent %d is not in the agent table\n", (int)a);
		abort();
	}
	return &agent_table[a];
}

enum agent agent_by_name(const char *name)
{
	for (int a = 0; a < AGENT_COUNT; a++)
		if (name && strcmp(agent_table[a].name, name) == 0)
			return (enum agent)a;
	return AGENT_COUNT;
}

enum agent agent_limits_owner(enum agent_limits k)
{
	for (int a = 0; a < AGENT_COUNT; a++)
		if (agent_table[a].limits == k)
			return (enum agent)a;
	return AGENT_COUNT;
}

int agent_names_width(const bool present[AGENT_COUNT])
{
	int w = 6;
	for (int a = 0; a < AGENT_COUNT; a++)
		if (present[a] && (int)strlen(agent_table[a].name) > w)
			w = (int)strlen(agent_table[a].name);
	return w;
}

int agent_ttl(enum agent a, const struct model_opts *opts)
{
	const struct agent_desc *d = agent_get(a);
	if (!d->implicit_cache || !d->ttl_key)
		return 0;
	return opts->ttl_s[a];
}

int agent_request_ttl(enum agent a, const struct model_opts *opts)
{
	const struct agent_desc *d = agent_get(a);
	return agent_ttl(d->implicit_cache ? a : d->openai_rules_ttl, opts);
}
