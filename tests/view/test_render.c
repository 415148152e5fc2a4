/* test_render.c — the pure half of the view without a terminal: layout at every size from 40×10
 * to 300×100 (in bounds, no overlaps, columns dropped gracefully), sparkline and gauge glyphs in
 * UTF-8 and ASCII with their roles, number formatting, display-width cutting, session rows (a
 * resume-miss session carries the red role) and hostile transcript strings rendered inert. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/render.h"
#include "cachetop/timefmt.h"

static void utf8_locale(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
		cr_skip_test("no C.UTF-8 locale");
}

/* ---------------- layout ---------------- */

static bool overlap(const struct rect *a, const struct rect *b)
{
	if (rect_empty(a) || rect_empty(b))
		return false;
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check_rects(const struct rect *const *r, size_t n, int cols, int rows)
{
	for (size_t i = 0; i < n; i++) {
		if (rect_empty(r[i]))
			continue;
		cr_assert(r[i]->x >= 0 && r[i]->y >= 0, "rect %zu at %dx%d", i, cols, rows);
		cr_assert(r[i]->x + r[i]->w <= cols && r[i]->y + r[i]->h <= rows,
			  "rect %zu out of bounds at %dx%d", i, cols, rows);
		for (size_t j = i + 1; j < n; j++)
			cr_assert(!overlap(r[i], r[j]), "rects %zu,%zu overlap at %dx%d", i, j, cols, rows);
	}
}

Test(layout, every_size_main_and_detail)
{
	for (int cols = 40; cols <= 300; cols++)
		for (int rows = 10; rows <= 100; rows++)
			for (int nq = 0; nq <= 3; nq++) {
				struct layout l;
				layout_compute(cols, rows, LAYOUT_MAIN, nq, &l);
				cr_assert(!l.too_small);
				const struct rect *m[] = {&l.header, &l.quota, &l.list, &l.events, &l.status};
				check_rects(m, 5, cols, rows);
				cr_assert(l.list.h >= 3, "list too short at %dx%d", cols, rows);
				cr_assert_eq(l.header.h, 1);
				cr_assert_eq(l.status.y, rows - 1);
				/* the rows add up: nothing is left unassigned */
				cr_assert_eq(l.header.h + l.quota.h + l.list.h + l.events.h + l.status.h, rows);
				layout_compute(cols, rows, LAYOUT_DETAIL, nq, &l);
				const struct rect *d[] = {&l.header, &l.chart, &l.info, &l.table, &l.pairs, &l.status};
				check_rects(d, 6, cols, rows);
				cr_assert(l.table.h >= 1, "no table at %dx%d", cols, rows);
			}
}

Test(layout, main_80x24_shows_all_panes)
{
	struct layout l;
	layout_compute(80, 24, LAYOUT_MAIN, 3, &l);
	cr_assert_eq(l.quota.h, 3);
	cr_assert(l.events.h >= 2);
	cr_assert(l.list.h >= 10);
	layout_compute(80, 24, LAYOUT_DETAIL, 3, &l);
	cr_assert(l.chart.h > 0 && l.info.h > 0 && l.pairs.h == PAIR_ROWS && l.table.h >= 5);
}

Test(layout, tiny_is_too_small)
{
	struct layout l;
	layout_compute(10, 3, LAYOUT_MAIN, 3, &l);
	cr_assert(l.too_small);
	cr_assert(rect_empty(&l.list));
}

Test(layout, columns_fit_and_drop_in_order)
{
	for (int w = 1; w <= 300; w++) {
		struct columns c;
		layout_columns(w, &c);
		int last_end = -1;
		for (int i = 0; i < COL_COUNT; i++) {
			if (c.w[i] <= 0)
				continue;
			cr_assert(c.x[i] > last_end, "column %d overlaps at width %d", i, w);
			cr_assert(c.x[i] + c.w[i] <= w, "column %d beyond width %d", i, w);
			last_end = c.x[i] + c.w[i] - 1;
		}
		if (w >= 40)
			cr_assert(c.w[COL_SESSION] > 0 && c.w[COL_EVENT] >= 12, "width %d", w);
	}
	struct columns c;
	layout_columns(80, &c);
	for (int i = 0; i < COL_COUNT; i++)
		cr_assert(c.w[i] > 0, "column %d dropped at 80", i);
	layout_columns(60, &c);
	cr_assert_eq(c.w[COL_SPARK], 0, "the sparkline goes first");
	cr_assert(c.w[COL_CACHE] > 0 && c.w[COL_HIT] > 0);
	layout_columns(40, &c);
	cr_assert_eq(c.w[COL_PROJECT], 0);
	cr_assert(c.w[COL_HIT] > 0);
}

/* ---------------- sparkline & gauge ---------------- */

Test(spark, levels_and_glyphs)
{
	cr_assert_eq(spark_level(-1), -1);
	cr_assert_eq(spark_level(0), 0);
	cr_assert_eq(spark_level(1), 7);
	cr_assert_eq(spark_level(0.5), 4);
	cr_assert_str_eq(spark_glyph(0, true), "▁");
	cr_assert_str_eq(spark_glyph(7, true), "█");
	cr_assert_str_eq(spark_glyph(7, false), "#");
	cr_assert_str_eq(spark_glyph(3, false), "-");
	cr_assert_str_eq(spark_glyph(-1, true), " ");
}

Test(spark, newest_right_clipped_with_roles)
{
	struct spark_point p[10];
	for (int i = 0; i < 10; i++)
		p[i] = (struct spark_point){0.98, CAUSE_NONE};
	p[9] = (struct spark_point){0.41, CAUSE_RESUME_MISS};
	p[5] = (struct spark_point){0.0, CAUSE_UNEXPLAINED_MISS};
	p[0] = (struct spark_point){0.0, CAUSE_FIRST_REQUEST};
	struct cell c[16];
	int n = spark_render(p, 10, 6, true, c);
	cr_assert_eq(n, 6);
	/* the last six points: indices 4..9 */
	cr_assert_eq(c[5].role, ROLE_RESUME);
	cr_assert_str_eq(c[5].g, "▄");
	cr_assert_eq(c[1].role, ROLE_UNEXPLAINED);
	cr_assert_str_eq(c[1].g, "▁");
	cr_assert_eq(c[0].role, ROLE_SPARK_HIGH);
	n = spark_render(p, 10, 16, false, c);
	cr_assert_eq(n, 10);
	cr_assert_eq(c[0].role, ROLE_EXPECTED);
	cr_assert_str_eq(c[0].g, "_");
	cr_assert_str_eq(c[9].g, "-");
	cr_assert_str_eq(c[1].g, "#");
}

Test(gauge, fill_and_roles)
{
	struct cell c[24];
	cr_assert_eq(gauge_render(61, 100, 10, true, c), 10);
	int filled = 0;
	for (int i = 0; i < 10; i++)
		if (!strcmp(c[i].g, "█")) {
			filled++;
			cr_assert_eq(c[i].role, ROLE_GAUGE_OK);
		} else {
			cr_assert_str_eq(c[i].g, "░");
			cr_assert_eq(c[i].role, ROLE_GAUGE_EMPTY);
		}
	cr_assert_eq(filled, 6);
	gauge_render(95, 100, 20, false, c);
	cr_assert_str_eq(c[0].g, "#");
	cr_assert_eq(c[0].role, ROLE_GAUGE_CRIT);
	cr_assert_str_eq(c[19].g, "-");
	gauge_render(80, 100, 20, false, c);
	cr_assert_eq(c[0].role, ROLE_GAUGE_WARN);
	gauge_render(300, 100, 8, false, c); /* over the limit: full, crit */
	cr_assert_str_eq(c[7].g, "#");
	gauge_render(5, 0, 8, false, c);     /* unknown limit: nothing filled */
	cr_assert_str_eq(c[0].g, "-");
	gauge_render(0.1, 100, 8, false, c); /* tiny use still shows */
	cr_assert_str_eq(c[0].g, "#");
}

/* ---------------- formatting ---------------- */

Test(fmt, numbers_and_durations)
{
	char b[64];
	cr_assert_str_eq(fmt_tokens(999, b, sizeof b), "999");
	cr_assert_str_eq(fmt_tokens(1000, b, sizeof b), "1.0k");
	cr_assert_str_eq(fmt_tokens(23849, b, sizeof b), "23.8k");
	cr_assert_str_eq(fmt_tokens(999960, b, sizeof b), "1.0M");
	cr_assert_str_eq(fmt_tokens(1234567, b, sizeof b), "1.2M");
	cr_assert_str_eq(fmt_tokens_signed(-23849, b, sizeof b), "-23.8k");
	cr_assert_str_eq(fmt_grouped(23849, b, sizeof b), "23,849");
	cr_assert_str_eq(fmt_grouped(1234567, b, sizeof b), "1,234,567");
	cr_assert_str_eq(fmt_grouped(12, b, sizeof b), "12");
	cr_assert_str_eq(fmt_usd(0.2412, b, sizeof b), "$0.24");
	cr_assert_str_eq(fmt_usd(14.2, b, sizeof b), "$14.20");
	cr_assert_str_eq(fmt_usd(-1, b, sizeof b), "no price");
	cr_assert_str_eq(fmt_gap(246, b, sizeof b), "4.1m");
	cr_assert_str_eq(fmt_gap(42.7, b, sizeof b), "42s");
	cr_assert_str_eq(fmt_gap(3599.9, b, sizeof b), "59.9m");
	cr_assert_str_eq(fmt_gap(2 * 3600 + 19 * 60 + 5, b, sizeof b), "2h19m");
	cr_assert_str_eq(fmt_countdown(3900, b, sizeof b), "1h05m");
	cr_assert_str_eq(fmt_countdown(45 * 60 + 10, b, sizeof b), "45m");
	cr_assert_str_eq(fmt_cache_left(6723, b, sizeof b), "1h 52m03s");
	cr_assert_str_eq(fmt_cache_left(300, b, sizeof b), "5m 00s");
	cr_assert_str_eq(fmt_cache_left(0, b, sizeof b), "cold");
	cr_assert_str_eq(fmt_pct(0.412, 1, b, sizeof b), "41.2");
	cr_assert_str_eq(fmt_pct(-1, 1, b, sizeof b), "-");
	cr_assert_str_eq(fmt_clock(1795300752000LL, false, b, sizeof b), "22:39:12");
	cr_assert_str_eq(fmt_clock(1795300752000LL, true, b, sizeof b), "2026-11-21 22:39");
}

/* ---------------- text width ---------------- */

Test(text, width_and_fit, .init = utf8_locale)
{
	char b[256];
	cr_assert_eq(text_width("abc"), 3);
	cr_assert_eq(text_width("漢字"), 4);
	cr_assert_eq(text_width("e\xCC\x81"), 1);  /* combining accent takes no column */
	cr_assert_eq(text_fit("hello world", 5, true, b, sizeof b), 5);
	cr_assert_str_eq(b, "hell…");
	cr_assert_eq(text_fit("hello world", 5, false, b, sizeof b), 5);
	cr_assert_str_eq(b, "hell~");
	/* a wide char is never split: 漢 does not fit in the last column */
	int w = text_fit("ab漢字cd", 4, true, b, sizeof b);
	cr_assert(w <= 4);
	cr_assert_str_eq(b, "ab…");
	cr_assert_eq(text_fit("short", 10, true, b, sizeof b), 5);
	cr_assert_str_eq(b, "short");
}

static const char *const hostile[] = {
	"evil\x1b[31mred\x1b[0m\x1b]0;title\x07 done",
	"c1\xc2\x9b" "31m here",
	"bidi \xe2\x80\xae" "txt.exe\xe2\x80\xac end",
	"wide 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字 end",
	"zw a\xe2\x80\x8b" "b\xe2\x80\x8d" "c\xef\xbb\xbf" "d",
	"bad \xff\xfe utf8 \xc3",
	"tab\tnew\nline\rret\x7f del",
};

static void assert_inert(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_assert(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in \"%s\"", *p, s);
		if (p[0] == 0xc2)
			cr_assert(p[1] < 0x80 || p[1] >= 0xa0, "C1 control in \"%s\"", s);
		if (p[0] == 0xe2 && p[1] == 0x80)
			cr_assert(!(p[2] >= 0xaa && p[2] <= 0xae), "bidi override in \"%s\"", s);
		if (p[0] == 0xe2 && p[1] == 0x81)
			cr_assert(!(p[2] >= 0xa6 && p[2] <= 0xa9), "bidi isolate in \"%s\"", s);
	}
}

