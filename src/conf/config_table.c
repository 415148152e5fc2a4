/* config_table.c — the master copy of config.yaml's keys (as tmux's options-table.c is for
 * tmux): name, type, default, range and help. config.c walks the YAML against this table; the
 * defaults in config_defaults() come from here too. Also the quota plan presets. */
#include "config_private.h"

#include <stdint.h>
#include <string.h>

#define OFF(f) offsetof(struct config, f)

const struct config_key config_table[] = {
	{ .name = "claude_dirs", .type = CONFIG_STRLIST, .offset = OFF(dirs[AGENT_CLAUDE]),
	  .count_offset = OFF(ndirs[AGENT_CLAUDE]), .flags = CONFIG_F_PATH,
	  .help = "Claude roots (folders holding projects/); replace the defaults when set" },
	{ .name = "codex_dirs", .type = CONFIG_STRLIST, .offset = OFF(dirs[AGENT_CODEX]),
	  .count_offset = OFF(ndirs[AGENT_CODEX]), .flags = CONFIG_F_PATH,
	  .help = "Codex roots (folders holding sessions/); replace the defaults when set" },
	{ .name = "gemini_dirs", .type = CONFIG_STRLIST, .offset = OFF(dirs[AGENT_GEMINI]),
	  .count_offset = OFF(ndirs[AGENT_GEMINI]), .flags = CONFIG_F_PATH,
	  .help = "Gemini CLI roots (folders holding tmp/); replace the defaults when set" },
	{ .name = "opencode_dirs", .type = CONFIG_STRLIST, .offset = OFF(dirs[AGENT_OPENCODE]),
	  .count_offset = OFF(ndirs[AGENT_OPENCODE]), .flags = CONFIG_F_PATH,
	  .help = "opencode data folders (holding opencode.db and/or storage/); replace the defaults when set" },
	{ .name = "theme", .type = CONFIG_STRING, .offset = OFF(theme),
	  .help = "theme name (default, mono, light, nord…) or a path to a theme file" },
	{ .name = "prices", .type = CONFIG_STRING, .offset = OFF(prices), .flags = CONFIG_F_PATH,
	  .help = "path of a price table replacing the installed one" },
	{ .name = "bell", .type = CONFIG_BOOL, .offset = OFF(bell), .def = 0,
	  .help = "ring the terminal bell on an unexpected miss" },
	{ .name = "no_color", .type = CONFIG_BOOL, .offset = OFF(no_color), .def = 0,
	  .help = "use the mono theme (attributes only), as NO_COLOR does" },
	{ .name = "refresh_ms", .type = CONFIG_INT, .offset = OFF(refresh_ms), .min = 100,
	  .max = 60000, .def = 1000, .help = "clock and gauge tick in milliseconds" },
	{ .name = "thresholds", .type = CONFIG_SECTION, .help = "cold-request rule and TTLs" },
	{ .name = "thresholds.cold_min_prefix", .type = CONFIG_U64, .offset = OFF(cold_min_prefix),
	  .min = 0, .max = 100000000, .def = 1024,
	  .help = "a request is cold only when its expected prefix is at least this many tokens" },
	{ .name = "thresholds.cold_ratio", .type = CONFIG_DOUBLE, .offset = OFF(cold_ratio),
	  .min = 0, .max = 1, .def = 0.5,
	  .help = "cold when cache_read < ratio x expected prefix" },
	{ .name = "thresholds.default_ttl_s", .type = CONFIG_INT, .offset = OFF(default_ttl_s),
	  .min = 1, .max = 86400, .def = 300, .help = "Claude TTL when no write tier is known" },
	{ .name = "thresholds.codex_ttl_s", .type = CONFIG_INT, .offset = OFF(ttl_s[AGENT_CODEX]),
	  .min = 1, .max = 86400, .def = 300, .help = "Codex cache TTL" },
	{ .name = "thresholds.gemini_ttl_s", .type = CONFIG_INT, .offset = OFF(ttl_s[AGENT_GEMINI]),
	  .min = 1, .max = 86400, .def = 300, .help = "Gemini implicit-cache TTL" },
	{ .name = "quota", .type = CONFIG_SECTION, .help = "the 5-hour limit" },
	{ .name = "quota.limit", .type = CONFIG_QLIMIT, .min = 1e-6, .max = 1e15,
	  .help = "auto (p90 of completed blocks) or a number in quota.unit" },
	{ .name = "quota.unit", .type = CONFIG_QUNIT, .help = "usd or tokens (weighted)" },
	{ .name = "quota.plan", .type = CONFIG_PLAN, .help = "a preset: pro, max5, max20 (estimates)" },
};
const size_t config_table_size = sizeof config_table / sizeof config_table[0];
/* config.c keeps one "seen" byte per key in a 64-byte array. */
_Static_assert(sizeof config_table / sizeof config_table[0] <= 64, "config.c: seen[] too small");

const struct config_key *config_key_find(const char *dotted)
{
	for (size_t i = 0; i < config_table_size; i++)
		if (strcmp(config_table[i].name, dotted) == 0)
			return &config_table[i];
	return NULL;
}

/* Plan presets, USD of API-priced usage per 5-hour window. These are ESTIMATES, heuristics only:
 * Anthropic publishes no token or dollar budget per window (peers.md §2). The figures are the
 * cost limits of Claude-Code-Usage-Monitor v3.1.0 (Pro $18, Max5 $35, Max20 $140, peers.md §1.2),
 * the only per-window dollar presets any peer shipped. Their ratios (1 : 1.9 : 7.8) do not even
 * match the plan names (1 : 5 : 20), and the real budget moves with peak hours and model mix,
 * so `limit: auto` (p90 of your own completed blocks) is the default and the better choice. */
const struct config_plan config_plans[] = {
	{ "pro", 18.0, "Claude Pro (estimate)" },
	{ "max5", 35.0, "Claude Max 5x (estimate)" },
	{ "max20", 140.0, "Claude Max 20x (estimate)" },
	{ NULL, 0, NULL },
};

const struct config_plan *config_plan_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct config_plan *p = config_plans; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}
