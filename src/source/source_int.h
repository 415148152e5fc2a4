/* source_int.h — state shared by the files of the source layer (the object, its targets, the
 * files being tailed, the watches, the candidates of a listing; the order of the files is below)
 * and the few hooks the tests use to force rare paths (queue overflow, exhausted watch limit).
 * Not a public header: only src/source and tests/source include it. */
#ifndef CACHETOP_SOURCE_INT_H
#define CACHETOP_SOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cachetop/source.h"
#include "cachetop/util.h"

/* uthash's own hash (Jenkins, a byte at a time) was a visible share of a warm start, which
 * hashes every transcript's path a few times: the project's eight-bytes-a-step hash instead */
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = (unsigned)ct_hash((keyptr), (keylen)))
#include <uthash.h>

/* Appended bytes are read in blocks of this size. */
#define SOURCE_BLOCK (1u << 20)
/* A single line longer than this is dropped (counted) rather than buffered without bound. */
#define SOURCE_LINE_MAX ((size_t)512 << 20)
/* Bytes before the read offset remembered to notice a rewrite that kept the inode and grew past
 * the old size before we looked (an agent may rewrite a file on resume or compaction). */
#define SOURCE_TAIL_CHECK 64
struct ocsrc;

/* Folders that could not be watched are listed this often. */
#define SOURCE_POLL_MS 2000
/* Event drain tick when the inotify fd could not be found (see watch.c). */
#define SOURCE_TICK_MS 250

/* Where transcripts live under a root: its agent's root_sub and root_sub2 (agent.h). */
struct source_target {
	enum agent agent;
	char *path;          /* <root>/projects, <root>/sessions, <root>/archived_sessions */
	size_t root;         /* index into roots */
	bool archived;       /* archived_sessions/: a sessions/ copy of the same relative path wins */
	bool watched;        /* its tree is under watch (or polled) */
	int anc_wd;          /* ancestor watch while it does not exist; -1 */
};

/* What was read of a file, for a warm start later (mark.c, sink.h's struct sink_mark): hashes
 * of its first bytes and of the bytes before `off` (the line boundary reached), those bytes'
 * end, and the file's stat taken before the read that reached it. Taken from the bytes as they
 * were read, so that a save never vouches for bytes it did not read. */
struct readmark {
	uint64_t off;                /* 0: nothing marked */
	uint32_t head_len, tail_len;
	uint64_t head_hash, tail_hash;
	unsigned char tail[SOURCE_TAIL_CHECK];
	uint64_t size;
	int64_t mtime_ns, ctime_ns;
	int64_t read_ns;             /* when that stat was taken (real time) */
};

/* One transcript being tailed. */
struct sfile {
	char *path;                  /* hash key */
	enum agent agent;
	bool subagent;
	uint32_t handle;             /* the sink's handle */
	int64_t first_ts, last_ts;   /* the reading order's keys (INT64_MAX: none found) */
	size_t root;
	dev_t dev;
	ino_t ino;
	uint64_t offset;             /* bytes consumed (complete lines + partial) */
	struct buf partial;          /* bytes after the last newline */
	bool discarding;             /* inside an over-long line: drop until its newline */
	unsigned char tail[SOURCE_TAIL_CHECK];
	unsigned taillen;
	struct readmark mark;
	bool unlinked;               /* its path was deleted/moved away since the last read: what
	                              * is there now is another file, even on a reused inode */
	bool dirty;                  /* queued for a read */
	bool whole;                  /* read whole on every change (source_is_whole_file) */
	uint64_t whole_hash;         /* of the bytes last handed over, when whole */
	struct sfile *next_dirty;
	UT_hash_handle hh;
};

/* A path met once and not read (not regular, unreadable…): counted once, not re-reported. */
struct spath {
	char *path;
	UT_hash_handle hh;
};

/* A watched folder. */
enum { WD_TREE = 1, WD_ANCESTOR = 2, WD_FLAT = 4 /* one folder's entries (a database's) */ };
struct swatch {
	int wd;
	char *path;                  /* no trailing slash */
	unsigned flags;
	UT_hash_handle hh;           /* by wd */
	UT_hash_handle hp;           /* by path */
};

