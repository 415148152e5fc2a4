/* test_timed_sort.c — timed_sort (the blocks' and live aggregates' sort of every counted
 * request) against qsort with the plain (time, index) comparison: random arrays of every size
 * around its qsort cut-off, times spread over years or packed into a few milliseconds (many
 * equal), negative times and the extremes, indices in any order. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blocks_live.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int by_key(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	int64_t tx = timed_t(x), ty = timed_t(y);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void check(size_t n, int shape)
{
	struct timed *v = malloc((n ? n : 1) * sizeof *v), *w = malloc((n ? n : 1) * sizeof *w);
	for (size_t j = 0; j < n; j++) {
		int64_t t;
		switch (shape) {
		case 0: t = 1700000000000LL + (int64_t)(next() % (400LL * 86400000)); break; /* a year */
		case 1: t = 1762765200000LL + (int64_t)(next() % 5); break;              /* many equal */
		case 2: t = (int64_t)(next() % 2000001) - 1000000; break;                 /* around 0 */
		default: t = (int64_t)next(); break;                                      /* anything */
		}
		if (shape == 3 && j % 97 == 0)
			t = j % 2 ? INT64_MIN : INT64_MAX;
		uint32_t i = shape == 1 ? (uint32_t)(next() % (n + 1)) : (uint32_t)next();
		v[j] = timed_of(t, i);
	}
	memcpy(w, v, n * sizeof *v);
	timed_sort(v, n);
	qsort(w, n, sizeof *w, by_key);
	for (size_t j = 0; j < n; j++)
		cr_assert(v[j].hi == w[j].hi && v[j].lo == w[j].lo && v[j].i == w[j].i,
			  "n %zu shape %d: element %zu differs", n, shape, j);
	free(v);
	free(w);
}

Test(timed_sort, equals_qsort_by_time_then_index)
{
	const size_t sizes[] = {0, 1, 2, 255, 256, 257, 1000, 4096, 50000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
		for (int shape = 0; shape < 4; shape++)
			check(sizes[k], shape);
}
