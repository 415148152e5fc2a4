/* state_stat.c — the lstat of every saved transcript in one go (on two threads; or one starts
 * while the caller lists the folders, and the caller then helps): what the image's pre-check
 * and the status digest compare the saved marks with, and the mark a saved entry holds
 * (state_mark_of), by which it tells a changed file early. Calls nothing else of the state. */
#include <pthread.h>
#include <stdatomic.h>
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

/* lstat of the saved entries into seen[], a chunk at a time taken from the shared cursor, until
 * none is left: every thread that calls it shares the work, whenever it comes. (Opening each
 * folder once and stat'ing by name in it was measured slower: a few transcripts per folder do
 * not pay for the opens.) */
#define STAT_CHUNK 32

static void *stat_chunks(void *p)
{
	struct state_stat_range *j = p;
	for (;;) {
		size_t from = atomic_fetch_add(&j->next, STAT_CHUNK);
		if (from >= j->n)
			return NULL;
		size_t to = from + STAT_CHUNK < j->n ? from + STAT_CHUNK : j->n;
		for (size_t i = from; i < to; i++) {
			struct statefile_entry e;
			statefile_get(j->sf, i, &e);
			struct stat sb;
			if (lstat(e.path, &sb) != 0) {
				atomic_store(&j->differs, true);
				continue; /* gone: not taken */
			}
			j->seen[i] = (struct state_seen){.taken = true, .reg = S_ISREG(sb.st_mode),
							 .dev = (uint64_t)sb.st_dev, .ino = (uint64_t)sb.st_ino,
							 .size = (uint64_t)sb.st_size, .mtime_ns = state_ns(&sb.st_mtim),
							 .ctime_ns = state_ns(&sb.st_ctim)};
			/* by the scan's own rule for leaving a file unopened */
			struct sink_mark mk;
			state_mark_of(&e, &mk);
			if (!mark_stat_same(&sb, &mk))
				atomic_store(&j->differs, true);
		}
	}
}

/* Every saved entry's lstat, shared with a thread when there are many (the wall time of a warm
 * start is mostly these: ~3.5 µs each here). */
void state_stat_entries(const struct statefile *sf, struct state_seen *seen)
{
	struct state_stat_bg bg;
	state_stat_start(sf, seen, &bg);
	state_stat_join(&bg);
}

void state_stat_start(const struct statefile *sf, struct state_seen *seen, struct state_stat_bg *bg)
{
	bg->r.sf = sf;
	bg->r.seen = seen;
	bg->r.n = sf->n;
	atomic_init(&bg->r.next, 0);
	atomic_init(&bg->r.differs, false);
	bg->started = sf->n >= 256 && pthread_create(&bg->t, NULL, stat_chunks, &bg->r) == 0;
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
