/* screen_main.c — paints the main screen from the model: the header (agents, sessions, live
 * count, clock or replay clock), the 5-hour panel (a gauge per agent, estimated and official
 * side by side, the weekly window and the statusline's spend limit beside them, burn, reset, time to
 * limit, share wasted by unexpected misses), the session list (selection highlighted, a resume
 * miss red the moment it is read), the events pane (with each miss's evidence in words) and the
 * status bar. Values come from the model and quota_compute; text and glyphs from render. */
#include "tui_private.h"

#include <stdio.h>
#include <string.h>

#include "cachetop/timefmt.h"
#include "cachetop/util.h"

#define LIVE_MS (10LL * 60 * 1000) /* "live": activity in the last ten minutes */

static bool agent_ok(const struct tui *t, enum agent a)
{
	return t->agent == AF_ALL || (int)t->agent == (int)a + 1;
}

void screen_header(struct tui *t, const struct layout *l, int64_t now)
{
	size_t n[AGENT_COUNT] = {0}, live[AGENT_COUNT] = {0};
	size_t ns = model_session_count(t->m);
	for (size_t i = 0; i < ns; i++) {
		const struct session *s = model_session(t->m, i);
		if (!s->tot.requests)
			continue;
		n[s->agent]++;
		if (s->last_activity != CT_TIME_NONE && now - s->last_activity < LIVE_MS)
			live[s->agent]++;
	}
	char left[256], right[160], clock[64], replay[64] = "";
	/* "cachetop  NAME 3 sessions (1 live) · NAME 2 (0 live)": an agent without header_always is
	 * named only when it has sessions, so a machine without it keeps its header */
	size_t used = (size_t)snprintf(left, sizeof left, "cachetop ");
	bool first = true;
	for (int a = 0; a < AGENT_COUNT && used < sizeof left; a++) {
		if (!agent_table[a].header_always && !n[a])
			continue;
		used += (size_t)snprintf(left + used, sizeof left - used, "%s %s %zu%s (%zu live)",
					 first ? "" : t->utf8 ? " \xC2\xB7" : " |", agent_table[a].name, n[a],
					 !first ? "" : n[a] == 1 ? " session" : " sessions", live[a]);
		first = false;
	}
	fmt_clock(now, true, clock, sizeof clock);
	if (t->o.replay_speed > 0)
		snprintf(replay, sizeof replay, "replay %s%g  ", t->utf8 ? "\xC3\x97" : "x", t->o.replay_speed);
	snprintf(right, sizeof right, "%s%s%s UTC", t->paused ? "PAUSED  " : "", replay, clock);
	term_fill(t, l->header.y, 0, l->cols, ROLE_HEADER);
	int rw = text_width(right);
	term_text(t, l->header.y, 0, l->cols - rw - 1, left, ROLE_HEADER);
	if (rw < l->cols)
		term_text(t, l->header.y, l->cols - rw, rw, right, ROLE_HEADER);
}

