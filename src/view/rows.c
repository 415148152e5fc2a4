/* rows.c — turns model values into rows of spans {column, text, role}: the session list (id,
 * project, requests, hit %, sparkline, cache state, last event), the events pane, and the
 * detail screen's per-request table; plus session ordering and filtering. Everything taken from
 * a transcript goes through sanitize_text and is cut by display width, so a hostile title or
 * path can neither inject escapes nor push a column out of place. Pure: no curses, no model
 * calls — the caller hands in the values (tests build them by hand). */
#include "cachetop/render.h"
#include "cachetop/timefmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void row_clear(struct row *r)
{
	r->used = 0;
	r->n = 0;
	r->text[0] = 0;
	r->role = ROLE_DEFAULT;
}

int row_put(struct row *r, int col, const char *text, enum theme_role role)
{
	size_t len = strlen(text);
	if (r->n >= ROW_SPANS || r->used + len + 1 > ROW_TEXT || len == 0)
		return 0;
	int w = text_width(text);
	struct span *s = &r->s[r->n++];
	s->col = (int16_t)col;
	s->width = (int16_t)w;
	s->off = (uint16_t)r->used;
	s->len = (uint16_t)len;
	s->role = (uint8_t)role;
	memcpy(r->text + r->used, text, len + 1);
	r->used += len + 1;
	return w;
}

int row_put_fit(struct row *r, int col, int maxw, bool utf8, const char *text, enum theme_role role)
{
	char buf[1024];
	text_fit(text, maxw, utf8, buf, sizeof buf);
	return row_put(r, col, buf, role);
}

/* Right-align text in [col, col+w). */
static void row_put_right(struct row *r, int col, int w, const char *text, enum theme_role role)
{
	char buf[256];
	int tw = text_fit(text, w, false, buf, sizeof buf);
	row_put(r, col + (w - tw), buf, role);
}

void row_put_cells(struct row *r, int col, const struct cell *c, int n)
{
	int i = 0;
	while (i < n) {
		char buf[512];
		size_t o = 0;
		int j = i;
		while (j < n && c[j].role == c[i].role && o + sizeof c[j].g < sizeof buf) {
			size_t l = strlen(c[j].g);
			memcpy(buf + o, c[j].g, l);
			o += l;
			j++;
		}
		buf[o] = 0;
		row_put(r, col + i, buf, (enum theme_role)c[i].role);
		i = j;
	}
}

const char *row_span_text(const struct row *r, const struct span *s, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.*s", (int)s->len, r->text + s->off);
	return buf;
}

const char *cause_glyph(enum cause c, bool utf8)
{
	switch (c) {
	case CAUSE_RESUME_MISS:
	case CAUSE_RESUME_HIT:
		return utf8 ? "\xE2\x9F\xB2" : "@"; /* ⟲ */
	case CAUSE_UNEXPLAINED_MISS:
		return "!";
	case CAUSE_NONE:
		return " ";
	default:
		return utf8 ? "\xC2\xB7" : "."; /* · */
	}
}

enum theme_role cause_role(enum cause c)
{
	switch (c) {
	case CAUSE_RESUME_MISS:
		return ROLE_RESUME;
	case CAUSE_UNEXPLAINED_MISS:
		return ROLE_UNEXPLAINED;
	case CAUSE_RESUME_HIT:
		return ROLE_HIT;
	case CAUSE_NONE:
		return ROLE_DEFAULT;
	default:
		return ROLE_EXPECTED;
	}
}

static bool cause_unexpected(enum cause c) { return !cause_expected(c); }

/* "RESUME MISS" for the two unexpected causes, "ttl expiry" for the rest (quieter). */
static const char *cause_text(enum cause c, char *buf, size_t cap)
{
	cause_words(c, buf, cap);
	return buf;
}

static double totals_hit_of(const struct totals *t)
{
	uint64_t p = t->input + t->cache_creation + t->cache_read;
	return p ? (double)t->cache_read / (double)p : -1;
}

/* Last path component of a cwd, sanitised ("api"), "(NAME)" appended for an agent whose row
 * says tag_in_list. */
