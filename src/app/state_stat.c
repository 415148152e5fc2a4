/* state_stat.c — the lstat of every saved transcript in one go (on two threads, or on one
 * in the background while the caller lists the folders): what the image's pre-check and the
 * status digest compare the saved marks with. Calls nothing else of the state. */
#include <pthread.h>
#include <sys/stat.h>

#include "state_int.h"

/* lstat of the saved entries [from, to) into seen[]. (Opening each folder once and stat'ing
 * by name in it was measured slower: a few transcripts per folder do not pay for the opens.) */
static void *stat_range(void *p)
{
	const struct state_stat_range *j = p;
	for (size_t i = j->from; i < j->to; i++) {
		struct statefile_entry e;
		statefile_get(j->sf, i, &e);
		struct stat sb;
		if (lstat(e.path, &sb) != 0)
			continue; /* gone: not taken */
		j->seen[i] = (struct state_seen){.taken = true, .reg = S_ISREG(sb.st_mode),
						 .dev = (uint64_t)sb.st_dev, .ino = (uint64_t)sb.st_ino,
						 .size = (uint64_t)sb.st_size, .mtime_ns = state_ns(&sb.st_mtim),
						 .ctime_ns = state_ns(&sb.st_ctim)};
	}
	return NULL;
}

/* Every saved entry's lstat, the second half on a thread of its own when there are many (the
 * wall time of a warm start is mostly these). */
void state_stat_entries(const struct statefile *sf, struct state_seen *seen)
{
	size_t n = sf->n, half = n / 2;
	struct state_stat_range a = {sf, seen, 0, half}, b = {sf, seen, half, n};
	pthread_t t;
	if (n >= 256 && pthread_create(&t, NULL, stat_range, &b) == 0) {
		stat_range(&a);
		pthread_join(t, NULL);
		return;
	}
	a.to = n;
	stat_range(&a);
}

void state_stat_start(const struct statefile *sf, struct state_seen *seen, struct state_stat_bg *bg)
{
	bg->r = (struct state_stat_range){sf, seen, 0, sf->n};
	bg->started = sf->n >= 256 && pthread_create(&bg->t, NULL, stat_range, &bg->r) == 0;
	if (!bg->started)
		stat_range(&bg->r);
}

void state_stat_join(void *ctx)
{
	struct state_stat_bg *bg = ctx;
	if (bg->started)
		pthread_join(bg->t, NULL);
	bg->started = false;
}

