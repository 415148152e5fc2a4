/* blocks_rule.c — the 5-hour block rule itself, below both of its users: blocks_compute
 * (quota.c, one pass over a sorted copy) and the model's live aggregates (blocks_live.c, kept as
 * requests arrive). One copy of the rule is what makes the two agree to the last bit. */
#include <stdlib.h>
#include <string.h>

#include "blocks_live.h"
#include "cachetop/cause.h"
#include "cachetop/util.h"

#define HOUR_MS (3600LL * 1000)

static int by_time(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	int64_t tx = timed_t(x), ty = timed_t(y);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Digit k (11 bits, 0 lowest) of the 96-bit sort key: the time with its sign bit flipped
 * above the index. */
enum { DIGIT_BITS = 11, DIGITS = (96 + DIGIT_BITS - 1) / DIGIT_BITS, BUCKETS = 1 << DIGIT_BITS };
static unsigned timed_digit(const struct timed *x, int k)
{
	unsigned lo_bit = (unsigned)k * DIGIT_BITS;
	uint64_t t = ((uint64_t)x->hi << 32 | x->lo) ^ ((uint64_t)1 << 63);
	/* the key's bits [lo_bit, lo_bit + 11): the index is bits 0–31, the time 32–95 */
	uint64_t low = lo_bit < 32 ? ((uint64_t)x->i >> lo_bit) | (t << (32 - lo_bit)) : t >> (lo_bit - 32);
	return (unsigned)(low & (BUCKETS - 1));
}

/* A least-significant-digit radix sort over the whole key, each pass stable, a pass skipped when
 * every element has the same digit (a history spans a few of the time's bits): the blocks and
 * the live aggregates sort every counted request, where qsort's comparisons were most of the
 * time. Small inputs keep qsort. The order is by_time's (a total order: no ties). */
void timed_sort(struct timed *v, size_t n)
{
	if (n < 2)
		return; /* v may be NULL when n is 0 */
	if (n < 256) {
		qsort(v, n, sizeof *v, by_time);
		return;
	}
	struct timed *tmp = xmalloc(n * sizeof *tmp), *from = v, *to = tmp;
	size_t *count = xmalloc(BUCKETS * sizeof *count);
	for (int k = 0; k < DIGITS; k++) {
		memset(count, 0, BUCKETS * sizeof *count);
		for (size_t j = 0; j < n; j++)
			count[timed_digit(&from[j], k)]++;
		if (count[timed_digit(&from[0], k)] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < BUCKETS; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t j = 0; j < n; j++)
			to[count[timed_digit(&from[j], k)]++] = from[j];
		struct timed *x = from;
		from = to;
		to = x;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
	free(count);
	free(tmp);
}

static int64_t floor_hour(int64_t t)
{
	int64_t q = t / HOUR_MS;
	if (t < 0 && t % HOUR_MS)
		q--;
	return q * HOUR_MS;
}

struct block *block_take(struct blocks *bl, enum agent a, const struct model *m, const struct request *r,
			 int64_t t)
{
	struct block *b = bl->n ? &bl->v[bl->n - 1] : NULL;
	if (!b || t - b->start > BLOCK_MS || t - b->last > BLOCK_MS) {
		void *p = bl->v;
		ct_grow(&p, &bl->cap, bl->n + 1, sizeof *bl->v);
		bl->v = p;
		b = &bl->v[bl->n++];
		memset(b, 0, sizeof *b);
		b->agent = a;
		b->start = floor_hour(t);
		b->end = b->start + BLOCK_MS;
		b->first = t;
	}
	b->last = t;
	b->requests++;
	b->input += r->input;
	b->output += r->output;
	b->cache_creation += request_cc(r);
	b->cache_read += r->cache_read;
	double c = model_request_cost(m, r);
	if (c >= 0)
		b->cost_usd += c;
	else
		b->unpriced++;
	if (r->event) {
		const struct cache_event *e = model_event(m, r->event - 1);
		if (!cause_expected(e->cause) && e->wasted_usd > 0)
			b->wasted_usd += e->wasted_usd;
	}
	return b;
}

void blocks_free(struct blocks *b)
{
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}