static void project_label(const struct session *s, char *out, size_t cap)
{
	const char *p = s->project ? s->project : "";
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && p[b - 1] != '/')
		b--;
	char base[512];
	snprintf(base, sizeof base, "%.*s", (int)(n - b), p + b);
	if (!base[0])
		snprintf(base, sizeof base, "%s", s->project ? "/" : "?");
	const struct agent_desc *ad = agent_get(s->agent);
	if (ad->tag_in_list)
		snprintf(out, cap, "%s (%s)", base, ad->name);
	else
		snprintf(out, cap, "%s", base);
}

void rows_list_header(const struct columns *c, struct row *out)
{
	row_clear(out);
	for (int i = 0; i < COL_COUNT; i++) {
		if (c->w[i] <= 0)
			continue;
		if (i == COL_REQ || i == COL_HIT) {
			row_put_right(out, c->x[i], c->w[i], column_title((enum col_id)i), ROLE_TITLE);
			continue;
		}
		row_put_fit(out, c->x[i], c->w[i], false, column_title((enum col_id)i), ROLE_TITLE);
	}
}

static void last_event_text(const struct cache_event *ev, bool utf8, char *out, size_t cap)
{
	char lbl[32], gap[32], tok[32];
	enum cause c = (enum cause)ev->cause;
	cause_text(c, lbl, sizeof lbl);
	if (ev->gap_s >= 0)
		fmt_gap(ev->gap_s, gap, sizeof gap);
	else
		gap[0] = 0;
	if (cause_unexpected(c)) {
		fmt_tokens_signed(-(int64_t)ev->wasted_tokens, tok, sizeof tok);
		snprintf(out, cap, "%s %s %s %s", cause_glyph(c, utf8), lbl, gap, tok);
	} else if (c == CAUSE_RESUME_HIT) {
		snprintf(out, cap, "%s %s %s", cause_glyph(c, utf8), lbl, gap);
	} else {
		snprintf(out, cap, "%s", lbl);
	}
}

const struct cache_event *rows_headline(const struct model *m, const struct session *s, int64_t now,
					const struct cache_event **unexpected)
{
	const struct cache_event *lu = s->last_unexpected >= 0 ? model_event(m, (size_t)s->last_unexpected) : NULL;
	const struct cache_event *le = s->last_event >= 0 ? model_event(m, (size_t)s->last_event) : NULL;
	*unexpected = lu;
	if (!lu)
		return le;
	int64_t at = model_request(m, lu->request)->t;
	/* in the session's latest 5-hour stretch, or in the last five hours */
	const int64_t five_h = 5 * 3600 * 1000LL;
	bool recent = now - at < five_h || (s->last_at != CT_TIME_NONE && s->last_at - at < five_h);
	bool warm_since = s->last_warm_at != CT_TIME_NONE && s->last_warm_at > at;
	return recent || !warm_since ? lu : le;
}

