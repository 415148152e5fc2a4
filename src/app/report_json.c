/* report_json.c — `report --json` written by this thread and one more per other core (up to
 * four in all): the first helper starts at once on the tail (the largest piece, needing no plan)
 * while this thread makes the plan; then all share the plan's pieces (report_json_plan), each
 * into its own buffer, which this thread writes in order as soon as it is made (no copy into one
 * buffer, and no more of the report held than the pieces in flight). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/util.h"

int app_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

#define REPORT_THREADS 4

struct pieces {
	const struct model *m;
	const struct report_ctx *c;
	const struct blocks *given; /* the blocks kept with the state's image, or NULL */
	struct buf tail;
	pthread_mutex_t lock;
	pthread_cond_t planned, made;
	const struct report_json_plan *p; /* NULL until made */
	struct buf *out;
	atomic_bool *ready;         /* piece k written into out[k] */
	size_t n;
	atomic_size_t next;
};

/* Piece k into its buffer; its writer told. */
static void make_piece(struct pieces *w, size_t k)
{
	buf_reserve(&w->out[k], (size_t)1 << 18); /* a piece's usual size: no regrowth */
	report_json_piece(w->p, k, &w->out[k]);
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->ready[k], true);
	pthread_cond_broadcast(&w->made);
	pthread_mutex_unlock(&w->lock);
}

static void take_pieces(struct pieces *w)
{
	for (size_t k; (k = atomic_fetch_add(&w->next, 1)) < w->n;)
		make_piece(w, k);
}

static void *tail_then_pieces(void *arg)
{
	struct pieces *w = arg;
	report_json_tail(w->m, w->c, w->given, &w->tail);
	pthread_mutex_lock(&w->lock);
	while (!w->p)
		pthread_cond_wait(&w->planned, &w->lock);
	pthread_mutex_unlock(&w->lock);
	take_pieces(w);
	return NULL;
}

static void *pieces_worker(void *arg)
{
	take_pieces(arg);
	return NULL;
}

int app_report_json(const struct model *m, const struct report_ctx *c, const struct blocks *given, int fd)
{
	struct pieces w = {.m = m, .c = c, .given = given, .lock = PTHREAD_MUTEX_INITIALIZER,
			   .planned = PTHREAD_COND_INITIALIZER, .made = PTHREAD_COND_INITIALIZER};
	atomic_init(&w.next, 0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[REPORT_THREADS - 1];
	bool tail_thread = cores > 1 && pthread_create(&th[0], NULL, tail_then_pieces, &w) == 0;
	struct report_json_plan *p = report_json_plan_new(m, c);
	size_t n = report_json_plan_pieces(p);
	struct buf *out = xcalloc(n, sizeof *out);
	atomic_bool *ready = xcalloc(n ? n : 1, sizeof *ready);
	for (size_t k = 0; k < n; k++)
		atomic_init(&ready[k], false);
	pthread_mutex_lock(&w.lock);
	w.out = out;
	w.ready = ready;
	w.n = n;
	w.p = p;
	pthread_cond_broadcast(&w.planned);
	pthread_mutex_unlock(&w.lock);
	size_t nth = tail_thread;
	while (tail_thread && (long)nth + 1 < cores && nth < REPORT_THREADS - 1 &&
	       pthread_create(&th[nth], NULL, pieces_worker, &w) == 0)
		nth++;
	/* this thread writes the pieces in order as they are made, making one itself while the
	 * next is not there yet: a piece lives from its making to its writing, not the whole
	 * report (36 MB of JSON for 2 million requests) */
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		while (!atomic_load(&ready[k])) {
			size_t j = atomic_fetch_add(&w.next, 1);
			if (j < n) {
				make_piece(&w, j);
				continue;
			}
			pthread_mutex_lock(&w.lock);
			while (!atomic_load(&ready[k]))
				pthread_cond_wait(&w.made, &w.lock);
			pthread_mutex_unlock(&w.lock);
		}
		if (!rc && out[k].len)
			rc = app_write_all(fd, out[k].data, out[k].len);
		buf_free(&out[k]);
	}
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (!tail_thread)
		report_json_tail(m, c, given, &w.tail);
	if (!rc && w.tail.len)
		rc = app_write_all(fd, w.tail.data, w.tail.len);
	buf_free(&w.tail);
	free(out);
	free(ready);
	report_json_plan_free(p);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.planned);
	pthread_cond_destroy(&w.made);
	return rc;
}
