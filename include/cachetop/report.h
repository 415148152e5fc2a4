/* report.h — the outputs of `cachetop report` (text, JSON per report-schema.md, CSV) and the
 * event objects of `watch --jsonl`, built from the model. Pure: returns text in a buffer; the
 * app writes it. JSON is built with json-c, except the many sessions and events, written
 * directly (same bytes). */
#ifndef CACHETOP_REPORT_H
#define CACHETOP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/quota.h"
#include "cachetop/util.h"

struct model;
struct ledger_set;

struct report_root {
	enum agent agent;
	const char *path;
	uint64_t files;
	bool exists;
};

struct report_ctx {
	int64_t now;                      /* generated_at, and the quota's `now` */
	const struct report_root *roots;
	size_t nroots;
	struct quota_opts quota;
	const struct official_reading *official; /* NULL when none */
	const struct ledger_set *ledgers; /* the statusline agent's own ledgers per session; NULL: none */
	bool utf8;                        /* text report glyphs */
};

void report_json(const struct model *m, const struct report_ctx *c, struct buf *out);
/* report_json in pieces that each only read the model (and the plan), so that they may be
 * written at the same time, each into its own buffer: the plan's pieces in order, then the tail
 * (the pairs, blocks and quota: the largest, and needing no plan) give report_json's text. The
 * plan holds m and c: they must outlive it. */
struct report_json_plan;
struct report_json_plan *report_json_plan_new(const struct model *m, const struct report_ctx *c);
size_t report_json_plan_pieces(const struct report_json_plan *p);
void report_json_piece(const struct report_json_plan *p, size_t k, struct buf *out);
void report_json_plan_free(struct report_json_plan *p);
/* given: every agent's blocks as blocks_compute gives them for m (kept with a saved image), or
 * NULL to compute them */
void report_json_tail(const struct model *m, const struct report_ctx *c, const struct blocks *given,
		      struct buf *out);
void report_text(const struct model *m, const struct report_ctx *c, struct buf *out);
void report_csv(const struct model *m, const struct report_ctx *c, struct buf *out);
/* OpenMetrics text (Prometheus exposition) with per-agent and per-project counters. */
void report_openmetrics(const struct model *m, const struct report_ctx *c, struct buf *out);
/* One `watch --jsonl` line for event i (with "observed_at"), newline-terminated. */
void report_event_line(const struct model *m, size_t event, int64_t observed_at, struct buf *out);
/* The same with the statusline agent's ledgers (agent_reported, agent_counted); ledgers may be
 * NULL. */
void report_event_line_ledgers(const struct model *m, size_t event, int64_t observed_at,
			       const struct ledger_set *ledgers, struct buf *out);
/* s as a JSON string, quotes included, escaped byte for byte as json-c escapes it (PLAIN, no
 * slash escapes). s must already be valid UTF-8. */
void report_json_string(struct buf *b, const char *s);
/* {"kind":"retract","observed_at":…,"event":EVENT}: an event printed earlier (EVENT, the line
 * as printed) that a fresh read of the tree does not have. */
void report_retract_line(const char *event, size_t n, int64_t observed_at, struct buf *out);
/* A {"kind":"quota",…} line. */
void report_quota_line(const struct model *m, const struct report_ctx *c, struct buf *out);

/* TTL-matched pairs (design.md): per gap bucket, baseline vs first-request-after-resume. */
enum { PAIR_BUCKETS = 5 };
struct pair_bucket {
	const char *name;                 /* "<5m", "5-15m", "15-30m", "30-60m", ">=60m" */
	uint64_t baseline_n, resume_n;
	double baseline_hit, resume_hit;  /* means of per-request hit rates; negative when n = 0 */
};
/* Over the sessions for which filter returns true (NULL: all). */
void pairs_compute(const struct model *m, bool (*filter)(const struct model *, uint32_t session, void *),
		   void *ctx, struct pair_bucket out[PAIR_BUCKETS]);
/* The same over the requests of the given sessions only (the dashboard's detail: one project),
 * added in the same order, so it equals pairs_compute with a filter keeping exactly those
 * sessions, without walking the rest of the history. */
void pairs_compute_sessions(const struct model *m, const uint32_t *sessions, size_t n,
			    struct pair_bucket out[PAIR_BUCKETS]);

#endif