Test(text, hostile_strings_inert_and_width_kept, .init = utf8_locale)
{
	char b[1024];
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		for (int maxw = 1; maxw <= 40; maxw++) {
			for (int u = 0; u < 2; u++) {
				int w = text_safe_fit(hostile[i], maxw, u, b, sizeof b);
				cr_assert(w <= maxw, "width %d > %d for #%zu", w, maxw, i);
				cr_assert_eq(text_width(b), w, "reported width differs for #%zu", i);
				assert_inert(b);
				if (!u)
					for (const unsigned char *p = (const unsigned char *)b; *p; p++)
						cr_assert(*p < 0x80, "non-ASCII in ASCII mode");
			}
		}
	}
}

/* ---------------- rows ---------------- */

static struct session mk_session(const char *id, const char *project, const char *title)
{
	struct session s;
	memset(&s, 0, sizeof s);
	s.id = (char *)id;
	s.project = (char *)project;
	s.title = (char *)title;
	s.agent = AGENT_CLAUDE;
	s.tot.requests = 23;
	s.tot.cache_read = 412;
	s.tot.input = 88;
	s.tot.cache_creation = 500;
	s.last_event = 0;
	s.resumed_from = -1;
	return s;
}

static bool row_has(const struct row *r, const char *needle, enum theme_role role)
{
	char b[ROW_TEXT];
	for (int i = 0; i < r->n; i++)
		if (strstr(row_span_text(r, &r->s[i], b, sizeof b), needle) && r->s[i].role == role)
			return true;
	return false;
}

