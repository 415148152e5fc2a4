/* statusline_cmd.c — the `statusline` command: the statusline agent of the table runs it with
 * JSON on stdin; it records the official rate_limits reading and the agent's prompt_cache ledger,
 * and prints model, session hit %, cache time left and 5-hour %. (`status` is status_cmd.c.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "state.h"
#include "cachetop/sanitize.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

#define STDIN_MAX (4 << 20)

static void mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0700);
			*p = '/';
		}
	}
}

static void append_state(const struct statusline_input *si, int64_t now)
{
	char *path = app_state_path();
	if (!path)
		return;
	mkdir_p(path);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		struct buf b = {0};
		statusline_record(si->session_id, now, &si->rl, &si->ledger, &b);
		/* one write() per line: concurrent statusline runs append whole lines */
		if (write(fd, b.data, b.len) < 0)
			fprintf(stderr, "cachetop: cannot record the reading: %s\n", strerror(errno));
		buf_free(&b);
		close(fd);
	}
	free(path);
}

static void fmt_left(char *b, size_t cap, double s)
{
	if (s <= 0)
		snprintf(b, cap, "cold");
	else if (s >= 3600)
		snprintf(b, cap, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(b, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

int cmd_statusline(struct app *a)
{
	struct buf in = {0};
	char chunk[65536];
	ssize_t n;
	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) > 0 && in.len < STDIN_MAX)
		buf_append(&in, chunk, (size_t)n);
	int64_t now = app_now(a);
	struct statusline_input si;
	if (statusline_parse(in.data ? in.data : "", in.len, now, &si) != 0) {
		buf_free(&in);
		puts("cachetop: no statusline input");
		return 0; /* a status line must never break the host's prompt */
	}
	buf_free(&in);
	if (si.rl.present || si.ledger.present)
		append_state(&si, now);
	if (si.rl.present)
		a->official = si.rl;
	else
		app_load_official_latest(a); /* the newest reading on file, for the 5h figure */

	/* the session's own numbers, from its transcript alone */
	char hit[32] = "-", left[32] = "-";
	if (si.transcript_path[0]) {
		struct model *m = model_new(&a->mopts);
		enum agent ag = agent_limits_owner(AGENT_LIMITS_STATUSLINE);
		uint32_t f = model_file_add(m, ag, si.transcript_path, false);
		/* the lines an earlier run kept (a long session is tens of MB), then the rest */
		struct state *st = state_open(a);
		uint64_t from = state_recall_file(st, m, f, si.transcript_path);
		state_close(st);
		struct line_sink sink;
		app_model_sink(m, &sink);
		source_read_file(ag, si.transcript_path, from, &sink, f);
		int32_t idx = si.session_id[0] ? model_session_find(m, si.session_id) : -1;
		if (idx < 0 && model_session_count(m))
			idx = 0;
		if (idx >= 0) {
			const struct session *s = model_session(m, (size_t)idx);
			double h = totals_hit(&s->tot);
			if (h >= 0)
				snprintf(hit, sizeof hit, "%.0f%%", h * 100);
			fmt_left(left, sizeof left, model_cache_left_s(m, s, now));
		}
		model_free(m);
	}
	char model[64];
	sanitize_text(si.model, strlen(si.model), model, sizeof model, true);
	printf("%s  cache %s hit, %s", model[0] ? model : agent_name(agent_limits_owner(AGENT_LIMITS_STATUSLINE)), hit, left);
	if (a->official.present && a->official.five_hour_pct >= 0)
		printf("  5h %.0f%%", a->official.five_hour_pct);
	putchar('\n');
	return 0;
}
