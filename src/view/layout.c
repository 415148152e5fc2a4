/* layout.c — where everything goes, as a pure function of the terminal size: the rectangles of
 * the main screen (header, 5h panel, session list, events pane, status bar) and of the detail
 * screen (chart, lineage/info with its extra lines, request table, pairs), and the columns of the session list with
 * the less useful ones dropped first on narrow terminals. No curses: unit-tested at every size. */
#include "cachetop/render.h"

#include <string.h>

static struct rect mk(int x, int y, int w, int h)
{
	struct rect r = {x, y, w > 0 ? w : 0, h > 0 ? h : 0};
	if (r.w == 0 || r.h == 0)
		r.w = r.h = 0;
	return r;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

void layout_compute(int cols, int rows, enum layout_mode mode, int nquota, struct layout *o)
{
	memset(o, 0, sizeof *o);
	o->cols = cols;
	o->rows = rows;
	if (cols < 20 || rows < 5) {
		o->too_small = true;
		return;
	}
	o->header = mk(0, 0, cols, 1);
	o->status = mk(0, rows - 1, cols, 1);
	int avail = rows - 2, y = 1;
	if (mode == LAYOUT_MAIN) {
		int q = nquota < 0 ? 0 : nquota;
		if (avail < 12)
			q = q > 1 ? 1 : q;      /* small screens keep one gauge line */
		if (avail - q < 3)
			q = avail - 3 > 0 ? avail - 3 : 0;
		int rest = avail - q;
		int ev = 0;
		if (rest >= 6)
			ev = clampi(rest / 4, 2, 12);
		int list = rest - ev;
		o->quota = mk(0, y, cols, q);
		y += q;
		o->list = mk(0, y, cols, list);
		y += list;
		o->events = mk(0, y, cols, ev);
	} else {
		int chart = avail >= 30 ? 6 : avail >= 12 ? 3 : 0;
		int info = avail >= 16 ? 4 : avail >= 8 ? 2 : 0;
		int rest = avail - chart - info;
		/* extra info lines, while the table keeps its pairs and six rows (80×24: two) */
		int room = rest - (PAIR_ROWS + 6);
		int extra = info == 4 && room > 0 ? clampi(nquota, 0, room) : 0;
		info += extra;
		rest -= extra;
		int pairs = rest >= PAIR_ROWS + 6 ? PAIR_ROWS : 0;
		int table = rest - pairs;
		o->chart = mk(0, y, cols, chart);
		y += chart;
		o->info = mk(0, y, cols, info);
		y += info;
		o->table = mk(0, y, cols, table);
		y += table;
		o->pairs = mk(0, y, cols, pairs);
	}
}

static const char *const col_titles[COL_COUNT] = {
	[COL_SESSION] = " SESSION", [COL_PROJECT] = "PROJECT", [COL_REQ] = "REQ", [COL_HIT] = "HIT%",
	[COL_SPARK] = "hit rate per request (newest right)", [COL_CACHE] = "CACHE",
	[COL_EVENT] = "LAST EVENT",
};

const char *column_title(enum col_id c) { return c < COL_COUNT ? col_titles[c] : ""; }

void layout_columns(int width, struct columns *o)
{
	/* minimum widths; SESSION holds the selection marker and an 8-char id */
	static const int minw[COL_COUNT] = {9, 8, 5, 5, 10, 9, 12};
	bool on[COL_COUNT];
	for (int i = 0; i < COL_COUNT; i++)
		on[i] = true;
	static const enum col_id drop_order[] = {COL_SPARK, COL_REQ, COL_PROJECT, COL_CACHE, COL_HIT};
	memset(o, 0, sizeof *o);
	o->width = width;
	if (width <= 0)
		return;
	for (size_t d = 0;; d++) {
		int need = -1;
		for (int i = 0; i < COL_COUNT; i++)
			if (on[i])
				need += minw[i] + 1;
		if (need <= width || d >= sizeof drop_order / sizeof drop_order[0])
			break;
		on[drop_order[d]] = false;
	}
	int w[COL_COUNT] = {0};
	int used = -1;
	for (int i = 0; i < COL_COUNT; i++)
		if (on[i]) {
			w[i] = minw[i];
			used += minw[i] + 1;
		}
	if (used > width) {
		/* only SESSION and EVENT remain: squeeze the event text */
		w[COL_EVENT] -= used - width;
		if (w[COL_EVENT] < 1) {
			w[COL_EVENT] = 0;
			on[COL_EVENT] = false;
			w[COL_SESSION] = width < minw[COL_SESSION] ? width : minw[COL_SESSION];
		}
		used = width;
	}
	int extra = width - used;
	/* grow in order of usefulness, each up to a cap */
	struct {
		enum col_id c;
		int cap;
	} grow[] = {
		{COL_EVENT, 28}, {COL_PROJECT, 12}, {COL_SPARK, 40}, {COL_PROJECT, 20},
		{COL_EVENT, 40}, {COL_SPARK, 80}, {COL_SESSION, 30}, {COL_EVENT, 64},
	};
	for (size_t g = 0; g < sizeof grow / sizeof grow[0] && extra > 0; g++) {
		enum col_id c = grow[g].c;
		if (!on[c] || w[c] >= grow[g].cap)
			continue;
		int add = grow[g].cap - w[c];
		if (add > extra)
			add = extra;
		w[c] += add;
		extra -= add;
	}
	int x = 0;
	for (int i = 0; i < COL_COUNT; i++) {
		if (!on[i] || w[i] <= 0)
			continue;
		o->x[i] = x;
		o->w[i] = w[i];
		x += w[i] + 1;
	}
}
