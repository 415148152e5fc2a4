/* model.h — the incremental usage model: files → requests (deduplicated across all files) →
 * sessions and lineages → cache events with their causes and costs. Pure and deterministic:
 * no I/O, no clock (times come from the lines; `now` is a parameter where needed). Feeding the
 * same lines in one pass or one at a time gives the same result; each new request is O(1)
 * amortised (hash lookups plus constant work on its predecessor).
 *
 * Reading order: a copied request counts in the file that started first. Callers that read a
 * whole tree (report, start-up backfill) feed files oldest-first (see line_peek_first_ts); live
 * appends arrive in the order the agents write them, which is the same thing. */
#ifndef CACHETOP_MODEL_H
#define CACHETOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/cause.h"
#include "cachetop/line.h"

struct price_table;
struct limit_families;
struct evidence_log;


struct model_opts {
	uint64_t cold_min_prefix;   /* E (or P) below this is never cold; default 1024 */
	double cold_ratio;          /* cold when cache_read < ratio × E; default 0.5 */
	int default_ttl_s;          /* TTL when no write tier was seen yet; default 300 */
	int ttl_s[AGENT_COUNT];     /* the cache lifetime assumed for each implicit-cache agent
				     * (its row's ttl_key; default its ttl_default) */
	int64_t since_ms;           /* requests before this are kept for lineage but not counted */
	const struct price_table *prices; /* NULL: the built-in table */
	uint64_t prices_key;        /* what the table was made from (a hash of its file's bytes), so
				     * a saved image can be matched without the table; 0: the table's
				     * content is its key */
};
void model_opts_default(struct model_opts *o);

/* Request flags */
enum {
	REQ_SIDECHAIN = 1 << 0,   /* sub-agent traffic (kept apart in the detail view) */
	REQ_AFTER_RESUME = 1 << 1,/* first main-chain request after a resume boundary */
	REQ_COUNTED = 1 << 2,     /* inside --since: part of totals */
	REQ_PRICED = 1 << 3,      /* its model has a price */
	REQ_AFTER_COMPACTION = 1 << 4, /* a compaction lies between it and its predecessor */
	REQ_OPENAI_RULES = 1 << 5, /* in an explicit-cache agent, a model not Anthropic's: OpenAI's
				    * cache rules (no write premium; the TTL its row's
				    * openai_rules_ttl names) */
};

/* One API request. 48 bytes: the per-request cost budget is spent here and in the hash sets. */
struct request {
	int64_t t;                 /* ms */
	uint32_t session;          /* index into the session table */
	uint32_t pred;             /* predecessor request index + 1; 0 = none */
	uint32_t input, cc5m, cc1h, cache_read, output;
	uint16_t model;            /* index into the model-name table */
	uint8_t cause;             /* enum cause */
	uint8_t flags;             /* REQ_* */
	uint16_t chain;            /* 0 = the main chain; else a sub-agent chain number (per session) */
	uint16_t out_dt;           /* deciseconds from t to the line that gave the final output
				    * count (saturating): ccusage dates a split response by that line,
				    * and 5-hour blocks follow ccusage */
	uint32_t event;            /* event index + 1; 0 = not an event */
};
/* The memory budget per request (README, Performance) is measured with this size. */
_Static_assert(sizeof(struct request) == 48, "struct request stays 48 bytes: keep side data per event or session");
/* The time ccusage would give this request (for 5-hour blocks). */
static inline int64_t request_block_time(const struct request *r) { return r->t + (int64_t)r->out_dt * 100; }

static inline uint64_t request_cc(const struct request *r) { return (uint64_t)r->cc5m + r->cc1h; }
static inline uint64_t request_prompt(const struct request *r)
{
	return (uint64_t)r->input + r->cc5m + r->cc1h + r->cache_read;
}
/* Hit rate cache_read / P; negative when P is 0. */
double request_hit(const struct request *r);

struct totals {
	uint64_t requests, input, output, cache_creation, cc5m, cc1h, cache_read;
	double cost_usd;             /* priced requests only */
	uint64_t unpriced;           /* requests whose model has no price */
	uint64_t wasted_tokens;
	double wasted_usd, rebuild_usd;
	uint64_t unexpected;         /* resume_miss + unexplained_miss */
};
double totals_hit(const struct totals *t); /* negative when no prompt tokens */

