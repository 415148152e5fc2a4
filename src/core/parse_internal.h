/* parse_internal.h — helpers shared by the line parsers (not a public contract). */
#ifndef CACHETOP_PARSE_INTERNAL_H
#define CACHETOP_PARSE_INTERNAL_H

#include "cachetop/jscan.h"
#include "cachetop/line.h"

/* Token counts are stored in 32 bits per request; a larger value is corrupt input. */
#define TOKENS_MAX 0xFFFFFFFFULL

void line_reset(struct line *out);
/* Mark the line malformed for `why`; returns nothing so callers can `return mark(...)`. */
void line_bad(struct line *out, enum line_problem why);
/* Timestamp member → out->ts; -1 when present but unparseable. Absent leaves CT_TIME_NONE. */
int line_take_ts(const struct jspan *v, struct line *out);
/* Hash of a string member (0 when absent or null). */
uint64_t span_hash(const struct jspan *v);
/* Copy a string member into a fixed buffer ("" when absent). */
void span_copy(const struct jspan *v, char *dst, size_t cap);
/* Optional unsigned member: absent/null → 0; anything but a non-negative integer → -1. */
int span_tokens(const struct jspan *v, uint64_t *out);
/* Drop a trailing '\r' (CRLF files). */
size_t line_trim_cr(const char *s, size_t n);
/* Bytes of a UTF-8 byte-order mark at s (3 or 0): an editor-saved file may start with one. */
size_t line_bom(const char *s, size_t n);
/* Start a record: out reset, and *s / *n without a trailing CR and a leading byte-order mark. */
void line_begin(const char **s, size_t *n, struct line *out);
/* Scan the record by the tree `top` into v; -1 with out marked LP_NOT_JSON when it is no object. */
int line_scan(const char *s, size_t n, const struct jscan_level *top, struct jspan *v, struct line *out);

#endif
