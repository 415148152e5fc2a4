/* screen_detail.c — one session opened: a taller hit-rate chart (one column per main-chain
 * request, newest right, coloured by cause), the lineage (which session it resumed, when, after
 * what gap), totals and the sub-agent traffic apart, the evidence of its latest miss in words,
 * the statusline agent's own ledger beside cachetop's counts (and where they disagree), the
 * transcripts' limit families, the scrollable per-request table, and the TTL-matched control
 * pairs of its project. */
#include "tui_private.h"

#include <stdio.h>
#include <string.h>

#include "cachetop/report.h"
#include "cachetop/timefmt.h"

static bool main_chain(const struct request *r) { return !r->chain && !(r->flags & REQ_SIDECHAIN); }

bool screen_same_project(const struct model *m, uint32_t session, void *ctx)
{
	const struct session *want = ctx;
	const struct session *s = model_session(m, session);
	if (!want->project || !s->project)
		return s == want;
	return !strcmp(want->project, s->project);
}

static int extra_lines(struct tui *t, const struct session *s, int64_t now, int y, int max, int w);

static void chart(struct tui *t, const struct rect *rc, const struct session *s)
{
	if (rect_empty(rc))
		return;
	int axis = 5, w = rc->w - axis - 1, h = rc->h;
	if (w <= 0)
		return;
	/* the newest w main-chain requests */
	const struct request *pick[512];
	int n = 0;
	if (w > 512)
		w = 512;
	for (size_t i = s->nreqs; i-- > 0 && n < w;) {
		const struct request *r = model_request(t->m, s->reqs[i]);
		if (main_chain(r))
			pick[n++] = r;
	}
	static const char *const eighth_utf8[9] = {" ", "\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83",
						   "\xE2\x96\x84", "\xE2\x96\x85", "\xE2\x96\x86",
						   "\xE2\x96\x87", "\xE2\x96\x88"};
	for (int row = 0; row < h; row++) {
		int y = rc->y + row;
		term_fill(t, y, rc->x, rc->w, ROLE_DEFAULT);
		const char *lbl = row == 0 ? "100%" : row == h - 1 ? "  0%" : "";
		term_text(t, y, rc->x, axis, lbl, ROLE_DIM);
		for (int k = 0; k < n; k++) {
			const struct request *r = pick[n - 1 - k];
			double hit = request_hit(r);
			if (hit < 0)
				continue;
			int units = (int)(hit * h * 8 + 0.5);  /* height in eighths of a row */
			if (units < 1)
				units = 1;                          /* a 0% miss still shows a sliver */
			int below = (h - 1 - row) * 8;
			int here = units - below;
			if (here <= 0)
				continue;
			if (here > 8)
				here = 8;
			const char *g = t->utf8 ? eighth_utf8[here] : (here >= 4 ? "#" : "_");
			attrset(t->attr[spark_role(hit, (enum cause)r->cause)]);
			mvaddstr(y, rc->x + axis + 1 + k, g);
		}
	}
}

