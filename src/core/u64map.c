/* u64map.c — see u64map.h: linear probing over two parallel arrays. */
#include "u64map.h"

#include <stdlib.h>

#include "cachetop/util.h"

static uint32_t *probe(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key)
{
	if (!cap)
		return NULL;
	size_t mask = cap - 1;
	for (size_t i = (size_t)key & mask;; i = (i + 1) & mask) {
		if (keys[i] == key)
			return &vals[i];
		if (!keys[i])
			return NULL;
	}
}

uint32_t *u64map_get(const struct u64map *m, uint64_t key)
{
	if (!key)
		return NULL;
	uint32_t *v = probe(m->bkeys, m->bvals, m->bcap, key);
	return v ? v : probe(m->keys, m->vals, m->cap, key);
}

static void put_raw(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key, uint32_t val, size_t *n)
{
	size_t mask = cap - 1;
	for (size_t i = (size_t)key & mask;; i = (i + 1) & mask) {
		if (keys[i] == key) {
			vals[i] = val;
			return;
		}
		if (!keys[i]) {
			keys[i] = key;
			vals[i] = val;
			(*n)++;
			return;
		}
	}
}

void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	if (!key)
		key = 1;
	uint32_t *lent = probe(m->bkeys, m->bvals, m->bcap, key);
	if (lent) {
		*lent = val;
		return;
	}
	if ((m->n + 1) * 10 > m->cap * 7) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		uint64_t *keys = xcalloc(cap, sizeof *keys);
		uint32_t *vals = xmalloc(cap * sizeof *vals);
		size_t n = 0;
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				put_raw(keys, vals, cap, m->keys[i], m->vals[i], &n);
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	put_raw(m->keys, m->vals, m->cap, key, val, &m->n);
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct u64map){0}; /* a lent base is its lender's */
}

void u64map_fill(const struct u64map *m, uint64_t *keys, uint32_t *vals, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < m->bcap; i++)
		if (m->bkeys[i])
			put_raw(keys, vals, cap, m->bkeys[i], m->bvals[i], &n);
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			put_raw(keys, vals, cap, m->keys[i], m->vals[i], &n);
}

