/* statefile.h — the bytes of cachetop's warm-start state: for each transcript an earlier run
 * read, where it stopped (a line boundary), what the file looked like there (identity and the
 * hashes of two windows, so a later run can tell an append from a rewrite) and the packed
 * records (line_pack) of every line before that point. Pure: this encodes and checks bytes;
 * reading, mapping and writing the file is the app's business (src/app/state.c).
 *
 * Layout (host byte order; the cache never leaves the machine): an 88-byte header (magic, an
 * endianness mark, format version, the build and roots keys, the entry count, the file length,
 * a hash of the table and paths, where the records start, the image's length, the folder
 * listings' length and hash), then a table of fixed 200-byte entries sorted by path, then the
 * NUL-terminated paths, then the records, then the folder listings (below), then (when one was
 * written) the model's image (model_image.h), which checks itself. The table and paths
 * are checked when the file is opened; an entry's records carry their own hash, checked by
 * whoever is about to use them (so a start-up that recalls a few files hashes only those). */
#ifndef CACHETOP_STATEFILE_H
#define CACHETOP_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/util.h"

#define STATEFILE_VERSION 5 /* 2: record lines, limit families in line_pack; 3: database kinds;
                             * 4: the model's image after the records; 5: folder listings */
#define STATEFILE_HEADER 88
#define STATEFILE_ENTRY 200
/* Bytes hashed at the head of a file and before its saved offset. */
#define STATEFILE_WINDOW 4096
/* The last bytes before the offset, kept as they are (a live tail compares them). */
#define STATEFILE_TAIL 64

struct statefile_entry {
	const char *path;        /* NUL-terminated */
	size_t path_len;
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;      /* 0: too close to the read to be trusted alone */
	uint64_t offset;         /* end of the last complete line the records cover */
	uint32_t head_len, tail_len;     /* window sizes: min(offset, STATEFILE_WINDOW) */
	uint64_t head_hash, tail_hash;   /* of [0, head_len) and [offset - tail_len, offset) */
	int64_t first_ts, last_ts;       /* the reading order's keys then (INT64_MAX: none) */
	int64_t peek_last_ts;            /* the scan's tie-break peek at its end then, INT64_MIN:
	                                  * not taken */
	uint64_t lines;                  /* lines the records came from */
	uint64_t rec_off, rec_len, rec_hash; /* records: offset from the records area, length, hash */
	unsigned char tail[STATEFILE_TAIL];  /* the min(offset, STATEFILE_TAIL) bytes before offset */
	uint64_t rec_at;         /* statefile_get: where its records lie in the file */
	const char *records;     /* statefile_get: in the buffer, or NULL when it holds only the
	                          * table (the records are then read from the file at rec_at) */
};

/* A decoded view over a buffer that stays alive and unchanged: the file's first `len` bytes,
 * the whole file or only its header, table and paths. */
struct statefile {
	const unsigned char *buf;
	size_t len;
	uint64_t file_len;
	size_t n;                /* entries */
	size_t strings, records; /* where the paths and the records start */
	uint64_t image_at, image_len; /* the model's image in the file; image_len 0: none */
	uint64_t dirs_at, dirs_len, dirs_hash; /* the folder listings; dirs_len 0: none */
};

/* One folder as the source listed it: its stat before the listing and its entries as the
 * source used them, each a type byte (a dirent DT_* value), the name and a NUL. The listings
 * are one after another, sorted by path (strictly), each a 48-byte head (path length, entries'
 * length, dev, ino, mtime ns, ctime ns) then the path and the entries. */
struct statefile_dir {
	const char *path;        /* not NUL-terminated in the file: path_len bytes */
	size_t path_len;
	uint64_t dev, ino;
	int64_t mtime_ns, ctime_ns;
	const unsigned char *ents;
	size_t ents_len;
};

/* Where the records start, from a header (len >= STATEFILE_HEADER), so that a reader knows how
 * much to read before statefile_open; 0 when it is no header of ours. */
uint64_t statefile_records_at(const void *header, size_t len);
/* Check a buffer holding the first `len` bytes (at least up to the records) of a file of
 * `file_len` bytes: ours (magic, version, keys), whole, table and paths intact and sorted,
 * every length within bounds. 0, or -1 (treat as absent; the caller rebuilds it). */
int statefile_open(struct statefile *sf, const void *buf, size_t len, uint64_t file_len,
		   uint64_t build_key, uint64_t roots_key);
/* Entry i (i < sf->n). */
void statefile_get(const struct statefile *sf, size_t i, struct statefile_entry *e);
/* The entry for `path`, or -1. Read-only: safe from several threads at once. */
long statefile_find(const struct statefile *sf, const char *path);
/* True when an entry's records (e->records, or as read from the file) still hash to what was
 * written. */
bool statefile_records_ok(const struct statefile_entry *e, const char *records);

/* Writing: entries sorted by path (strictly), their records laid out one after another from
 * rec_off 0 in the same order (rec_off, rec_len and rec_hash filled in by the caller).
 * statefile_meta_size is the size of header + table + paths, so records start there;
 * statefile_encode_meta writes those bytes into out (which it empties first). */
size_t statefile_meta_size(const struct statefile_entry *v, size_t n);
void statefile_encode_meta(const struct statefile_entry *v, size_t n, uint64_t build_key,
			   uint64_t roots_key, struct buf *out);
/* An image of image_len bytes follows the records: noted in the header encoded into meta. */
void statefile_set_image(struct buf *meta, uint64_t image_len);
uint64_t statefile_hash(const void *p, size_t n);
/* The same hash taken a window at a time, the caller told before (want: bring it in) and after
 * (done: it may leave memory) each window: a large mapped image is hashed without all of it
 * resident at once. */
struct statefile_pager {
	void (*want)(void *ctx, const void *p, size_t n);
	void (*done)(void *ctx, const void *p, size_t n);
	void *ctx;
};
uint64_t statefile_hash_paged(const void *p, size_t n, const struct statefile_pager *pg);
/* pad bytes after the records (so that an image lies 8-byte aligned in the file: it can be used
 * where it lies): noted in the header's length. */
void statefile_set_pad(struct buf *meta, uint64_t pad);
/* Folder listings of dirs_len bytes follow the records (before an image): noted in the header. */
void statefile_set_dirs(struct buf *meta, uint64_t dirs_len, uint64_t dirs_hash);
/* The listing at *pos of a blob (the file's folder listings, hash checked by the caller),
 * moving *pos past it: 1 and *d, 0 at the end, -1 when damaged (lengths out of bounds, a path
 * or entry malformed, not sorted after `prev`, which may be NULL). */
int statefile_dir_next(const void *blob, size_t len, size_t *pos, const struct statefile_dir *prev,
		       struct statefile_dir *d);
/* Append one listing to a blob being written. */
void statefile_dir_put(struct buf *out, const struct statefile_dir *d);

#endif
