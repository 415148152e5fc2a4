/* dashboard.c — `cachetop` (live) and `cachetop replay DIR`: the event loop of the dashboard.
 * One poll() over the terminal, the source's watch fd, a timerfd (the 1 s clock/gauge tick) and
 * a signalfd (WINCH, INT, TERM, HUP, QUIT, TSTP, CONT), so signals are ordinary events and
 * nothing runs in a handler; the screen is redrawn at most once per iteration and only when
 * something changed, so an idle dashboard uses no CPU. The model is the live one (live.c), so
 * the screen tells what `report` tells. Replay writes a recorded tree, in the order the agents
 * wrote it, into a temporary tree on a virtual clock running N× fast (source/replay.c), and the
 * same live path follows it. */
#include "app.h"

#include <errno.h>
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

#include "cachetop/timefmt.h"
#include "cachetop/tui.h"
#include "cachetop/util.h"

/* ---- loop pieces ---- */

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
		.official = &a->official,
		.ledgers = &a->ledgers,
		.roots = &a->roots,
	};
	return tui_new(&o, m);
}

/* ---- the loop: a dashboard over a live model, optionally fed by a replay ---- */

struct dash {
	struct app *a;
	struct live lv;
	struct tui *t;
	struct replay *rp;           /* NULL: the machine's own transcripts */
	double speed;
};

static void dash_replaced(void *ctx, const struct model *old, struct model *m)
{
	(void)old;
	struct dash *d = ctx;
	if (d->t)
		tui_set_model(d->t, m);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what changed, bring the model's aggregates up to it (the work a new line costs is done
 * here, once, not by every frame) and tell the screen what changed. */
static void dash_process(struct dash *d)
{
	live_process(&d->lv, mono_ms());
	model_settle(d->lv.m);
	unsigned bits = live_take_bits(&d->lv);
	if (bits)
		tui_model_changed(d->t, bits);
	const char *msg = source_take_message(d->lv.s);
	if (msg)
		tui_set_message(d->t, msg);
}

