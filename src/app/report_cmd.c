/* report_cmd.c — `cachetop report`: the whole tree read once, written as text, JSON, CSV or
 * OpenMetrics (to a file through write-then-rename, so a collector never reads half of it). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/util.h"

static int write_all(int fd, const char *p, size_t n)
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

int app_write_file_atomic(const char *path, const char *data, size_t n)
{
	struct buf tmp = {0};
	buf_printf(&tmp, "%s.tmp", path);
	int rc = 0;
	int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, data, n) || close(fd) || rename(tmp.data, path)) {
		fprintf(stderr, "cachetop: cannot write %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	buf_free(&tmp);
	return rc;
}

/* The JSON report written by this thread and one more per other core (up to four in all): the
 * first helper starts at once on the tail (the largest piece, needing no plan) while this thread
 * makes the plan; then all share the plan's pieces, each into its own buffer, sent in order. */
#define REPORT_THREADS 4

struct pieces {
	const struct model *m;
	const struct report_ctx *c;
	struct buf tail;
	pthread_mutex_t lock;
	pthread_cond_t planned;
	const struct report_json_plan *p; /* NULL until made */
	struct buf *out;
	size_t n;
	atomic_size_t next;
};

static void take_pieces(struct pieces *w)
{
	for (size_t k; (k = atomic_fetch_add(&w->next, 1)) < w->n;) {
		buf_reserve(&w->out[k], (size_t)1 << 18); /* a piece's usual size: no regrowth */
		report_json_piece(w->p, k, &w->out[k]);
	}
}

static void *tail_then_pieces(void *arg)
{
	struct pieces *w = arg;
	report_json_tail(w->m, w->c, &w->tail);
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

/* Returns write_all's result (the pieces are sent as they lie: no copy into one buffer). */
static int report_json_shared(const struct model *m, const struct report_ctx *c, int fd)
{
	struct pieces w = {.m = m, .c = c, .lock = PTHREAD_MUTEX_INITIALIZER, .planned = PTHREAD_COND_INITIALIZER};
	atomic_init(&w.next, 0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[REPORT_THREADS - 1];
	bool tail_thread = cores > 1 && pthread_create(&th[0], NULL, tail_then_pieces, &w) == 0;
	struct report_json_plan *p = report_json_plan_new(m, c);
	size_t n = report_json_plan_pieces(p);
	struct buf *out = xcalloc(n, sizeof *out);
	pthread_mutex_lock(&w.lock);
	w.out = out;
	w.n = n;
	w.p = p;
	pthread_cond_broadcast(&w.planned);
	pthread_mutex_unlock(&w.lock);
	size_t nth = tail_thread;
	while (tail_thread && (long)nth + 1 < cores && nth < REPORT_THREADS - 1 &&
	       pthread_create(&th[nth], NULL, pieces_worker, &w) == 0)
		nth++;
	take_pieces(&w);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (!tail_thread)
		report_json_tail(m, c, &w.tail);
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		if (!rc && out[k].len)
			rc = write_all(fd, out[k].data, out[k].len);
		buf_free(&out[k]);
	}
	if (!rc && w.tail.len)
		rc = write_all(fd, w.tail.data, w.tail.len);
	buf_free(&w.tail);
	free(out);
	report_json_plan_free(p);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.planned);
	return rc;
}

int cmd_report(struct app *a)
{
	struct source *s = NULL;
	struct model *m = app_build_model(a, &s);
	if (!m)
		return 1;
	struct report_root roots[64];
	struct report_ctx c;
	app_report_ctx(a, s, roots, 64, &c);
	int rc = 0, wrc = 0;
	if (a->format == FMT_JSON) {
		wrc = report_json_shared(m, &c, STDOUT_FILENO);
	} else {
		struct buf out = {0};
		switch (a->format) {
		case FMT_CSV: report_csv(m, &c, &out); break;
		case FMT_OPENMETRICS: report_openmetrics(m, &c, &out); break;
		default: report_text(m, &c, &out); break;
		}
		if (a->format == FMT_OPENMETRICS && a->output_path)
			/* write-then-rename, so a textfile collector never reads half a file */
			rc = app_write_file_atomic(a->output_path, out.data ? out.data : "", out.len);
		else
			wrc = write_all(STDOUT_FILENO, out.data ? out.data : "", out.len);
		buf_free(&out);
	}
	if (wrc && errno != EPIPE) {
		fprintf(stderr, "cachetop: cannot write the report: %s\n", strerror(errno));
		rc = 1;
	}
	source_free(s);
	model_free(m);
	return rc;
}
