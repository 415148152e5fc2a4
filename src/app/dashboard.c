/* dashboard.c — `cachetop` (live) and `cachetop replay DIR`: the event loop of the dashboard.
 * One poll() over the terminal, the source's watch fd, a timerfd (the 1 s clock/gauge tick) and
 * a signalfd (WINCH, INT, TERM, HUP, QUIT, TSTP, CONT), so signals are ordinary events and
 * nothing runs in a handler; the screen is redrawn at most once per iteration and only when
 * something changed, so an idle dashboard uses no CPU. Replay reads every line of a recorded
 * tree, orders the lines by timestamp and feeds them on a virtual clock running N× fast. */
#include "app.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "cachetop/tui.h"
#include "cachetop/util.h"

/* ---- shared loop pieces ---- */

static struct tui *crash_tui; /* restored by the crash handler */

static void crash_handler(int sig)
{
	/* not async-signal-safe, like htop's: restoring the terminal is worth the risk */
	if (crash_tui)
		tui_stop(crash_tui);
	signal(sig, SIG_DFL);
	raise(sig);
}

struct loop {
	int sfd, tfd;
	sigset_t mask, old;
};

static int loop_open(struct loop *lp, int tick_ms)
{
	sigemptyset(&lp->mask);
	int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&lp->mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &lp->mask, &lp->old) < 0)
		return -1;
	lp->sfd = signalfd(-1, &lp->mask, SFD_NONBLOCK | SFD_CLOEXEC);
	lp->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (lp->sfd < 0 || lp->tfd < 0)
		return -1;
	struct itimerspec its = {
		.it_interval = {tick_ms / 1000, (long)(tick_ms % 1000) * 1000000L},
		.it_value = {tick_ms / 1000, (long)(tick_ms % 1000) * 1000000L},
	};
	timerfd_settime(lp->tfd, 0, &its, NULL);
	int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		signal(crash[i], crash_handler);
	return 0;
}

static void loop_close(struct loop *lp)
{
	if (lp->sfd >= 0)
		close(lp->sfd);
	if (lp->tfd >= 0)
		close(lp->tfd);
	sigprocmask(SIG_SETMASK, &lp->old, NULL);
}

/* Drain the signalfd; returns true when the program should quit. */
static bool loop_signals(struct loop *lp, struct tui *t)
{
	struct signalfd_siginfo si;
	bool quit = false;
	while (read(lp->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGWINCH:
		case SIGCONT:
			tui_resize(t);
			break;
		case SIGTSTP:
			/* Ctrl-Z: give the terminal back, stop, and redraw when continued */
			tui_suspend(t);
			raise(SIGSTOP);
			tui_resume(t);
			break;
		default:
			quit = true;
			break;
		}
	}
	return quit;
}

static void loop_drain_timer(struct loop *lp)
{
	uint64_t n;
	while (read(lp->tfd, &n, sizeof n) == (ssize_t)sizeof n)
		;
}

static char *themes_dir; /* lives as long as the tui */

static struct tui *make_tui(struct app *a, const struct model *m, double replay_speed)
{
	free(themes_dir);
	char *themes = themes_dir = conf_data_path(a->argv0, "themes");
	struct tui_opts o = {
		.ascii = a->ascii,
		.no_color = a->no_color || a->cfg.no_color,
		.bell = a->bell || a->cfg.bell,
		.theme = a->theme ? a->theme : a->cfg.theme,
		.themes_dir = themes,
		.replay_speed = replay_speed,
		.quota = a->qopts,
		.claude_official = &a->claude_official,
		.ledgers = &a->ledgers,
		.roots = &a->roots,
	};
	return tui_new(&o, m);
}

/* ---- live ---- */

