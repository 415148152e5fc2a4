/* style.c — theme role → what the terminal can show: a palette index for fg/bg downgraded to the
 * terminal's colour count (theme_colour_downgrade), and the attribute bits; with colour off (mono,
 * NO_COLOR, --no-color, or a terminal without colours) only attributes survive, and the roles
 * that must stand out without colour (resume, unexplained, selected) get bold/reverse. Pure. */
#include "cachetop/render.h"

#include <string.h>

void style_resolve(const struct theme *th, enum theme_role r, int colors, bool color,
		   struct role_style *out)
{
	const struct theme_style *st = &th->role[r];
	if (!st->set && r != ROLE_DEFAULT)
		st = &th->role[ROLE_DEFAULT];
	memset(out, 0, sizeof *out);
	out->fg = out->bg = -1;
	out->attrs = st->attrs;
	if (color && colors >= 8) {
		out->fg = st->fg.index < 0 && !st->fg.is_rgb ? -1 : theme_colour_downgrade(&st->fg, colors);
		out->bg = st->bg.index < 0 && !st->bg.is_rgb ? -1 : theme_colour_downgrade(&st->bg, colors);
		if (out->fg >= colors)
			out->fg = -1;
		if (out->bg >= colors)
			out->bg = -1;
		return;
	}
	/* no colour: the meaning must still show */
	switch (r) {
	case ROLE_RESUME:
		out->attrs |= THEME_BOLD | THEME_REVERSE;
		break;
	case ROLE_UNEXPLAINED:
	case ROLE_HEADER:
	case ROLE_TITLE:
	case ROLE_GAUGE_CRIT:
		out->attrs |= THEME_BOLD;
		break;
	case ROLE_SELECTED:
	case ROLE_STATUS:
		out->attrs |= THEME_REVERSE;
		break;
	case ROLE_EXPECTED:
	case ROLE_DIM:
	case ROLE_COLD:
		out->attrs |= THEME_DIM;
		break;
	default:
		break;
	}
}
