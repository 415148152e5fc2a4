/* statefile.c — encoding and checking the warm-start state's bytes (statefile.h). Every length
 * and offset read from a buffer is checked against the buffer before use: the file may be
 * damaged, cut short, written by another version or made up, and then it is refused whole. */
#include <string.h>

#include "cachetop/statefile.h"

static const char magic[8] = {'C', 'T', 'S', 'T', 'A', 'T', 'E', 0};
#define ENDIAN_MARK 0x01020304u

/* header offsets */
enum { H_MAGIC = 0, H_ENDIAN = 8, H_VERSION = 12, H_BUILD = 16, H_ROOTS = 24, H_N = 32,
       H_LEN = 40, H_META_HASH = 48, H_RECORDS = 56, H_IMAGE_LEN = 64, H_DIRS_LEN = 72,
       H_DIRS_HASH = 80 };
/* folder listing offsets */
enum { D_PATH_LEN = 0, D_ENTS_LEN = 4, D_DEV = 8, D_INO = 16, D_MTIME = 24, D_CTIME = 32, D_HEAD = 48 };
/* entry offsets */
enum { E_DEV = 0, E_INO = 8, E_SIZE = 16, E_MTIME = 24, E_CTIME = 32, E_OFFSET = 40,
       E_HEAD_HASH = 48, E_TAIL_HASH = 56, E_HEAD_LEN = 64, E_TAIL_LEN = 68, E_FIRST = 72,
       E_LAST = 80, E_LINES = 88, E_REC_OFF = 96, E_REC_LEN = 104, E_REC_HASH = 112,
       E_PATH_OFF = 120, E_PATH_LEN = 124, E_TAIL = 128, E_PEEK_LAST = 192 };

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static void wr64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static void wr32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

/* Four independent lanes (xxh64's scheme): a long chain of multiplies through one lane runs at
 * a quarter of the speed, and every start hashes the records it recalls. */
static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
static uint64_t lane(uint64_t acc, uint64_t v) { return rotl(acc + v * P2, 31) * P1; }

void statefile_set_image(struct buf *meta, uint64_t image_len)
{
	unsigned char *b = (unsigned char *)meta->data;
	wr64(b + H_IMAGE_LEN, image_len);
	wr64(b + H_LEN, rd64(b + H_LEN) + image_len);
}

void statefile_set_pad(struct buf *meta, uint64_t pad)
{
	unsigned char *b = (unsigned char *)meta->data;
	wr64(b + H_LEN, rd64(b + H_LEN) + pad);
}

void statefile_set_dirs(struct buf *meta, uint64_t dirs_len, uint64_t dirs_hash)
{
	unsigned char *b = (unsigned char *)meta->data;
	wr64(b + H_DIRS_LEN, dirs_len);
	wr64(b + H_DIRS_HASH, dirs_hash);
	wr64(b + H_LEN, rd64(b + H_LEN) + dirs_len);
	/* the meta hash vouches for these two header fields too */
	wr64(b + H_META_HASH, rd64(b + H_META_HASH) ^ dirs_hash ^ (dirs_len * P3));
}

static int dir_cmp(const struct statefile_dir *a, const struct statefile_dir *b)
{
	size_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
	int c = memcmp(a->path, b->path, n);
	return c ? c : (a->path_len > b->path_len) - (a->path_len < b->path_len);
}

