/* fmt.h — how numbers and durations look to people, one way for the screen and the text report:
 * token counts, dollars, idle gaps, countdowns, time left in a cache, percentages, UTC clock
 * times. Pure; no locale use. */
#ifndef CACHETOP_FMT_H
#define CACHETOP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each writes a NUL-terminated string into out and returns out. */
char *fmt_tokens(uint64_t n, char *out, size_t cap);          /* 999, 1.0k, 23.8k, 1.2M, 3.4G */
char *fmt_tokens_signed(int64_t n, char *out, size_t cap);    /* -23.8k, +1.0k, 0 */
char *fmt_grouped(uint64_t n, char *out, size_t cap);         /* 23,849 */
char *fmt_usd(double usd, char *out, size_t cap);             /* $0.24, $14.20, $1234; <0: "no price" */
char *fmt_gap(double s, char *out, size_t cap);               /* 42s, 4.1m, 2h19m, 3d04h; <0: "-" */
char *fmt_countdown(double s, char *out, size_t cap);         /* 2h19m, 1h05m, 45m, 30s */
char *fmt_cache_left(double s, char *out, size_t cap);        /* 1h 52m03s, 5m 00s, 42s; <=0: "cold" */
char *fmt_pct(double frac, int decimals, char *out, size_t cap); /* 0.412 → "41.2" (no sign); <0: "-" */
char *fmt_clock(int64_t ms, bool with_date, char *out, size_t cap); /* UTC "22:39:12" / "2026-11-21 22:41" */

#endif
