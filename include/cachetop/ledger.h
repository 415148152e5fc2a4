/* ledger.h — the statusline agent's own prompt-cache ledger (the `prompt_cache` object it passes
 * to a statusLine command in newer versions, transcript-formats.md E1), as `cachetop statusline`
 * records it with each reading: one reading normalised, and the readings of a state file folded
 * per session (the latest reading, and every distinct miss time the agent reported with the
 * causes it gave). The agent counts one session's main conversation only. Pure. */
#ifndef CACHETOP_LEDGER_H
#define CACHETOP_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEDGER_NAME_MAX 32   /* a cause name: [a-z0-9_], closed set upstream */
#define LEDGER_CAUSES 12     /* distinct causes kept per reading */
#define LEDGER_LAST_CAUSES 4 /* causes of the last miss kept */

struct ledger_cause {
	char name[LEDGER_NAME_MAX];
	uint32_t count;
};

/* One prompt_cache object. Numbers absent from it are -1; hit_ratio null is -1. */
struct agent_ledger {
	bool present;
	int64_t observed_at;                 /* when cachetop statusline read it (ms) */
	int64_t requests, misses, expected_rebuilds;
	double hit_ratio;
	char ttl[8];                         /* "5m" | "1h" | "" */
	int64_t cache_write_tokens, miss_recache_tokens;
	int64_t last_miss_at;                /* ms; CT_TIME_NONE when none */
	char last_miss_causes[LEDGER_LAST_CAUSES][LEDGER_NAME_MAX];
	uint8_t nlast;
	int64_t tools_added, tools_removed;  /* last_miss_cause's, -1 when absent */
	struct ledger_cause causes[LEDGER_CAUSES]; /* miss_causes: {cause: count} */
	uint8_t ncauses;
};
void agent_ledger_clear(struct agent_ledger *l);
/* A cause name as kept: lower-case letters, digits and '_' only, else "" (not kept). */
bool ledger_cause_name_ok(const char *s);

/* A miss the agent timed (a distinct last_miss_at across the readings of a session). */
struct ledger_miss {
	int64_t at;                          /* ms */
	char causes[LEDGER_LAST_CAUSES * LEDGER_NAME_MAX]; /* "messages_rewritten, tools_changed" */
};

struct session_ledger {
	char session_id[96];
	struct agent_ledger latest;          /* by observed_at */
	struct ledger_miss *misses;          /* sorted by time, distinct */
	size_t nmisses, capmisses;
};

struct ledger_set {
	struct session_ledger *v;
	size_t n, cap;
};

/* Fold one reading of session_id into the set (any order: the result is the same). */
void ledger_set_add(struct ledger_set *s, const char *session_id, const struct agent_ledger *r);
const struct session_ledger *ledger_set_find(const struct ledger_set *s, const char *session_id);
void ledger_set_free(struct ledger_set *s);
/* The agent timed every miss it counted (so a miss it has no time for, it did not count). */
bool session_ledger_complete(const struct session_ledger *l);

#endif