/* nw: the width of the agent names shown (agent_names_width) */
static void quota_line(struct tui *t, int y, bool first, enum agent a, const struct quota *q,
		       int64_t now, int nw)
{
	struct row *r = &t->row;
	char buf[512], v1[32], v2[32];
	int cols = COLS;
	row_clear(r);
	int x = 1;
	if (first)
		row_put(r, x, "5h", ROLE_LABEL);
	x += 4;
	snprintf(buf, sizeof buf, "%-*s", nw, agent_name(a));
	x += row_put(r, x, buf, ROLE_LABEL) + 1;
	int gw = cols / 4;
	gw = gw < 8 ? 8 : gw > 30 ? 30 : gw;
	if (x + gw + 10 > cols)
		gw = cols - x - 10;
	/* an agent whose account reports no limit has no window to fill: its spend in the block is
	 * shown, never a percentage of the usual one dressed as a quota */
	bool windowless = agent_limits_from(a, AGENT_LIMITS_NONE);
	double est = windowless ? -1 : q->percent;
	double pct = est >= 0 ? est : q->official_percent;
	if (gw > 0) {
		struct cell cells[32];
		int n = gauge_render(pct >= 0 ? pct : 0, 100, gw, t->utf8, cells);
		row_put_cells(r, x, cells, n);
		x += n + 1;
	}
	size_t o = 0;
	buf[0] = 0;
	if (est >= 0)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%3.0f%% est", est);
	if (q->official_percent >= 0)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%3.0f%% official", o ? " " : "",
				      q->official_percent);
	else if (q->official_over) /* the newest reading's window already reset */
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%swindow over", o ? " " : "");
	if (!o)
		o += (size_t)snprintf(buf + o, sizeof buf - o, windowless ? "  no 5h limit" : "  -%% (no limit yet)");
	/* the weekly window beside the 5-hour one (official), and the statusline's spend limit */
	if (q->weekly_percent >= 0)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  7d %.0f%%", q->weekly_percent);
	else if (q->weekly_over)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  7d over");
	if (q->spend_percent >= 0)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  spend %.0f%%", q->spend_percent);
	if (q->has_block) {
		if (q->unit == QUOTA_USD) {
			fmt_usd(q->used, v1, sizeof v1);
			if (q->limit > 0 && !windowless)
				o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s/%s", v1,
						      fmt_usd(q->limit, v2, sizeof v2));
			else
				o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s", v1);
		} else {
			fmt_tokens((uint64_t)q->used, v1, sizeof v1);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s tok", v1);
		}
		if (q->tokens_per_min_15 > 0)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s tok/min",
					      fmt_tokens((uint64_t)q->tokens_per_min_15, v1, sizeof v1));
		if (q->usd_per_hour_15 > 0)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s/h",
					      fmt_usd(q->usd_per_hour_15, v1, sizeof v1));
	}
	int64_t reset = q->official_resets_at != CT_TIME_NONE && q->official_percent >= 0 && !q->has_block
				? q->official_resets_at
				: q->resets_at;
	if (reset != CT_TIME_NONE && reset > now && !windowless)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  reset %s",
				      fmt_countdown((double)(reset - now) / 1000.0, v1, sizeof v1));
	if (q->limit_at != CT_TIME_NONE && q->limit_at > now && !windowless)
		snprintf(buf + o, sizeof buf - o, "  limit ~%s",
			 fmt_countdown((double)(q->limit_at - now) / 1000.0, v1, sizeof v1));
	row_put_fit(r, x, cols - x, t->utf8, buf, pct >= 90 ? ROLE_GAUGE_CRIT : ROLE_VALUE);
	term_paint_row(t, y, 0, cols, r, ROLE_DEFAULT, false);
}

static void quota_panel(struct tui *t, const struct layout *l, int64_t now)
{
	if (rect_empty(&l->quota))
		return;
	bool have[AGENT_COUNT];
	tui_agents_with_data(t, have);
	int y = l->quota.y, end = l->quota.y + l->quota.h;
	double wasted = 0, used = 0;
	bool first = true, any = false;
	for (int a = 0; a < AGENT_COUNT; a++) {
		if (!have[a])
			continue;
		any = true;
		struct quota q;
		quota_compute_from(t->m, (enum agent)a, tui_blocks(t, (enum agent)a), now, &t->o.quota,
				   t->o.official, &q);
		if (q.has_block) {
			wasted += q.wasted_usd;
			if (q.unit == QUOTA_USD)
				used += q.used;
		}
		if (y < end - (l->quota.h > 1 ? 1 : 0) || (y < end && l->quota.h == 1))
			quota_line(t, y++, first, (enum agent)a, &q, now, agent_names_width(have));
		first = false;
	}
	if (!any && y < end) {
		term_text(t, y++, 1, COLS - 1, "5h  no requests yet", ROLE_DIM);
		return;
	}
	if (y < end && l->quota.h > 1) {
		char buf[256], v[32];
		if (used > 0)
			snprintf(buf, sizeof buf, "     wasted by unexpected misses this block: %s (%.0f%%)",
				 fmt_usd(wasted, v, sizeof v), 100.0 * wasted / used);
		else
			snprintf(buf, sizeof buf, "     wasted by unexpected misses this block: %s",
				 fmt_usd(wasted, v, sizeof v));
		term_text(t, y, 0, COLS, buf, wasted > 0 ? ROLE_UNEXPLAINED : ROLE_DIM);
	}
}

