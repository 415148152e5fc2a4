/* jscan.c — a single-pass JSON object scanner. It exists because a transcript line can hold a
 * multi-megabyte tool result: building a json-c tree for every line would cost ~8× a scan, and
 * the parsers need only a dozen scalar members. Strings are skipped with memchr; nesting is
 * tracked with a counter, so depth costs no stack. json-c still parses the small objects the
 * parsers need in full (rate_limits), and writes every JSON output. */
#include "cachetop/jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cachetop/util.h"

static inline size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* The first '"' in s[i, n), or NULL. Most strings are a few bytes (keys, ids), some megabytes
 * (tool output): the first 16 bytes are looked at here, where SSE2 is there, and only a longer
 * string pays for a call to memchr. */
static inline const char *find_quote(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	for (int r = 0; r < 4 && n - i >= 16; r++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
		if (m)
			return s + i + __builtin_ctz(m);
		i += 16;
	}
#endif
	return memchr(s + i, '"', n - i);
}

/* s[i] is just past an opening quote; returns the index of the closing quote, or n. */
static inline size_t string_end(const char *s, size_t i, size_t n)
{
	while (i < n) {
		const char *q = find_quote(s, i, n);
		if (!q)
			return n;
		size_t k = (size_t)(q - s);
		size_t bs = 0;
		while (k - bs > i && s[k - bs - 1] == '\\')
			bs++;
		if ((bs & 1) == 0)
			return k;
		i = k + 1;
	}
	return n;
}

/* Whether a member name equals a wanted one of the same length: names are short, and a loop
 * here is cheaper than a call to memcmp for every member. */
static inline bool same_name(const char *want, const char *s, size_t n)
{
	size_t i = 0;
	/* want[i] checked too: in the last length group a name may be shorter than the member */
	while (i < n && want[i] && want[i] == s[i])
		i++;
	return i == n && !want[i];
}

/* Characters that end a bare literal (number, true, false, null). */
static inline int is_delim(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == ':';
}

/* A member's `"name" :` at s[*i]: the name is s[*ks, *ke); *i moves to the value. */
static inline int member_head(const char *s, size_t n, size_t *i, size_t *ks, size_t *ke)
{
	if (*i >= n || s[*i] != '"')
		return -1;
	*ks = *i + 1;
	*ke = string_end(s, *ks, n);
	if (*ke >= n)
		return -1;
	size_t j = skip_ws(s, *ke + 1, n);
	if (j >= n || s[j] != ':')
		return -1;
	*i = skip_ws(s, j + 1, n);
	return 0;
}

/* The span of the value of length n at v (a string's without its quotes). */
static inline struct jspan span_at(const char *v, size_t n)
{
	char t = v[0];
	if (t == '"')
		return (struct jspan){v + 1, n - 2, '"'};
	return (struct jspan){v, n, (t == '{' || t == '[' || t == 'n' || t == 't' || t == 'f') ? t : '0'};
}

long jscan_skip_value(const char *s, size_t n)
{
	size_t i = skip_ws(s, 0, n);
	if (i >= n)
		return -1;
	char c = s[i];
	if (c == '"') {
		size_t e = string_end(s, i + 1, n);
		return e >= n ? -1 : (long)(e + 1);
	}
	if (c == '{' || c == '[') {
		size_t depth = 0;
		while (i < n) {
			char ch = s[i];
			if (ch == '"') {
				size_t e = string_end(s, i + 1, n);
				if (e >= n)
					return -1;
				i = e + 1;
				continue;
			}
			if (ch == '{' || ch == '[') {
				depth++;
			} else if (ch == '}' || ch == ']') {
				if (depth == 0)
					return -1;
				if (--depth == 0)
					return (long)(i + 1);
			}
			i++;
		}
		return -1;
	}
	if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
		size_t st = i;
		while (i < n && !is_delim(s[i]))
			i++;
		size_t len = i - st;
		if (c == 't' && !(len == 4 && !memcmp(s + st, "true", 4)))
			return -1;
		if (c == 'f' && !(len == 5 && !memcmp(s + st, "false", 5)))
			return -1;
		if (c == 'n' && !(len == 4 && !memcmp(s + st, "null", 4)))
			return -1;
		return (long)i;
	}
	return -1;
}

/* The wanted names grouped by length, so that a member is compared only with the names of its
 * own length rather than with every one (most of a line's scan was spent there). The parsers'
 * name lists are static arrays of literals, so the grouping is kept per thread, keyed by the
 * array and the name pointers it holds (a reused array holding other names is regrouped). */
