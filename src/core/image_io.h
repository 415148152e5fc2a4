/* image_io.h — writing and reading the model's saved image (model_image.c) in one pass: values
 * and whole arrays appended to a buffer as they lie in memory, and a reader that refuses any
 * read past its end (a damaged image then reads as refused, never past the buffer). Also the
 * evidence log's part (evidence_log.c owns its layout). Internal to core. */
#ifndef CACHETOP_IMAGE_IO_H
#define CACHETOP_IMAGE_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cachetop/util.h"
#include "u64map.h"

struct evidence_log;

struct img_r {
	const unsigned char *p;
	size_t n, at;
	size_t base;   /* the offset of p in the image (its head), for img_skip_align */
	bool bad;
};

static inline void img_put(struct buf *b, const void *p, size_t n)
{
	if (n)
		buf_append(b, p, n);
}
static inline void img_u64(struct buf *b, uint64_t v) { buf_append(b, &v, sizeof v); }
/* Zero bytes up to the next multiple of 8 of the image (the buffer starts with the image's
 * 8-byte-aligned head): an array after it can be used where it lies (model_image_load_borrowed). */
static inline void img_align(struct buf *b)
{
	static const char zero[8];
	if (b->len % 8)
		buf_append(b, zero, 8 - b->len % 8);
}
/* A string: its length (UINT32_MAX for NULL), then its bytes. */
static inline void img_str(struct buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
	buf_append(b, &n, sizeof n);
	if (s)
		buf_append(b, s, n);
}

/* The 40-byte head of a saved image (the model's, the status digest): an 8-byte magic, a
 * version (and 4 zero bytes), a tag (what the image is tied to), the body's length and hash. */
enum { IMG_HEAD = 40 };
static inline void img_head_put(unsigned char *h, const char magic[8], uint32_t version, uint64_t tag,
				uint64_t len, uint64_t hash)
{
	uint32_t ver[2] = {version, 0};
	memcpy(h, magic, 8);
	memcpy(h + 8, ver, 8);
	memcpy(h + 16, &tag, 8);
	memcpy(h + 24, &len, 8);
	memcpy(h + 32, &hash, 8);
}
/* The head at b (n bytes): false unless the magic and version are these and the body's length
 * fits in what follows. */
static inline bool img_head_get(const unsigned char *b, size_t n, const char magic[8], uint32_t version,
				uint64_t *tag, uint64_t *len, uint64_t *hash)
{
	uint32_t ver[2];
	if (!b || n < IMG_HEAD || memcmp(b, magic, 8) != 0)
		return false;
	memcpy(ver, b + 8, 8);
	memcpy(tag, b + 16, 8);
	memcpy(len, b + 24, 8);
	memcpy(hash, b + 32, 8);
	return ver[0] == version && ver[1] == 0 && *len <= n - IMG_HEAD;
}

/* n bytes from the reader, or NULL (and bad) when fewer are left. */
static inline const void *img_take(struct img_r *r, size_t n)
{
	if (r->bad || n > r->n - r->at) {
		r->bad = true;
		return NULL;
	}
	const void *p = r->p + r->at;
	r->at += n;
	return p;
}
static inline uint64_t img_get_u64(struct img_r *r)
{
	uint64_t v = 0;
	const void *p = img_take(r, sizeof v);
	if (p)
		memcpy(&v, p, sizeof v);
	return v;
}
/* Past img_align's zero bytes: the reader's place in the image to a multiple of 8. */
static inline void img_skip_align(struct img_r *r)
{
	size_t pad = (8 - (r->base + r->at) % 8) % 8;
	const unsigned char *z = img_take(r, pad);
	for (size_t i = 0; z && i < pad; i++)
		if (z[i])
			r->bad = true;
}
/* A count that must not exceed max (bad otherwise). */
static inline size_t img_count(struct img_r *r, uint64_t max)
{
	uint64_t v = img_get_u64(r);
	if (v > max) {
		r->bad = true;
		return 0;
	}
	return (size_t)v;
}
/* count elements of size bytes into dst (count already bounded by img_count). */
static inline bool img_get(struct img_r *r, void *dst, size_t count, size_t size)
{
	if (size && count > (r->n - r->at) / size) {
		r->bad = true;
		return false;
	}
	const void *p = img_take(r, count * size);
	if (p && count) {
		ct_prefault(dst, count * size);
		memcpy(dst, p, count * size);
	}
	return p != NULL;
}
/* A string written by img_str: a new copy (NULL when it was NULL or bad); *ok false when bad
 * (an embedded NUL is bad). */
char *img_get_str(struct img_r *r, bool *ok);
/* A bool field whose bytes came from an image: 0 or 1 (any other byte is no bool). */
static inline void img_bool(bool *b)
{
	unsigned char c;
	memcpy(&c, b, 1);
	c = c != 0;
	memcpy(b, &c, 1);
}

/* A u64map as its flat arrays; read back only when its shape is one u64map_put makes (a power
 * of two, load <= 0.7, n the count of keys) and every value is below `limit` or is `also`. */
void img_map(struct buf *b, const struct u64map *m);
bool img_get_map(struct img_r *r, struct u64map *m, uint64_t limit, uint32_t also);
/* The same; lend: the table used where it lies (as the map's lent base, u64map.h) when it lies
 * aligned, copied otherwise. The reader's bytes must then outlive the map. */
bool img_get_map_as(struct img_r *r, struct u64map *m, uint64_t limit, uint32_t also, bool lend);
/* Past a map written by img_map without loading it: its counts checked as img_get_map checks
 * them, its slots not read (what is not loaded is never followed). */
bool img_skip_map(struct img_r *r);

/* evidence_log.c: the log into an image, and back (NULL when bad; nsessions bounds its indices). */
void evidence_log_image(const struct evidence_log *l, struct buf *out);
struct evidence_log *evidence_log_from_image(struct img_r *r, size_t nsessions);

#endif
