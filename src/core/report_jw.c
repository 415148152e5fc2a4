/* report_jw.c — the pieces the JSON report is written with: json-c values under the report's
 * number rules (times as RFC 3339, rates and dollars rounded, null for unknown), and a streaming
 * writer for its many sessions and events that writes what json-c would, byte for byte. What
 * the report holds is report.c's. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/report.h"
#include "cachetop/sanitize.h"
#include "cachetop/timefmt.h"
#include "report_private.h"

struct json_object *jtime(int64_t ms)
{
	if (ms == CT_TIME_NONE)
		return NULL;
	char b[32];
	rfc3339_format(ms, b);
	return json_object_new_string(b);
}

/* Doubles printed with 15 significant digits: json-c's default %.17g shows binary noise
 * (0.95882199999999995 for a rate rounded to 0.958822). b holds >= 48 bytes. */
static void num_text(char *b, double v)
{
	snprintf(b, 48, "%.15g", v);
	if (!strpbrk(b, ".eEn")) /* keep it a JSON number that reads back as a double */
		strcat(b, ".0");
}

struct json_object *jnum(double v)
{
	char b[48];
	num_text(b, v);
	return json_object_new_double_s(v, b);
}

/* A rounded double's text: costs to 1e-9 USD, rates to 1e-6, so output is stable across
 * platforms. The same text as num_text of the rounded value, mostly without printf. */
static void fixed_text(char *b, double v, int decimals)
{
	static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	int n = ct_fmt_fixed(b, v, decimals);
	if (n < 0) {
		double r = round(v * scale[decimals]) / scale[decimals];
		num_text(b, r == 0 ? 0 : r); /* no "-0" */
	} else if (!memchr(b, '.', (size_t)n)) {
		memcpy(b + n, ".0", 3);
	}
}

struct json_object *jround(double v, int decimals)
{
	char b[48];
	fixed_text(b, v, decimals);
	return json_object_new_double_s(v, b);
}

struct json_object *jrate(double v) { return v < 0 ? NULL : jround(v, 6); }

struct json_object *jusd(double v) { return v < 0 ? NULL : jround(v, 9); }

/* An integer as json-c would print it, formatted here: json-c's printf per integer was a third
 * of a report. The double_s object prints exactly the text it is given. */
struct json_object *ju64(uint64_t v)
{
	char b[24];
	ct_fmt_u64(b, v);
	return json_object_new_double_s((double)v, b);
}

