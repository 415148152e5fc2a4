/* text.c — display-width arithmetic for UTF-8 text: how many terminal columns a string takes and
 * how to cut it to a width without splitting a character or leaving a wide glyph half drawn.
 * Zero-width and unprintable characters are dropped, so what we measure is what the terminal
 * draws; text from transcripts passes sanitize_text first (text_safe_fit). Pure. */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "cachetop/render.h"

#include <string.h>
#include <wchar.h>

#include "cachetop/sanitize.h"

/* Decode one UTF-8 character; returns its byte length (invalid bytes: 1, cp = 0xFFFD). */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	int len;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2;
		v = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		v = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		v = c & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

/* Columns of one code point: 0 for anything not drawable as its own cell. */
static int cp_width(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7F)
		return 0;
	if (cp < 0x7F)
		return 1;
	if (cp >= 0x80 && cp < 0xA0)
		return 0;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 0 : w;
}

int text_width(const char *s)
{
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		p += utf8_next(p, &cp);
		w += cp_width(cp);
	}
	return w;
}

static int fit(const char *s, int maxw, bool utf8, bool ellipsis, char *out, size_t cap)
{
	if (cap == 0)
		return 0;
	out[0] = 0;
	if (maxw <= 0 || !s)
		return 0;
	const char *ell = !ellipsis ? "" : utf8 ? "\xE2\x80\xA6" : "~";
	size_t ell_len = strlen(ell);
	int total = text_width(s);
	bool cut = total > maxw;
	int budget = cut && ellipsis ? maxw - 1 : maxw; /* one column for the ellipsis */
	size_t o = 0;
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		int len = utf8_next(p, &cp);
		int cw = cp_width(cp);
		if (cw > 0 && !(cp == 0xFFFD && len == 1 && *p >= 0x80)) {
			if (w + cw > budget)
				break;
			if (o + (size_t)len + ell_len + 1 > cap)
				break;
			memcpy(out + o, p, (size_t)len);
			o += (size_t)len;
			w += cw;
		}
		p += len;
	}
	if (cut && ellipsis && o + ell_len + 1 <= cap) {
		memcpy(out + o, ell, ell_len);
		o += ell_len;
		w += 1;
	}
	out[o] = 0;
	return w;
}

int text_fit(const char *s, int maxw, bool utf8, char *out, size_t cap)
{
	return fit(s, maxw, utf8, true, out, cap);
}

int text_cut(const char *s, int maxw, bool utf8, char *out, size_t cap)
{
	char clean[1024];
	if (!s)
		s = "";
	sanitize_text(s, strlen(s), clean, sizeof clean, utf8);
	return fit(clean, maxw, utf8, false, out, cap);
}

int text_safe_fit(const char *s, int maxw, bool utf8, char *out, size_t cap)
{
	char clean[1024];
	if (!s)
		s = "";
	sanitize_text(s, strlen(s), clean, sizeof clean, utf8);
	return text_fit(clean, maxw, utf8, out, cap);
}
