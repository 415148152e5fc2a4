/* interim_sanitize.c — TEMPORARY test-only stand-in for core's sanitize_text, compiled only
 * while src/core/sanitize.c has not landed on this branch (see tests/view/CMakeLists.txt). It
 * drops C0/C1 controls, ESC sequences, DEL and bidi controls; the real one replaces it. */
#include "cachetop/sanitize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t sanitize_text(const char *s, size_t n, char *out, size_t cap, bool utf8)
{
	size_t o = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1B) { /* skip an ESC sequence: ESC [ ... final byte, or ESC + one */
			i++;
			if (i < n && s[i] == '[') {
				i++;
				while (i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7E))
					i++;
			}
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			i++;
			continue;
		}
		if (c < 0x80) {
			if (o + 2 > cap)
				break;
			out[o++] = (char)c;
			i++;
			continue;
		}
		int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
		uint32_t cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
		bool ok = len > 1 && i + (size_t)len <= n;
		for (int k = 1; ok && k < len; k++) {
			if (((unsigned char)s[i + k] & 0xC0) != 0x80)
				ok = false;
			else
				cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
		}
		if (!ok) {
			len = 1;
			cp = 0xFFFD;
		}
		i += (size_t)len;
		if ((cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C)
			continue;
		if (!utf8) {
			if (o + 2 > cap)
				break;
			out[o++] = '?';
			continue;
		}
		char enc[4];
		int el;
		if (cp < 0x800) {
			enc[0] = (char)(0xC0 | (cp >> 6)); enc[1] = (char)(0x80 | (cp & 0x3F)); el = 2;
		} else if (cp < 0x10000) {
			enc[0] = (char)(0xE0 | (cp >> 12)); enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			enc[2] = (char)(0x80 | (cp & 0x3F)); el = 3;
		} else {
			enc[0] = (char)(0xF0 | (cp >> 18)); enc[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
			enc[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); enc[3] = (char)(0x80 | (cp & 0x3F)); el = 4;
		}
		if (o + (size_t)el + 1 > cap)
			break;
		memcpy(out + o, enc, (size_t)el);
		o += (size_t)el;
	}
	out[o] = 0;
	return o;
}

char *sanitize_dup(const char *s, bool utf8)
{
	size_t n = strlen(s);
	char *o = malloc(n * 3 + 1);
	if (o)
		sanitize_text(s, n, o, n * 3 + 1, utf8);
	return o;
}