void screen_main_collect(struct tui *t)
{
	size_t ns = model_session_count(t->m);
	if (t->capvis < ns) {
		t->capvis = ns + 64;
		t->vis = xrealloc(t->vis, t->capvis * sizeof *t->vis);
	}
	t->nvis = 0;
	for (size_t i = 0; i < ns; i++) {
		const struct session *s = model_session(t->m, i);
		if (!s->tot.requests && !s->nreqs)
			continue;
		if (!agent_ok(t, s->agent) || !rows_match(s, t->filter))
			continue;
		t->vis[t->nvis++] = s;
	}
	rows_sort(t->vis, t->nvis, t->sort);
	/* keep the selection on the same session */
	if (!t->user_moved)
		t->sel = 0;
	else if (t->sel_id[0]) {
		for (size_t i = 0; i < t->nvis; i++)
			if (t->vis[i]->id && !strcmp(t->vis[i]->id, t->sel_id)) {
				t->sel = i;
				break;
			}
	}
	if (t->sel >= t->nvis)
		t->sel = t->nvis ? t->nvis - 1 : 0;
	if (t->nvis)
		snprintf(t->sel_id, sizeof t->sel_id, "%s", t->vis[t->sel]->id ? t->vis[t->sel]->id : "");
}

/* Main-chain hit rates of a session, newest last, at most cap. */
static size_t session_spark(const struct model *m, const struct session *s, struct spark_point *out,
			    size_t cap)
{
	size_t n = 0;
	for (size_t i = s->nreqs; i-- > 0 && n < cap;) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (r->chain || (r->flags & REQ_SIDECHAIN))
			continue;
		out[n].hit = request_hit(r);
		out[n].cause = r->cause;
		n++;
	}
	for (size_t i = 0; i < n / 2; i++) { /* collected newest first: reverse */
		struct spark_point tmp = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = tmp;
	}
	return n;
}

static void empty_list(struct tui *t, const struct layout *l)
{
	int y = l->list.y + 1, end = l->list.y + l->list.h;
	if (model_session_count(t->m) && t->nvis == 0) {
		term_text(t, y, 2, COLS - 2, "No session matches the filter (/ to change, a for agents).",
			  ROLE_DIM);
		return;
	}
	term_text(t, y++, 2, COLS - 2, "No transcripts found yet. Looked in:", ROLE_VALUE);
	const struct source_roots *r = t->o.roots;
	for (size_t i = 0; r && i < r->n && y < end - 2; i++) {
		char buf[1024];
		snprintf(buf, sizeof buf, "  %-6s %s%s", agent_name(r->v[i].agent), r->v[i].path,
			 r->v[i].exists ? "" : "  (missing)");
		char safe[1024];
		text_safe_fit(buf, COLS - 4, t->utf8, safe, sizeof safe);
		term_text(t, y++, 2, COLS - 2, safe, ROLE_DIM);
	}
	if (y < end)
		term_text(t, y + (y + 1 < end), 2, COLS - 2,
			  "To see what cachetop shows, play the bundled samples:  cachetop replay samples/",
			  ROLE_LABEL);
}

