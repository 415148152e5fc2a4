/* blocks_live.h — the 5-hour block rule shared by blocks_compute (quota.c, one pass over a
 * sorted copy) and the model's live aggregates (blocks_live.c, kept as requests arrive), so both
 * add the same numbers in the same order and agree to the last bit. Not a public header. */
#ifndef CACHETOP_BLOCKS_LIVE_H
#define CACHETOP_BLOCKS_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cachetop/model.h"
#include "cachetop/quota.h"

/* A request's (time, index) as three 32-bit words: a sort compares one small record instead of
 * two requests through the model's chunk table, at 12 bytes a request. */
struct timed {
	uint32_t hi, lo, i;
};
static inline struct timed timed_of(int64_t t, uint32_t i)
{
	return (struct timed){(uint32_t)((uint64_t)t >> 32), (uint32_t)(uint64_t)t, i};
}
static inline int64_t timed_t(const struct timed *x) { return (int64_t)(((uint64_t)x->hi << 32) | x->lo); }
/* By time, then index. */
void timed_sort(struct timed *v, size_t n);

/* Request r at block time t comes after the blocks so far: a new block when the last one is
 * over (5 h after its start, or 5 h after its last request), then its figures added. Returns
 * the block it went into. */
struct block *block_take(struct blocks *bl, enum agent a, const struct model *m, const struct request *r,
			 int64_t t);

/* The model's aggregates (model_settle), owned by the model. */
struct model_agg;
struct model_agg *agg_new(void);
void agg_free(struct model_agg *g);
/* Request ri's block time, tokens, price or waste is about to change: take it out of place, to
 * be placed again at the next settle. */
void agg_touch(struct model_agg *g, const struct model *m, uint32_t ri);

#endif
