/* source.h — the source layer: find transcript roots, list transcripts, read them oldest-first,
 * then watch every root recursively (libinotifytools) and tail appended bytes, handing complete
 * lines to a line_sink. Handles partial lines, truncation, inode change, deletion, queue
 * overflow (rescan without double counting) and exhausted watch limits (polling fallback).
 * Files are opened O_RDONLY|O_NONBLOCK|O_CLOEXEC and only regular files are read; nothing here
 * ever writes under a root. All inotify knowledge lives in src/source/watch.c; the files of the
 * layer are listed in order in src/README.md. */
#ifndef CACHETOP_SOURCE_H
#define CACHETOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cachetop/agent.h"
#include "cachetop/sink.h"
#include "cachetop/util.h"

/* A root: the folder holding its agent's root_sub (a transcript folder: projects/, sessions/…),
 * or, for an agent whose root holds a database, its data folder (read by the source's database
 * reader). */
struct source_root {
	enum agent agent;
	char *path;
	bool exists;      /* filled by source_roots_default / source_scan */
	uint64_t files;   /* transcripts found under it */
};

struct source_roots {
	struct source_root *v;
	size_t n, cap;
};

/* Default roots from the environment, by each agent's row in the table (struct agent_desc: env,
 * xdg_sub, home_sub, data_sub). A path ending in its root_sub (/projects, /sessions…) is taken
 * as its parent. */
void source_roots_default(struct source_roots *r, enum agent which);
void source_roots_add(struct source_roots *r, enum agent agent, const char *path);
/* Agent a's default data folder ($XDG_DATA_HOME/<its data_sub> or ~/.local/share/<data_sub>);
 * the caller frees; NULL without a home or a data_sub. */
char *source_agent_data_dir(enum agent a);
/* $XDG_DATA_HOME/sub, else ~/.local/share/sub (NULL without either); caller frees. */
char *source_data_default_dir(const char *sub);
void source_roots_free(struct source_roots *r);

struct source_stats {
	uint64_t files, bytes, lines;
	uint64_t skipped_files;      /* not regular, unreadable… (counted, with a message) */
	uint64_t resets, gone, overflows, rescans;
	uint64_t rebuilds;           /* whole re-reads after lines came out of order */
	uint64_t db_reads;           /* reads of a root's database (each a short transaction) */
	uint64_t watches, unwatched_dirs; /* directories polled because the watch limit ran out */
	uint64_t recalled;           /* files whose first lines came from the sink's earlier run */
	bool watch_limit_hit;
};

struct source;

struct source *source_new(const struct source_roots *roots, const struct line_sink *sink);
void source_free(struct source *s);

/* Find every transcript under every root and feed all complete lines, files ordered by their
 * first timestamp (ties: the one that ended first), so that originals precede copies.
 * Returns 0, or -1 with a message in err (nothing under the roots is an error only when a root
 * given explicitly is unreadable). */
int source_scan(struct source *s, char *err, size_t errlen);

/* Whether a scan now would read nothing the sink does not hold already, found without reading a
 * file: every transcript folder listed from a listing the sink recalls (its stat unchanged), or
 * absent now as when the sink's listings were kept; every transcript found is one the sink
 * recalls, its stat still the mark's (so its bytes are the ones read then); and `recallable`
 * of them (every file the sink holds a mark of). A database root present answers
 * no: its rows cannot be vouched for by a stat. For a source just made; it reads no file.
 * `walked` (may be NULL) is called first, before any folder or file is looked at (a caller
 * taking the saved folders' and files' stats on a thread waits there; the sink then hands
 * them over as seen, and a tree whose kept listings and marks all still match is told from
 * them alone, without listing a folder). When it answers yes, the
 * roots (source_get_roots: which exist, how many transcripts each holds) say what a scan's
 * would; the source itself holds no file to follow. */
bool source_unchanged(struct source *s, size_t recallable, void (*walked)(void *ctx), void *ctx);

/* Start watching all roots (and the places roots may appear). After this, source_fd() becomes
 * readable when something may have changed, and source_process() reads it. */
int source_watch(struct source *s, char *err, size_t errlen);
/* A file descriptor to poll for POLLIN, or -1 (then call source_process on a timer). */
int source_fd(const struct source *s);
/* Handle pending file events and read appended bytes; never blocks. `now_ms` drives the
 * polling fallback. Returns the number of lines delivered. */