static void assert_row_in_width(const struct row *r, int width)
{
	int end = 0;
	for (int i = 0; i < r->n; i++) {
		cr_assert(r->s[i].col >= end, "span %d starts at %d inside the previous (ends %d)", i,
			  r->s[i].col, end);
		end = r->s[i].col + r->s[i].width;
		cr_assert(end <= width, "span %d ends at %d beyond %d", i, end, width);
		char b[ROW_TEXT];
		row_span_text(r, &r->s[i], b, sizeof b);
		cr_assert_eq(text_width(b), r->s[i].width);
		assert_inert(b);
	}
}

Test(rows, resume_miss_session_is_red, .init = utf8_locale)
{
	struct session s = mk_session("e17536e7-aaaa-bbbb", "/home/u/src/api", NULL);
	struct cache_event ev = {.request = 3, .cause = CAUSE_RESUME_MISS, .gap_s = 246, .ttl_s = 300,
				 .hit = 0.41, .prev_hit = 0.98, .wasted_tokens = 23849, .wasted_usd = 0.24,
				 .resumed_from = 1};
	struct spark_point sp[4] = {{0.97, 0}, {0.98, 0}, {0.99, 0}, {0.41, CAUSE_RESUME_MISS}};
	struct row_input in = {.s = &s, .now = 0, .cache_left_s = 6723, .last_event = &ev,
			       .last_unexpected = &ev, .spark = sp, .nspark = 4};
	struct columns c;
	layout_columns(120, &c);
	static struct row r;
	rows_session(&in, &c, true, &r);
	cr_assert_eq(r.role, ROLE_RESUME);
	cr_assert(row_has(&r, "e17536e7", ROLE_RESUME));
	cr_assert(row_has(&r, "⟲ RESUME MISS 4.1m -23.8k", ROLE_RESUME));
	cr_assert(row_has(&r, "api", ROLE_DEFAULT));
	cr_assert(row_has(&r, "23", ROLE_DEFAULT));
	cr_assert(row_has(&r, "41.2", ROLE_SPARK_LOW));
	cr_assert(row_has(&r, "1h 52m03s", ROLE_WARM));
	cr_assert(row_has(&r, "▄", ROLE_RESUME));
	cr_assert(row_has(&r, "███", ROLE_SPARK_HIGH));
	assert_row_in_width(&r, 120);

	/* ASCII and cold */
	in.cache_left_s = 0;
	rows_session(&in, &c, false, &r);
	cr_assert(row_has(&r, "@ RESUME MISS 4.1m -23.8k", ROLE_RESUME));
	cr_assert(row_has(&r, "cold", ROLE_COLD));
	cr_assert(row_has(&r, "-", ROLE_RESUME));
}

