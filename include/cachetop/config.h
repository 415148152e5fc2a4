/* config.h — the conf layer: config.yaml, theme files and the price table, read with libyaml
 * into plain structs (no curses, no model). Every error names file:line:col. A bad file never
 * stops the program: callers report the message and keep the defaults. */
#ifndef CACHETOP_CONFIG_H
#define CACHETOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/price.h"
#include "cachetop/quota.h" /* enum quota_unit */

struct conf_err {
	char msg[512];   /* "FILE:LINE:COL: what is wrong" */
	int line, col;
};

struct config {
	/* each agent's roots (its row's dirs_key): when non-empty they replace the defaults */
	char **dirs[AGENT_COUNT];
	size_t ndirs[AGENT_COUNT];
	char *theme;               /* name or path; NULL = "default" */
	char *prices;              /* path of a user price table; NULL = the installed one */
	bool bell;
	bool no_color;
	/* thresholds (design.md) */
	uint64_t cold_min_prefix;  /* 1024 */
	double cold_ratio;         /* 0.5 */
	int default_ttl_s;         /* 300 */
	int ttl_s[AGENT_COUNT];    /* an implicit-cache agent's assumed TTL (its row's ttl_key) */
	/* quota */
	bool quota_auto;           /* limit = p90 of completed blocks */
	double quota_limit;        /* when !quota_auto */
	enum quota_unit quota_unit;
	char *quota_plan;          /* a preset name (estimates), NULL */
	int refresh_ms;            /* clock/gauge tick, 1000 */
};

void config_defaults(struct config *c);
void config_free(struct config *c);
/* The roots config.yaml names for agent a (its table row's dirs_key): c->dirs[a]. */
void config_dirs(const struct config *c, enum agent a, char *const **v, size_t *n);
/* Load path into c (over the defaults already in it). Returns 0; -1 with err filled (c keeps
 * whatever loaded before the error). A missing file is not an error when optional is true. */
int config_load(struct config *c, const char *path, bool optional, struct conf_err *err);
int config_load_mem(struct config *c, const char *name, const char *text, size_t n, struct conf_err *err);
/* $XDG_CONFIG_HOME/cachetop/config.yaml (or ~/.config/…); the caller frees. */
char *config_default_path(void);
/* $env/tail when $env is an absolute path (the XDG rule: a relative one is ignored), else
 * $HOME/home_sub/tail; NULL when neither is set. Malloc'd. */
char *config_xdg_path(const char *env, const char *home_sub, const char *tail);

/* quota.plan presets: USD of API-priced usage per 5-hour window. ESTIMATES, not published
 * limits (Anthropic publishes no budgets); see src/conf/config_table.c for their source. A plan
 * sets quota_limit (unit usd, quota_auto false) unless the same file gives quota.limit. */
struct config_plan {
	const char *name;
	double usd_per_5h;
	const char *desc;
};
extern const struct config_plan config_plans[]; /* ends with name == NULL */
const struct config_plan *config_plan_find(const char *name);

/* Price table YAML:
 *   models:
 *     - name: vendor-model-4           # exact name, or
 *       prefix: vendor-model-4         # a prefix rule
 *       input: 3.0  output: 15.0  cache_read: 0.30  cache_write_5m: 3.75  cache_write_1h: 6.0
 *       long_context: { threshold: 200000, input: 6.0, output: 22.5, cache_read: 0.6,
 *                       cache_write_5m: 7.5, cache_write_1h: 12.0 }
 */
int prices_load(struct price_table *t, const char *path, struct conf_err *err);
/* A price file's bytes (*text NUL-terminated, the caller frees), for a caller that keys on them
 * before or instead of parsing; -1 with err when it cannot be read. */
int prices_read(const char *path, char **text, size_t *n, struct conf_err *err);
int prices_load_mem(struct price_table *t, const char *name, const char *text, size_t n, struct conf_err *err);

/* Where installed data lives: <prefix>/share/cachetop found relative to the executable, else the
 * source tree when run from a build folder. Returns a path to `rel` inside it, or NULL. */
char *conf_data_path(const char *argv0, const char *rel);

#endif
