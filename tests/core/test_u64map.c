/* test_u64map.c — the dedup maps' two tiers (u64map.h): a base lent by a loaded image, read in
 * place, and the map's own table for new keys. Against a plain map given the same puts: every
 * get agrees, a put of a base key changes it in place (the own table stays without it), counts
 * add up, and u64map_fill writes both tiers as one table that finds every key. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng | 1; /* never 0: the empty slot */
}

Test(u64map, a_lent_base_and_own_table_act_as_one_map)
{
	enum { BASE = 5000, MORE = 3000 };
	static uint64_t keys[BASE + MORE];
	struct u64map plain = {0}, base = {0};
	for (size_t i = 0; i < BASE; i++) {
		keys[i] = next();
		u64map_put(&plain, keys[i], (uint32_t)i);
		u64map_put(&base, keys[i], (uint32_t)i);
	}
	/* the base's arrays lent to a new map, as an image's would be */
	struct u64map two = {.bkeys = base.keys, .bvals = base.vals, .bcap = base.cap, .bn = base.n};
	for (size_t i = BASE; i < BASE + MORE; i++)
		keys[i] = next();
	for (size_t i = 0; i < BASE + MORE; i++) {
		/* new keys, and every third base key given a new value */
		if (i >= BASE || i % 3 == 0) {
			u64map_put(&plain, keys[i], (uint32_t)(i * 7));
			u64map_put(&two, keys[i], (uint32_t)(i * 7));
		}
	}
	cr_assert_eq(two.n, MORE, "base keys went to the own table (%zu)", two.n);
	cr_assert_eq(u64map_count(&two), plain.n);
	for (size_t i = 0; i < BASE + MORE; i++) {
		uint32_t *p = u64map_get(&plain, keys[i]), *q = u64map_get(&two, keys[i]);
		cr_assert(p && q && *p == *q, "key %zu: %u against %u", i, p ? *p : 0, q ? *q : 0);
	}
	uint32_t *third = u64map_get(&base, keys[3]);
	cr_assert(third && *third == 21, "a base key's new value was not written in place");
	for (int k = 0; k < 100; k++)
		cr_assert_null(u64map_get(&two, next()));
	/* one table again */
	size_t cap = 1;
	while (cap * 7 < u64map_count(&two) * 10)
		cap *= 2;
	uint64_t *fk = calloc(cap, sizeof *fk);
	uint32_t *fv = calloc(cap, sizeof *fv);
	u64map_fill(&two, fk, fv, cap);
	struct u64map one = {.keys = fk, .vals = fv, .cap = cap, .n = u64map_count(&two)};
	for (size_t i = 0; i < BASE + MORE; i++) {
		uint32_t *p = u64map_get(&plain, keys[i]), *q = u64map_get(&one, keys[i]);
		cr_assert(q && *p == *q, "key %zu lost in the one table", i);
	}
	u64map_free(&one);
	u64map_free(&two); /* its own table only */
	cr_assert_eq(*u64map_get(&base, keys[1]), 1, "the lent base was touched by the free");
	u64map_free(&base);
	u64map_free(&plain);
}