void rows_session(const struct row_input *in, const struct columns *cols, bool utf8, struct row *out)
{
	const struct session *s = in->s;
	char buf[1024], tmp[64];
	row_clear(out);
	enum theme_role headline = ROLE_DEFAULT;
	if (in->last_unexpected)
		headline = cause_role((enum cause)in->last_unexpected->cause);
	out->role = (uint8_t)headline;

	if (cols->w[COL_SESSION] > 1) {
		/* col 0 is the selection marker; the id follows (8 chars), then the title if room */
		char id[64];
		text_cut(s->id ? s->id : "?", 8, utf8, id, sizeof id);
		int w = cols->w[COL_SESSION] - 1;
		if (s->title && w > 12) {
			char title[512];
			text_safe_fit(s->title, w - 9, utf8, title, sizeof title);
			snprintf(buf, sizeof buf, "%s %s", id, title);
		} else {
			snprintf(buf, sizeof buf, "%s", id);
		}
		row_put_fit(out, cols->x[COL_SESSION] + 1, w, utf8, buf,
			    headline == ROLE_DEFAULT ? ROLE_VALUE : headline);
	}
	if (cols->w[COL_PROJECT] > 0) {
		char label[600];
		project_label(s, label, sizeof label);
		text_safe_fit(label, cols->w[COL_PROJECT], utf8, buf, sizeof buf);
		row_put(out, cols->x[COL_PROJECT], buf, ROLE_DEFAULT);
	}
	if (cols->w[COL_REQ] > 0) {
		snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)s->tot.requests);
		row_put_right(out, cols->x[COL_REQ], cols->w[COL_REQ], tmp, ROLE_DEFAULT);
	}
	if (cols->w[COL_HIT] > 0) {
		double h = totals_hit_of(&s->tot);
		fmt_pct(h, 1, tmp, sizeof tmp);
		row_put_right(out, cols->x[COL_HIT], cols->w[COL_HIT], tmp,
			      h < 0 ? ROLE_DIM : spark_role(h, CAUSE_NONE));
	}
	if (cols->w[COL_SPARK] > 0 && in->nspark) {
		struct cell cells[256];
		int w = cols->w[COL_SPARK] < 256 ? cols->w[COL_SPARK] : 256;
		int n = spark_render(in->spark, in->nspark, w, utf8, cells);
		row_put_cells(out, cols->x[COL_SPARK], cells, n);
	}
	if (cols->w[COL_CACHE] > 0) {
		fmt_cache_left(in->cache_left_s, tmp, sizeof tmp);
		row_put_fit(out, cols->x[COL_CACHE], cols->w[COL_CACHE], utf8, tmp,
			    in->cache_left_s > 0 ? ROLE_WARM : ROLE_COLD);
	}
	if (cols->w[COL_EVENT] > 0 && in->last_event) {
		/* the headline event (rows_headline) */
		const struct cache_event *ev = in->last_event;
		last_event_text(ev, utf8, buf, sizeof buf);
		row_put_fit(out, cols->x[COL_EVENT], cols->w[COL_EVENT], utf8, buf,
			    cause_role((enum cause)ev->cause));
	}
}

void rows_event(const struct cache_event *ev, int64_t at, const struct session *s, int width,
		bool utf8, struct row *out)
{
	rows_event_note(ev, at, s, NULL, width, utf8, out);
}

void rows_event_note(const struct cache_event *ev, int64_t at, const struct session *s, const char *note,
		     int width, bool utf8, struct row *out)
{
	char clock[32], lbl[32], id[32], proj[600], projfit[256], gap[32], hit[16], prev[16];
	char tok[32], usd[32], rest[1024];
	enum cause c = (enum cause)ev->cause;
	row_clear(out);
	enum theme_role role = cause_role(c);
	out->role = (uint8_t)role;
	fmt_clock(at, false, clock, sizeof clock);
	cause_text(c, lbl, sizeof lbl);
	text_cut(s && s->id ? s->id : "?", 8, utf8, id, sizeof id);
	if (s)
		project_label(s, proj, sizeof proj);
	else
		snprintf(proj, sizeof proj, "?");
	text_safe_fit(proj, 16, utf8, projfit, sizeof projfit);
	int x = 1;
	if (x + 8 > width)
		return;
	x += row_put(out, x, clock, ROLE_DIM) + 1;
	char lblpad[40];
	snprintf(lblpad, sizeof lblpad, "%-16s", lbl);
	x += row_put_fit(out, x, width - x, utf8, lblpad, role) + 1;
	if (x >= width)
		return;
	snprintf(rest, sizeof rest, "%s %s", id, projfit);
	x += row_put_fit(out, x, width - x, utf8, rest, ROLE_VALUE) + 2;
	if (x >= width)
		return;
	if (ev->gap_s >= 0)
		snprintf(rest, sizeof rest, "gap %s", fmt_gap(ev->gap_s, gap, sizeof gap));
	else
		snprintf(rest, sizeof rest, "no predecessor");
	size_t o = strlen(rest);
	if (note && *note) /* the evidence, in words (already sanitised) */
		o += (size_t)snprintf(rest + o, sizeof rest - o, "  %s", note);
	if (o >= sizeof rest)
		o = sizeof rest - 1;
	fmt_pct(ev->hit, 0, hit, sizeof hit);
	if (ev->prev_hit >= 0)
		o += (size_t)snprintf(rest + o, sizeof rest - o, "  hit %s%% (before: %s%%)", hit,
				      fmt_pct(ev->prev_hit, 0, prev, sizeof prev));
	else
		o += (size_t)snprintf(rest + o, sizeof rest - o, "  hit %s%%", hit);
	if (cause_unexpected(c)) {
		fmt_grouped(ev->wasted_tokens, tok, sizeof tok);
		fmt_usd(ev->wasted_usd, usd, sizeof usd);
		snprintf(rest + o, sizeof rest - o, "  %s rewritten  %s %s", tok, utf8 ? "\xE2\x89\x88" : "~",
			 usd);
	} else if (c != CAUSE_RESUME_HIT && ev->rebuild_tokens > 0) {
		fmt_grouped(ev->rebuild_tokens, tok, sizeof tok);
		fmt_usd(ev->rebuild_usd, usd, sizeof usd);
		snprintf(rest + o, sizeof rest - o, "  %s rebuilt  %s %s", tok, utf8 ? "\xE2\x89\x88" : "~", usd);
	}
	row_put_fit(out, x, width - x, utf8, rest, cause_unexpected(c) ? role : ROLE_DEFAULT);
}

