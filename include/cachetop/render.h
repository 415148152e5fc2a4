/* render.h — the pure half of the view: formatting of numbers and durations, display-width text
 * fitting, screen layout as a function of the terminal size, sparkline and gauge glyphs, and the
 * spans {text, role} of list rows, event lines and detail-table rows. No curses here: the tui
 * paints what these functions compute, and the unit tests check them without a terminal. */
#ifndef CACHETOP_RENDER_H
#define CACHETOP_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/evidence.h"
#include "cachetop/fmt.h"
#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/theme.h"

/* ---- Formatting: cachetop/fmt.h (the text report uses it too). ---- */

/* ---- Display width (text.c). UTF-8 in, columns out; needs an LC_CTYPE with UTF-8 for
 * non-ASCII text (the tui sets it; in ASCII mode all text is ASCII). ---- */
int text_width(const char *s);
/* Copy s into out so that it takes at most maxw columns; a cut string ends in "…" (utf8) or "~".
 * Zero-width and unprintable characters are dropped so the measured width is what is drawn.
 * Returns the width written. */
int text_fit(const char *s, int maxw, bool utf8, char *out, size_t cap);
/* sanitize_text + a plain cut (no ellipsis): short ids. */
int text_cut(const char *s, int maxw, bool utf8, char *out, size_t cap);
/* sanitize_text + text_fit: the only way text from a transcript reaches a row. */
int text_safe_fit(const char *s, int maxw, bool utf8, char *out, size_t cap);

/* ---- Layout (layout.c) ---- */
struct rect {
	int x, y, w, h;
};
static inline bool rect_empty(const struct rect *r) { return r->w <= 0 || r->h <= 0; }

enum layout_mode { LAYOUT_MAIN = 0, LAYOUT_DETAIL = 1 };
#define PAIR_ROWS 7                  /* title, column heads, five gap buckets */

struct layout {
	int cols, rows;
	bool too_small;              /* below 20×5: only a message fits */
	/* main */
	struct rect header, quota, list, events, status;
	/* detail (header and status shared) */
	struct rect chart, info, table, pairs;
};
/* Rectangles for a terminal of cols×rows. nquota = lines the 5h panel wants (agents + 1); on
 * the detail screen, the extra info lines wanted (evidence, the agent's own ledger, limits), given
 * while the table keeps its pairs and a few rows. Every non-empty rectangle lies inside the
 * screen and none overlap. */
void layout_compute(int cols, int rows, enum layout_mode mode, int nquota, struct layout *out);

/* Session-list columns, left to right. */
enum col_id { COL_SESSION = 0, COL_PROJECT, COL_REQ, COL_HIT, COL_SPARK, COL_CACHE, COL_EVENT, COL_COUNT };
struct columns {
	int x[COL_COUNT], w[COL_COUNT];   /* w = 0: dropped */
	int width;
};
/* Fit the columns into width, dropping the less useful ones first (sparkline shrinks, then REQ,
 * PROJECT, CACHE go). Shown columns are separated by one space and end inside width. */
void layout_columns(int width, struct columns *out);
const char *column_title(enum col_id c);

/* ---- Cells: one glyph and a role, for sparklines and gauges ---- */
struct cell {
	char g[8];                   /* one UTF-8 glyph or ASCII char, NUL-terminated */
	uint8_t role;                /* enum theme_role */
};

/* ---- Sparkline (spark.c) ---- */
struct spark_point {
	double hit;                  /* 0..1; negative: no prompt tokens */
	uint8_t cause;               /* enum cause */
};
/* The role a request gets in a sparkline, table or event line. */
enum theme_role spark_role(double hit, enum cause c);
/* Newest right: the last min(n, width) points, left-aligned; returns the cells written. */
int spark_render(const struct spark_point *p, size_t n, int width, bool utf8, struct cell *out);
/* Glyph of one level 0..7 (utf8 ▁..█, ASCII "_.:-=+*#": " .:-=+*#" with a visible level 0); level -1 is a blank. */
const char *spark_glyph(int level, bool utf8);
int spark_level(double hit);     /* -1 for none, else 0..7 */

/* ---- Gauge (gauge.c) ---- */
enum theme_role gauge_role(double frac);      /* ok < 0.7 ≤ warn < 0.9 ≤ crit */
/* value/limit into width cells (filled █ / empty ░, ASCII # / -); the filled cells take the
 * ok/warn/crit role, the empty ones ROLE_GAUGE_EMPTY. limit <= 0: all empty. Returns cells. */
int gauge_render(double value, double limit, int width, bool utf8, struct cell *out);

