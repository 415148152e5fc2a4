/* gauge.c — a horizontal bar for value/limit (the 5-hour quota): filled cells █ and empty ░
 * (ASCII # and -), the filled part coloured by how close the value is to the limit (ok below
 * 70%, warn below 90%, crit above). Pure. */
#include "cachetop/render.h"

#include <math.h>
#include <stdio.h>

enum theme_role gauge_role(double frac)
{
	if (isnan(frac) || frac < 0.7)
		return ROLE_GAUGE_OK;
	if (frac < 0.9)
		return ROLE_GAUGE_WARN;
	return ROLE_GAUGE_CRIT;
}

int gauge_render(double value, double limit, int width, bool utf8, struct cell *out)
{
	if (width <= 0)
		return 0;
	double frac = limit > 0 && value > 0 ? value / limit : 0;
	if (isnan(frac))
		frac = 0;
	int filled = (int)lround((frac > 1 ? 1 : frac) * width);
	if (filled == 0 && frac > 0)
		filled = 1; /* any use shows */
	enum theme_role r = gauge_role(frac);
	for (int i = 0; i < width; i++) {
		bool f = i < filled;
		snprintf(out[i].g, sizeof out[i].g, "%s",
			 f ? (utf8 ? "\xE2\x96\x88" : "#") : (utf8 ? "\xE2\x96\x91" : "-"));
		out[i].role = (uint8_t)(f ? r : ROLE_GAUGE_EMPTY);
	}
	return width;
}
