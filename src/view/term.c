/* term.c — the only place that turns roles into curses attributes and colour pairs, and paints
 * rows of spans into the screen with clipping; everything else in the view speaks in roles. */
#include "tui_private.h"

#include <string.h>

static attr_t to_curses(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
	if (a & THEME_BLINK)
		r |= A_BLINK;
	return r;
}

void term_colours(struct tui *t)
{
	bool color = t->color && has_colors();
	int colors = color ? COLORS : 0;
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_style st;
		style_resolve(&t->theme, (enum theme_role)r, colors, color, &st);
		t->attr[r] = to_curses(st.attrs);
		if (color && r + 1 < COLOR_PAIRS) {
			init_pair((short)(r + 1), (short)st.fg, (short)st.bg);
			t->attr[r] |= COLOR_PAIR(r + 1);
		}
	}
	bkgdset(' ' | t->attr[ROLE_DEFAULT]);
}

void term_fill(struct tui *t, int y, int x, int width, enum theme_role role)
{
	if (width <= 0 || y < 0 || y >= LINES)
		return;
	if (x + width > COLS)
		width = COLS - x;
	attrset(t->attr[role]);
	mvhline(y, x, ' ', width);
}

void term_text(struct tui *t, int y, int x, int width, const char *s, enum theme_role role)
{
	char buf[2048];
	if (x + width > COLS)
		width = COLS - x;
	if (width <= 0 || y < 0 || y >= LINES)
		return;
	text_fit(s, width, t->utf8, buf, sizeof buf);
	attrset(t->attr[role]);
	mvaddstr(y, x, buf);
}

void term_paint_row(struct tui *t, int y, int x, int width, const struct row *r, enum theme_role base,
		    bool selected)
{
	if (selected)
		base = ROLE_SELECTED;
	term_fill(t, y, x, width, base);
	for (int i = 0; i < r->n; i++) {
		const struct span *s = &r->s[i];
		if (s->col + s->width > width || x + s->col + s->width > COLS)
			continue; /* never wrap: a span that does not fit is not drawn */
		attr_t a = t->attr[s->role];
		if (selected) {
			/* keep the warning colours visible on the highlighted row */
			if (s->role == ROLE_RESUME || s->role == ROLE_UNEXPLAINED)
				a |= A_REVERSE | A_BOLD;
			else
				a = t->attr[ROLE_SELECTED];
		}
		attrset(a);
		mvaddnstr(y, x + s->col, r->text + s->off, s->len);
	}
	attrset(t->attr[ROLE_DEFAULT]);
}
