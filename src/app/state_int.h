/* state_int.h — the warm-start state's inside, shared by state.c (the sink, the model's image,
 * saving) and state_file.c (the file itself: keys, folder, loading, writing). Not a public
 * header. */
#ifndef CACHETOP_STATE_INT_H
#define CACHETOP_STATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "app.h"
#include "cachetop/line.h"
#include "cachetop/model_image.h"
#include "cachetop/status_digest.h"
#include "cachetop/sink.h"
#include "cachetop/statefile.h"
#include "cachetop/util.h"
#include "state.h"

/* A read-only view of a range of the loaded file: mapped when large (no copy, no fresh pages),
 * read into `copy` when small. A mapping is safe because a state file is only ever replaced
 * whole by rename, never cut in place; should something else cut it while mapped, the SIGBUS
 * ends the process with a message naming the file (state_view_get installs that once). */
struct state_view {
	const char *p;
	void *map;
	size_t maplen;
	struct buf copy;
};

/* A piece of a file's records in the spill file (state_spill.c). */
struct spill_seg {
	uint64_t at, len;
};

/* What is kept of one file (by sink handle = model file index). */
struct kept {
	long entry;            /* its entry in the loaded state (records recalled from there), -1 */
	struct spill_seg *segs; /* records of the lines read in this run, after the entry's: first
	                         * these pieces in the spill file, */
	size_t nsegs, capsegs;
	uint64_t spilled;      /* (their bytes) */
	struct buf fresh;      /* then these */
	uint64_t fresh_lines;  /* lines of both */
	bool lost;             /* records cannot be trusted until the file starts over */
	uint64_t seen;         /* the last save that found it among the source's files */
};

struct state {
	struct line_sink inner; /* first: the model's sink it wraps (sink_forward) */
	char *dir, *path;
	uint64_t build_key, roots_key;
	bool can_write;        /* the folder is usable and outside every root */
	bool no_recall;        /* a recalled record failed to read back: read everything */
	bool follow;           /* a long-running view: after a save, recall from the new file */
	bool base_lost;        /* the loaded file no longer holds what its table says (someone
	                        * wrote into it: never a cachetop, which renames whole files) */
	bool failed;
	/* the loaded file: its header and table in view, its records read when wanted (pread) */
	int fd;                /* -1: none loaded */
	struct state_view meta;
	uint64_t file_len;
	struct statefile sf;
	/* its folder listings (checked when loaded; none when damaged), sorted by path */
	struct state_view dirs_blob;
	struct statefile_dir *dirs;
	size_t ndirs;
	/* per listing: its folder's stat, taken with the files' (seen) and handed the same way */
	struct state_dseen *dseen;
	/* the model fed */
	struct model *m;
	struct kept *kept;
	size_t nkept, capkept;
	struct line scratch;   /* lines fed one at a time (one thread) */
	uint64_t bytes_at_save;   /* source bytes read when the state last matched the file */
	uint64_t saved;           /* saves written (tests) */
	uint64_t walks;           /* saves attempted (kept.seen) */
	/* The model's image (state_snap.c's part): the bound model was loaded from it and the scan
	 * only confirms the files are still as saved, reading what they gained */
	bool snap;                /* the bound model came from the image */
	bool snap_off;            /* the image misled a read: records only, until the next save */
	bool snap_bad;            /* the scan met something the image cannot vouch for */
	bool snap_stale;          /* the loaded image was refused: write a new one at once */
	size_t snap_files;        /* files the image held */
	int64_t snap_last_first;  /* the latest first timestamp among them (INT64_MAX: unknown) */
	unsigned char *snap_seen; /* per image file: SNAP_OPENED, SNAP_RECALLED */
	bool snap_refused;        /* state_failed found the scan from the image wanting */
	bool snap_fed;            /* lines applied on top of the image in this scan */
	bool snap_grown;          /* refused only because a file grew before others */
	/* this run's records on disk until saved (state_spill.c): -1 when kept in memory */
	int spill_fd;
	uint64_t spill_end;
	/* per loaded entry: its lstat taken by the pre-check (state_snap_worth), handed once to
	 * the scan through recall so the same path is not stat'ed twice in one start */
	struct state_seen *seen;
	/* seen[] taken just now by state_unchanged_model's check (which found a change): the
	 * scan's start uses them rather than taking them again */
	bool seen_fresh;
	/* Whether the bound model is one a whole-tree read gives (only then is its image written
	 * whatever model_order_broken says: a whole read is the reference, and its own order
	 * flags are noise): the scan is over (scanned) and lines came after it (tailed). */
	bool scanned, tailed;
};

/* per image file: the scan opened it, recalled its saved lines, and whether the image holds
 * lines of it (then only a recall vouches for them) */
enum { SNAP_OPENED = 1, SNAP_RECALLED = 2, SNAP_HAD_LINES = 4, SNAP_GREW = 8 };

