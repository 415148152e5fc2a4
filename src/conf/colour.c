/* colour.c — colour strings into abstract colours (names, bright-*, colourN, 0-255, #rrggbb,
 * "default") and the downgrade RGB → 256 → 16 → 8 for terminals with fewer colours. Forgiving
 * like tmux's colour.c; knows nothing about curses. */
#include "cachetop/theme.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[8] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

/* xterm's default values for the 16 ANSI colours (what most terminals ship). */
static const unsigned char ansi16[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static int dist_sq(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

static int to_6cube(int v)
{
	if (v < 48)
		return 0;
	if (v < 114)
		return 1;
	return (v - 35) / 40;
}

/* Nearest xterm-256 entry: the 6×6×6 cube or the grey ramp (tmux's colour_find_rgb). */
static int rgb_to_256(int r, int g, int b)
{
	static const int q2c[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };
	int qr = to_6cube(r), qg = to_6cube(g), qb = to_6cube(b);
	int cr = q2c[qr], cg = q2c[qg], cb = q2c[qb];
	int cube = 16 + 36 * qr + 6 * qg + qb;
	if (cr == r && cg == g && cb == b)
		return cube;
	int avg = (r + g + b) / 3;
	int gi = avg > 238 ? 23 : (avg - 3) / 10;
	if (gi < 0)
		gi = 0;
	int grey = 8 + 10 * gi;
	if (dist_sq(grey, grey, grey, r, g, b) < dist_sq(cr, cg, cb, r, g, b))
		return 232 + gi;
	return cube;
}

static void index_to_rgb(int i, int *r, int *g, int *b)
{
	if (i < 16) {
		*r = ansi16[i][0];
		*g = ansi16[i][1];
		*b = ansi16[i][2];
	} else if (i < 232) {
		static const int q2c[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };
		i -= 16;
		*r = q2c[i / 36];
		*g = q2c[(i / 6) % 6];
		*b = q2c[i % 6];
	} else {
		*r = *g = *b = 8 + 10 * (i - 232);
	}
}

/* RGB to one of the 16 ANSI colours by hue rather than by distance: distance to xterm's values
 * sends most muted colours (nord, solarized) to white or grey, while the channel test keeps a
 * muted blue blue. Low-saturation colours go to the grey levels. */
static int rgb_to_16(int r, int g, int b)
{
	int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
	if (mx - mn < 40) {
		int lum = (r + g + b) / 3;
		if (lum < 64)
			return 0;
		if (lum < 150)
			return 8;
		if (lum < 215)
			return 7;
		return 15;
	}
	int mid = (mx + mn) / 2;
	int bits = (r >= mid ? 1 : 0) | (g >= mid ? 2 : 0) | (b >= mid ? 4 : 0);
	return bits + (mx >= 230 ? 8 : 0);
}

int theme_colour_downgrade(const struct theme_colour *c, int colors)
{
	int r, g, b, i;
	if (colors < 8)
		return -1;
	if (c->is_rgb) {
		r = (int)((c->rgb >> 16) & 0xff);
		g = (int)((c->rgb >> 8) & 0xff);
		b = (int)(c->rgb & 0xff);
		if (colors >= 256)
			return rgb_to_256(r, g, b);
		i = rgb_to_16(r, g, b);
	} else {
		i = c->index;
		if (i < 0 || i > 255)
			return -1;
		if (i < colors)
			return i;
		index_to_rgb(i, &r, &g, &b);
		i = i < 16 ? i : rgb_to_16(r, g, b);
	}
	if (colors >= 16)
		return i;
	/* 8 colours: brights lose their brightness; bright black (grey) becomes white, not black,
	 * so grey text stays readable on the usual dark background. */
	if (i == 8)
		return 7;
	return i >= 8 ? i - 8 : i;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int parse_index(const char *s)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 255 ? v : -1;
}

int theme_parse_colour(const char *s, struct theme_colour *out)
{
	struct theme_colour c = { .index = -1 };
	if (!s || !*s)
		return -1;
	if (strcasecmp(s, "default") == 0 || strcasecmp(s, "terminal") == 0) {
		*out = c;
		return 0;
	}
	if (s[0] == '#') {
		if (strlen(s) != 7)
			return -1;
		uint32_t v = 0;
		for (int i = 1; i < 7; i++) {
			int h = hexval((unsigned char)s[i]);
			if (h < 0)
				return -1;
			v = (v << 4) | (uint32_t)h;
		}
		c.is_rgb = true;
		c.rgb = v;
		c.index = rgb_to_256((int)(v >> 16), (int)((v >> 8) & 0xff), (int)(v & 0xff));
		*out = c;
		return 0;
	}
	int idx = parse_index(s);
	if (idx < 0 && (strncasecmp(s, "colour", 6) == 0))
		idx = parse_index(s + 6);
	else if (idx < 0 && strncasecmp(s, "color", 5) == 0)
		idx = parse_index(s + 5);
	if (idx >= 0) {
		c.index = idx;
		*out = c;
		return 0;
	}
	const char *base = s;
	int bright = 0;
	if (strncasecmp(s, "bright", 6) == 0) {
		bright = 8;
		base = s + 6;
		if (*base == '-' || *base == '_')
			base++;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(base, names[i]) == 0) {
			c.index = i + bright;
			*out = c;
			return 0;
		}
	}
	if (!bright && (strcasecmp(s, "grey") == 0 || strcasecmp(s, "gray") == 0)) {
		c.index = 8;
		*out = c;
		return 0;
	}
	return -1;
}
