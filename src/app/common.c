/* common.c — what the sub-commands share: loading config/prices/roots, the line sink that feeds
 * the model, building a model from every root, report contexts, the statusline state file. The
 * only place outside the event loops that reads the wall clock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "state.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

int64_t app_now(const struct app *a)
{
	if (a->now_override != CT_TIME_NONE)
		return a->now_override;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void app_resolve_roots(struct app *a)
{
	source_roots_free(&a->roots);
	/* Naming roots of one agent on the command line means "these roots": the other agents'
	 * defaults are not added behind the user's back. */
	bool explicit = false;
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		explicit = explicit || a->ndirs[ag];
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		char *const *v = a->dirs[ag];
		size_t n = a->ndirs[ag];
		if (!n)
			config_dirs(&a->cfg, (enum agent)ag, &v, &n);
		if (n)
			for (size_t i = 0; i < n; i++)
				source_roots_add(&a->roots, (enum agent)ag, v[i]);
		else if (!explicit)
			source_roots_default(&a->roots, (enum agent)ag);
	}
}

static char *data_file(const struct app *a, const char *name)
{
	char *p = conf_data_path(a->argv0, name);
	if (!p) {
		char rel[256];
		snprintf(rel, sizeof rel, "data/%s", name);
		p = conf_data_path(a->argv0, rel);
	}
	return p;
}

void app_load(struct app *a)
{
	struct conf_err err;
	config_defaults(&a->cfg);
	char *path = a->config_path ? xstrdup(a->config_path) : config_default_path();
	if (path && config_load(&a->cfg, path, a->config_path == NULL, &err) != 0)
		fprintf(stderr, "cachetop: %s (using defaults for the rest)\n", err.msg);
	free(path);
	if (a->bell)
		a->cfg.bell = true;
	if (a->no_color)
		a->cfg.no_color = true;

	char *prices = a->cfg.prices ? xstrdup(a->cfg.prices) : data_file(a, "prices.yaml");
	if (prices) {
		struct price_table *t = xcalloc(1, sizeof *t);
		if (prices_load(t, prices, &err) == 0) {
			a->prices = t;
		} else {
			fprintf(stderr, "cachetop: %s (using the built-in price table)\n", err.msg);
			price_table_free(t);
			free(t);
		}
		free(prices);
	}

	app_resolve_roots(a);
	model_opts_default(&a->mopts);
	a->mopts.cold_min_prefix = a->cfg.cold_min_prefix;
	a->mopts.cold_ratio = a->cfg.cold_ratio;
	a->mopts.default_ttl_s = a->cfg.default_ttl_s;
	a->mopts.codex_ttl_s = a->cfg.codex_ttl_s;
	a->mopts.gemini_ttl_s = a->cfg.gemini_ttl_s;
	a->mopts.since_ms = a->since_ms;
	a->mopts.prices = a->prices;
	a->qopts.limit_auto = a->cfg.quota_auto;
	a->qopts.limit = a->cfg.quota_limit;
	a->qopts.unit = a->cfg.quota_unit;
	if (!a->official_lazy)
		app_load_official(a);
}

void app_free(struct app *a)
{
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		for (size_t i = 0; i < a->ndirs[ag]; i++)
			free(a->dirs[ag][i]);
		free(a->dirs[ag]);
	}
	source_roots_free(&a->roots);
	ledger_set_free(&a->ledgers);
	config_free(&a->cfg);
	if (a->prices) {
		price_table_free(a->prices);
		free(a->prices);
	}
}

/* ---- the sink that feeds the model ------------------------------------------------------- */

static uint32_t sink_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	return model_file_add(ctx, agent, path, subagent);
}
static void sink_line(void *ctx, uint32_t file, const char *line, size_t n) { model_feed(ctx, file, line, n); }
static void sink_reset(void *ctx, uint32_t file) { model_file_reset(ctx, file); }
static void sink_gone(void *ctx, uint32_t file) { model_file_gone(ctx, file); }
static void sink_order(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	model_file_order(ctx, file, first_ts == INT64_MAX ? CT_TIME_NONE : first_ts,
			 last_ts == INT64_MAX ? CT_TIME_NONE : last_ts);
}

