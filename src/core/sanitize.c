/* sanitize.c — terminal-safe text. Decodes UTF-8 strictly (overlongs, surrogates and values past
 * U+10FFFF are invalid), drops C0/C1 controls and DEL (so no ESC sequence survives), and drops
 * the invisible format characters that reorder or hide text (bidi embeddings/overrides/isolates,
 * zero-width joiners and spaces, BOM). A tab or newline becomes a space so one field stays on one
 * line. */
#include "cachetop/sanitize.h"

#include <stdint.h>
#include <string.h>

#include "cachetop/util.h"

/* Decode one code point; returns its length, or 0 when invalid (then *cp is undefined). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0)
		len = 2, v = c & 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, v = c & 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

static int invisible(uint32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) ||  /* zero-width space/joiners, LRM, RLM */
	       (cp >= 0x202A && cp <= 0x202E) ||  /* bidi embeddings and overrides */
	       (cp >= 0x2060 && cp <= 0x206F) ||  /* word joiner, bidi isolates, deprecated formats */
	       cp == 0xFEFF || cp == 0x061C || cp == 0x180E || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	       (cp >= 0xE0000 && cp <= 0xE007F);  /* tag characters */
}

size_t sanitize_text(const char *in, size_t n, char *out, size_t cap, bool utf8)
{
	if (!cap)
		return 0;
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *rep;
		size_t rlen;
		char one;
		if (!len) {
			rep = utf8 ? "\xEF\xBF\xBD" : "?";
			rlen = utf8 ? 3 : 1;
			len = 1;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			one = ' ';
			rep = &one;
			rlen = 1;
		} else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || invisible(cp)) {
			i += len;
			continue;
		} else if (!utf8 && cp >= 0x80) {
			rep = "?";
			rlen = 1;
		} else {
			rep = (const char *)s + i;
			rlen = len;
		}
		if (o + rlen >= cap)
			break;
		memcpy(out + o, rep, rlen);
		o += rlen;
		i += len;
	}
	out[o] = 0;
	return o;
}

char *sanitize_dup(const char *s, bool utf8)
{
	size_t n = strlen(s);
	char *out = xmalloc(n * 3 + 1);
	sanitize_text(s, n, out, n * 3 + 1, utf8);
	return out;
}

char *sanitize_utf8_dup(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = xmalloc(n * 3 + 1);
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(u + i, n - i, &cp);
		if (len) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	out[o] = 0;
	return out;
}
