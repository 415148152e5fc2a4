/* watch.c — `cachetop watch --jsonl`: builds the model from the roots (quietly, or printing
 * every event with --backfill), then follows the transcripts live and prints one flushed JSON
 * line per new cache event, plus a quota line whenever a rate-limit reading arrives. One poll()
 * over the file events, the source's polling timer, signals and (when stdout is a pipe) the
 * reader going away; idle means asleep. SIGINT/SIGTERM and a closed pipe end it with status 0. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/util.h"

struct watch_out {
	struct app *a;
	struct model *m;
	struct source *s;            /* NULL during model setup */
	struct line_sink inner;      /* the app's model sink */
	size_t printed;              /* events already printed */
	bool live;                   /* print (false while scanning without --backfill) */
	bool broken;                 /* stdout went away */
	struct buf line;
};

static int64_t watch_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void watch_write(struct watch_out *w)
{
	if (w->broken || !w->line.len)
		return;
	if (fwrite(w->line.data, 1, w->line.len, stdout) != w->line.len || fflush(stdout) != 0)
		w->broken = true; /* EPIPE (SIGPIPE is ignored): the reader left */
	w->line.len = 0;
}

/* Print events appended to the model since the last call, then a quota line if one came. */
static void watch_emit(struct watch_out *w, unsigned changed)
{
	size_t n = model_event_count(w->m);
	if (!w->live) {
		w->printed = n;
		return;
	}
	int64_t now = app_now(w->a);
	for (; w->printed < n; w->printed++) {
		w->line.len = 0;
		report_event_line(w->m, w->printed, now, &w->line);
		watch_write(w);
	}
	if (changed & MODEL_QUOTA) {
		struct report_root roots[64];
		struct report_ctx c;
		app_report_ctx(w->a, w->s, roots, 64, &c);
		w->line.len = 0;
		report_quota_line(w->m, &c, &w->line);
		watch_write(w);
	}
}

static uint32_t watch_sink_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	struct watch_out *w = ctx;
	return w->inner.file_open(w->inner.ctx, agent, path, subagent);
}

/* Lines are fed here rather than through the inner sink so that model_feed's result (a new
 * quota reading) is seen, and events print in the order they happened. */
static void watch_sink_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	struct watch_out *w = ctx;
	unsigned changed = model_feed(w->m, file, line, n);
	if (changed & (MODEL_NEW_EVENT | MODEL_QUOTA))
		watch_emit(w, changed);
}

static void watch_sink_reset(void *ctx, uint32_t file)
{
	struct watch_out *w = ctx;
	w->inner.file_reset(w->inner.ctx, file);
}

static void watch_sink_gone(void *ctx, uint32_t file)
{
	struct watch_out *w = ctx;
	w->inner.file_gone(w->inner.ctx, file);
}

static void watch_messages(struct source *s)
{
	const char *msg;
	while ((msg = source_take_message(s)))
		fprintf(stderr, "cachetop: %s\n", msg);
}

int cmd_watch(struct app *a)
{
	struct watch_out w = {0};
	w.a = a;
	w.m = model_new(&a->mopts);
	app_model_sink(w.m, &w.inner);
	struct line_sink sink = {.ctx = &w, .file_open = watch_sink_open, .line = watch_sink_line,
				 .file_reset = watch_sink_reset, .file_gone = watch_sink_gone};

	/* Signals arrive on a descriptor, so the one poll() below sees them. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	w.s = source_new(&a->roots, &sink);
	w.live = a->backfill;
	char err[512] = "";
	int rc = 0;
	if (source_scan(w.s, err, sizeof err) != 0) {
		fprintf(stderr, "cachetop: %s\n", err);
		rc = 1;
		goto out;
	}
	watch_emit(&w, 0);
	w.live = true;
	if (source_watch(w.s, err, sizeof err) != 0) {
		fprintf(stderr, "cachetop: %s\n", err);
		rc = 1;
		goto out;
	}
	watch_emit(&w, 0);
	watch_messages(w.s);

	/* When stdout is a pipe, notice its reader leaving even while nothing happens. */
	struct stat st;
	bool out_pipe = fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
	while (!w.broken) {
		struct pollfd p[3];
		nfds_t n = 0;
		int ifd = source_fd(w.s);
		if (ifd >= 0)
			p[n++] = (struct pollfd){ifd, POLLIN, 0};
		if (sfd >= 0)
			p[n++] = (struct pollfd){sfd, POLLIN, 0};
		if (out_pipe)
			p[n++] = (struct pollfd){STDOUT_FILENO, 0, 0};
		int timeout = source_timeout_ms(w.s, watch_mono_ms());
		int r = poll(p, n, timeout);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "cachetop: poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		bool quit = false;
		for (nfds_t i = 0; r > 0 && i < n; i++) {
			if (p[i].fd == sfd && (p[i].revents & POLLIN)) {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
					quit = true;
			}
			if (p[i].fd == STDOUT_FILENO && (p[i].revents & (POLLERR | POLLHUP)))
				w.broken = true;
		}
		if (quit)
			break;
		source_process(w.s, watch_mono_ms());
		watch_emit(&w, 0);
		watch_messages(w.s);
	}
out:
	source_free(w.s);
	model_free(w.m);
	buf_free(&w.line);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