/* ---- the per-request table ---- */

enum { RC_TIME, RC_GAP, RC_MODEL, RC_INPUT, RC_W5, RC_W1, RC_READ, RC_OUT, RC_HIT, RC_CAUSE, RC_COST, RC_N };
static const struct {
	const char *title;
	int w;
	int drop;     /* order in which columns go on narrow screens (0 = never) */
	bool right;
} rcols[RC_N] = {
	[RC_TIME] = {"TIME", 8, 0, false},   [RC_GAP] = {"GAP", 6, 0, true},
	[RC_MODEL] = {"MODEL", 18, 1, false}, [RC_INPUT] = {"INPUT", 7, 4, true},
	[RC_W5] = {"5M WRITE", 8, 0, true},  [RC_W1] = {"1H WRITE", 8, 2, true},
	[RC_READ] = {"READ", 7, 0, true},    [RC_OUT] = {"OUTPUT", 7, 3, true},
	[RC_HIT] = {"HIT%", 5, 0, true},     [RC_CAUSE] = {"CAUSE", 16, 0, false},
	[RC_COST] = {"COST", 8, 5, true},
};

static void request_cols(int width, int x[RC_N], int w[RC_N])
{
	bool on[RC_N];
	for (int i = 0; i < RC_N; i++)
		on[i] = true;
	for (int d = 1;; d++) {
		int need = 0;
		for (int i = 0; i < RC_N; i++)
			if (on[i])
				need += rcols[i].w + 1;
		if (need <= width || d > 5)
			break;
		for (int i = 0; i < RC_N; i++)
			if (rcols[i].drop == d)
				on[i] = false;
	}
	int cx = 1;
	for (int i = 0; i < RC_N; i++) {
		w[i] = 0;
		x[i] = 0;
		if (!on[i])
			continue;
		int cw = rcols[i].w;
		if (cx + cw > width)
			cw = width - cx; /* the last columns are cut, never overflow */
		if (cw <= 0)
			continue;
		x[i] = cx;
		w[i] = cw;
		cx += cw + 1;
	}
}

void rows_request_header(int width, struct row *out)
{
	int x[RC_N], w[RC_N];
	row_clear(out);
	request_cols(width, x, w);
	for (int i = 0; i < RC_N; i++) {
		if (w[i] <= 0)
			continue;
		if (rcols[i].right)
			row_put_right(out, x[i], w[i], rcols[i].title, ROLE_TITLE);
		else
			row_put_fit(out, x[i], w[i], false, rcols[i].title, ROLE_TITLE);
	}
}

