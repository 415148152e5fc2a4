/* sink.h — the one interface between the source layer (which finds, watches and tails files)
 * and whoever consumes complete lines (the app binds it to the model). The source knows nothing
 * of sessions; the consumer knows nothing of inotify. */
#ifndef CACHETOP_SINK_H
#define CACHETOP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"

/* What a consumer kept of a file from an earlier run (a warm start): the records of its lines
 * up to `offset`, a line boundary, and how to tell that those bytes are still there. */
struct sink_mark {
	uint64_t dev, ino;
	uint64_t offset;                 /* end of the last complete line kept */
	uint32_t head_len, tail_len;     /* window sizes: min(offset, SINK_MARK_WINDOW) */
	uint64_t head_hash, tail_hash;   /* ct_hash of [0, head_len) and [offset - tail_len, offset) */
	int64_t last_ts;                 /* the file's last timestamp in those bytes (INT64_MAX: none) */
	int64_t first_ts;                /* the file's first timestamp (the scan's peek) */
	int64_t peek_last_ts;            /* the scan's tie-break peek at its end, when it ended at
	                                  * offset (INT64_MAX: none found), INT64_MIN: not taken */
	/* The file's stat then. When it still matches in every field, nothing was written since
	 * (ctime cannot be set back) and the windows need not be read; ctime_ns 0 means the write
	 * came too close to the read to rely on that. */
	uint64_t size;
	int64_t mtime_ns, ctime_ns;
	unsigned char tail[64];          /* the last min(offset, 64) bytes before offset */
	/* The path's lstat as the sink took it earlier in this start (the state's pre-check), so
	 * that the scan's own check of the mark costs no second one. Given once per path; the
	 * source uses it only in its first listing, before it watches. seen false: none. */
	bool seen, seen_reg;
	uint64_t seen_dev, seen_ino, seen_size;
	int64_t seen_mtime_ns, seen_ctime_ns;
};
#define SINK_MARK_WINDOW 4096

/* A folder's listing an earlier run kept: the folder's stat before it was listed and its
 * entries as the source used them (each a DT_* type byte, the name, a NUL). */
struct sink_dir {
	uint64_t dev, ino;
	int64_t mtime_ns, ctime_ns;
	const unsigned char *ents;
	size_t ents_len;
	/* The folder's stat as the sink took it earlier in this start, as for the files (seen in
	 * sink_mark): the source's first listing then costs no system call for a kept folder. */
	bool seen, seen_dir;
	uint64_t seen_dev, seen_ino;
	int64_t seen_mtime_ns, seen_ctime_ns;
};

struct line_sink {
	void *ctx;
	/* A transcript was found (start-up scan, a new file, or a new inode at a known path).
	 * Returns the consumer's handle for it, passed back in the calls below. */
	uint32_t (*file_open)(void *ctx, enum agent agent, const char *path, bool subagent);
	/* One complete line, without its '\n' (a trailing '\r' may remain). */
	void (*line)(void *ctx, uint32_t file, const char *line, size_t n);
	/* The file was truncated or rewritten: its lines will come again from byte 0. */
	void (*file_reset)(void *ctx, uint32_t file);
	/* The file was deleted or replaced; no more lines will come for this handle. */
	void (*file_gone)(void *ctx, uint32_t file);
	/* Optional: the keys of the reading order — the first and the last timestamp in the file
	 * (any line; INT64_MAX when none was found) — given right after file_open and again after
	 * each read that moved them. */
	void (*file_order)(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts);
	/* Optional, to read a whole tree on several cores. prepare turns a run of complete lines
	 * (each ending in '\n') into an opaque batch; it runs on worker threads and must touch no
	 * shared state. commit applies a batch on the thread that called source_scan, in file
	 * order and, within a file, in line order — exactly as if `line` had been called. */
	void *(*prepare)(void *ctx, uint32_t file, enum agent agent, const char *lines, size_t n);
	void (*commit)(void *ctx, uint32_t file, void *batch);
	/* The size of a batch in bytes (for bounding memory), and how many lines it holds. */
	size_t (*batch_size)(void *batch, uint64_t *lines);
	/* Optional, for a warm start (with prepare/commit): what the consumer kept of `path` from
	 * an earlier run. The source checks the mark against the file (identity, both windows);
	 * when it holds, `recalled` gives those lines' batch, committed as the file's first, and
	 * only the bytes after mark->offset are read. Both run on worker threads and must touch no
	 * shared state. */
	bool (*recall)(void *ctx, const char *path, struct sink_mark *mark);
	void *(*recalled)(void *ctx, uint32_t file, const char *path);
	/* Optional, for a warm start: the listing of folder `dir` kept from an earlier run
	 * (source_dirs_save). The source uses it instead of listing the folder when the folder's
	 * stat is still the one it was taken with; it copies what it needs before the next call. */
	bool (*dir_recall)(void *ctx, const char *dir, struct sink_dir *d);
};

#endif
