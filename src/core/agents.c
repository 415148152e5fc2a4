/* agents.c — the agent table: one row per agent cachetop reads. Adding an agent is a row here, its
 * enum value in agent.h, and its module (parse_<name>.c for lines, model_<name>.c for how its
 * requests are keyed, deduplicated and grouped into sessions); the rest of the program iterates
 * or looks up this table. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/gemini.h"
#include "model_private.h"
#include "paths_private.h"

const struct agent_desc agent_table[AGENT_COUNT] = {
	[AGENT_CLAUDE] = {
		.id = AGENT_CLAUDE, .name = "claude", .label = "Claude Code",
		.option = "--claude-dir", .dirs_key = "claude_dirs",
		.root_sub = "/projects", .transcript_kind = claude_transcript_kind,
		.env = "CLAUDE_CONFIG_DIR", .env_list = true, .xdg_sub = "claude", .home_sub = ".claude",
		.implicit_cache = false,
		.header_always = true,
		.limits = AGENT_LIMITS_STATUSLINE,
		.parse = line_parse_claude, .apply = model_apply_claude,
	},
	[AGENT_CODEX] = {
		.id = AGENT_CODEX, .name = "codex", .label = "Codex CLI",
		.option = "--codex-dir", .dirs_key = "codex_dirs",
		.root_sub = "/sessions", .root_sub2 = "/archived_sessions",
		/* sub-agents are marked inside the file (session_meta), not by its path */
		.transcript_kind = transcript_kind_jsonl,
		.env = "CODEX_HOME", .home_sub = ".codex",
		.implicit_cache = true,
		.ttl_key = "thresholds.codex_ttl_s", .ttl_opt = offsetof(struct model_opts, codex_ttl_s),
		.tag_in_list = true, .header_always = true,
		.limits = AGENT_LIMITS_TRANSCRIPT,
		.parse = line_parse_codex, .apply = model_apply_codex,
	},
	[AGENT_GEMINI] = {
		.id = AGENT_GEMINI, .name = "gemini", .label = "Gemini CLI",
		.option = "--gemini-dir", .dirs_key = "gemini_dirs",
		.root_sub = "/tmp", .transcript_kind = gemini_transcript_kind, .transcript_dir = gemini_dir_wanted,
		.peek_first_ts = gemini_peek_first_ts, .peek_last_ts = gemini_peek_last_ts,
		/* Gemini CLI's home directory is $GEMINI_CLI_HOME when set; .gemini sits in it */
		.env = "GEMINI_CLI_HOME", .env_join = ".gemini", .home_sub = ".gemini",
		.implicit_cache = true,
		.cache_seen_first = true,
		.ttl_key = "thresholds.gemini_ttl_s", .ttl_opt = offsetof(struct model_opts, gemini_ttl_s),
		.tag_in_list = true,
		.limits = AGENT_LIMITS_NONE,
		.parse = line_parse_gemini, .apply = model_apply_gemini,
		.file_reset = model_gemini_file_reset, .state_free = model_gemini_free,
	},
	[AGENT_OPENCODE] = {
		.id = AGENT_OPENCODE, .name = "opencode", .label = "opencode",
		.option = "--opencode-dir", .dirs_key = "opencode_dirs",
		.root_sub = "/storage",
		/* its data folder; OPENCODE_DB (the database's path) is the source's to read */
		.data_sub = "opencode",
		/* Anthropic models keep Claude's rules; the others get OpenAI's per request */
		.implicit_cache = false, .tier_unknown = true,
		.tag_in_list = true,
		.limits = AGENT_LIMITS_NONE,
		.parse = line_parse_opencode, .apply = model_apply_opencode,
		.state_free = model_opencode_free,
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

int agent_ttl(enum agent a, const struct model_opts *opts)
{
	const struct agent_desc *d = agent_get(a);
	if (!d->implicit_cache || !d->ttl_key)
		return 0;
	int v;
	memcpy(&v, (const char *)opts + d->ttl_opt, sizeof v);
	return v;
}