Test(rows, quiet_session_is_not_red, .init = utf8_locale)
{
	struct session s = mk_session("f3f5c819", "/p/api", NULL);
	struct cache_event ev = {.cause = CAUSE_TTL_EXPIRY, .gap_s = 400, .hit = 0, .prev_hit = 0.9};
	struct row_input in = {.s = &s, .cache_left_s = 0, .last_event = &ev};
	struct columns c;
	layout_columns(120, &c);
	static struct row r;
	rows_session(&in, &c, true, &r);
	cr_assert_eq(r.role, ROLE_DEFAULT);
	cr_assert(row_has(&r, "ttl expiry", ROLE_EXPECTED));
	cr_assert(!row_has(&r, "f3f5c819", ROLE_RESUME));
}

Test(rows, hostile_project_and_title_at_every_width, .init = utf8_locale)
{
	static struct row r;
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char proj[512];
		snprintf(proj, sizeof proj, "/home/x/%s", hostile[i]);
		struct session s = mk_session(hostile[i], proj, hostile[i]);
		s.agent = i % 2 ? AGENT_CODEX : AGENT_CLAUDE;
		struct cache_event ev = {.cause = CAUSE_UNEXPLAINED_MISS, .gap_s = 10, .hit = 0.1,
					 .prev_hit = -1, .wasted_tokens = 5000};
		struct row_input in = {.s = &s, .cache_left_s = 100, .last_event = &ev,
				       .last_unexpected = &ev};
		for (int width = 20; width <= 300; width += 7) {
			struct columns c;
			layout_columns(width, &c);
			for (int u = 0; u < 2; u++) {
				rows_session(&in, &c, u, &r);
				assert_row_in_width(&r, width);
				cr_assert_eq(r.role, ROLE_UNEXPLAINED);
				rows_event(&ev, 1795300752000LL, &s, width, u, &r);
				assert_row_in_width(&r, width);
			}
		}
	}
}