struct state_seen {
	bool taken, reg;
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};
/* a folder's: `done` once stat'ed (a listing asked for before then is stat'ed by the asker) */
struct state_dseen {
	struct state_seen s; /* s.taken: found */
	bool dir;            /* and a folder */
	atomic_bool done;
};

struct save_item {
	struct statefile_entry e;
	uint32_t handle;
	uint64_t base_at;      /* records from the loaded file (where they lie), then the fresh */
	size_t baselen;
	uint64_t base_hash;    /* what they hashed to when written */
};

/* state_file.c */
uint64_t state_build_key(void);
uint64_t state_roots_key(const struct source_roots *r);
int state_mkdirs(const char *dir);
bool state_under_roots(const char *dir, const struct source_roots *r);
void state_unload(struct state *st);
bool state_pread(int fd, void *p, size_t n, uint64_t at);
/* [at, at + n) of fd in view (see struct state_view); false when it cannot be read. */
bool state_view_get(int fd, uint64_t at, size_t n, struct state_view *v);
/* The same, VIEW_LAZY: a mapping's pages not brought in at once (the caller pages them);
 * VIEW_PRIVATE_WRITE: writable, what is written staying in this process (never in the file). */
enum { VIEW_LAZY = 1, VIEW_PRIVATE_WRITE = 2 };
bool state_view_get_as(int fd, uint64_t at, size_t n, struct state_view *v, unsigned how);
void state_view_drop(struct state_view *v);
/* Read and check fd's header, table and paths; on success the state follows fd (and owns it),
 * on failure nothing changes and fd stays the caller's. */
int state_load(struct state *st, int fd);
/* An entry's records, read from the file into b (emptied first) and checked. */
bool state_records(const struct state *st, const struct statefile_entry *e, struct buf *b);
int state_pwrite(int fd, const void *p, size_t n, uint64_t at);
/* Write the items (sorted) to a new file beside the state and rename it into place; the open
 * descriptor of what was written in *fd_out. Each item's records this run kept (its kept
 * fresh buffer) are freed once written, whatever the outcome; then the image, when make_image
 * is given, is made into a buffer of its own (make_image(ctx, out)) and written after them. */
int state_write(struct state *st, struct save_item *v, size_t n, const struct buf *dirs,
		void (*make_image)(void *ctx, struct buf *out), void *ctx, int *fd_out);

/* state.c: the sink's recall of a path's mark and of a folder's listing from the loaded file
 * (state_status.c builds a recall-only sink of them), and an entry's mark. */
bool state_sink_recall(void *ctx, const char *path, struct sink_mark *mk);
/* The loaded file's image into m (just made; sealed: model_image_load_sealed): MODEL_IMAGE_OK
 * or why not (m then unchanged). */
enum model_image_why state_image_load(const struct state *st, struct model *m, bool sealed);
/* The status digest kept after the loaded file's image, when it is that image's (written for
 * m's options and prices); false (d empty) otherwise. */
bool state_digest_read(const struct state *st, const struct model *m, struct status_digest *d);
/* (tests count the models that came from an image) */
void state_count_image_load(void);
/* A sink that only recalls what the loaded file holds (all source_unchanged asks). */
void state_recall_sink(struct state *st, struct line_sink *out);
bool state_sink_dir_recall(void *ctx, const char *dir, struct sink_dir *out);
void state_mark_of(const struct statefile_entry *e, struct sink_mark *mk);

static inline int64_t state_ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

/* state_stat.c: every saved folder's stat into dseen[] and every saved entry's lstat into seen[]
 * (taken = found), shared with a thread when there are many; or started on a thread while the
 * caller goes on (state_stat_join then takes what is left and waits; its argument is the
 * state_stat_bg, so it can be a callback). */
struct state_stat_range {
	const struct statefile *sf;
	struct state_seen *seen;
	size_t n;
	const struct statefile_dir *dirs;
	struct state_dseen *dseen;
	size_t ndirs;
	atomic_size_t next; /* the first folder, then entry, no thread has taken */
	atomic_bool differs; /* a file's stat already shows it is not as saved (gone, other size,
	                      * times or inode, or a mark its stat cannot vouch for) */
};
struct state_stat_bg {
	struct state_stat_range r;
	pthread_t t;
	bool started;
};
/* state_spill.c */
void state_spill_open(struct state *st);
void state_spill_close(struct state *st);
/* Append n bytes of k's records on disk; false (nothing written) when they must stay in memory
 * (no spill file, k has records in memory already, or the write failed). */
bool state_spill_put(struct state *st, struct kept *k, const char *p, size_t n);
/* k's spilled records appended to out; false when they cannot be read back. */
bool state_spill_get(const struct state *st, const struct kept *k, struct buf *out);
void state_spill_drop(struct kept *k);
void state_spill_settle(struct state *st);

void state_stat_entries(struct state *st);
void state_stat_start(struct state *st, struct state_stat_bg *bg);
void state_stat_join(void *bg);
void state_stat_free(struct state *st);

#endif