#define KEYLEN_LONG 31 /* names this long or longer share the last group */
struct keyset {
	const char *const *keys;
	size_t n;
	const char *names[JSCAN_KEYS_MAX];
	uint32_t by_len[KEYLEN_LONG + 1]; /* bit k: keys[k] has that length */
};

static const struct keyset *keyset_of(const char *const *keys, size_t n)
{
	enum { SLOTS = 16 };
	static _Thread_local struct keyset cache[SLOTS];
	static _Thread_local unsigned next;
	if (n > JSCAN_KEYS_MAX)
		return NULL;
	for (unsigned c = 0; c < SLOTS; c++)
		if (cache[c].keys == keys && cache[c].n == n && !memcmp(cache[c].names, keys, n * sizeof *keys))
			return &cache[c];
	struct keyset *ks = &cache[next++ % SLOTS];
	memset(ks, 0, sizeof *ks);
	ks->keys = keys;
	ks->n = n;
	memcpy(ks->names, keys, n * sizeof *keys);
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(keys[k]);
		ks->by_len[l < KEYLEN_LONG ? l : KEYLEN_LONG] |= 1u << k;
	}
	return ks;
}

/* One level of a walk; its slots were cleared by the caller. */
static long walk_level(const char *s, size_t n, const struct jscan_level *lv, struct jspan *out)
{
	const struct keyset *ks_ = keyset_of(lv->keys, lv->nkeys);
	if (!ks_)
		return -1;
	size_t i = skip_ws(s, 0, n);
	if (i >= n || s[i] != '{')
		return -1;
	i = skip_ws(s, i + 1, n);
	if (i < n && s[i] == '}')
		return (long)(i + 1);
	for (;;) {
		size_t ks, ke;
		if (member_head(s, n, &i, &ks, &ke) < 0 || i >= n)
			return -1;
		size_t klen = ke - ks;
		/* only the wanted names of this member's length are compared (a NUL inside a member
		 * name never matches: the wanted name has none within that length) */
		size_t k = SIZE_MAX;
		for (uint32_t cand = ks_->by_len[klen < KEYLEN_LONG ? klen : KEYLEN_LONG]; cand; cand &= cand - 1) {
			size_t c = (size_t)__builtin_ctz(cand);
			if (same_name(lv->keys[c], s + ks, klen)) {
				k = c;
				break;
			}
		}
		const struct jscan_level *sub = k != SIZE_MAX && lv->sub ? lv->sub[k] : NULL;
		long vl;
		if (s[i] == '"') {
			/* most values are strings: skipped here, without a call */
			size_t e = string_end(s, i + 1, n);
			vl = e >= n ? -1 : (long)(e + 1 - i);
		} else if (sub && s[i] == '{') {
			/* walked once, its members taken (a repeated name: the last one's members only) */
			for (size_t c = 0; c < sub->slots; c++)
				out[sub->base + c].type = 0;
			vl = walk_level(s + i, n - i, sub, out);
		} else {
			vl = jscan_skip_value(s + i, n - i);
		}
		if (vl < 0)
			return -1;
		if (k != SIZE_MAX)
			out[lv->base + k] = span_at(s + i, (size_t)vl);
		i = skip_ws(s, i + (size_t)vl, n);
		if (i >= n)
			return -1;
		if (s[i] == '}')
			return (long)(i + 1);
		if (s[i] != ',')
			return -1;
		i = skip_ws(s, i + 1, n);
	}
}

long jscan_tree(const char *s, size_t n, const struct jscan_level *top, struct jspan *out)
{
	/* absent: type 0 (readers look at the type before anything else) */
	for (size_t c = 0; c < top->slots; c++)
		out[top->base + c].type = 0;
	return walk_level(s, n, top, out);
}

long jscan_object(const char *s, size_t n, const char *const *keys, size_t nkeys, struct jspan *out)
{
	const struct jscan_level one = {keys, nkeys, 0, NULL, nkeys};
	return jscan_tree(s, n, &one, out);
}