/* Parsing on the source's worker threads: a run of lines → packed records (struct parsed,
 * app.h); the model applies them on this thread, in order. */

/* one record of a line (a Gemini line may hold many) into the batch */
static void sink_pack(void *ctx, const struct line *ln) { line_pack(ln, ctx); }

void *app_sink_prepare(void *ctx, uint32_t file, enum agent agent, const char *p, size_t n)
{
	(void)ctx;
	(void)file;
	struct parsed *b = xcalloc(1, sizeof *b);
	struct line *ln = xmalloc(sizeof *ln);
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* the same lines the one-by-one path delivers (tail.c) and feeds (model_feed) */
		if (len > 0 && !(len == 1 && p[0] == '\r')) {
			b->lines++;
			if (!line_blank(p, len))
				line_parse_each(agent, p, len, ln, sink_pack, &b->packed);
		}
		p += len + 1;
	}
	free(ln);
	return b;
}

static struct line commit_line; /* commits run on one thread */

int app_apply_packed(struct model *m, uint32_t file, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		size_t used = line_unpack(p, (size_t)(end - p), &commit_line);
		if (!used)
			return -1;
		model_apply(m, file, &commit_line);
		p += used;
	}
	return 0;
}

static void sink_commit(void *ctx, uint32_t file, void *batch)
{
	struct parsed *b = batch;
	app_apply_packed(ctx, file, b->packed.data, b->packed.len);
	buf_free(&b->packed);
	free(b);
}

size_t app_sink_batch_size(void *batch, uint64_t *lines)
{
	struct parsed *b = batch;
	*lines = b->lines;
	return b->packed.cap + sizeof *b;
}

void app_model_sink(struct model *m, struct line_sink *out)
{
	*out = (struct line_sink){.ctx = m, .file_open = sink_open, .line = sink_line,
				  .file_reset = sink_reset, .file_gone = sink_gone, .file_order = sink_order,
				  .prepare = app_sink_prepare,
				  .commit = sink_commit, .batch_size = app_sink_batch_size};
}

struct model *app_build_model(struct app *a, struct source **src_out)
{
	struct state *st = state_open(a);
	struct model *m;
	struct source *s;
	char err[512] = "";
	for (;;) {
		m = model_new(&a->mopts);
		struct line_sink sink;
		if (st)
			state_sink(st, m, &sink);
		else
			app_model_sink(m, &sink);
		s = source_new(&a->roots, &sink);
		if (source_scan(s, err, sizeof err) != 0) {
			fprintf(stderr, "cachetop: %s\n", err);
			source_free(s);
			model_free(m);
			state_close(st);
			return NULL;
		}
		if (!state_failed(st))
			break;
		/* the state misled the read: read the tree whole */
		state_forget(st);
		source_free(s);
		model_free(m);
	}
	state_save(st, s, false);
	state_close(st); /* the source reads nothing more through its sink */
	const char *msg;
	while ((msg = source_take_message(s)))
		fprintf(stderr, "cachetop: %s\n", msg);
	if (src_out)
		*src_out = s;
	else
		source_free(s);
	return m;
}

/* report_root entries from the source's roots (valid while `s` lives) */
static size_t app_report_roots(const struct source *s, struct report_root *out, size_t cap)
{
	const struct source_roots *r = source_get_roots(s);
	size_t n = 0;
	for (size_t i = 0; i < r->n && n < cap; i++)
		out[n++] = (struct report_root){.agent = r->v[i].agent, .path = r->v[i].path,
						.files = r->v[i].files, .exists = r->v[i].exists};
	return n;
}