void rows_request(const struct request_row_input *in, int width, bool utf8, struct row *out)
{
	int x[RC_N], w[RC_N];
	char t[RC_N][96];
	const struct request *r = in->r;
	enum cause c = (enum cause)r->cause;
	row_clear(out);
	out->role = (uint8_t)cause_role(c);
	request_cols(width, x, w);
	fmt_clock(r->t, false, t[RC_TIME], sizeof t[0]);
	fmt_gap(in->gap_s, t[RC_GAP], sizeof t[0]);
	text_safe_fit(in->model ? in->model : "?", 18, utf8, t[RC_MODEL], sizeof t[0]);
	fmt_tokens(r->input, t[RC_INPUT], sizeof t[0]);
	fmt_tokens(r->cc5m, t[RC_W5], sizeof t[0]);
	fmt_tokens(r->cc1h, t[RC_W1], sizeof t[0]);
	fmt_tokens(r->cache_read, t[RC_READ], sizeof t[0]);
	fmt_tokens(r->output, t[RC_OUT], sizeof t[0]);
	uint64_t p = (uint64_t)r->input + r->cc5m + r->cc1h + r->cache_read;
	double h = p ? (double)r->cache_read / (double)p : -1;
	fmt_pct(h, 1, t[RC_HIT], sizeof t[0]);
	if (c == CAUSE_NONE)
		t[RC_CAUSE][0] = 0;
	else {
		char lbl[32];
		snprintf(t[RC_CAUSE], sizeof t[0], "%s %s", cause_glyph(c, utf8), cause_text(c, lbl, sizeof lbl));
	}
	fmt_usd(in->cost, t[RC_COST], sizeof t[0]);
	for (int i = 0; i < RC_N; i++) {
		if (w[i] <= 0 || !t[i][0])
			continue;
		enum theme_role role = ROLE_DEFAULT;
		if (i == RC_HIT)
			role = spark_role(h, c);
		else if (i == RC_CAUSE)
			role = cause_role(c);
		else if (i == RC_TIME)
			role = ROLE_DIM;
		else if (cause_unexpected(c))
			role = cause_role(c);
		if (rcols[i].right)
			row_put_right(out, x[i], w[i], t[i], role);
		else
			row_put_fit(out, x[i], w[i], utf8, t[i], role);
	}
}

/* ---- ordering and filtering ---- */

const char *sort_name(enum sort_mode m)
{
	static const char *const n[SORT_COUNT] = {"recent", "hit %", "waste", "requests"};
	return m < SORT_COUNT ? n[m] : "?";
}

static enum sort_mode g_sort; /* qsort has no context argument; set just before sorting */

static int cmp_recent(const struct session *a, const struct session *b)
{
	if (a->last_activity != b->last_activity)
		return a->last_activity > b->last_activity ? -1 : 1;
	return strcmp(a->id ? a->id : "", b->id ? b->id : "");
}

static int cmp_sessions(const void *pa, const void *pb)
{
	const struct session *a = *(const struct session *const *)pa;
	const struct session *b = *(const struct session *const *)pb;
	switch (g_sort) {
	case SORT_HIT: {
		/* worst first: the list is for finding trouble; sessions without prompts last */
		double ha = totals_hit_of(&a->tot), hb = totals_hit_of(&b->tot);
		if (ha < 0)
			ha = 2;
		if (hb < 0)
			hb = 2;
		if (ha != hb)
			return ha < hb ? -1 : 1;
		break;
	}
	case SORT_WASTE:
		if (a->tot.wasted_usd != b->tot.wasted_usd)
			return a->tot.wasted_usd > b->tot.wasted_usd ? -1 : 1;
		if (a->tot.wasted_tokens != b->tot.wasted_tokens)
			return a->tot.wasted_tokens > b->tot.wasted_tokens ? -1 : 1;
		break;
	case SORT_REQUESTS:
		if (a->tot.requests != b->tot.requests)
			return a->tot.requests > b->tot.requests ? -1 : 1;
		break;
	default:
		break;
	}
	return cmp_recent(a, b);
}

void rows_sort(const struct session **v, size_t n, enum sort_mode m)
{
	if (n < 2)
		return; /* also: v may be NULL when there is nothing to sort */
	g_sort = m;
	qsort(v, n, sizeof *v, cmp_sessions);
}

static bool contains_ci(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

bool rows_match(const struct session *s, const char *filter)
{
	if (!filter || !*filter)
		return true;
	return contains_ci(s->id, filter) || contains_ci(s->project, filter) ||
	       contains_ci(s->title, filter);
}