Test(rows, event_line, .init = utf8_locale)
{
	struct session s = mk_session("e17536e7", "/x/api", NULL);
	struct cache_event ev = {.cause = CAUSE_RESUME_MISS, .gap_s = 246, .hit = 0.41, .prev_hit = 0.98,
				 .wasted_tokens = 23849, .wasted_usd = 0.2412};
	static struct row r;
	rows_event(&ev, 1795300752000LL, &s, 120, true, &r);
	cr_assert_eq(r.role, ROLE_RESUME);
	cr_assert(row_has(&r, "22:39:12", ROLE_DIM));
	cr_assert(row_has(&r, "RESUME MISS", ROLE_RESUME));
	cr_assert(row_has(&r, "e17536e7 api", ROLE_VALUE));
	cr_assert(row_has(&r, "gap 4.1m  hit 41% (before: 98%)  23,849 rewritten  ≈ $0.24", ROLE_RESUME));
}

Test(rows, request_table_row, .init = utf8_locale)
{
	struct request rq = {.t = 1795300752000LL, .input = 10, .cc5m = 23849, .cc1h = 0,
			     .cache_read = 16000, .output = 900, .cause = CAUSE_RESUME_MISS};
	struct request_row_input in = {.r = &rq, .model = "claude-opus-4-5", .gap_s = 246, .cost = 0.31};
	static struct row r, h;
	for (int width = 20; width <= 200; width++) {
		rows_request(&in, width, true, &r);
		assert_row_in_width(&r, width);
		rows_request_header(width, &h);
		assert_row_in_width(&h, width);
	}
	rows_request(&in, 120, true, &r);
	cr_assert(row_has(&r, "23.8k", ROLE_RESUME));
	cr_assert(row_has(&r, "40.1", ROLE_RESUME));
	cr_assert(row_has(&r, "RESUME MISS", ROLE_RESUME));
	cr_assert(row_has(&r, "claude-opus-4-5", ROLE_RESUME));
	cr_assert(row_has(&r, "$0.31", ROLE_RESUME));
	rows_request_header(120, &h);
	cr_assert(row_has(&h, "5M WRITE", ROLE_TITLE));
	rows_request_header(80, &h);
	cr_assert(!row_has(&h, "MODEL", ROLE_TITLE), "model is dropped first at 80 columns");
}