/* A folder's listing (dirs.c): its stat taken before it was listed, and its entries as the
 * walk uses them (a DT_* type byte, the name, a NUL, one after another). */
struct sdir {
	char *path;                  /* hash key */
	uint64_t dev, ino;
	int64_t mtime_ns, ctime_ns;
	struct buf ents;
	bool trusted;                /* taken (or first taken) after the folder's last clock tick */
	bool recalled;               /* from the sink, not listed by this run */
	bool as_kept;                /* listed by this run, and the sink's kept listing is the same
	                              * (same stat, same entries): nothing new to save */
	UT_hash_handle hh;
};

/* A candidate transcript found by a listing, before it is opened. */
struct scand {
	char *path;
	enum agent agent;
	bool subagent;
	size_t root;
	int64_t first_ts, last_ts;
	bool need_last; /* tied on first_ts with another: last_ts decides */
	/* the first peek's open, so that registering the file costs no second one */
	int why;          /* 0: opened, a regular file; else as source_open_regular */
	dev_t dev;
	ino_t ino;
	/* the sink recalled it and its stat is the mark's (not opened): its size then */
	bool known;
	uint64_t size;
};

struct scands {
	struct scand *v;
	size_t n, cap;
	struct spath *seen;          /* paths already in v */
};

#define SOURCE_MSGS 16

struct source {
	struct source_roots roots;
	struct line_sink sink;
	struct source_stats st;
	struct source_target *targets;
	size_t ntargets;

	struct sfile *files;         /* by path */
	struct sfile *dirty;         /* files to read on this pass */
	struct spath *skipped;
	char *rbuf;                  /* SOURCE_BLOCK bytes */
	uint64_t delivered;          /* lines handed to the sink, for source_process's result */

	char *msgs[SOURCE_MSGS];
	size_t nmsgs, msg_next;
	char *msg_last;              /* the message returned last (freed on the next take) */
	unsigned said;               /* SAID_* bits: messages given once */

	/* watch state (watch.c) */
	bool watching;
	bool inotify_ok;
	int fd;                      /* inotify fd found via /proc, or -1 */
	struct swatch *by_wd, *by_path;
	struct spath *unwatched;     /* folders polled because the watch limit ran out */
	struct scands cands;         /* transcripts found on this pass, opened oldest-first */
	int64_t next_poll_ms;
	bool need_rescan, need_pending;
	bool drain_more;             /* the drain stopped at its cap: run again at once */
	int watch_limit_test;        /* tests: pretend ENOSPC after this many watches; -1 off */

	/* the transcript folders' listings (dirs.c) */
	struct sdir *dirs;
	bool listed_anew;            /* a folder was listed, not recalled (source_unchanged clears it) */

	/* roots holding a database (dbsrc.h) */
	struct ocsrc **oc;
	size_t noc, capoc;
};

enum { SAID_WATCH_LIMIT = 1, SAID_UNREADABLE = 2, SAID_LONG_LINE = 4, SAID_NOT_REGULAR = 8,
       SAID_NO_INOTIFY = 16 };

/* The files of the layer, bottom to top; each calls only those above it in this list (no
 * circles): files.c, messages.c, roots.c, targets.c, dirs.c → mark.c → tail.c → scan.c → discover.c →
 * watch.c → the database reader (dbsrc.h) → source.c (the object, which ties them together);
 * replay.c writes. */

/* files.c */
bool source_is_dir(const char *path);
/* Open a path for reading if it is a regular file (through symlinks), without blocking on a
 * FIFO: the fd, or -1 with *why = an errno value, or -2 for "not a regular file". */
int source_open_regular(const char *path, struct stat *st, int *why);
/* The next entry of d other than . and .., with "dir/name" in *path; NULL at the end. */
struct dirent *source_readdir(DIR *d, const char *dir, struct buf *path);
/* The first (or last) timestamp a buffer from the start (or end) of a transcript of this agent
 * holds: the keys of the reading order. 0 and *ms, or -1. */
int source_peek_ts(enum agent agent, bool last, const char *buf, size_t n, int64_t *ms);
/* The first (or last) timestamp in an open file of `size` bytes, as the scan's ordering peeks
 * (INT64_MAX: none); buf holds SOURCE_BLOCK bytes. */