uint64_t source_process(struct source *s, int64_t now_ms);
/* Milliseconds until source_process wants to run even without fd activity (polling), or -1. */
int source_timeout_ms(const struct source *s, int64_t now_ms);

/* Read the whole tree again, as source_scan does, into another sink (a fresh model), and go on
 * following it with that sink: every file is registered again (new handles) and read from byte
 * 0 in the scan's order. Watches stay. The caller had found that lines arrived in an order a
 * read of the whole tree would not have used (live equals report). */
void source_rebuild(struct source *s, const struct line_sink *sink);

/* A replay: a recorded tree (DIR/<agent name>/…) written again, line by line in the order
 * the agents wrote it, into a private temporary tree that a source follows like any other
 * (replay.c). replay_open adds the temporary roots to `roots`. */
struct replay;
struct replay *replay_open(const char *dir, struct source_roots *roots, char *err, size_t errlen);
/* When the next line is due (virtual ms), INT64_MIN for lines with no time, INT64_MAX at the end. */
int64_t replay_next_at(const struct replay *r);
/* Write every line due at or before vnow; returns how many. */
size_t replay_write_until(struct replay *r, int64_t vnow);
/* Remove the temporary tree. */
void replay_close(struct replay *r);

/* Warm starts (sink.h, recall): each file followed, with its sink handle and where its complete
 * lines end; files inside an over-long line are left out. */
struct source_pos {
	uint32_t handle;
	const char *path;
	uint64_t dev, ino;
	uint64_t offset;             /* end of the last complete line handed on */
	int64_t first_ts, last_ts;   /* the reading order's keys (INT64_MAX: none) */
};
void source_each_file(struct source *s, void (*fn)(void *ctx, const struct source_pos *p), void *ctx);
/* The mark of what was read of `path` (mark.c): its windows hashed from the file, once the file
 * was found to hold the bytes last read where they were (as a tail read checks). 0, or -1 when
 * it does not (a rewrite not seen yet), is unknown or cannot be read. */
int source_mark(struct source *s, const char *path, struct sink_mark *mk);

/* One transcript read on its own, not followed (statusline: a model of one session): every
 * complete line from byte `from` (a line start; 0 for the whole file) to the sink's `line` with
 * handle `file`, split and skipped by the same rules as a source's tail reads. The file is opened
 * read-only and only if it is a regular file. 0, or -1 when it cannot be read. */
int source_read_file(enum agent agent, const char *path, uint64_t from, const struct line_sink *sink,
		     uint32_t file);

/* Whether the file at `path` still holds the bytes of a mark (identity and stat, else both
 * windows), for a reader of one file outside a source (statusline). 0 when it does. */
int source_mark_check(const char *path, const struct sink_mark *mk);
/* The file's stat (lstat's) is the mark's in every field, and the mark is not too recent to rely
 * on it: the rule by which a scan leaves a file unopened, for a caller that takes the stats
 * itself (the state's pre-check). */
bool mark_stat_same(const struct stat *st, const struct sink_mark *mk);

/* The folder listings this source took or recalled that a later start may trust, encoded for
 * the state file (statefile_dir_put, sorted by path) into out (appended). *recalled: how many
 * of them the sink holds already (recalled from it, or listed anew and found the same); *fresh:
 * how many are new to it. */
void source_dirs_save(struct source *s, struct buf *out, size_t *recalled, size_t *fresh);
/* Tests: a listing is trusted later only when taken more than this long after its folder's
 * last change (default 2 s; 0: any time strictly after its clock tick). */
void source_test_dirs_racy(int64_t ns);
/* Tests: listings used from the sink instead of listing a folder, in this process; and those
 * of them that went by the folder's stat the sink took (no stat of the listing's own). */
uint64_t source_test_dirs_recalled(void);
uint64_t source_test_dirs_seen(void);
/* Tests: source_unchanged answers told from the kept listings alone (no folder listed). */
uint64_t source_test_kept_unchanged(void);

const struct source_stats *source_stats(const struct source *s);
const struct source_roots *source_get_roots(const struct source *s);
/* Messages worth showing once (watch limit reached, unreadable files…); NULL when none new. */
const char *source_take_message(struct source *s);

#endif
