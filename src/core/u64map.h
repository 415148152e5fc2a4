/* u64map.h — an open-addressing hash map from 64-bit hashes to 32-bit values (linear probing,
 * power-of-two capacity, load ≤ 0.7). Internal to core. Written here rather than taken from
 * uthash because uthash spends a 56-byte handle per entry and the dedup sets hold one entry per
 * request and per transcript line: 12 bytes a slot keeps memory per request within budget. */
#ifndef CACHETOP_U64MAP_H
#define CACHETOP_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;   /* 0 = empty slot (ct_hash never returns 0) */
	uint32_t *vals;
	size_t cap, n;
	/* A base lent by a loaded image (where it lies in the state file, not copied): looked up
	 * first, its values set in place, never grown nor freed; keys not in it go to the table
	 * above. So a long history's dedup ids stay out of the process's own memory. */
	uint64_t *bkeys;
	uint32_t *bvals;
	size_t bcap, bn;
};

/* Pointer to the value for key, or NULL. Valid until the next put. */
uint32_t *u64map_get(const struct u64map *m, uint64_t key);
/* Insert or replace. */
void u64map_put(struct u64map *m, uint64_t key, uint32_t val);
void u64map_free(struct u64map *m);
/* Keys in both tiers. */
static inline size_t u64map_count(const struct u64map *m) { return m->n + m->bn; }
/* Every key of both tiers into zeroed arrays of cap slots (cap a power of two, above the count):
 * one table, as an image keeps it. */
void u64map_fill(const struct u64map *m, uint64_t *keys, uint32_t *vals, size_t cap);

#endif