int64_t source_peek_file(int fd, enum agent agent, uint64_t size, char *buf, bool last);

/* messages.c */
void source_message(struct source *s, const char *fmt, ...) CT_PRINTF(2, 3);
/* Record a path that was not read; returns true the first time. */
bool source_skip_once(struct source *s, const char *path);
void source_skip_forget(struct source *s, const char *path);

/* targets.c */
/* Add root `root`'s targets (its agent's root_sub, and root_sub2 as archived); false when its
 * agent keeps no transcript files (a database: dbsrc.h reads it). */
bool source_targets_add(struct source *s, size_t root);
bool source_path_is_transcript(const char *name);
/* Whether `path` is a transcript of target t (t NULL: by its name alone, *.jsonl). */
bool source_is_transcript(const struct source_target *t, const char *path);
/* what `path` below target t is (TRANSCRIPT_NONE when not below it) */
enum transcript_kind target_kind(const struct source_target *t, const char *path);
/* A transcript its agent's rule calls a document rewritten whole (TRANSCRIPT_WHOLE): read
 * whole on every change, not tailed; false for a path under no target. */
bool source_is_whole_file(struct source *s, const char *path);
bool source_path_is_subagent(const struct source_target *t, const char *path);
/* Whether folder `dir` under target t can hold transcripts (is listed and watched). */
bool source_dir_wanted(const struct source_target *t, const char *dir);
/* The target holding `path` (a file or folder under it), or NULL. */
struct source_target *source_target_of(struct source *s, const char *path);
/* A file under an archived target whose copy under its root's first folder exists: that copy
 * is read instead. */
bool source_shadowed(struct source *s, const struct source_target *t, const char *path);
/* that copy's path (archived target t's `path` under its root's first folder) into out */
void source_shadow_path(struct source *s, const struct source_target *t, const char *path, struct buf *out);

/* dirs.c */
/* Folder `dir`'s entries, listed now or (when may_recall and the folder's stat is still the one
 * a kept listing was taken with, and that listing was taken after the folder's last clock
 * tick) as an earlier run kept them. NULL with *err = errno when it cannot be listed. */
const struct sdir *dirs_list(struct source *s, const char *dir, bool may_recall, int *err);
/* The sink's kept listing of `dir`, when the folder's stat the sink took earlier in this start
 * is still the one it was listed with (what dirs_list goes by without a stat of its own). */
bool dirs_kept_seen(struct source *s, const char *dir, struct sink_dir *k);
/* The next entry of a listing from *pos: its type and name (NUL-terminated), or false. */
bool dirs_next(const struct sdir *d, size_t *pos, unsigned char *type, const char **name);
void dirs_free(struct source *s);

/* mark.c: whether an open file (st: its fstat) still holds the bytes of a sink's mark; on true,
 * tail/taillen get the bytes before the mark's offset (the rewrite check's). */
bool mark_holds(int fd, const struct stat *st, const struct sink_mark *mk, unsigned char *tail, unsigned *taillen);
/* Tests: how recent a write makes a mark rely on its windows alone (default 2 s). */
void source_test_mark_racy(int64_t ns);
/* The mark's bytes before its offset, for the rewrite check. */
void mark_tail(const struct sink_mark *mk, unsigned char *tail, unsigned *taillen);
/* A read reached a line boundary: `end` is the byte after a newline at file offset `lineoff`,
 * with the `avail` bytes before it in memory (the file's, contiguous). */
void mark_note(struct readmark *m, const char *end, size_t avail, uint64_t lineoff);
/* The stat taken before the read (st: fstat of the open file). */
void mark_stat(struct readmark *m, const struct stat *st);
/* A sink's mark found to hold: what was read is what it says. */
void mark_recalled(struct readmark *m, const struct sink_mark *mk);

/* tail.c */
/* Register a new transcript (sink file_open) without reading it; *fd_out gets an open fd when
 * non-NULL, else it is closed. NULL when it cannot be opened (counted, with a message). */
struct sfile *tail_register(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
			    size_t root, int *fd_out);