/* ---------------- ordering ---------------- */

Test(rows, sort_and_filter)
{
	struct session a = mk_session("aaaa", "/p/api", "fix login"), b = mk_session("bbbb", "/p/web", NULL),
		       c = mk_session("cccc", "/p/cli", NULL);
	a.last_activity = 3; b.last_activity = 2; c.last_activity = 1;
	a.tot.requests = 5; b.tot.requests = 50; c.tot.requests = 7;
	a.tot.wasted_usd = 0; b.tot.wasted_usd = 1; c.tot.wasted_usd = 3;
	c.tot.cache_read = 0; c.tot.input = 100; /* worst hit */
	const struct session *v[3] = {&c, &a, &b};
	rows_sort(v, 3, SORT_RECENT);
	cr_assert(v[0] == &a && v[1] == &b && v[2] == &c);
	rows_sort(v, 3, SORT_REQUESTS);
	cr_assert(v[0] == &b && v[1] == &c && v[2] == &a);
	rows_sort(v, 3, SORT_WASTE);
	cr_assert(v[0] == &c && v[1] == &b && v[2] == &a);
	rows_sort(v, 3, SORT_HIT);
	cr_assert(v[0] == &c);
	cr_assert(rows_match(&a, "LOGIN"));
	cr_assert(rows_match(&b, "web"));
	cr_assert(rows_match(&b, "bb"));
	cr_assert(!rows_match(&b, "api"));
	cr_assert(rows_match(&b, ""));
}

/* ---------------- evidence, ledger and limits in words ---------------- */