int cmd_dashboard(struct app *a)
{
	struct source *src = NULL;
	struct model *m = app_build_model(a, &src);
	if (!m)
		return 1;
	/* A first run on a machine with no transcripts shows something real: the bundled samples,
	 * played as if live. Roots named by the user keep the "where I looked" screen instead. */
	bool default_roots = !a->nclaude && !a->ncodex && !a->cfg.nclaude && !a->cfg.ncodex;
	char *samples = default_roots && source_stats(src)->files == 0 ? conf_data_path(a->argv0, "samples") : NULL;
	if (samples) {
		source_free(src);
		model_free(m);
		a->replay_dir = samples;
		a->banner = "no transcripts in ~/.claude or ~/.codex yet: playing the bundled samples (cachetop replay)";
		int rc = cmd_replay(a);
		free(samples);
		return rc;
	}
	char err[512] = "";
	/* a watch failure is shown on the status line; the dashboard still works on the scan */
	if (src && source_watch(src, err, sizeof err) == 0)
		err[0] = 0;
	struct tui *t = make_tui(a, m, 0);
	tui_model_changed(t, 0); /* the backfill is not "new": no bell for it */
	if (err[0])
		tui_set_message(t, err);
	struct loop lp = {-1, -1, {{0}}, {{0}}};
	int tick = a->cfg.refresh_ms > 0 ? a->cfg.refresh_ms : 1000;
	if (loop_open(&lp, tick) < 0 || tui_start(t) < 0) {
		loop_close(&lp);
		tui_free(t);
		if (src)
			source_free(src);
		model_free(m);
		return 1;
	}
	crash_tui = t;
	int frames = 0;
	bool quit = false;
	while (!quit) {
		int64_t now = app_now(a);
		if (tui_dirty(t)) {
			tui_draw(t, now);
			if (a->max_frames > 0 && ++frames >= a->max_frames)
				break;
		}
		/* paused: the source fd leaves the set, so unread lines wait in their files */
		struct pollfd all[4] = {
			{STDIN_FILENO, POLLIN, 0}, {lp.sfd, POLLIN, 0}, {lp.tfd, POLLIN, 0},
		};
		int np = 3;
		int sfd = src ? source_fd(src) : -1;
		if (sfd >= 0 && !tui_paused(t))
			all[np++] = (struct pollfd){sfd, POLLIN, 0};
		int timeout = src && !tui_paused(t) ? source_timeout_ms(src, now) : -1;
		int r = poll(all, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR)
			break;
		now = app_now(a);
		if (all[1].revents & POLLIN)
			quit |= loop_signals(&lp, t);
		if (all[2].revents & POLLIN) {
			loop_drain_timer(&lp);
			if (!tui_paused(t)) {
				app_load_official(a);
				tui_tick(t);
			}
		}
		if (all[0].revents & POLLIN) {
			unsigned k = tui_input(t);
			if (k & TUI_QUIT)
				quit = true;
		}
		if (all[0].revents & (POLLHUP | POLLERR))
			quit = true;
		if (src && !tui_paused(t)) {
			size_t ev0 = model_event_count(m), rq0 = model_request_count(m),
			       se0 = model_session_count(m);
			if (source_process(src, now) > 0) {
				unsigned bits = MODEL_UPDATED;
				if (model_request_count(m) != rq0)
					bits |= MODEL_NEW_REQUEST;
				if (model_event_count(m) != ev0)
					bits |= MODEL_NEW_EVENT;
				if (model_session_count(m) != se0)
					bits |= MODEL_NEW_SESSION;
				tui_model_changed(t, bits);
			}
			const char *msg = source_take_message(src);
			if (msg)
				tui_set_message(t, msg);
		}
	}
	crash_tui = NULL;
	tui_free(t);
	loop_close(&lp);
	if (src)
		source_free(src);
	model_free(m);
	free(themes_dir);
	themes_dir = NULL;
	return 0;
}

/* ---- replay ---- */

struct rline {
	int64_t ts;
	uint32_t file, seq;
	char *s;
	size_t n;
};

struct rfile {
	char *path;
	enum agent agent;
};

static struct {
	struct rfile *v;
	size_t n, cap;
	enum agent agent;
} walk;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	size_t n = strlen(path);
	if (type != FTW_F || !S_ISREG(st->st_mode) || n < 6 || strcmp(path + n - 6, ".jsonl"))
		return 0;
	ct_grow((void **)&walk.v, &walk.cap, walk.n + 1, sizeof *walk.v);
	walk.v[walk.n++] = (struct rfile){xstrdup(path), walk.agent};
	return 0;
}

static int cmp_rfile(const void *a, const void *b)
{
	return strcmp(((const struct rfile *)a)->path, ((const struct rfile *)b)->path);
}

static int cmp_rline(const void *pa, const void *pb)
{
	const struct rline *a = pa, *b = pb;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_subagent_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strstr(path, "/subagents/") || !strncmp(base, "agent-", 6);
}

/* Read one file into lines; lines without a timestamp keep the previous line's (the first
 * ones take the first timestamp of the file), so they stay right after it once sorted. */