static void info(struct tui *t, const struct rect *rc, const struct session *s, int64_t now)
{
	if (rect_empty(rc))
		return;
	char buf[2048], a[64], b[64], c[64], d[64];
	int y = rc->y, end = rc->y + rc->h;
	const char *proj = s->project ? s->project : "?";
	snprintf(buf, sizeof buf, "%s  %s  %s%s%s", s->id ? s->id : "?", agent_name(s->agent), proj,
		 s->title ? "  " : "", s->title ? s->title : "");
	char safe[2048];
	text_safe_fit(buf, rc->w - 1, t->utf8, safe, sizeof safe);
	term_text(t, y++, 1, rc->w - 1, safe, ROLE_VALUE);
	/* totals */
	double hit = totals_hit(&s->tot);
	uint64_t mainreq = s->tot.requests - s->sub.requests;
	snprintf(buf, sizeof buf, "%llu request%s  hit %s%%  cost %s  wasted %s (%s)  cache %s",
		 (unsigned long long)mainreq, mainreq == 1 ? "" : "s", fmt_pct(hit, 1, a, sizeof a),
		 fmt_usd(s->tot.cost_usd, b, sizeof b), fmt_tokens(s->tot.wasted_tokens, c, sizeof c),
		 fmt_usd(s->tot.wasted_usd, d, sizeof d), "");
	size_t o = strlen(buf);
	fmt_cache_left(model_cache_left_s(t->m, s, now), a, sizeof a);
	snprintf(buf + o, sizeof buf - o, "%s", a);
	if (s->tot.output > 0) {
		o = strlen(buf);
		snprintf(buf + o, sizeof buf - o, "  creation/output %.2f%s",
			 (double)s->tot.cache_creation / (double)s->tot.output, t->utf8 ? "\xC3\x97" : "x");
	}
	text_fit(buf, rc->w - 1, t->utf8, safe, sizeof safe);
	if (y < end)
		term_text(t, y++, 1, rc->w - 1, safe, ROLE_DEFAULT);
	/* lineage */
	if (y < end) {
		if (s->resumed_from >= 0) {
			const struct session *p = model_session(t->m, (size_t)s->resumed_from);
			char chain[512] = "", id[16];
			size_t co = 0;
			/* oldest first: walk back, at most a few hops */
			const struct session *hops[8];
			int nh = 0;
			for (const struct session *q = s; q && nh < 8;) {
				hops[nh++] = q;
				q = q->resumed_from >= 0 ? model_session(t->m, (size_t)q->resumed_from) : NULL;
			}
			for (int i = nh; i-- > 0;) {
				text_cut(hops[i]->id, 8, t->utf8, id, sizeof id);
				co += (size_t)snprintf(chain + co, sizeof chain - co, "%s%s", id,
						       i ? (t->utf8 ? " \xE2\x86\x92 " : " -> ") : "");
				if (co >= sizeof chain)
					break;
			}
			text_cut(p->id, 8, t->utf8, id, sizeof id);
			fmt_clock(s->resumed_at, false, a, sizeof a);
			snprintf(buf, sizeof buf, "lineage %s   resumed from %s at %s after a %s gap", chain, id,
				 s->resumed_at != CT_TIME_NONE ? a : "?", fmt_gap(s->resume_gap_s, b, sizeof b));
		} else {
			snprintf(buf, sizeof buf, "lineage: not resumed from another session");
		}
		text_fit(buf, rc->w - 1, t->utf8, safe, sizeof safe);
		term_text(t, y++, 1, rc->w - 1, safe, s->resumed_from >= 0 ? ROLE_LABEL : ROLE_DIM);
	}
	if (y < end) {
		double sh = totals_hit(&s->sub);
		if (s->sub.requests)
			snprintf(buf, sizeof buf, "sub-agents: %llu requests  hit %s%%  cost %s  (not in the table)",
				 (unsigned long long)s->sub.requests, fmt_pct(sh, 1, a, sizeof a),
				 fmt_usd(s->sub.cost_usd, b, sizeof b));
		else
			snprintf(buf, sizeof buf, "sub-agents: none");
		term_text(t, y++, 1, rc->w - 1, buf, ROLE_DIM);
	}
	if (y < end)
		extra_lines(t, s, now, y, end - y, rc->w - 1);
}

/* The event the evidence line speaks of: the session's latest unexpected miss, else its latest
 * cold event with something to say; -1 when none. */
static long evidence_event(struct tui *t, const struct session *s, char *note, size_t cap)
{
	long best = -1;
	int64_t best_t = 0;
	bool best_unexpected = false;
	note[0] = 0;
	for (uint32_t i = 0; i < s->nreqs; i++) {
		const struct request *r = model_request(t->m, s->reqs[i]);
		if (!r->event || r->cause == CAUSE_RESUME_HIT)
			continue;
		bool unexpected = !cause_expected((enum cause)r->cause);
		if (best >= 0 && (best_unexpected > unexpected || (best_unexpected == unexpected && r->t < best_t)))
			continue;
		char buf[768];
		tui_event_note(t, r->event - 1, buf, sizeof buf);
		if (!buf[0] && !unexpected)
			continue;
		best = (long)r->event - 1;
		best_t = r->t;
		best_unexpected = unexpected;
		snprintf(note, cap, "%s", buf);
	}
	return best;
}

/* The extra info lines: the evidence of its miss, the agent's own ledger beside ours (and where
 * they disagree), the transcripts' limit families. n: lines drawn, at most max (0: just count). */
static int extra_lines(struct tui *t, const struct session *s, int64_t now, int y, int max, int w)
{
	char note[768], line[1024], dis[1024], safe[1024];
	int n = 0;
	long e = evidence_event(t, s, note, sizeof note);
	if (e >= 0 && note[0]) {
		if (n < max) {
			const struct cache_event *ev = model_event(t->m, (size_t)e);
			char clock[32];
			fmt_clock(model_request(t->m, ev->request)->t, false, clock, sizeof clock);
			snprintf(line, sizeof line, "%s %s: %s", clock, cause_label((enum cause)ev->cause), note);
			text_fit(line, w, t->utf8, safe, sizeof safe);
			term_text(t, y + n, 1, w, safe, cause_role((enum cause)ev->cause));
		}
		n++;
	}
	const struct session_ledger *sl = agent_limits_from(s->agent, AGENT_LIMITS_STATUSLINE) ? ledger_set_find(t->o.ledgers, s->id) : NULL;
	if (sl) {
		struct ledger_compare c;
		evidence_ledger_compare(t->m, sl, (uint32_t)t->detail, tui_evidence(t), &c);
		ledger_describe(sl, &c, t->utf8, line, dis, sizeof line);
		/* where the two disagree comes first: 80×24 has room for two extra lines */
		if (dis[0]) {
			if (n < max) {
				text_fit(dis, w, t->utf8, safe, sizeof safe);
				term_text(t, y + n, 1, w, safe, ROLE_UNEXPLAINED);
			}
			n++;
		}
		if (n < max) {
			text_fit(line, w, t->utf8, safe, sizeof safe);
			term_text(t, y + n, 1, w, safe, ROLE_LABEL);
		}
		n++;
	}
	if (agent_limits_from(s->agent, AGENT_LIMITS_TRANSCRIPT) && model_limit_families(t->m)->n) {
		if (n < max) {
			limit_families_summary(model_limit_families(t->m), now, t->utf8, line, sizeof line);
			text_fit(line, w, t->utf8, safe, sizeof safe);
			term_text(t, y + n, 1, w, safe, ROLE_DIM);
		}
		n++;
	}
	return n;
}

