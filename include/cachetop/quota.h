/* quota.h — 5-hour blocks exactly as ccusage defines them (start floored to the UTC hour, 5 h
 * long, a new block after the end or after a 5 h idle gap), per agent; burn rates, projection,
 * the limit (configured, or auto = p90 of completed blocks), and the official percentages
 * (Codex rate_limits from the transcripts; Claude from statusline readings). Pure: `now` is a
 * parameter. */
#ifndef CACHETOP_QUOTA_H
#define CACHETOP_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"

struct model;

#define BLOCK_MS (5LL * 3600 * 1000)

struct block {
	enum agent agent;
	int64_t start, end;          /* end = start + 5 h */
	int64_t first, last;         /* first and last request inside it */
	uint64_t requests, input, output, cache_creation, cache_read;
	double cost_usd, wasted_usd; /* priced requests only */
	uint64_t unpriced;
};

struct blocks {
	struct block *v;
	size_t n, cap;
};

/* All blocks of one agent, oldest first, from the counted requests. */
void blocks_compute(const struct model *m, enum agent a, struct blocks *out);
void blocks_free(struct blocks *b);

enum quota_unit { QUOTA_USD = 0, QUOTA_TOKENS = 1 };

struct quota_opts {
	bool limit_auto;             /* p90 of completed blocks (the maximum while fewer than 5) */
	double limit;                /* used when !limit_auto; <= 0 means unknown */
	enum quota_unit unit;
};

/* A Claude reading passed to `cachetop statusline` (rate_limits on its stdin). */
struct claude_official {
	bool present;
	int64_t observed_at;
	double five_hour_pct;        /* 0..100, negative when absent */
	int64_t five_hour_resets_at; /* ms, CT_TIME_NONE */
	double seven_day_pct;
	int64_t seven_day_resets_at;
};

struct quota {
	enum agent agent;
	bool has_block;              /* a block is active at `now` */
	int64_t block_start, resets_at;
	double used, limit;          /* in `unit`; limit <= 0: unknown */
	enum quota_unit unit;
	double percent;              /* estimated, 0..100+; negative when unknown */
	double official_percent;     /* negative when no reading */
	int64_t official_resets_at;
	double weekly_percent;       /* negative when none */
	int64_t weekly_resets_at;
	int window_minutes;          /* of the official 5-hour window; 0 when none */
	int64_t observed_at;         /* of the official reading */
	double tokens_per_min_15, usd_per_hour_15;       /* last 15 active minutes */
	double tokens_per_min_block, usd_per_hour_block; /* over the block's active span */
	double projected_used, projected_percent;        /* at the block's end */
	int64_t limit_at;            /* when the limit is reached at the current rate; NONE */
	double wasted_usd, wasted_share;                 /* unexpected misses in this block */
	uint64_t block_tokens;
};

void quota_compute(const struct model *m, enum agent a, int64_t now, const struct quota_opts *o,
		   const struct claude_official *claude, struct quota *q);
/* The same from the agent's blocks already computed (blocks_compute), when a caller needs both. */
void quota_compute_from(const struct model *m, enum agent a, const struct blocks *blocks, int64_t now,
			const struct quota_opts *o, const struct claude_official *claude, struct quota *q);
/* p90 of completed blocks' used amount in `unit` (the max while fewer than 5); 0 if none. */
double quota_auto_limit(const struct blocks *b, int64_t now, enum quota_unit unit);

#endif
