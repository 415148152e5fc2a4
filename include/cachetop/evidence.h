/* evidence.h — what the files show around a cold request, beyond its cause (design.md, "Evidence,
 * not guesses"; report-schema.md `evidence`): a closed vocabulary of words, each with one rule.
 * The model keeps two small side records for them (the agent version of each run of requests of
 * a session, and the tool/MCP-set changes between requests); the words are computed from those,
 * from the requests themselves, from the other cold requests of the project, and from the
 * statusline agent's own ledger — when asked (report, draw), so that the answer does not depend on the order
 * in which requests arrived. Pure: no I/O, no clock. */
#ifndef CACHETOP_EVIDENCE_H
#define CACHETOP_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/line.h"

struct model;
struct ledger_set;
struct session_ledger;

/* The vocabulary (bits), in the order the report lists them. */
enum {
	EV_AGENT_UPDATED = 1 << 0,      /* version differs between the predecessor and the request */
	EV_TOOLS_CHANGED = 1 << 1,      /* a tool/MCP-set change lies between them */
	EV_MESSAGES_REWRITTEN = 1 << 2, /* its read recurs (±1 %) in another cold request of the project */
	EV_TTL_DOWNGRADED = 1 << 3,     /* it or its predecessor wrote 5m after the session wrote 1h */
	EV_AGENT_REPORTED = 1 << 4,     /* the agent's own ledger counted this miss */
};
#define EVIDENCE_WORDS 5
/* "agent_updated", … for bit index 0..4 */
const char *evidence_word(unsigned index);

/* Two reads are the same prefix when they differ by at most 1 % of the larger. */
bool evidence_same_floor(uint64_t a, uint64_t b);
/* A ledger's miss time and a request time belong together within this (ms). */
#define LEDGER_MATCH_MS (120 * 1000)

/* ---- the side record the model fills ------------------------------------------------------- */
struct evidence_log;
struct evidence_log *evidence_log_new(void);
void evidence_log_free(struct evidence_log *l);
/* Request `req` (the index it is about to get) of session `session` was written by `version`. */
void evidence_log_version(struct evidence_log *l, uint32_t session, uint32_t req, const char *version);
/* A tool/MCP-set change in session `session` before request `next_req` is stored. */
void evidence_log_tools(struct evidence_log *l, uint32_t session, uint32_t next_req, const struct tools_delta *d);
/* The version that wrote request `req` of `session`; NULL when unknown. */
const char *evidence_log_version_of(const struct evidence_log *l, uint32_t session, uint32_t req);
/* The tool/MCP-set changes of `session` read after request `after` was stored and before
 * `upto` was, summed into *sum; false when there are none. */
bool evidence_log_tools_between(const struct evidence_log *l, uint32_t session, uint32_t after, uint32_t upto,
				struct tools_delta *sum);

/* ---- the words of one event ---------------------------------------------------------------- */
enum ledger_verdict {
	LEDGER_UNKNOWN = 0,      /* no ledger for the session, or nothing to compare */
	LEDGER_COUNTED,          /* the agent's ledger counted this miss too */
	LEDGER_NOT_COUNTED,      /* its ledger timed every miss, and not this one */
};

struct event_evidence {
	uint8_t words;                   /* EV_* */
	uint8_t ledger;                  /* enum ledger_verdict */
	uint64_t floor_tokens;           /* with messages_rewritten: the prefix that still matched */
	const char *version_from, *version_to; /* with agent_updated (owned by the model's log) */
	struct tools_delta tools;        /* with tools_changed: the changes summed */
	char ledger_causes[128];         /* its ledger's causes of this miss, "" when none */
};

struct evidence_set {
	struct event_evidence *ev;       /* one per model event, by event index */
	size_t n;
};
/* Every event's words. ledgers may be NULL. */
void evidence_compute(const struct model *m, const struct ledger_set *ledgers, struct evidence_set *out);
void evidence_free(struct evidence_set *e);
/* One event alone (a watch line): the same words evidence_compute gives it. */
void evidence_of_event(const struct model *m, const struct ledger_set *ledgers, size_t event,
		       struct event_evidence *out);

/* The other events whose messages_rewritten depends on this one (cold, same project, the same
 * floor within 1 %): when `event` arrives, their words may change. Up to cap indices into out;
 * returns how many there are. */
size_t evidence_floor_partners(const struct model *m, size_t event, size_t *out, size_t cap);

/* The statusline agent's ledger beside cachetop's numbers for one session's main conversation. */
struct ledger_compare {
	bool present;
	uint64_t requests, cold, comparable; /* ours: main-chain requests, cold ones, misses its ledger would count */
	size_t counted;                   /* our misses its ledger timed too */
	size_t ours_only;                 /* our misses it did not count (complete ledger only) */
	int64_t ours_only_at;             /* the latest of them */
	size_t theirs_only;               /* its timed misses on requests we saw warm (or none near) */
	int64_t theirs_only_at;           /* the latest of them */
};
void evidence_ledger_compare(const struct model *m, const struct session_ledger *l, uint32_t session,
			     const struct evidence_set *es, struct ledger_compare *out);

#endif