int screen_detail_extra(struct tui *t)
{
	if (t->detail < 0 || (size_t)t->detail >= model_session_count(t->m))
		return 0;
	return extra_lines(t, model_session(t->m, (size_t)t->detail), 0, 0, 0, 0);
}

static void table(struct tui *t, const struct rect *rc, const struct session *s)
{
	if (rect_empty(rc))
		return;
	rows_request_header(rc->w, &t->row);
	term_paint_row(t, rc->y, rc->x, rc->w, &t->row, ROLE_TITLE, false);
	int rows = rc->h - 1;
	t->table_rows = rows > 0 ? rows : 1;
	size_t n = 0;
	for (size_t i = 0; i < s->nreqs; i++)
		if (main_chain(model_request(t->m, s->reqs[i])))
			n++;
	t->ndetail = n;
	size_t maxtop = n > (size_t)rows ? n - (size_t)rows : 0;
	if (t->dfollow || t->dtop > maxtop)
		t->dtop = maxtop;
	size_t k = 0;
	int y = rc->y + 1;
	for (size_t i = 0; i < s->nreqs && y < rc->y + rc->h; i++) {
		const struct request *r = model_request(t->m, s->reqs[i]);
		if (!main_chain(r))
			continue;
		if (k++ < t->dtop)
			continue;
		const struct request *p = r->pred ? model_request(t->m, r->pred - 1) : NULL;
		struct request_row_input in = {
			.r = r, .model = model_model_name(t->m, r->model),
			.gap_s = p ? (double)(r->t - p->t) / 1000.0 : -1,
			.cost = model_request_cost(t->m, r),
		};
		rows_request(&in, rc->w, t->utf8, &t->row);
		term_paint_row(t, y++, rc->x, rc->w, &t->row, ROLE_DEFAULT, false);
	}
}

static void pairs(struct tui *t, const struct rect *rc, const struct session *s)
{
	if (rect_empty(rc))
		return;
	const struct pair_bucket *b = tui_pairs(t, t->detail, screen_same_project, (void *)s);
	char buf[512], proj[256], x1[16], x2[16];
	text_safe_fit(s->project ? s->project : "?", 60, t->utf8, proj, sizeof proj);
	int y = rc->y;
	snprintf(buf, sizeof buf, "TTL-matched pairs, project %s (same idle gap; only the resume differs)", proj);
	term_text(t, y++, 1, rc->w - 1, buf, ROLE_TITLE);
	snprintf(buf, sizeof buf, "%-8s %10s %9s %10s %9s %9s", "GAP", "BASELINE", "HIT%", "RESUMES", "HIT%",
		 "DELTA");
	term_text(t, y++, 1, rc->w - 1, buf, ROLE_LABEL);
	for (int i = 0; i < PAIR_BUCKETS && y < rc->y + rc->h; i++) {
		char delta[32] = "-";
		if (b[i].baseline_n && b[i].resume_n)
			snprintf(delta, sizeof delta, "%+.1f pp", 100.0 * (b[i].resume_hit - b[i].baseline_hit));
		snprintf(buf, sizeof buf, "%-8s %10llu %9s %10llu %9s %9s", b[i].name ? b[i].name : "?",
			 (unsigned long long)b[i].baseline_n, fmt_pct(b[i].baseline_hit, 1, x1, sizeof x1),
			 (unsigned long long)b[i].resume_n, fmt_pct(b[i].resume_hit, 1, x2, sizeof x2), delta);
		bool bad = b[i].baseline_n && b[i].resume_n && b[i].resume_hit + 0.2 < b[i].baseline_hit;
		term_text(t, y++, 1, rc->w - 1, buf, bad ? ROLE_RESUME : ROLE_DEFAULT);
	}
}

void screen_detail(struct tui *t, const struct layout *l, int64_t now)
{
	if (t->detail < 0 || (size_t)t->detail >= model_session_count(t->m)) {
		t->screen = SCREEN_MAIN;
		return;
	}
	const struct session *s = model_session(t->m, (size_t)t->detail);
	chart(t, &l->chart, s);
	info(t, &l->info, s, now);
	table(t, &l->table, s);
	pairs(t, &l->pairs, s);
}
