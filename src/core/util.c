/* util.c — allocation wrappers that die cleanly (through the registered fatal hook, so the
 * terminal is restored first), the growable buffer, the 64-bit hash used by every set, and the page hint for big fills. */
#include "cachetop/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static ct_fatal_hook fatal_hook;

/* Filling a large fresh allocation (a model image's arrays, megabytes) took one page fault per
 * 4 KiB, over half of the copy's time; MADV_POPULATE_WRITE (Linux 5.14) maps them all in one
 * call. Small ranges are not worth the call. */
void ct_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	if (n < ((size_t)1 << 18))
		return;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

void ct_set_fatal_hook(ct_fatal_hook hook) { fatal_hook = hook; }

void ct_fatal(const char *fmt, ...)
{
	if (fatal_hook) {
		ct_fatal_hook h = fatal_hook;
		fatal_hook = NULL; /* a failing hook must not recurse */
		h();
	}
	va_list ap;
	va_start(ap, fmt);
	fputs("cachetop: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ct_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ct_fatal("out of memory (%zu × %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		ct_fatal("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void ct_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			ct_fatal("allocation too large");
		c *= 2;
	}
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

void buf_reserve(struct buf *b, size_t extra)
{
	void *p = b->data;
	ct_grow(&p, &b->cap, b->len + extra + 1, 1);
	b->data = p;
}

void buf_append_slow(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}


void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof tmp) {
		buf_append(b, tmp, (size_t)n);
	} else {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

const char *buf_cstr(struct buf *b)
{
	if (!b->data)
		buf_reserve(b, 0), b->data[0] = 0;
	return b->data;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* Eight bytes a step (murmur/xxhash-style rounds), then the splitmix64 finaliser: ids are hashed
 * several times per transcript line, and a byte-at-a-time FNV was a visible share of a scan. */
uint64_t ct_hash_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	const uint64_t k1 = 0x87c37b91114253d5ULL, k2 = 0x4cf5ad432745937fULL;
	h ^= (uint64_t)n * 0x9e3779b97f4a7c15ULL;
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, s, 8);
		h ^= rotl64(v * k1, 31) * k2;
		h = rotl64(h, 27) * 5 + 0x52dce729;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = 0;
		memcpy(&v, s, n);
		h ^= rotl64(v * k1, 31) * k2;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

uint64_t ct_hash(const void *p, size_t n) { return ct_hash_mix(0xcbf29ce484222325ULL, p, n); }

size_t ct_fmt_u64(char *out, uint64_t v)
{
	char tmp[21];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
	return n;
}

int ct_fmt_fixed(char *out, double v, int decimals)
{
	static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
					 1000000000};
	if (decimals < 0 || decimals > 9 || !(v > -1e15 && v < 1e15))
		return -1;
	double scaled = round(v * (double)pow10[decimals]);
	if (!(scaled > -1e15 && scaled < 1e15))
		return -1; /* more than 15 significant digits: "%.15g" would round them */
	bool neg = scaled < 0;
	uint64_t q = (uint64_t)(neg ? -scaled : scaled);
	if (q == 0)
		return (int)ct_fmt_u64(out, 0);
	uint64_t ip = q / pow10[decimals], fp = q % pow10[decimals];
	if (ip == 0 && fp * 10000 < pow10[decimals])
		return -1; /* below 1e-4 "%.15g" writes an exponent */
	size_t n = 0;
	if (neg)
		out[n++] = '-';
	n += ct_fmt_u64(out + n, ip);
	if (fp) {
		int d = decimals;
		while (fp % 10 == 0) {
			fp /= 10;
			d--;
		}
		out[n++] = '.';
		char digits[21];
		size_t k = ct_fmt_u64(digits, fp);
		for (size_t z = k; z < (size_t)d; z++)
			out[n++] = '0';
		memcpy(out + n, digits, k);
		n += k;
		out[n] = 0;
	}
	return (int)n;
}
