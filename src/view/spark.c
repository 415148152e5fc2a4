/* spark.c — per-request hit rates as a one-line sparkline, newest on the right: eight levels
 * ▁▂▃▄▅▆▇█ (ASCII "_.:-=+*#" in the spirit of htop's dots tables), and a role per cell so the
 * reader sees at a glance where a resume miss (red) or an unexplained miss (yellow) happened and
 * which misses were expected (dim). Pure. */
#include "cachetop/render.h"

#include <math.h>
#include <stdio.h>

static const char *const glyph_utf8[8] = {
	"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
	"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
};

int spark_level(double hit)
{
	if (hit < 0 || isnan(hit))
		return -1;
	if (hit > 1)
		hit = 1;
	return (int)lround(hit * 7.0);
}

const char *spark_glyph(int level, bool utf8)
{
	/* " .:-=+*#" with level 0 drawn as '_' rather than blank, so a 0% miss stays visible */
	static const char *const ascii[8] = {"_", ".", ":", "-", "=", "+", "*", "#"};
	if (level < 0 || level > 7)
		return " ";
	if (utf8)
		return glyph_utf8[level];
	return ascii[level];
}

enum theme_role spark_role(double hit, enum cause c)
{
	switch (c) {
	case CAUSE_RESUME_MISS:
		return ROLE_RESUME;
	case CAUSE_UNEXPLAINED_MISS:
		return ROLE_UNEXPLAINED;
	case CAUSE_FIRST_REQUEST:
	case CAUSE_TTL_EXPIRY:
	case CAUSE_MODEL_SWITCH:
	case CAUSE_COMPACTION:
		return ROLE_EXPECTED;
	default:
		break;
	}
	if (hit < 0)
		return ROLE_DIM;
	if (hit >= 0.8)
		return ROLE_SPARK_HIGH;
	if (hit >= 0.5)
		return ROLE_SPARK_MID;
	return ROLE_SPARK_LOW;
}

int spark_render(const struct spark_point *p, size_t n, int width, bool utf8, struct cell *out)
{
	if (width <= 0 || !p)
		return 0;
	size_t take = n < (size_t)width ? n : (size_t)width;
	size_t start = n - take;
	for (size_t i = 0; i < take; i++) {
		const struct spark_point *pt = &p[start + i];
		snprintf(out[i].g, sizeof out[i].g, "%s", spark_glyph(spark_level(pt->hit), utf8));
		out[i].role = (uint8_t)spark_role(pt->hit, (enum cause)pt->cause);
	}
	return (int)take;
}