static int dash_run(struct dash *d)
{
	struct app *a = d->a;
	char err[512] = "";
	/* The watches (a watch and a fresh listing per folder, a look at every file) come after
	 * the first frame, which shows the scan at once: they were most of a warm start's wait.
	 * Whatever changed meanwhile is read when they start. A replay writes into the watched
	 * folders from its first step: it watches first. A watch failure is shown on the status
	 * line; the dashboard still works on the scan. */
	bool watch_later = !d->rp;
	if (!watch_later && source_watch(d->lv.s, err, sizeof err) == 0)
		err[0] = 0;
	model_settle(d->lv.m); /* the first build of the aggregates: one sort of the history */
	model_rest(d->lv.m);   /* the history it walked (read from the image) leaves memory */
	d->t = make_tui(a, d->lv.m, d->rp ? d->speed : 0);
	if (a->banner)
		tui_set_message(d->t, a->banner);
	if (err[0])
		tui_set_message(d->t, err);
	struct loop lp = {-1, -1, {{0}}, {{0}}};
	int tick = d->rp ? 500 : a->cfg.refresh_ms > 0 ? a->cfg.refresh_ms : 1000;
	if (loop_open(&lp, tick) < 0 || tui_start(d->t) < 0) {
		loop_close(&lp);
		tui_free(d->t);
		d->t = NULL;
		return 1;
	}
	crash_tui = d->t;
	/* the replay's virtual clock: lines without a time first, then from the first one */
	int64_t vnow = 0, vbase = 0, rbase = mono_ms();
	bool was_paused = false, done = false;
	if (d->rp) {
		replay_write_until(d->rp, INT64_MIN);
		int64_t first = replay_next_at(d->rp);
		vnow = vbase = first == INT64_MAX ? app_now(a) : first;
		dash_process(d);
	}
	int frames = 0;
	bool quit = false;
	while (!quit) {
		struct tui *t = d->t;
		if (d->rp && !tui_paused(t) && !done) {
			int64_t real = mono_ms();
			if (was_paused) { /* the virtual clock stood still while paused */
				vbase = vnow;
				rbase = real;
				was_paused = false;
			}
			vnow = vbase + (int64_t)((double)(real - rbase) * d->speed);
			/* compress idle stretches: never wait more than ~2 real seconds for a line */
			int64_t next = replay_next_at(d->rp);
			if (next != INT64_MAX && next - vnow > (int64_t)(d->speed * 2000)) {
				vbase = next - (int64_t)(d->speed * 500);
				rbase = real;
				vnow = vbase;
			}
			if (replay_write_until(d->rp, vnow))
				dash_process(d);
			if (replay_next_at(d->rp) == INT64_MAX && !done) {
				/* the end: the clock stops at the last line, the screen stays */
				done = true;
				d->speed = 0;
				vbase = vnow;
				tui_set_message(t, "replay finished: the screen shows the whole recording (q to quit)");
			}
		} else if (d->rp && !done) {
			was_paused = true;
		}
		int64_t now = d->rp ? vnow : app_now(a);
		if (tui_dirty(t)) {
			tui_draw(t, now);
			if (a->max_frames > 0 && ++frames >= a->max_frames)
				break;
		}
		if (watch_later) {
			watch_later = false;
			if (source_watch(d->lv.s, err, sizeof err) != 0)
				tui_set_message(t, err);
			dash_process(d); /* what came between the scan and the watches */
			continue;
		}
		/* paused: the source fd leaves the set, so unread lines wait in their files */
		struct pollfd all[4] = {
			{STDIN_FILENO, POLLIN, 0}, {lp.sfd, POLLIN, 0}, {lp.tfd, POLLIN, 0},
		};
		int np = 3;
		int sfd = source_fd(d->lv.s);
		if (sfd >= 0 && !tui_paused(t))
			all[np++] = (struct pollfd){sfd, POLLIN, 0};
		int timeout = !tui_paused(t) ? source_timeout_ms(d->lv.s, mono_ms()) : -1;
		if (d->rp && !tui_paused(t) && !done && replay_next_at(d->rp) != INT64_MAX) {
			double wait = (double)(replay_next_at(d->rp) - vnow) / d->speed;
			int w = wait < 0 ? 0 : wait > 1000 ? 1000 : (int)ceil(wait);
			timeout = timeout < 0 || w < timeout ? w : timeout;
		}
		int r = poll(all, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (all[1].revents & POLLIN)
			quit |= loop_signals(&lp, t);
		if (all[2].revents & POLLIN) {
			loop_drain_timer(&lp);
			if (!tui_paused(t)) {
				if (!d->rp)
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
		if (!tui_paused(t))
			dash_process(d);
	}
	crash_tui = NULL;
	tui_free(d->t);
	d->t = NULL;
	loop_close(&lp);
	return 0;
}

/* "no transcripts in ~/.a, ~/.b or ~/.c yet: …", the home folders from the agent table */
static const char *samples_banner(void)
{
	static char b[256];
	size_t n = 0, k = 0, total = 0;
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		total += agent_get((enum agent)ag)->home_sub != NULL;
	n += (size_t)snprintf(b + n, sizeof b - n, "no transcripts in");
	for (int ag = 0; ag < AGENT_COUNT && n < sizeof b; ag++) {
		const char *h = agent_get((enum agent)ag)->home_sub;
		if (!h)
			continue;
		k++;
		n += (size_t)snprintf(b + n, sizeof b - n, "%s ~/%s", k == 1 ? "" : k == total ? " or" : ",", h);
	}
	if (n < sizeof b)
		snprintf(b + n, sizeof b - n, " yet: playing the bundled samples (cachetop replay)");
	return b;
}

int cmd_dashboard(struct app *a)
{
	struct dash d = {.a = a};
	struct live_hooks hooks = {.ctx = &d, .replaced = dash_replaced};
	char err[512] = "";
	if (live_open(&d.lv, a, &hooks, err, sizeof err) != 0) {
		fprintf(stderr, "cachetop: %s\n", err);
		live_close(&d.lv);
		return 1;
	}
	/* A first run on a machine with no transcripts shows something real: the bundled samples,
	 * played as if live. Roots named by the user keep the "where I looked" screen instead. */
	bool default_roots = true;
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		char *const *cv;
		size_t cn;
		config_dirs(&a->cfg, (enum agent)ag, &cv, &cn);
		if (a->ndirs[ag] || cn)
			default_roots = false;
	}
	char *samples = default_roots && source_stats(d.lv.s)->files == 0 ? conf_data_path(a->argv0, "samples") : NULL;
	if (samples) {
		live_close(&d.lv);
		a->replay_dir = samples;
		a->banner = samples_banner();
		int rc = cmd_replay(a);
		free(samples);
		return rc;
	}
	int rc = dash_run(&d);
	live_close(&d.lv);
	free(themes_dir);
	themes_dir = NULL;
	return rc;
}

int cmd_replay(struct app *a)
{
	struct dash d = {.a = a, .speed = a->speed > 0 ? a->speed : 60};
	char err[512] = "";
	a->no_state = true; /* a private tree that is gone when the replay ends */
	source_roots_free(&a->roots);
	memset(&a->roots, 0, sizeof a->roots);
	d.rp = replay_open(a->replay_dir, &a->roots, err, sizeof err);
	if (!d.rp) {
		fprintf(stderr, "cachetop: %s\n", err);
		return strstr(err, "not a directory") ? 2 : 1;
	}
	a->official.present = false; /* this machine's readings are not the recording's */
	ledger_set_free(&a->ledgers);
	struct live_hooks hooks = {.ctx = &d, .replaced = dash_replaced};
	int rc = 1;
	if (live_open(&d.lv, a, &hooks, err, sizeof err) != 0)
		fprintf(stderr, "cachetop: %s\n", err);
	else
		rc = dash_run(&d);
	live_close(&d.lv);
	replay_close(d.rp);
	free(themes_dir);
	themes_dir = NULL;
	return rc;
}