/* ---- Spans (rows.c) ---- */
#define ROW_SPANS 160
#define ROW_TEXT 4096
struct span {
	int16_t col, width;
	uint16_t off, len;           /* into row.text */
	uint8_t role;
};
struct row {
	char text[ROW_TEXT];
	size_t used;
	struct span s[ROW_SPANS];
	int n;
	uint8_t role;                /* the row's headline role (ROLE_RESUME for a resume miss) */
};
void row_clear(struct row *r);
/* Append text at column col (already fitted by the caller); returns its width. */
int row_put(struct row *r, int col, const char *text, enum theme_role role);
/* Append text cut to maxw columns; returns its width. */
int row_put_fit(struct row *r, int col, int maxw, bool utf8, const char *text, enum theme_role role);
/* Append cells (merged into spans of equal role). */
void row_put_cells(struct row *r, int col, const struct cell *c, int n);
const char *row_span_text(const struct row *r, const struct span *s, char *buf, size_t cap);

/* What a session row shows; the caller fills it from the model (tests fill it by hand). */
struct row_input {
	const struct session *s;
	int64_t now;
	double cache_left_s;                 /* model_cache_left_s */
	const struct cache_event *last_event;/* s->last_event, or NULL */
	const struct cache_event *last_unexpected; /* its latest resume/unexplained miss, or NULL */
	const struct spark_point *spark; size_t nspark;
};
/* The glyph of a cause ("⟲" resume, "!" unexplained, "·" expected; ASCII "@", "!", "."). */
const char *cause_glyph(enum cause c, bool utf8);
/* Role of an event line / last-event cell. */
enum theme_role cause_role(enum cause c);
void rows_session(const struct row_input *in, const struct columns *cols, bool utf8, struct row *out);
/* The event a session's row headlines at `now`: its newest unexpected miss while that miss is
 * less than five hours old, or less than five hours before the session's last request, or
 * nothing warm came after it — expected events (a sub-agent's first request, a TTL expiry)
 * never push it out — else its newest event. Sets *unexpected to the
 * newest unexpected miss (or NULL). */
const struct cache_event *rows_headline(const struct model *m, const struct session *s, int64_t now,
					const struct cache_event **unexpected);
/* Column titles of the session list as a row. */
void rows_list_header(const struct columns *cols, struct row *out);
/* " 22:39:12 RESUME MISS  e17536e7 api  gap 4.1 min  hit 41% (before: 98%)  23,849 rewritten  ≈ $0.24" */
void rows_event(const struct cache_event *ev, int64_t at, const struct session *s, int width,
		bool utf8, struct row *out);
/* The same with the evidence in words after the gap (NULL or "": none). */
void rows_event_note(const struct cache_event *ev, int64_t at, const struct session *s, const char *note,
		     int width, bool utf8, struct row *out);

/* ---- Words (words.c) ---- */
/* An event's evidence as phrases ("kept 21.5k of 111k — system and tools matched, messages
 * rewritten; resumed after an update 2.1.116 → 2.1.117"); "" when it has none. resumed: the
 * request follows a resume boundary. */
void evidence_describe(const struct event_evidence *e, const struct cache_event *ev, bool resumed, bool utf8,
		       char *out, size_t cap);
/* The statusline agent's ledger beside cachetop's counts (line), and where they disagree (disagree, ""
 * when they agree). */
void ledger_describe(const struct session_ledger *sl, const struct ledger_compare *c, bool utf8, char *line,
		     char *disagree, size_t cap);
/* The limits panel: a heading, then the statusline's official windows and every limit family
 * the transcripts reported (a window already reset says "over"); each row names its agent.
 * Returns the lines written. */
#define LIMITS_LINE 160
size_t limits_lines(const struct official_reading *c, const struct limit_families *l, int64_t now, bool utf8,
		    char (*lines)[LIMITS_LINE], size_t max);
/* "limits: <account id> 5h 38%, 7d 12% · <a family's name> 5h 4%, 7d 1%" */
void limit_families_summary(const struct limit_families *l, int64_t now, bool utf8, char *out, size_t cap);

/* Detail: one request of the per-request table. */
struct request_row_input {
	const struct request *r;
	const char *model;                   /* model name, or NULL */
	double gap_s;                        /* negative: none */
	double cost;                         /* negative: no price */
};
void rows_request_header(int width, struct row *out);
void rows_request(const struct request_row_input *in, int width, bool utf8, struct row *out);

/* ---- Session ordering (rows.c) ---- */
enum sort_mode { SORT_RECENT = 0, SORT_HIT, SORT_WASTE, SORT_REQUESTS, SORT_COUNT };
const char *sort_name(enum sort_mode m);
/* Sort session pointers in place; ties fall back to most recent, then id (stable output). */
void rows_sort(const struct session **v, size_t n, enum sort_mode m);
/* Filter: substring (case-insensitive) of id, title or project; NULL/"" matches everything. */
bool rows_match(const struct session *s, const char *filter);

/* ---- Theme roles on a terminal (style.c) ---- */
struct role_style {
	int fg, bg;                  /* palette index, -1 = terminal default */
	unsigned attrs;              /* THEME_BOLD… */
};
/* colors: the terminal's colour count; color: false for mono / NO_COLOR / --no-color. */
void style_resolve(const struct theme *th, enum theme_role r, int colors, bool color,
		   struct role_style *out);

#endif