/* The same for a path already opened and checked elsewhere (st: its fstat; NULL with why, the
 * open's errno or -2 for "not a regular file", when it could not be). No system calls. */
struct sfile *tail_register_opened(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
				   size_t root, const struct stat *st, int why);
/* Open a newly found transcript (checking it is a regular file without blocking), register it
 * with the sink and read it. Returns NULL when it was skipped. */
struct sfile *tail_open(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
			size_t root);
/* Read whatever was appended (handles truncation, rewrite, inode change and deletion). */
void tail_read(struct source *s, struct sfile *f);
void tail_order_late(struct source *s, struct sfile *f, int fd);
/* The file's last timestamp moved (INT64_MAX: none in what was read): tell the sink. */
void tail_order_last(struct source *s, struct sfile *f, int64_t last_ts);
void tail_mark_dirty(struct source *s, struct sfile *f);
/* Read every queued file. */
void tail_flush_dirty(struct source *s);
/* All files under `prefix/` (a removed folder) are gone. */
void tail_mark_prefix_dirty(struct source *s, const char *prefix);
void tail_free_all(struct source *s);
/* Read one file on its own, not followed: its complete lines from byte `from` (a line start) go
 * to the sink with `handle`, split as a tail read splits them (source_read_file). 0, or -1 when
 * it cannot be read. */
int tail_read_from(struct source *s, const char *path, enum agent agent, uint32_t handle, uint64_t from);

/* scan.c: read many new files on worker threads through sink prepare/commit. */
void scan_parallel(struct source *s, struct scands *c);

/* discover.c */
/* List `dir` (a folder under target t) recursively: candidates for unknown transcripts go to
 * c, known ones are queued dirty; each new folder is passed to on_dir first (watch.c adds a
 * watch before listing, so nothing created meanwhile is missed). */
void source_walk(struct source *s, struct source_target *t, const char *dir, struct scands *c,
		 void (*on_dir)(struct source *s, const char *dir));
/* Order candidates oldest-first and open/read each. */
void source_open_candidates(struct source *s, struct scands *c);
/* Open this pass's candidates, then read every queued file. */
void source_settle(struct source *s);
/* Whether every candidate is a file the sink recalls whose stat is still its mark's. */
bool discover_all_known(struct source *s, struct scands *c);
bool discover_kept_unchanged(struct source *s, size_t recallable);
/* source_unchanged's look at a target: true when it is there to walk (and readable); false
 * with *ok saying whether its absence is as the sink kept it (no listing of it) */
bool source_target_kept(struct source *s, const struct source_target *t, bool *ok);
void scands_add(struct scands *c, const char *path, enum agent agent, bool subagent, size_t root);
void scands_free(struct scands *c);

/* watch.c */
/* An event named `name` in a folder watched flat (a database's), for the layer above. */
typedef bool (*watch_flat_fn)(struct source *s, const char *dir, const char *name, uint32_t mask);
/* Start inotify, watch every target (or its nearest ancestor), catch up on what was written
 * since the scan. */
void watch_start(struct source *s, char *err, size_t errlen);
/* Handle pending events (flat ones go to on_flat), rescan after an overflow, poll what could not
 * be watched, then read what changed. */
void watch_process(struct source *s, int64_t now_ms, watch_flat_fn on_flat);
/* Milliseconds until watch_process wants to run: t (the layer above's wish, -1: none) or
 * sooner. */
int watch_timeout_ms(const struct source *s, int64_t now_ms, int t);
/* Watch one folder's own entries (not its tree), for a database; false when it could
 * not be watched (absent, no inotify, the watch limit). */
bool watch_flat(struct source *s, const char *dir);
bool watch_flat_active(const struct source *s, const char *dir);
/* Stat every known file, list every tree again (new folders get watches), read only bytes past
 * the saved offsets. Called after IN_Q_OVERFLOW; tests call it directly. */
void source_rescan(struct source *s);
void watch_stop(struct source *s);
/* Tests: make inotify_add_watch fail with ENOSPC once `n` watches exist (-1: off). Call before
 * source_watch. */
void source_test_watch_limit(struct source *s, int n);


#endif