struct session {
	char *id;
	enum agent agent;
	char *project;               /* cwd; NULL when unknown */
	char *title;                 /* NULL when none */
	enum title_rank title_rank;
	uint32_t *files; uint32_t nfiles, capfiles;   /* file indices */
	int64_t first_at, last_at;   /* of its counted requests; CT_TIME_NONE when none */
	int64_t last_activity;       /* of any line (for "most recent first") */
	struct totals tot;           /* main chain and sub-agents together */
	struct totals sub;           /* sub-agent part of tot */
	int32_t resumed_from;        /* session index, -1 */
	int64_t resumed_at;          /* time of the first request after that resume */
	double resume_gap_s;         /* its idle gap, negative when unknown */
	uint16_t models[8]; uint8_t nmodels;         /* by first use */
	int64_t model_at[8];         /* first counted request of each model */
	uint32_t *reqs; uint32_t nreqs, capreqs;      /* request indices, in ingest order */
	int32_t last_event;          /* its newest event by time (event index), -1 */
	int32_t last_unexpected;     /* its newest resume or unexplained miss by time, -1 */
	int64_t last_warm_at;        /* its newest warm main-conversation request; CT_TIME_NONE */
	/* lineage state */
	uint32_t main_last;          /* last main-chain request index + 1 */
	int ttl_s;                   /* TTL in force after main_last (from its write tier) */
	bool live;                   /* a file of it changed since start-up (set by the app) */
};

struct cache_event {
	uint32_t request;            /* request index */
	uint8_t cause;
	double gap_s;                /* negative: no predecessor */
	int ttl_s;
	double hit, prev_hit;        /* prev_hit negative when none */
	uint64_t expected_prefix, cache_read, cache_creation;
	uint64_t wasted_tokens;          /* unexpected misses: the prefix rewritten (or resent) */
	uint64_t rebuild_tokens;         /* expected misses: the same measure, not waste */
	double wasted_usd, rebuild_usd;   /* negative when the model has no price */
	int32_t resumed_from;        /* session index, -1 */
};

struct model_file {
	char *path;
	enum agent agent;
	bool subagent;               /* a sub-agent transcript (agent-*.jsonl, subagents/, thread_spawn) */
	bool gone;
	int32_t session;             /* first session named in it, -1 */
	uint64_t lines, requests;    /* lines fed; requests it owns */
	/* Its place in the reading order (model.h: a copy counts in the file that started first):
	 * the first timestamp the source found in it (model_file_order), then its latest line's. */
	int64_t first_ts, last_ts;
	bool last_from_source;
};

struct model_stats {
	uint64_t lines, malformed, skipped, duplicate_lines, synthetic, api_errors;
	uint64_t by_problem[8];
};

/* The latest official rate-limit reading of the account family (any file) of the agent whose
 * transcripts report its limits (agent_limits_owner(AGENT_LIMITS_TRANSCRIPT)). */
struct account_limits {
	bool present;
	int64_t observed_at;
	struct rate_limits rl;
};

struct model;

struct model *model_new(const struct model_opts *opts);
void model_free(struct model *m);
/* release(ctx) when m is freed: what m's loaded image lies in (model_image_load_borrowed) lives
 * as long as m. A second call releases the first's at once. rest(ctx) (or NULL) on model_rest. */
void model_keep(struct model *m, void (*release)(void *ctx), void (*rest)(void *ctx), void *ctx);
/* A long-running view's word that the history it walked through (its first aggregates, a save)
 * may leave memory: what its image lies in is let go until used again. */
void model_rest(struct model *m);

/* Register a transcript; returns its file index. subagent: the path marks a sub-agent file. */
uint32_t model_file_add(struct model *m, enum agent agent, const char *path, bool subagent);
/* The file's lines will be fed again from byte 0 (truncated, or replaced by a new inode): reset
 * its per-file parse state. Global dedup keeps everything from counting twice. */
void model_file_reset(struct model *m, uint32_t file);
void model_file_gone(struct model *m, uint32_t file);
/* The first and last timestamps in the file (any line), as the source's reading order uses
 * them; CT_TIME_NONE: not known (a file with no first one sorts last; without a last one from
 * the source, the model takes its last line's). */
