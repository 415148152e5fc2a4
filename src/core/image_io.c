/* image_io.c — the out-of-line part of image_io.h: strings and hash tables read back from a
 * saved image, each checked before it is trusted. Shared by the model's image (model_image.c)
 * and the evidence log's part (evidence_log.c). */
#include "image_io.h"

#include <stdlib.h>
#include <string.h>

char *img_get_str(struct img_r *r, bool *ok)
{
	uint32_t n = 0;
	const void *p = img_take(r, sizeof n);
	if (!p) {
		*ok = false;
		return NULL;
	}
	memcpy(&n, p, sizeof n);
	if (n == UINT32_MAX)
		return NULL;
	const char *s = img_take(r, n);
	if (!s || memchr(s, 0, n)) {
		r->bad = true;
		*ok = false;
		return NULL;
	}
	char *c = xmalloc((size_t)n + 1);
	memcpy(c, s, n);
	c[n] = 0;
	return c;
}

void img_map(struct buf *b, const struct u64map *m)
{
	size_t n = u64map_count(m), cap = m->cap;
	if (m->bcap) /* two tiers: one table as u64map_put would have grown it */
		for (cap = 64; n * 10 > cap * 7; cap *= 2)
			;
	img_u64(b, cap);
	img_u64(b, n);
	img_align(b);
	if (!m->bcap) {
		img_put(b, m->keys, m->cap * sizeof *m->keys);
		img_put(b, m->vals, m->cap * sizeof *m->vals);
		return;
	}
	size_t bytes = cap * (sizeof(uint64_t) + sizeof(uint32_t));
	buf_reserve(b, bytes);
	unsigned char *at = (unsigned char *)b->data + b->len; /* 8-aligned: img_align */
	memset(at, 0, bytes);
	u64map_fill(m, (uint64_t *)(void *)at, (uint32_t *)(void *)(at + cap * sizeof(uint64_t)), cap);
	b->len += bytes;
}

bool img_skip_map(struct img_r *r)
{
	size_t cap = img_count(r, (size_t)1 << 40), n = img_count(r, (size_t)1 << 40);
	img_skip_align(r);
	if (r->bad || (cap & (cap - 1)) || n * 10 > cap * 7 || cap > (r->n - r->at) / 12 || (!cap && n) ||
	    (cap && n >= cap)) {
		r->bad = true;
		return false;
	}
	return !cap || img_take(r, cap * (sizeof(uint64_t) + sizeof(uint32_t))) != NULL;
}

bool img_get_map_as(struct img_r *r, struct u64map *m, uint64_t limit, uint32_t also, bool lend)
{
	memset(m, 0, sizeof *m);
	size_t cap = img_count(r, (size_t)1 << 40), n = img_count(r, (size_t)1 << 40);
	img_skip_align(r);
	if (r->bad || (cap & (cap - 1)) || n * 10 > cap * 7 || cap > (r->n - r->at) / 12) {
		r->bad = true;
		return false;
	}
	if (!cap)
		return !n || (r->bad = true, false);
	uint64_t *keys;
	uint32_t *vals;
	if (lend && (uintptr_t)(r->p + r->at) % 8 == 0) {
		keys = (uint64_t *)(uintptr_t)img_take(r, cap * sizeof *keys);
		vals = (uint32_t *)(uintptr_t)img_take(r, cap * sizeof *vals);
		if (r->bad)
			return false;
		m->bkeys = keys, m->bvals = vals, m->bcap = cap, m->bn = n;
	} else {
		keys = m->keys = xmalloc(cap * sizeof *m->keys);
		vals = m->vals = xmalloc(cap * sizeof *m->vals);
		m->cap = cap;
		m->n = n;
		img_get(r, keys, cap, sizeof *keys);
		img_get(r, vals, cap, sizeof *vals);
	}
	size_t used = 0;
	for (size_t i = 0; i < cap && !r->bad; i++) {
		if (!keys[i])
			continue;
		used++;
		if (vals[i] >= limit && vals[i] != also)
			r->bad = true;
	}
	/* at least one empty slot, or a lookup of an absent key would never end */
	if (used != n || used == cap)
		r->bad = true;
	if (r->bad) {
		u64map_free(m);
		return false;
	}
	return true;
}

bool img_get_map(struct img_r *r, struct u64map *m, uint64_t limit, uint32_t also)
{
	return img_get_map_as(r, m, limit, also, false);
}
