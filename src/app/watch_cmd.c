/* watch_cmd.c — `cachetop watch --jsonl`: builds the model from the roots (quietly, or printing
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
#include "cachetop/evidence.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

/* One event as known to the stream: its identity (the object without observed_at) and, when it
 * was printed, the line printed, so that a retraction can name exactly what it takes back. */
struct shown {
	char *key;
	char *line;                  /* NULL: known from the backfill, not printed */
};

struct watch_out {
	struct app *a;
	struct live lv;
	size_t known;                /* events of the current model already in `shown` */
	struct shown *shown;
	size_t nshown, capshown;
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

/* An event's line, its evidence with the statusline agent's ledgers as read when watch started. */
static const struct ledger_set *watch_ledgers;
static void event_line(const struct model *m, size_t i, int64_t observed_at, struct buf *b)
{
	report_event_line_ledgers(m, i, observed_at, watch_ledgers, b);
}

static char *event_key(const struct model *m, size_t i)
{
	struct buf b = {0};
	event_line(m, i, CT_TIME_NONE, &b);
	return b.data ? b.data : xstrdup("");
}

static void shown_add(struct watch_out *w, char *key, char *line)
{
	ct_grow((void **)&w->shown, &w->capshown, w->nshown + 1, sizeof *w->shown);
	w->shown[w->nshown++] = (struct shown){key, line};
}

/* A new cold request can give events said before a word (messages_rewritten: its read recurs
 * in theirs): say each such event again, after taking back the line said, so that what was said
 * less what was taken back stays the report's events. */
static void watch_evidence_moved(struct watch_out *w, size_t first_new)
{
	const struct model *m = w->lv.m;
	int64_t now = app_now(w->a);
	size_t stack[64], *partners = stack;
	for (size_t k = first_new; k < w->known; k++) {
		size_t np = evidence_floor_partners(m, k, stack, 64);
		if (np > 64) { /* a floor shared by many misses */
			partners = xmalloc(np * sizeof *partners);
			evidence_floor_partners(m, k, partners, np);
		}
		for (size_t j = 0; j < np; j++) {
			size_t p = partners[j];
			if (p >= first_new || p >= w->nshown)
				continue; /* said in this batch, with the word already */
			char *key = event_key(m, p);
			if (!strcmp(key, w->shown[p].key)) {
				free(key);
				continue;
			}
			char *line = NULL;
			if (w->shown[p].line && w->live) {
				w->line.len = 0;
				report_retract_line(w->shown[p].line, strlen(w->shown[p].line), now, &w->line);
				watch_write(w);
			}
			if (w->live) {
				w->line.len = 0;
				event_line(m, p, now, &w->line);
				line = xstrdup(w->line.data);
				watch_write(w);
			}
			free(w->shown[p].key);
			free(w->shown[p].line);
			w->shown[p] = (struct shown){key, line};
		}
		if (partners != stack)
			free(partners);
		partners = stack;
	}
}

/* Print events appended to the model since the last call, then a quota line if one came. */
static void watch_emit(struct watch_out *w, unsigned changed)
{
	const struct model *m = w->lv.m;
	size_t n = model_event_count(m);
	int64_t now = app_now(w->a);
	size_t first_new = w->known;
	for (; w->known < n; w->known++) {
		char *line = NULL;
		if (w->live) {
			w->line.len = 0;
			event_line(m, w->known, now, &w->line);
			line = xstrdup(w->line.data);
			watch_write(w);
		}
		shown_add(w, event_key(m, w->known), line);
	}
	watch_evidence_moved(w, first_new);
	if ((changed & MODEL_QUOTA) && w->live) {
		struct report_root roots[64];
		struct report_ctx c;
		app_report_ctx(w->a, w->lv.s, roots, 64, &c);
		w->line.len = 0;
		report_quota_line(m, &c, &w->line);
		watch_write(w);
	}
}

static void watch_changed(void *ctx, struct model *m, unsigned bits)
{
	(void)m;
	struct watch_out *w = ctx;
	if (bits & (MODEL_NEW_EVENT | MODEL_QUOTA))
		watch_emit(w, bits);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct shown *)a)->key, ((const struct shown *)b)->key);
}

/* The model was read again: take back every event said before that the fresh read does not
 * have ({"kind":"retract","event":{…}}), then say the ones it has that were not said, oldest
 * first. Events that stayed are not repeated. */