void model_file_order(struct model *m, uint32_t file, int64_t first_ts, int64_t last_ts);
/* True when lines arrived in an order that a read of the whole tree would not have used, in a
 * way that could change the answer: a request or uuid met first in a file that sorts after the
 * one now holding it, a junction to a uuid not yet seen that then appeared, a session's main
 * conversation continued by a file that sorts before the one it came from, a file truncated or
 * gone. The caller then rebuilds the model from a fresh read (live equals report). */
bool model_order_broken(const struct model *m);
/* Broken by something other than a tie's order (which only lines that grew a file can
 * settle). */
bool model_order_hard(const struct model *m);
/* After a whole-tree read (the reference), nothing is out of order by definition. */
void model_order_clear(struct model *m);
/* Order of two files in a whole-tree read (negative: a first). */
int model_file_cmp(const struct model *m, uint32_t a, uint32_t b);
/* The file that holds request i (where its counted copy was read). */
uint32_t model_request_file(const struct model *m, size_t i);

/* What model_feed changed, for redraw decisions and the jsonl stream. */
enum {
	MODEL_CHANGED_NOTHING = 0,
	MODEL_NEW_REQUEST = 1 << 0,
	MODEL_NEW_EVENT = 1 << 1,
	MODEL_NEW_SESSION = 1 << 2,
	MODEL_QUOTA = 1 << 3,
	MODEL_UPDATED = 1 << 4,      /* anything else visible (output tokens grew, a title…) */
	MODEL_NEW_UNEXPECTED = 1 << 5, /* with MODEL_NEW_EVENT: a resume or unexplained miss */
};

/* Feed one complete line (without its newline) of a registered file. */
unsigned model_feed(struct model *m, uint32_t file, const char *line, size_t n);
/* The same with an already parsed line (parsing can run on other threads). */
unsigned model_apply(struct model *m, uint32_t file, const struct line *ln);
/* A number that changes whenever anything the model holds may have changed (a line applied, a
 * file added, reset or gone): what a reader derived from the model (the 5-hour blocks, the pairs)
 * stays valid while it is the same, so a frame that only moves `now` recomputes nothing. */
uint64_t model_generation(const struct model *m);
/* What model_apply returned since the last call, or-ed (whichever path fed the lines): the
 * change bits a screen redraws and rings the bell by. */
unsigned model_take_changes(struct model *m);
/* How many times an event's figures changed after it was made (a record written again):
 * words derived from events stay valid while this and the event count stay the same. */
uint64_t model_event_edits(const struct model *m);

/* What a dashboard reads from the history, kept by the model (blocks_live.c): each agent's
 * 5-hour blocks with their burn, equal to blocks_compute's, and the events by time. model_settle
 * brings them up to date with what was fed since its last call, in time proportional to that
 * when requests arrive in time order (the first call builds them: one sort); the timer tick
 * only moves `now`. They are read only while settled (nothing fed since): NULL / 0 otherwise. */
struct blocks;
void model_settle(struct model *m);
bool model_settled(const struct model *m);
const struct blocks *model_blocks(const struct model *m, enum agent a);
/* Event indices ordered by their request's time, then index (oldest first). */
size_t model_events_by_time(const struct model *m, const uint32_t **v);

/* Read access. Pointers stay valid until the next feed. */
size_t model_session_count(const struct model *m);
const struct session *model_session(const struct model *m, size_t i);
int32_t model_session_find(const struct model *m, const char *id);
size_t model_request_count(const struct model *m);
const struct request *model_request(const struct model *m, size_t i);
size_t model_event_count(const struct model *m);
const struct cache_event *model_event(const struct model *m, size_t i);
size_t model_file_count(const struct model *m);
const struct model_file *model_file(const struct model *m, size_t i);
const char *model_model_name(const struct model *m, uint16_t model);
const struct model_stats *model_stats(const struct model *m);
const struct totals *model_totals(const struct model *m);
const struct account_limits *model_account_limits(const struct model *m);
/* Every limit family its transcripts reported, the newest reading of each (quota.h). */
const struct limit_families *model_limit_families(const struct model *m);
/* The side record the evidence words are computed from (evidence.h). */
const struct evidence_log *model_evidence_log(const struct model *m);
const struct model_opts *model_options(const struct model *m);

/* Cost of one request in USD; negative when its model has no price. */
double model_request_cost(const struct model *m, const struct request *r);
/* Seconds left before the session's cache expires at `now` (from its last main-chain request
 * and the TTL in force); 0 when cold or unknown. */
double model_cache_left_s(const struct model *m, const struct session *s, int64_t now);

#endif
