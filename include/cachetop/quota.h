/* quota.h — 5-hour blocks exactly as ccusage defines them (start floored to the UTC hour, 5 h
 * long, a new block after the end or after a 5 h idle gap), per agent; burn rates, projection,
 * the limit (configured, or auto = p90 of completed blocks), and the official percentages (from
 * the transcripts' limit families, or from statusline readings: the agent table's `limits`
 * says whose come from where). Pure: `now` is a parameter. */
#ifndef CACHETOP_QUOTA_H
#define CACHETOP_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"

struct model;
struct account_limits;

#define BLOCK_MS (5LL * 3600 * 1000)

struct block {
	enum agent agent;
	int64_t start, end;          /* end = start + 5 h */
	int64_t first, last;         /* first and last request inside it */
	uint64_t requests, input, output, cache_creation, cache_read;
	double cost_usd, wasted_usd; /* priced requests only */
	uint64_t unpriced;
	/* the last block only: its last 15 minutes of activity (ending at `last`), for the burn rate;
	 * kept here so a reading at a later `now` walks no requests */
	uint64_t tokens_15;
	double usd_15;
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

/* An account's windows as the statusline agent passes them to `cachetop statusline` (rate_limits
 * on its stdin). */
struct official_reading {
	bool present;
	int64_t observed_at;
	double five_hour_pct;        /* 0..100, negative when absent */
	int64_t five_hour_resets_at; /* ms, CT_TIME_NONE */
	double seven_day_pct;
	int64_t seven_day_resets_at;
	bool has_spend;              /* rate_limits.spend_limit (gateway users) was read */
	double spend_pct;
	int64_t spend_resets_at;
};

/* Limit families of the agent whose transcripts report its limits (transcript-formats.md E3):
 * the account's (limit_id = its table row's account_limit_id, or none in older files) and
 * per-model ones with their own windows and lower usage, written more often. Only the
 * account's drives the gauges. */
#define LIMIT_FAMILIES_MAX 16        /* families kept; more is hostile input, ignored */
struct limit_family {
	char id[LINE_LIMIT_MAX];     /* the account's id also when the file names none */
	char name[LINE_LIMIT_MAX];   /* limit_name; "" when none */
	int64_t observed_at;         /* the newest reading's line time */
	struct rate_limits rl;
};
struct limit_families {
	struct limit_family v[LIMIT_FAMILIES_MAX];
	size_t n;
};
/* limit_id the agent's account_limit_id, or none: the account's family. */
bool limit_family_is_account(const char *limit_id);
/* Keep a reading if it is its family's newest (a placeholder all-zero snapshot after a real one
 * is ignored). Returns true when what the family shows changed. */
bool limit_families_note(struct limit_families *l, int64_t ts, const char *limit_id, const char *limit_name,
		       const struct rate_limits *rl);

/* One reading seen at `now`: the 5-hour and weekly windows picked by length (never by position),
 * the individual limit; a window whose reset is already past — at the reading's own time, or at
 * `now` — is over: its percentage says nothing about now (negative here, `over` set). */
struct limit_view {
	double percent, weekly_percent, individual_percent; /* negative when absent or over */
	int window_minutes;                                  /* of the 5-hour window; 0 when none */
	int64_t resets_at, weekly_resets_at, individual_resets_at; /* as read; CT_TIME_NONE */
	bool over, weekly_over;
};
void limit_family_view(const struct limit_family *c, int64_t now, struct limit_view *out);

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
	bool official_over, weekly_over; /* the newest reading's window already reset (see limit_view) */
	double spend_percent;        /* the statusline's spend limit; negative when none */
	int64_t spend_resets_at;
	int window_minutes;          /* of the official 5-hour window; 0 when none */
	int64_t observed_at;         /* of the official reading */
	double tokens_per_min_15, usd_per_hour_15;       /* last 15 active minutes */
	double tokens_per_min_block, usd_per_hour_block; /* over the block's active span */
	double projected_used, projected_percent;        /* at the block's end */
	int64_t limit_at;            /* when the limit is reached at the current rate; NONE */
	double wasted_usd, wasted_share;                 /* unexpected misses in this block */
	uint64_t block_tokens;
};

/* sr: the statusline reading (NULL: none), read for the agent whose limits come from it. */
void quota_compute(const struct model *m, enum agent a, int64_t now, const struct quota_opts *o,
		   const struct official_reading *sr, struct quota *q);
/* The same from the agent's blocks already computed (blocks_compute), when a caller needs both. */
void quota_compute_from(const struct model *m, enum agent a, const struct blocks *blocks, int64_t now,
			const struct quota_opts *o, const struct official_reading *sr, struct quota *q);
/* The same with the account's reading from the transcripts given (model_account_limits, or
 * NULL) instead of the model: a status computed from a saved digest of the model. */
void quota_compute_acct(enum agent a, const struct blocks *blocks, const struct account_limits *acct, int64_t now,
			const struct quota_opts *o, const struct official_reading *sr, struct quota *q);
/* p90 of completed blocks' used amount in `unit` (the max while fewer than 5); 0 if none. */
double quota_auto_limit(const struct blocks *b, int64_t now, enum quota_unit unit);

#endif