/* Every key here is a literal added once per object: json-c need not copy it or look it up. */
void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add_ex(o, k, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

/* JSON text must be UTF-8 (RFC 8259); ids, paths and titles from transcripts need not be:
 * invalid sequences become U+FFFD (json-c escapes the controls). */
struct json_object *jtext(const char *s)
{
	if (!s)
		return NULL;
	char *v = sanitize_utf8_dup(s);
	struct json_object *o = json_object_new_string(v);
	free(v);
	return o;
}

/* bytes json-c writes escaped: the controls, '"' and '\\' */
static inline bool escaped(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

/* room for n more bytes (and the NUL buf keeps after them); where they go */
static inline char *jw_room(struct buf *b, size_t n)
{
	if (b->cap <= b->len + n)
		buf_reserve(b, n);
	return b->data + b->len;
}

/* "s" (n bytes that need no escaping) in one copy */
static void put_quoted(struct buf *b, const char *s, size_t n)
{
	char *o = jw_room(b, n + 2);
	o[0] = '"';
	memcpy(o + 1, s, n);
	o[n + 1] = '"';
	b->len += n + 2;
	b->data[b->len] = 0;
}

/* A json-c tree per session and event (an allocation and a hash insert per member, a printf per
 * number) was most of a report's time: ~45 ms for 4,400 objects. These objects are written
 * straight into the output, byte for byte as json-c writes them (PLAIN, no slash escapes);
 * the unit tests compare the two. json-c still writes the rest. */
void report_json_string(struct buf *b, const char *s)
{
	/* the short escapes json-c writes, and \u00XX (lower-case hex) for the other controls */
	static const char plain[] = "\"\\\b\f\n\r\t", named[] = "\"\\bfnrt", hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	while (*p && !escaped(*p))
		p++;
	size_t clean = (size_t)(p - (const unsigned char *)s);
	if (!*p) {
		put_quoted(b, s, clean); /* nothing to escape (ids, paths, names: nearly always) */
		return;
	}
	buf_reserve(b, strlen(s) + 2);
	buf_append(b, "\"", 1);
	const char *run = s;
	for (; *p; p++) {
		if (!escaped(*p))
			continue;
		buf_append(b, run, (size_t)((const char *)p - run));
		const char *short_form = strchr(plain, *p);
		if (short_form) {
			char e[2] = {'\\', named[short_form - plain]};
			buf_append(b, e, 2);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, u, 6);
		}
		run = (const char *)p + 1;
	}
	buf_puts(b, run);
	buf_append(b, "\"", 1);
}

/* ,"k": in one copy (a report writes ~10^5 keys) */
void jw_key(struct jw *w, const char *k)
{
	size_t n = strlen(k);
	char *o = jw_room(w->b, n + 4), *start = o;
	if (w->more)
		*o++ = ',';
	*o++ = '"';
	memcpy(o, k, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	w->b->len += (size_t)(o - start);
	w->b->data[w->b->len] = 0;
	w->more = true;
}

void jw_null(struct jw *w, const char *k) { jw_key(w, k), buf_append(w->b, "null", 4); }

void jw_str(struct jw *w, const char *k, const char *v) { jw_key(w, k), report_json_string(w->b, v); }

/* text from a transcript: made valid UTF-8 first, as jtext (ASCII, the usual case, is) */
void jput_text(struct buf *b, const char *v)
{
	/* one pass for the usual text (ASCII, nothing to escape): copied as it is */
	const unsigned char *p = (const unsigned char *)v;
	while (*p && *p < 0x80 && !escaped(*p))
		p++;
	if (!*p) {
		put_quoted(b, v, (size_t)(p - (const unsigned char *)v));
		return;
	}
	while (*p && *p < 0x80)
		p++;
	if (!*p) {
		report_json_string(b, v);
		return;
	}
	char *clean = sanitize_utf8_dup(v);
	report_json_string(b, clean);
	free(clean);
}

/* the same as a member; NULL is null */
void jw_text(struct jw *w, const char *k, const char *v)
{
	if (!v) {
		jw_null(w, k);
		return;
	}
	jw_key(w, k);
	jput_text(w->b, v);
}

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	char b[24];
	size_t n = ct_fmt_u64(b, v);
	jw_key(w, k);
	buf_append(w->b, b, n);
}

void jw_int(struct jw *w, const char *k, int v)
{
	char b[24];
	size_t n = 0;
	if (v < 0)
		b[n++] = '-';
	n += ct_fmt_u64(b + n, v < 0 ? (uint64_t)0 - (uint64_t)(int64_t)v : (uint64_t)v);
	jw_key(w, k);
	buf_append(w->b, b, n);
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_fixed(struct jw *w, const char *k, double v, int decimals)
{
	char b[48];
	fixed_text(b, v, decimals);
	jw_key(w, k);
	buf_puts(w->b, b);
}

void jw_rate(struct jw *w, const char *k, double v) { v < 0 ? jw_null(w, k) : jw_fixed(w, k, v, 6); }

void jw_usd(struct jw *w, const char *k, double v) { v < 0 ? jw_null(w, k) : jw_fixed(w, k, v, 9); }

void jw_time(struct jw *w, const char *k, int64_t ms)
{
	if (ms == CT_TIME_NONE) {
		jw_null(w, k);
		return;
	}
	/* a time's text needs no escaping */
	char b[32];
	rfc3339_format(ms, b);
	jw_key(w, k);
	put_quoted(w->b, b, strlen(b));
}

void jw_count(struct jw *w, const char *k, int64_t v) { v < 0 ? jw_null(w, k) : jw_u64(w, k, (uint64_t)v); }