static void session_list(struct tui *t, const struct layout *l, int64_t now)
{
	if (rect_empty(&l->list))
		return;
	struct columns c;
	layout_columns(l->list.w, &c);
	rows_list_header(&c, &t->row);
	term_paint_row(t, l->list.y, 0, l->list.w, &t->row, ROLE_TITLE, false);
	int rows = l->list.h - 1;
	t->list_rows = rows > 0 ? rows : 1;
	if (t->nvis == 0) {
		empty_list(t, l);
		return;
	}
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (t->top + (size_t)rows > t->nvis)
		t->top = t->nvis > (size_t)rows ? t->nvis - (size_t)rows : 0;
	struct spark_point sp[256];
	for (int i = 0; i < rows && t->top + (size_t)i < t->nvis; i++) {
		size_t k = t->top + (size_t)i;
		const struct session *s = t->vis[k];
		const struct cache_event *lu;
		size_t cap = c.w[COL_SPARK] > 0 ? (size_t)c.w[COL_SPARK] : 0;
		if (cap > 256)
			cap = 256;
		size_t n = session_spark(t->m, s, sp, cap);
		const struct cache_event *head = rows_headline(t->m, s, now, &lu);
		struct row_input in = {
			.s = s, .now = now, .cache_left_s = model_cache_left_s(t->m, s, now),
			.last_event = head, .last_unexpected = head == lu ? lu : NULL, .spark = sp, .nspark = n,
		};
		rows_session(&in, &c, t->utf8, &t->row);
		bool sel = k == t->sel;
		int y = l->list.y + 1 + i;
		term_paint_row(t, y, 0, l->list.w, &t->row, ROLE_DEFAULT, sel);
		if (sel && c.w[COL_SESSION] > 0) {
			attrset(t->attr[ROLE_SELECTED] | A_BOLD);
			mvaddstr(y, 0, t->utf8 ? "\xE2\x96\xB6" : ">");
		}
	}
}

static void events_pane(struct tui *t, const struct layout *l)
{
	if (rect_empty(&l->events))
		return;
	char title[512];
	int w = l->events.w;
	const char *h = t->utf8 ? "\xE2\x94\x80" : "-";
	size_t o = (size_t)snprintf(title, sizeof title, "%s events ", h);
	for (int i = 9; i < w && o + 4 < sizeof title; i++)
		o += (size_t)snprintf(title + o, sizeof title - o, "%s", h);
	term_text(t, l->events.y, 0, w, title, ROLE_BORDER);
	int y = l->events.y + 1, end = l->events.y + l->events.h;
	size_t ne = model_event_count(t->m);
	/* Events arrive in reading order (files oldest-first, sub-agents after their parent):
	 * show the newest by time, newest first. A top-k insertion keeps a draw O(events × rows). */
	enum { TOPK = 128 };
	size_t top[TOPK], k = 0, want = (size_t)(end > y ? end - y : 0);
	if (want > TOPK)
		want = TOPK;
	/* the model keeps them by time (newest last, ties by index as below): walk back from the
	 * newest until the pane is full */
	const uint32_t *bytime;
	size_t nt = model_events_by_time(t->m, &bytime);
	for (size_t j = nt; j-- > 0 && k < want;) {
		const struct session *s = model_session(t->m, model_request(t->m, model_event(t->m, bytime[j])->request)->session);
		if (agent_ok(t, s->agent) && rows_match(s, t->filter))
			top[k++] = bytime[j];
	}
	for (size_t i = 0; i < ne && want && nt != ne; i++) {
		const struct cache_event *ev = model_event(t->m, i);
		const struct request *r = model_request(t->m, ev->request);
		const struct session *s = model_session(t->m, r->session);
		if (!agent_ok(t, s->agent) || !rows_match(s, t->filter))
			continue;
		size_t at = k;
		while (at > 0 && model_request(t->m, model_event(t->m, top[at - 1])->request)->t <= r->t)
			at--;
		if (at >= want)
			continue;
		if (k < want)
			k++;
		memmove(top + at + 1, top + at, (k - 1 - at) * sizeof *top);
		top[at] = i;
	}
	char note[768];
	for (size_t j = 0; j < k && y < end; j++) {
		const struct cache_event *ev = model_event(t->m, top[j]);
		const struct request *r = model_request(t->m, ev->request);
		tui_event_note(t, top[j], note, sizeof note);
		rows_event_note(ev, r->t, model_session(t->m, r->session), note, w, t->utf8, &t->row);
		term_paint_row(t, y++, 0, w, &t->row, ROLE_DEFAULT, false);
	}
	if (ne == 0 && y < end)
		term_text(t, y, 1, w - 1, "no cache events yet", ROLE_DIM);
}

void screen_main(struct tui *t, const struct layout *l, int64_t now)
{
	screen_main_collect(t);
	quota_panel(t, l, now);
	session_list(t, l, now);
	events_pane(t, l);
}