static void watch_replaced(void *ctx, const struct model *old, struct model *m)
{
	(void)old;
	struct watch_out *w = ctx;
	size_t n = model_event_count(m);
	struct shown *fresh = xcalloc(n ? n : 1, sizeof *fresh);
	for (size_t i = 0; i < n; i++)
		fresh[i] = (struct shown){event_key(m, i), (char *)(uintptr_t)i};
	struct shown *had = w->shown;
	size_t nhad = w->nshown;
	if (nhad) /* nothing shown yet: `had` is NULL, which qsort must not get */
		qsort(had, nhad, sizeof *had, by_key);
	qsort(fresh, n, sizeof *fresh, by_key);
	bool *keep = xcalloc(n ? n : 1, sizeof *keep);  /* fresh events already said, by index */
	int64_t now = app_now(w->a);
	size_t i = 0, j = 0;
	while (i < nhad || j < n) {
		int c = i == nhad ? 1 : j == n ? -1 : strcmp(had[i].key, fresh[j].key);
		if (c == 0) {
			keep[(uintptr_t)fresh[j].line] = true;
			i++, j++;
		} else if (c < 0) {
			if (had[i].line && w->live) {
				w->line.len = 0;
				report_retract_line(had[i].line, strlen(had[i].line), now, &w->line);
				watch_write(w);
			}
			i++;
		} else {
			j++;
		}
	}
	for (size_t k = 0; k < nhad; k++) {
		free(had[k].key);
		free(had[k].line);
	}
	w->nshown = 0;
	for (size_t k = 0; k < n; k++)
		free(fresh[k].key);
	free(fresh);
	/* the fresh model's events in its own (time) order: said again only when new */
	for (size_t k = 0; k < n; k++) {
		char *line = NULL;
		if (!keep[k] && w->live) {
			w->line.len = 0;
			event_line(m, k, now, &w->line);
			line = xstrdup(w->line.data);
			watch_write(w);
		} else if (keep[k]) {
			w->line.len = 0;
			event_line(m, k, now, &w->line);
			line = xstrdup(w->line.data); /* what a later retraction would name */
		}
		shown_add(w, event_key(m, k), line);
	}
	w->known = n;
	free(keep);
}

static void watch_messages(struct source *s)
{
	const char *msg;
	while ((msg = source_take_message(s)))
		fprintf(stderr, "cachetop: %s\n", msg);
}

/* --final-report FILE: the report --json of the model as followed live, so that a script can
 * check it against a fresh report of the same tree (write-then-rename, like --openmetrics). */
static int watch_final_report(struct watch_out *w)
{
	struct report_root roots[64];
	struct report_ctx c;
	app_report_ctx(w->a, w->lv.s, roots, 64, &c);
	struct buf out = {0};
	report_json(w->lv.m, &c, &out);
	int rc = app_write_file_atomic(w->a->final_report, out.data ? out.data : "", out.len);
	buf_free(&out);
	return rc;
}

int cmd_watch(struct app *a)
{
	struct watch_out w = {0};
	w.a = a;

	/* Signals arrive on a descriptor, so the one poll() below sees them. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);

	w.live = a->backfill;
	watch_ledgers = a->ledgers.n ? &a->ledgers : NULL;
	char err[512] = "";
	int rc = 0;
	struct live_hooks hooks = {.ctx = &w, .changed = watch_changed, .replaced = watch_replaced};
	if (live_open(&w.lv, a, &hooks, err, sizeof err) != 0) {
		fprintf(stderr, "cachetop: %s\n", err);
		rc = 1;
		goto out;
	}
	watch_emit(&w, 0);
	w.live = true;
	if (source_watch(w.lv.s, err, sizeof err) != 0) {
		fprintf(stderr, "cachetop: %s\n", err);
		rc = 1;
		goto out;
	}
	live_process(&w.lv, watch_mono_ms()); /* what changed while the watches were set */
	watch_emit(&w, 0);
	watch_messages(w.lv.s);
	model_rest(w.lv.m); /* the history read out so far leaves memory */

	/* When stdout is a pipe, notice its reader leaving even while nothing happens. */
	struct stat st;
	bool out_pipe = fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
	while (!w.broken) {
		struct pollfd p[3];
		nfds_t n = 0;
		int ifd = source_fd(w.lv.s);
		if (ifd >= 0)
			p[n++] = (struct pollfd){ifd, POLLIN, 0};
		if (sfd >= 0)
			p[n++] = (struct pollfd){sfd, POLLIN, 0};
		if (out_pipe)
			p[n++] = (struct pollfd){STDOUT_FILENO, 0, 0};
		int timeout = source_timeout_ms(w.lv.s, watch_mono_ms());
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
		live_process(&w.lv, watch_mono_ms());
		watch_emit(&w, live_take_bits(&w.lv) & MODEL_QUOTA);
		watch_messages(w.lv.s);
	}
out:
	if (a->final_report && w.lv.m && watch_final_report(&w) != 0)
		rc = 1;
	live_close(&w.lv);
	for (size_t i = 0; i < w.nshown; i++) {
		free(w.shown[i].key);
		free(w.shown[i].line);
	}
	free(w.shown);
	buf_free(&w.line);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