int statefile_dir_next(const void *blob, size_t len, size_t *pos, const struct statefile_dir *prev,
		       struct statefile_dir *d)
{
	const unsigned char *b = blob;
	size_t at = *pos;
	if (at == len)
		return 0;
	if (at > len || len - at < D_HEAD)
		return -1;
	uint64_t pl = rd32(b + at + D_PATH_LEN), el = rd32(b + at + D_ENTS_LEN);
	if (pl == 0 || pl > len - at - D_HEAD || el > len - at - D_HEAD - pl)
		return -1;
	*d = (struct statefile_dir){.path = (const char *)b + at + D_HEAD, .path_len = (size_t)pl,
				    .dev = rd64(b + at + D_DEV), .ino = rd64(b + at + D_INO),
				    .mtime_ns = (int64_t)rd64(b + at + D_MTIME),
				    .ctime_ns = (int64_t)rd64(b + at + D_CTIME),
				    .ents = b + at + D_HEAD + pl, .ents_len = (size_t)el};
	if (memchr(d->path, 0, d->path_len) || (prev && dir_cmp(prev, d) >= 0))
		return -1;
	/* entries: a type byte, a name of at least one byte without '/', its NUL */
	for (size_t e = 0; e < d->ents_len;) {
		const unsigned char *nul = memchr(d->ents + e + 1, 0, e + 1 < d->ents_len ? d->ents_len - e - 1 : 0);
		if (!nul || nul == d->ents + e + 1 || memchr(d->ents + e + 1, '/', (size_t)(nul - d->ents - e - 1)))
			return -1;
		e = (size_t)(nul - d->ents) + 1;
	}
	*pos = at + D_HEAD + (size_t)pl + (size_t)el;
	return 1;
}

void statefile_dir_put(struct buf *out, const struct statefile_dir *d)
{
	unsigned char h[D_HEAD] = {0};
	wr32(h + D_PATH_LEN, (uint32_t)d->path_len);
	wr32(h + D_ENTS_LEN, (uint32_t)d->ents_len);
	wr64(h + D_DEV, d->dev);
	wr64(h + D_INO, d->ino);
	wr64(h + D_MTIME, (uint64_t)d->mtime_ns);
	wr64(h + D_CTIME, (uint64_t)d->ctime_ns);
	buf_append(out, (const char *)h, sizeof h);
	buf_append(out, d->path, d->path_len);
	if (d->ents_len)
		buf_append(out, (const char *)d->ents, d->ents_len);
}

/* The 32-byte lanes over n bytes (n a multiple of 32). */
static void hash_lanes(const unsigned char *s, size_t n, uint64_t v[4])
{
	uint64_t a = v[0], b = v[1], c = v[2], d = v[3];
	for (; n >= 32; s += 32, n -= 32) {
		a = lane(a, rd64(s));
		b = lane(b, rd64(s + 8));
		c = lane(c, rd64(s + 16));
		d = lane(d, rd64(s + 24));
	}
	v[0] = a, v[1] = b, v[2] = c, v[3] = d;
}