Test(words, each_evidence_word_in_words, .init = utf8_locale)
{
	struct cache_event ev = {.cause = CAUSE_UNEXPLAINED_MISS, .expected_prefix = 111460};
	struct event_evidence e = {.words = EV_MESSAGES_REWRITTEN, .floor_tokens = 21460};
	char out[512];
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "kept 21.5k of 111k — system and tools matched, messages rewritten");
	e = (struct event_evidence){.words = EV_AGENT_UPDATED, .version_from = "2.1.116", .version_to = "2.1.117"};
	evidence_describe(&e, &ev, true, true, out, sizeof out);
	cr_expect_str_eq(out, "resumed after an update 2.1.116 → 2.1.117");
	evidence_describe(&e, &ev, true, false, out, sizeof out);
	cr_expect_str_eq(out, "resumed after an update 2.1.116 -> 2.1.117", "ASCII");
	e = (struct event_evidence){.words = EV_TOOLS_CHANGED, .tools = {.kind = TOOLS_DEFERRED, .mcp = true, .removed = 3}};
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "MCP tools changed (−3)");
	e.tools = (struct tools_delta){.kind = TOOLS_DEFERRED, .added = 1, .removed = 2, .pending = 1};
	evidence_describe(&e, &ev, false, false, out, sizeof out);
	cr_expect_str_eq(out, "tools changed (+1 -2; 1 server pending)");
	e = (struct event_evidence){.words = EV_TTL_DOWNGRADED};
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "written at 5m after 1h writes");
	e = (struct event_evidence){.words = EV_AGENT_REPORTED, .ledger = LEDGER_COUNTED};
	snprintf(e.ledger_causes, sizeof e.ledger_causes, "messages_rewritten");
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "Claude Code counted it too (messages_rewritten)");
	e = (struct event_evidence){.ledger = LEDGER_NOT_COUNTED};
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "Claude Code did not count this miss");
	e = (struct event_evidence){0};
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_str_eq(out, "", "no evidence, no words");
	/* several words: joined; a hostile version string is inert */
	e = (struct event_evidence){.words = EV_MESSAGES_REWRITTEN | EV_AGENT_UPDATED, .floor_tokens = 950,
				    .version_from = "2.1\x1b[2J", .version_to = "2.2"};
	evidence_describe(&e, &ev, false, true, out, sizeof out);
	cr_expect_null(strchr(out, '\x1b'));
	cr_expect_neq(strstr(out, "kept 950 of 111k"), NULL);
	cr_expect_neq(strstr(out, "; after an update 2.1"), NULL);
}

Test(words, event_line_carries_the_note, .init = utf8_locale)
{
	struct session s = mk_session("aaaaaaaa", "/home/dev/api", NULL);
	struct cache_event ev = {.cause = CAUSE_UNEXPLAINED_MISS, .gap_s = 123, .hit = 0.19, .prev_hit = 0.99,
				 .wasted_tokens = 90100, .wasted_usd = 0.92};
	static struct row r;
	rows_event_note(&ev, 1795300752000LL, &s, "MCP tools changed (−3)", 160, true, &r);
	cr_assert(row_has(&r, "gap 2.0m  MCP tools changed (−3)  hit 19% (before: 99%)", ROLE_UNEXPLAINED));
	for (int width = 20; width <= 200; width += 9) {
		rows_event_note(&ev, 1795300752000LL, &s, "kept 21.5k of 111k — system and tools matched", width, true, &r);
		assert_row_in_width(&r, width);
	}
}

