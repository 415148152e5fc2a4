/* state_stat.c — the stat of every saved folder and the lstat of every saved transcript in one
 * go (on two threads; or one starts while the caller goes on, then helps with the rest): what
 * the image's pre-check and the status digest compare the saved marks with, what a kept
 * folder's listing goes by, and the mark a saved entry holds (state_mark_of), by which it
 * tells a changed file early. Calls nothing else of the state. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state_int.h"

void state_mark_of(const struct statefile_entry *e, struct sink_mark *mk)
{
	*mk = (struct sink_mark){.dev = e->dev, .ino = e->ino, .offset = e->offset, .head_len = e->head_len,
				 .tail_len = e->tail_len, .head_hash = e->head_hash, .tail_hash = e->tail_hash,
				 .last_ts = e->last_ts, .first_ts = e->first_ts,
				 .peek_last_ts = e->peek_last_ts, .size = e->size,
				 .mtime_ns = e->mtime_ns, .ctime_ns = e->ctime_ns};
	memcpy(mk->tail, e->tail, sizeof mk->tail);
}

static struct state_seen seen_of(const struct stat *sb)
{
	return (struct state_seen){.taken = true, .reg = S_ISREG(sb->st_mode), .dev = (uint64_t)sb->st_dev,
				   .ino = (uint64_t)sb->st_ino, .size = (uint64_t)sb->st_size,
				   .mtime_ns = state_ns(&sb->st_mtim), .ctime_ns = state_ns(&sb->st_ctim)};
}

/* a saved folder's stat (stat, as the listing takes it: a root may be a link) */
static void stat_dir(struct state_stat_range *j, size_t i)
{
	const struct statefile_dir *d = &j->dirs[i];
	char path[PATH_MAX];
	struct stat sb;
	struct state_seen sn = {0};
	if (d->path_len < sizeof path) {
		memcpy(path, d->path, d->path_len);
		path[d->path_len] = 0;
		if (stat(path, &sb) == 0)
			sn = seen_of(&sb);
	}
	if (!sn.taken || !S_ISDIR(sb.st_mode) || sn.dev != d->dev || sn.ino != d->ino ||
	    sn.mtime_ns != d->mtime_ns || sn.ctime_ns != d->ctime_ns)
		atomic_store(&j->differs, true); /* gone or listed differently now */
	j->dseen[i].s = sn;
	j->dseen[i].dir = sn.taken && S_ISDIR(sb.st_mode);
	atomic_store_explicit(&j->dseen[i].done, true, memory_order_release);
}

static void stat_file(struct state_stat_range *j, size_t i)
{
	struct statefile_entry e;
	statefile_get(j->sf, i, &e);
	struct stat sb;
	if (lstat(e.path, &sb) != 0) {
		atomic_store(&j->differs, true);
		return; /* gone: not taken */
	}
	j->seen[i] = seen_of(&sb);
	/* by the scan's own rule for leaving a file unopened */
	struct sink_mark mk;
	state_mark_of(&e, &mk);
	if (!S_ISREG(sb.st_mode) || !mark_stat_same(&sb, &mk))
		atomic_store(&j->differs, true);
}

/* The folders, then the entries, a chunk at a time taken from the shared cursor, until none is
 * left: every thread that calls it shares the work, whenever it comes. (Opening each folder
 * once and stat'ing by name in it was measured slower: a few transcripts per folder do not pay
 * for the opens.) */
#define STAT_CHUNK 32

static void *stat_chunks(void *p)
{
	struct state_stat_range *j = p;
	size_t total = j->ndirs + j->n;
	for (;;) {
		size_t from = atomic_fetch_add(&j->next, STAT_CHUNK);
		if (from >= total)
			return NULL;
		size_t to = from + STAT_CHUNK < total ? from + STAT_CHUNK : total;
		for (size_t i = from; i < to; i++) {
			if (i < j->ndirs)
				stat_dir(j, i);
			else
				stat_file(j, i - j->ndirs);
		}
	}
}

void state_stat_free(struct state *st)
{
	free(st->seen);
	st->seen = NULL;
	free(st->dseen);
	st->dseen = NULL;
}

/* Every saved folder's and entry's stat, shared with a thread when there are many (the wall
 * time of a warm start is mostly these: ~3.5 µs each here). */
void state_stat_entries(struct state *st)
{
	struct state_stat_bg bg;
	state_stat_start(st, &bg);
	state_stat_join(&bg);
}

static size_t stat_thread_min = 256;
void state_test_stat_thread_min(size_t n) { stat_thread_min = n; }

void state_stat_start(struct state *st, struct state_stat_bg *bg)
{
	state_stat_free(st);
	st->seen = xcalloc(st->sf.n ? st->sf.n : 1, sizeof *st->seen);
	st->dseen = xcalloc(st->ndirs ? st->ndirs : 1, sizeof *st->dseen);
	for (size_t i = 0; i < st->ndirs; i++)
		atomic_init(&st->dseen[i].done, false);
	bg->r.sf = &st->sf;
	bg->r.seen = st->seen;
	bg->r.n = st->sf.n;
	bg->r.dirs = st->dirs;
	bg->r.dseen = st->dseen;
	bg->r.ndirs = st->ndirs;
	atomic_init(&bg->r.next, 0);
	atomic_init(&bg->r.differs, false);
	bg->started = st->ndirs + st->sf.n >= stat_thread_min && pthread_create(&bg->t, NULL, stat_chunks, &bg->r) == 0;
}

/* the caller takes what the thread has not yet, then waits for it */
void state_stat_join(void *ctx)
{
	struct state_stat_bg *bg = ctx;
	stat_chunks(&bg->r);
	if (bg->started)
		pthread_join(bg->t, NULL);
	bg->started = false;
}
