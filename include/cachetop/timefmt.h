/* timefmt.h — a tolerant RFC 3339 parser (fractions, Z, numeric offsets, lower-case t/z) and the
 * fixed RFC 3339 UTC output form with milliseconds. Times are int64 milliseconds since the epoch. */
#ifndef CACHETOP_TIMEFMT_H
#define CACHETOP_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define CT_TIME_NONE INT64_MIN

/* Parse s[0..n) as RFC 3339 ("2026-11-21T22:39:12.345Z", "...+02:00", "2026-11-21 22:39:12Z").
 * A date alone ("2026-11-21") is midnight UTC. Returns 0 and sets *ms, or -1. */
int rfc3339_parse(const char *s, size_t n, int64_t *ms);
/* Write "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars + NUL) into out. */
void rfc3339_format(int64_t ms, char out[32]);
/* Days since 1970-01-01 for a proleptic Gregorian date (no range checks). */
int64_t ct_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