Test(words, limits_panel_every_family, .init = utf8_locale)
{
	int64_t now = 1772449200000LL; /* 2026-03-02T11:00:00Z */
	struct limit_families l = {0};
	struct rate_limits acc = {.present = true,
				  .primary = {.present = true, .used_percent = 38, .window_minutes = 300,
					      .resets_at_ms = now + 3 * 3600000LL},
				  .secondary = {.present = true, .used_percent = 12, .window_minutes = 10080,
						.resets_at_ms = now + 5 * 86400000LL}};
	struct rate_limits spark = acc, old = acc;
	spark.primary.used_percent = 4;
	old.primary.resets_at_ms = now - 60000; /* reset a minute ago */
	limit_families_note(&l, now - 1000, "codex", NULL, &acc);
	limit_families_note(&l, now - 500, "codex_bengalfox", "GPT-5.3-Codex-Spark", &spark);
	limit_families_note(&l, now - 200, "codex_old", NULL, &old);
	struct official_reading c = {.present = true, .observed_at = now, .five_hour_pct = 42,
				    .five_hour_resets_at = now + 3600000, .seven_day_pct = 17,
				    .seven_day_resets_at = now + 86400000LL, .has_spend = true, .spend_pct = 8,
				    .spend_resets_at = CT_TIME_NONE};
	char lines[10][LIMITS_LINE];
	size_t n = limits_lines(&c, &l, now, true, lines, 10);
	cr_assert_eq(n, 6, "heading, Claude, its spend limit, three Codex families");
	cr_expect_neq(strstr(lines[1], "42%"), NULL);
	cr_expect_neq(strstr(lines[2], "spend limit"), NULL);
	cr_expect_neq(strstr(lines[3], "codex (account)"), NULL);
	cr_expect_neq(strstr(lines[3], "38%"), NULL);
	cr_expect_neq(strstr(lines[4], "GPT-5.3-Codex-Spark"), NULL);
	cr_expect_neq(strstr(lines[4], " 4%"), NULL);
	cr_expect_neq(strstr(lines[5], "over"), NULL, "a reset window is over: %s", lines[5]);
	cr_expect_null(strstr(lines[5], "38%"), "not its stale percentage");
	for (size_t i = 0; i < n; i++)
		cr_expect_leq(text_width(lines[i]), 76, "fits the 80-column panel: %s", lines[i]);
	char sum[256];
	limit_families_summary(&l, now, true, sum, sizeof sum);
	cr_expect_str_eq(sum, "limits: codex 5h 38%, 7d 12% · GPT-5.3-Codex-Spark 5h 4%, 7d 12% · codex_old 5h over, 7d 12%");
	n = limits_lines(NULL, NULL, now, false, lines, 10);
	cr_expect_eq(n, 2);
	cr_expect_str_eq(lines[1], "no reading yet (Claude Code: cachetop statusline; Codex CLI: transcripts)");
	cr_expect_leq(text_width(lines[1]), 76, "fits the 80-column panel");
}

Test(words, ledger_beside_ours, .init = utf8_locale)
{
	struct session_ledger sl = {.session_id = "s"};
	agent_ledger_clear(&sl.latest);
	sl.latest.present = true;
	sl.latest.requests = 7;
	sl.latest.misses = 2;
	sl.latest.hit_ratio = 0.87;
	snprintf(sl.latest.ttl, sizeof sl.latest.ttl, "1h");
	sl.latest.ncauses = 1;
	snprintf(sl.latest.causes[0].name, LEDGER_NAME_MAX, "messages_rewritten");
	sl.latest.causes[0].count = 2;
	struct ledger_compare c = {.present = true, .requests = 7, .cold = 3, .comparable = 2, .counted = 2,
				   .ours_only_at = CT_TIME_NONE, .theirs_only_at = CT_TIME_NONE};
	char line[512], dis[512];
	ledger_describe(&sl, &c, true, line, dis, sizeof line);
	cr_expect_str_eq(line, "Claude Code: 7 req, 2 misses (messages_rewritten 2), hit 87.0%, ttl 1h  ·  cachetop: "
			       "7 req, 3 cold, 2 it would count");
	cr_expect_str_eq(dis, "", "they agree");
	c.ours_only = 1;
	c.ours_only_at = 1772446803000LL; /* 10:20:03 */
	c.theirs_only = 1;
	c.theirs_only_at = 1772445960000LL; /* 10:06:00 */
	ledger_describe(&sl, &c, true, line, dis, sizeof line);
	cr_expect_str_eq(dis, "disagree: cachetop saw 1 miss Claude Code did not count (last 10:20:03); Claude Code "
			      "counted 1 miss cachetop saw warm (last 10:06:00)");
}

Test(layout, detail_extra_lines_keep_pairs_and_table)
{
	struct layout l;
	layout_compute(80, 24, LAYOUT_DETAIL, 0, &l);
	int base = l.info.h;
	layout_compute(80, 24, LAYOUT_DETAIL, 4, &l);
	cr_expect_eq(l.info.h, base + 2, "80×24 has room for two extra lines");
	cr_expect_eq(l.pairs.h, PAIR_ROWS);
	cr_expect_geq(l.table.h, 6);
	layout_compute(120, 40, LAYOUT_DETAIL, 3, &l);
	cr_expect_eq(l.info.h, base + 3);
}