uint64_t statefile_hash_paged(const void *p, size_t n, const struct statefile_pager *pg)
{
	const unsigned char *s = p;
	uint64_t v[4] = {P1 + P2, P2, 0, 0 - P1}, a, b, c, d, h;
	size_t len = n;
	/* window by window when paged, so that what was hashed can leave memory at once */
	size_t win = pg ? ((size_t)4 << 20) : (n & ~(size_t)31);
	while (n >= 32) {
		size_t k = n < win ? n & ~(size_t)31 : win;
		if (pg && pg->want)
			pg->want(pg->ctx, s, k);
		hash_lanes(s, k, v);
		if (pg && pg->done)
			pg->done(pg->ctx, s, k);
		s += k;
		n -= k;
	}
	a = v[0], b = v[1], c = v[2], d = v[3];
	h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
	h = (h ^ lane(0, a)) * P1 + P4;
	h = (h ^ lane(0, b)) * P1 + P4;
	h = (h ^ lane(0, c)) * P1 + P4;
	h = (h ^ lane(0, d)) * P1 + P4;
	h += (uint64_t)len;
	while (n >= 8) {
		h = rotl(h ^ lane(0, rd64(s)), 27) * P1 + P4;
		s += 8;
		n -= 8;
	}
	while (n--) {
		h = rotl(h ^ (*s++ * P3), 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t statefile_hash(const void *p, size_t n) { return statefile_hash_paged(p, n, NULL); }

/* The path of entry i, checked: inside the path area, NUL-terminated right at its length. */
static const char *entry_path(const struct statefile *sf, const unsigned char *e, size_t *len)
{
	uint64_t off = rd32(e + E_PATH_OFF), n = rd32(e + E_PATH_LEN);
	size_t area = sf->records - sf->strings;
	if (n == 0 || off >= area || n >= area - off)
		return NULL;
	const char *p = (const char *)sf->buf + sf->strings + off;
	if (p[n] != 0 || memchr(p, 0, n))
		return NULL;
	*len = n;
	return p;
}

uint64_t statefile_records_at(const void *header, size_t len)
{
	const unsigned char *b = header;
	if (!b || len < STATEFILE_HEADER || memcmp(b + H_MAGIC, magic, 8) != 0 ||
	    rd32(b + H_ENDIAN) != ENDIAN_MARK || rd32(b + H_VERSION) != STATEFILE_VERSION)
		return 0;
	return rd64(b + H_RECORDS);
}

int statefile_open(struct statefile *sf, const void *buf, size_t len, uint64_t file_len,
		   uint64_t build_key, uint64_t roots_key)
{
	memset(sf, 0, sizeof *sf);
	const unsigned char *b = buf;
	if (!b || len < STATEFILE_HEADER || len > file_len || statefile_records_at(b, len) == 0 ||
	    rd64(b + H_BUILD) != build_key || rd64(b + H_ROOTS) != roots_key || rd64(b + H_LEN) != file_len)
		return -1;
	uint64_t n = rd64(b + H_N), records = rd64(b + H_RECORDS), image = rd64(b + H_IMAGE_LEN);
	uint64_t dirs = rd64(b + H_DIRS_LEN);
	if (n > (len - STATEFILE_HEADER) / STATEFILE_ENTRY)
		return -1;
	size_t strings = STATEFILE_HEADER + (size_t)n * STATEFILE_ENTRY;
	if (records < strings || records > len || image > file_len - records || dirs > file_len - records - image)
		return -1;
	if ((statefile_hash(b + STATEFILE_HEADER, (size_t)records - STATEFILE_HEADER) ^ rd64(b + H_DIRS_HASH) ^
	     (dirs * P3)) != rd64(b + H_META_HASH))
		return -1;
	*sf = (struct statefile){.buf = b, .len = len, .file_len = file_len, .n = (size_t)n,
				 .strings = strings, .records = (size_t)records,
				 .image_at = file_len - image, .image_len = image,
				 .dirs_at = file_len - image - dirs, .dirs_len = dirs,
				 .dirs_hash = rd64(b + H_DIRS_HASH)};
	uint64_t area = file_len - records - image - dirs;
	const char *prev = NULL;
	for (size_t i = 0; i < sf->n; i++) {
		const unsigned char *e = b + STATEFILE_HEADER + i * STATEFILE_ENTRY;
		size_t plen;
		const char *p = entry_path(sf, e, &plen);
		uint64_t off = rd64(e + E_OFFSET), ro = rd64(e + E_REC_OFF), rl = rd64(e + E_REC_LEN);
		uint32_t hl = rd32(e + E_HEAD_LEN), tl = rd32(e + E_TAIL_LEN);
		if (!p || (prev && strcmp(prev, p) >= 0) || ro > area || rl > area - ro ||
		    hl > STATEFILE_WINDOW || tl > STATEFILE_WINDOW || hl > off || tl > off ||
		    off > rd64(e + E_SIZE))
			goto bad;
		prev = p;
	}
	return 0;
bad:
	memset(sf, 0, sizeof *sf);
	return -1;
}

/* The path of an entry of an opened table (statefile_open checked them all). */
static const char *entry_path_checked(const struct statefile *sf, const unsigned char *e, size_t *len)
{
	*len = rd32(e + E_PATH_LEN);
	return (const char *)sf->buf + sf->strings + rd32(e + E_PATH_OFF);
}

void statefile_get(const struct statefile *sf, size_t i, struct statefile_entry *x)
{
	const unsigned char *e = sf->buf + STATEFILE_HEADER + i * STATEFILE_ENTRY;
	memset(x, 0, sizeof *x);
	x->path = entry_path_checked(sf, e, &x->path_len);
	x->dev = rd64(e + E_DEV);
	x->ino = rd64(e + E_INO);
	x->size = rd64(e + E_SIZE);
	x->mtime_ns = (int64_t)rd64(e + E_MTIME);
	x->ctime_ns = (int64_t)rd64(e + E_CTIME);
	x->offset = rd64(e + E_OFFSET);
	x->head_hash = rd64(e + E_HEAD_HASH);
	x->tail_hash = rd64(e + E_TAIL_HASH);
	x->head_len = rd32(e + E_HEAD_LEN);
	x->tail_len = rd32(e + E_TAIL_LEN);
	x->first_ts = (int64_t)rd64(e + E_FIRST);
	x->last_ts = (int64_t)rd64(e + E_LAST);
	x->lines = rd64(e + E_LINES);
	x->rec_off = rd64(e + E_REC_OFF);
	x->rec_len = rd64(e + E_REC_LEN);
	x->rec_hash = rd64(e + E_REC_HASH);
	memcpy(x->tail, e + E_TAIL, STATEFILE_TAIL);
	x->peek_last_ts = (int64_t)rd64(e + E_PEEK_LAST);
	x->rec_at = sf->records + x->rec_off;
	x->records = x->rec_at + x->rec_len <= sf->len ? (const char *)sf->buf + x->rec_at : NULL;
}

long statefile_find(const struct statefile *sf, const char *path)
{
	size_t lo = 0, hi = sf->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t plen;
		int c = strcmp(path, entry_path_checked(sf, sf->buf + STATEFILE_HEADER + mid * STATEFILE_ENTRY, &plen));
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool statefile_records_ok(const struct statefile_entry *e, const char *records)
{
	return statefile_hash(records, (size_t)e->rec_len) == e->rec_hash;
}

size_t statefile_meta_size(const struct statefile_entry *v, size_t n)
{
	size_t s = STATEFILE_HEADER + n * STATEFILE_ENTRY;
	for (size_t i = 0; i < n; i++)
		s += v[i].path_len + 1;
	return s;
}

void statefile_encode_meta(const struct statefile_entry *v, size_t n, uint64_t build_key,
			   uint64_t roots_key, struct buf *out)
{
	size_t size = statefile_meta_size(v, n);
	uint64_t rec_total = n ? v[n - 1].rec_off + v[n - 1].rec_len : 0;
	out->len = 0;
	buf_reserve(out, size);
	unsigned char *b = (unsigned char *)out->data;
	memset(b, 0, size);
	size_t strings = STATEFILE_HEADER + n * STATEFILE_ENTRY, soff = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char *e = b + STATEFILE_HEADER + i * STATEFILE_ENTRY;
		const struct statefile_entry *x = &v[i];
		wr64(e + E_DEV, x->dev);
		wr64(e + E_INO, x->ino);
		wr64(e + E_SIZE, x->size);
		wr64(e + E_MTIME, (uint64_t)x->mtime_ns);
		wr64(e + E_CTIME, (uint64_t)x->ctime_ns);
		wr64(e + E_OFFSET, x->offset);
		wr64(e + E_HEAD_HASH, x->head_hash);
		wr64(e + E_TAIL_HASH, x->tail_hash);
		wr32(e + E_HEAD_LEN, x->head_len);
		wr32(e + E_TAIL_LEN, x->tail_len);
		wr64(e + E_FIRST, (uint64_t)x->first_ts);
		wr64(e + E_LAST, (uint64_t)x->last_ts);
		wr64(e + E_LINES, x->lines);
		wr64(e + E_REC_OFF, x->rec_off);
		wr64(e + E_REC_LEN, x->rec_len);
		wr64(e + E_REC_HASH, x->rec_hash);
		wr32(e + E_PATH_OFF, (uint32_t)soff);
		wr32(e + E_PATH_LEN, (uint32_t)x->path_len);
		memcpy(e + E_TAIL, x->tail, STATEFILE_TAIL);
		wr64(e + E_PEEK_LAST, (uint64_t)x->peek_last_ts);
		memcpy(b + strings + soff, x->path, x->path_len);
		soff += x->path_len + 1;
	}
	memcpy(b + H_MAGIC, magic, 8);
	wr32(b + H_ENDIAN, ENDIAN_MARK);
	wr32(b + H_VERSION, STATEFILE_VERSION);
	wr64(b + H_BUILD, build_key);
	wr64(b + H_ROOTS, roots_key);
	wr64(b + H_N, n);
	wr64(b + H_LEN, size + rec_total);
	wr64(b + H_RECORDS, size);
	wr64(b + H_META_HASH, statefile_hash(b + STATEFILE_HEADER, size - STATEFILE_HEADER));
	out->len = size;
}