int jscan_member_prefix(const char *s, size_t n, const char *key, struct jspan *out)
{
	size_t klen = strlen(key);
	size_t i = skip_ws(s, 0, n);
	if (i >= n || s[i] != '{')
		return -1;
	i = skip_ws(s, i + 1, n);
	for (;;) {
		size_t ks, ke;
		if (member_head(s, n, &i, &ks, &ke) < 0)
			return -1;
		long vl = jscan_skip_value(s + i, n - i);
		if (vl < 0)
			return -1;
		if (ke - ks == klen && !memcmp(s + ks, key, klen)) {
			*out = span_at(s + i, (size_t)vl);
			return 0;
		}
		i = skip_ws(s, i + (size_t)vl, n);
		if (i >= n || s[i] != ',')
			return -1;
		i = skip_ws(s, i + 1, n);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const char *p, size_t left, unsigned *out)
{
	if (left < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

long jspan_str(const struct jspan *v, char *out, size_t cap)
{
	if (!cap)
		return -1;
	out[0] = 0;
	if (v->type != '"')
		return -1;
	if (!memchr(v->p, '\\', v->n)) {
		/* no escapes (ids, paths, model names): the bytes as they are */
		size_t c = v->n < cap - 1 ? v->n : cap - 1;
		memcpy(out, v->p, c);
		out[c] = 0;
		return (long)c;
	}
	const char *p = v->p, *e = v->p + v->n;
	size_t o = 0;
	while (p < e) {
		char tmp[4];
		size_t tn;
		if (*p != '\\') {
			tmp[0] = *p++;
			tn = 1;
		} else {
			p++;
			if (p >= e)
				break;
			char c = *p++;
			unsigned cp = 0xFFFD;
			static const char named[] = "\"\\/bfnrt", plain[] = "\"\\/\b\f\n\r\t";
			const char *hit = c ? strchr(named, c) : NULL;
			if (hit)
				cp = (unsigned char)plain[hit - named];
			switch (c) {
			case 'u': {
				unsigned u;
				if (hex4(p, (size_t)(e - p), &u) == 0) {
					p += 4;
					if (u >= 0xD800 && u < 0xDC00) {
						unsigned lo;
						if (e - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
						    hex4(p + 2, (size_t)(e - p - 2), &lo) == 0 && lo >= 0xDC00 &&
						    lo < 0xE000) {
							p += 6;
							cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
						}
					} else if (u >= 0xDC00 && u < 0xE000) {
						cp = 0xFFFD;
					} else if (u != 0) {
						cp = u;
					}
				}
				break;
			}
			default: break;
			}
			tn = put_utf8(tmp, cp);
		}
		if (o + tn >= cap)
			break;
		memcpy(out + o, tmp, tn);
		o += tn;
	}
	out[o] = 0;
	return (long)o;
}

char *jspan_strdup(const struct jspan *v)
{
	if (v->type != '"')
		return NULL;
	size_t cap = v->n * 2 + 4; /* \uXXXX never grows; a lone byte can become 3 bytes of U+FFFD */
	char *s = xmalloc(cap);
	jspan_str(v, s, cap);
	return s;
}

int jspan_u64(const struct jspan *v, uint64_t max, uint64_t *out)
{
	if (v->type != '0' || v->n == 0)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < v->n; i++) {
		char c = v->p[i];
		if (c < '0' || c > '9')
			return -1;
		unsigned d = (unsigned)(c - '0');
		if (d > max || x > (max - d) / 10) /* d > max: max - d would wrap */
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

int jspan_double(const struct jspan *v, double *out)
{
	if (v->type != '0' || v->n == 0 || v->n > 63)
		return -1;
	/* Rate-limit numbers are short decimals ("12.5", "300"): up to 15 digits and 22 decimals
	 * make an exact integer and an exact power of ten, whose quotient is correctly rounded,
	 * as strtod's would be (and strtod copies the locale for each call). */
	const char *p = v->p, *e = v->p + v->n;
	bool neg = *p == '-';
	p += neg;
	uint64_t m = 0;
	int digits = 0, frac = 0;
	bool dot = false;
	for (; p < e; p++) {
		if (*p >= '0' && *p <= '9') {
			m = m * 10 + (uint64_t)(*p - '0');
			digits++;
			frac += dot;
		} else if (*p == '.' && !dot) {
			dot = true;
		} else {
			break;
		}
	}
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (p == e && digits > 0 && digits <= 15 && frac <= 22 && !(dot && p[-1] == '.') &&
	    !(digits > 1 && v->p[neg] == '0' && v->p[neg + 1] != '.')) {
		double d = (double)m / pow10[frac];
		*out = neg ? -d : d;
		return 0;
	}
	char tmp[64];
	memcpy(tmp, v->p, v->n);
	tmp[v->n] = 0;
	char *end;
	double d = strtod(tmp, &end);
	if (*end)
		return -1;
	*out = d;
	return 0;
}

int jspan_bool(const struct jspan *v, bool *out)
{
	if (v->type == 't') {
		*out = true;
		return 0;
	}
	if (v->type == 'f') {
		*out = false;
		return 0;
	}
	return -1;
}
