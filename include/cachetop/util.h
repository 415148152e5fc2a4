/* util.h — allocation that never returns NULL, a registered fatal hook (so the dashboard can
 * restore the terminal before dying), a growable byte buffer, and 64-bit hashing. Used by every
 * layer; owns no global state except the fatal hook. */
#ifndef CACHETOP_UTIL_H
#define CACHETOP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define CT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CT_NORETURN __attribute__((noreturn))
#else
#define CT_PRINTF(a, b)
#define CT_NORETURN
#endif

/* Called by fatal() before it prints and exits; the TUI registers one that calls endwin(). */
typedef void (*ct_fatal_hook)(void);
void ct_set_fatal_hook(ct_fatal_hook hook);
CT_NORETURN void ct_fatal(const char *fmt, ...) CT_PRINTF(1, 2);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Memory about to be filled whole (n bytes at p, freshly allocated): its pages made present in
 * one go where the system can, instead of one fault each as they are first written. Only a
 * hint: nothing changes if it cannot. */
void ct_prefault(void *p, size_t n);
/* Grow *p (of *cap elements of size elem) so that it holds at least need elements. */
void ct_grow(void **p, size_t *cap, size_t need, size_t elem);

/* A growable byte buffer; data is always NUL-terminated when len > 0 or after buf_cstr(). */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_append_slow(struct buf *b, const void *p, size_t n);
/* Inline: reports append ~10^5 short pieces; only a full buffer pays for a call. */
static inline void buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->cap > b->len + n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = 0;
	} else {
		buf_append_slow(b, p, n);
	}
}
static inline void buf_puts(struct buf *b, const char *s) { buf_append(b, s, strlen(s)); }
void buf_printf(struct buf *b, const char *fmt, ...) CT_PRINTF(2, 3);
const char *buf_cstr(struct buf *b);
void buf_free(struct buf *b);

/* Number text without printf (a report prints ~10^5 numbers; vfprintf was most of its time).
 * ct_fmt_u64: decimal digits, NUL-terminated, returns the length (out holds >= 21 bytes).
 * ct_fmt_fixed: v rounded half away from zero to `decimals` (0..9) places, printed as "%.15g"
 * prints that rounded value — trailing zeros dropped, "-0" never — for values with at most 15
 * significant digits and magnitude 1e-4..1e15 (or zero); returns the length, or -1 for the
 * rest, which the caller prints with snprintf (out holds >= 40 bytes). */
size_t ct_fmt_u64(char *out, uint64_t v);
int ct_fmt_fixed(char *out, double v, int decimals);

/* 64-bit FNV-1a followed by a finaliser; never returns 0 (0 marks an empty hash slot). */
uint64_t ct_hash(const void *p, size_t n);
uint64_t ct_hash_mix(uint64_t h, const void *p, size_t n);

#endif
