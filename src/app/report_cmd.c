/* report_cmd.c — `cachetop report`: the whole tree read once, written as text, JSON, CSV or
 * OpenMetrics (to a file through write-then-rename, so a collector never reads half of it). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/* The JSON report's pairs, blocks and quota (report_json_tail), written on a thread while the
 * caller writes the sessions and events: both only read the model. */
struct json_tail {
	const struct model *m;
	const struct report_ctx *c;
	struct buf out;
};

static void *json_tail(void *p)
{
	struct json_tail *t = p;
	report_json_tail(t->m, t->c, &t->out);
	return NULL;
}

static void report_json_two(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	struct json_tail t = {m, c, {0}};
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, json_tail, &t) == 0;
	report_json_lists(m, c, out);
	if (threaded)
		pthread_join(th, NULL);
	else
		json_tail(&t);
	buf_append(out, t.out.data ? t.out.data : "", t.out.len);
	buf_free(&t.out);
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
	struct buf out = {0};
	switch (a->format) {
	case FMT_JSON: report_json_two(m, &c, &out); break;
	case FMT_CSV: report_csv(m, &c, &out); break;
	case FMT_OPENMETRICS: report_openmetrics(m, &c, &out); break;
	default: report_text(m, &c, &out); break;
	}
	int rc = 0;
	if (a->format == FMT_OPENMETRICS && a->output_path) {
		/* write-then-rename, so a textfile collector never reads half a file */
		rc = app_write_file_atomic(a->output_path, out.data ? out.data : "", out.len);
	} else if (write_all(STDOUT_FILENO, out.data ? out.data : "", out.len) && errno != EPIPE) {
		fprintf(stderr, "cachetop: cannot write the report: %s\n", strerror(errno));
		rc = 1;
	}
	buf_free(&out);
	source_free(s);
	model_free(m);
	return rc;
}