static void replay_read(struct model *m, const struct rfile *f, struct line *ln, struct rline **v,
			size_t *n, size_t *cap)
{
	uint32_t file = model_file_add(m, f->agent, f->path, is_subagent_path(f->path));
	FILE *fp = fopen(f->path, "re");
	if (!fp)
		return;
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t len;
	uint32_t seq = 0;
	size_t first = *n;
	int64_t last = CT_TIME_NONE;
	while ((len = getline(&buf, &bcap, fp)) >= 0) {
		size_t l = (size_t)len;
		while (l && (buf[l - 1] == '\n'))
			l--;
		if (!l)
			continue;
		line_parse(f->agent, buf, l, ln);
		if (ln->ts != CT_TIME_NONE)
			last = ln->ts;
		ct_grow((void **)v, cap, *n + 1, sizeof **v);
		(*v)[(*n)++] = (struct rline){last, file, seq++, xstrndup(buf, l), l};
	}
	free(buf);
	fclose(fp);
	int64_t first_ts = CT_TIME_NONE;
	for (size_t i = first; i < *n && first_ts == CT_TIME_NONE; i++)
		first_ts = (*v)[i].ts;
	for (size_t i = first; i < *n && (*v)[i].ts == CT_TIME_NONE; i++)
		(*v)[i].ts = first_ts == CT_TIME_NONE ? INT64_MAX : first_ts;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_replay(struct app *a)
{
	const char *dir = a->replay_dir;
	if (!dir || !is_dir(dir)) {
		fprintf(stderr, "cachetop: replay: %s is not a directory\n", dir ? dir : "(none)");
		return 2;
	}
	double speed = a->speed > 0 ? a->speed : 60;
	/* DIR holds claude/ and/or codex/ roots (like samples/), or is itself one root */
	struct {
		const char *sub;
		enum agent agent;
	} roots[] = {{"claude", AGENT_CLAUDE}, {"codex", AGENT_CODEX}, {"projects", AGENT_CLAUDE},
		     {"sessions", AGENT_CODEX}, {"archived_sessions", AGENT_CODEX}};
	source_roots_free(&a->roots);
	memset(&a->roots, 0, sizeof a->roots);
	memset(&walk, 0, sizeof walk);
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, roots[i].sub);
		if (!is_dir(p))
			continue;
		if (i < 2)
			source_roots_add(&a->roots, roots[i].agent, p);
		walk.agent = roots[i].agent;
		nftw(p, walk_cb, 16, FTW_PHYS);
	}
	if (!walk.n) {
		fprintf(stderr, "cachetop: replay: no transcripts (*.jsonl) under %s/claude or %s/codex\n", dir,
			dir);
		return 1;
	}
	qsort(walk.v, walk.n, sizeof *walk.v, cmp_rfile);
	struct model *m = model_new(&a->mopts);
	struct line *ln = xmalloc(sizeof *ln);
	struct rline *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < walk.n; i++)
		replay_read(m, &walk.v[i], ln, &v, &n, &cap);
	free(ln);
	qsort(v, n, sizeof *v, cmp_rline);
	size_t next = 0;
	while (next < n && v[next].ts == INT64_MAX) /* files without any timestamp: feed at once */
		next++;
	int64_t v0 = next < n ? v[next].ts : app_now(a);
	for (size_t i = 0; i < next; i++)
		model_feed(m, v[i].file, v[i].s, v[i].n);

	a->claude_official.present = false; /* this machine's readings are not the recording's */
	ledger_set_free(&a->ledgers);
	struct tui *t = make_tui(a, m, speed);
	if (a->banner)
		tui_set_message(t, a->banner);
	struct loop lp = {-1, -1, {{0}}, {{0}}};
	int rc = 0;
	if (loop_open(&lp, 500) < 0 || tui_start(t) < 0) {
		rc = 1;
		goto out;
	}
	crash_tui = t;
	int64_t rbase = mono_ms(), vbase = v0, vnow = v0;
	int frames = 0;
	bool quit = false, was_paused = false;
	while (!quit) {
		int64_t real = mono_ms();
		if (!tui_paused(t)) {
			if (was_paused) { /* the virtual clock stood still while paused */
				vbase = vnow;
				rbase = real;
				was_paused = false;
			}
			vnow = vbase + (int64_t)((double)(real - rbase) * speed);
			/* compress idle stretches: never wait more than ~2 real seconds for a line */
			if (next < n && v[next].ts - vnow > (int64_t)(speed * 2000)) {
				vbase = v[next].ts - (int64_t)(speed * 500);
				rbase = real;
				vnow = vbase;
			}
			unsigned bits = 0;
			while (next < n && v[next].ts <= vnow) {
				bits |= model_feed(m, v[next].file, v[next].s, v[next].n);
				next++;
			}
			if (bits)
				tui_model_changed(t, bits);
		} else {
			was_paused = true;
		}
		if (tui_dirty(t)) {
			tui_draw(t, vnow);
			if (a->max_frames > 0 && ++frames >= a->max_frames)
				break;
		}
		int timeout = -1;
		if (!tui_paused(t) && next < n) {
			double wait = (double)(v[next].ts - vnow) / speed;
			timeout = wait < 0 ? 0 : wait > 1000 ? 1000 : (int)ceil(wait);
		}
		struct pollfd p[3] = {{STDIN_FILENO, POLLIN, 0}, {lp.sfd, POLLIN, 0}, {lp.tfd, POLLIN, 0}};
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			quit |= loop_signals(&lp, t);
		if (p[2].revents & POLLIN) {
			loop_drain_timer(&lp);
			if (!tui_paused(t))
				tui_tick(t);
		}
		if (p[0].revents & POLLIN) {
			if (tui_input(t) & TUI_QUIT)
				quit = true;
		}
		if (p[0].revents & (POLLHUP | POLLERR))
			quit = true;
	}
out:
	crash_tui = NULL;
	tui_free(t);
	loop_close(&lp);
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
	for (size_t i = 0; i < walk.n; i++)
		free(walk.v[i].path);
	free(walk.v);
	memset(&walk, 0, sizeof walk);
	model_free(m);
	free(themes_dir);
	themes_dir = NULL;
	return rc;
}