void app_report_ctx(struct app *a, const struct source *s, struct report_root *roots, size_t cap,
		    struct report_ctx *c)
{
	*c = (struct report_ctx){.now = app_now(a), .roots = roots,
				 .nroots = s ? app_report_roots(s, roots, cap) : 0, .quota = a->qopts,
				 .claude_official = a->claude_official.present ? &a->claude_official : NULL,
				 .ledgers = a->ledgers.n ? &a->ledgers : NULL, .utf8 = !a->ascii};
}

/* ---- statusline state ------------------------------------------------------------------ */

char *app_state_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	struct buf b = {0};
	if (xdg && *xdg)
		buf_printf(&b, "%s/cachetop/statusline.jsonl", xdg);
	else if (home && *home)
		buf_printf(&b, "%s/.local/state/cachetop/statusline.jsonl", home);
	else
		return NULL;
	return b.data;
}

/* The state file's last `max` bytes, folded (ledgers: NULL to skip them). */
static void load_tail(struct app *a, int fd, const struct stat *st, off_t max, struct ledger_set *ledgers)
{
	off_t want = st->st_size > max ? max : st->st_size;
	char *buf = xmalloc((size_t)want + 1);
	ssize_t n = pread(fd, buf, (size_t)want, st->st_size - want);
	if (n > 0)
		statusline_state_fold(buf, (size_t)n, &a->claude_official, ledgers);
	free(buf);
}

void app_load_official_latest(struct app *a)
{
	memset(&a->claude_official, 0, sizeof a->claude_official);
	char *path = app_state_path();
	int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	free(path);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		load_tail(a, fd, &st, 65536, NULL);
	if (fd >= 0)
		close(fd);
}

/* Read at most the last 1 MB (the newest readings are at the end; a reading with its ledger is
 * a few hundred bytes), and only when the file changed: the dashboard asks every second. */
void app_load_official(struct app *a)
{
	char *path = app_state_path();
	int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	free(path);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		memset(&a->claude_official, 0, sizeof a->claude_official);
		ledger_set_free(&a->ledgers);
		memset(&a->state_seen, 0, sizeof a->state_seen);
		return;
	}
	int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (a->state_seen.dev == (uint64_t)st.st_dev && a->state_seen.ino == (uint64_t)st.st_ino &&
	    a->state_seen.size == (int64_t)st.st_size && a->state_seen.mtime_ns == mtime) {
		close(fd);
		return;
	}
	a->state_seen.dev = (uint64_t)st.st_dev;
	a->state_seen.ino = (uint64_t)st.st_ino;
	a->state_seen.size = (int64_t)st.st_size;
	a->state_seen.mtime_ns = mtime;
	memset(&a->claude_official, 0, sizeof a->claude_official);
	ledger_set_free(&a->ledgers);
	load_tail(a, fd, &st, 1048576, &a->ledgers);
	close(fd);
}

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

int app_feed_file(struct model *m, uint32_t file, const char *path, uint64_t from)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || lseek(fd, (off_t)from, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	struct buf pending = {0};
	char *chunk = xmalloc(1 << 20);
	ssize_t n;
	while ((n = read(fd, chunk, 1 << 20)) > 0) {
		size_t start = 0;
		for (;;) {
			char *nl = memchr(chunk + start, '\n', (size_t)n - start);
			if (!nl)
				break;
			size_t end = (size_t)(nl - chunk);
			if (pending.len) {
				buf_append(&pending, chunk + start, end - start);
				model_feed(m, file, pending.data, pending.len);
				pending.len = 0;
			} else {
				model_feed(m, file, chunk + start, end - start);
			}
			start = end + 1;
		}
		buf_append(&pending, chunk + start, (size_t)n - start); /* a partial line waits */
	}
	free(chunk);
	buf_free(&pending);
	close(fd);
	return 0;
}

/* ---- sub-commands that read the whole tree once ------------------------------------------ */

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
	case FMT_JSON: report_json(m, &c, &out); break;
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
