/* fmt.c — human formatting for the screen and the text report: token counts (23.8k, 1.2M), dollars, idle gaps,
 * countdowns, time left in a cache, percentages and UTC clock times. Pure; no locale use, so
 * the same numbers print the same way everywhere. */
#include "cachetop/fmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

char *fmt_tokens(uint64_t n, char *out, size_t cap)
{
	/* thresholds just below the next unit so 999,960 prints as 1.0M, never 1000.0k */
	if (n < 1000)
		snprintf(out, cap, "%" PRIu64, n);
	else if (n < 999950)
		snprintf(out, cap, "%.1fk", (double)n / 1e3);
	else if (n < 999950000)
		snprintf(out, cap, "%.1fM", (double)n / 1e6);
	else
		snprintf(out, cap, "%.1fG", (double)n / 1e9);
	return out;
}

char *fmt_tokens_signed(int64_t n, char *out, size_t cap)
{
	char tmp[32];
	if (n == 0) {
		snprintf(out, cap, "0");
		return out;
	}
	uint64_t mag = n < 0 ? (uint64_t)(-(n + 1)) + 1 : (uint64_t)n;
	snprintf(out, cap, "%c%s", n < 0 ? '-' : '+', fmt_tokens(mag, tmp, sizeof tmp));
	return out;
}

char *fmt_grouped(uint64_t n, char *out, size_t cap)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
	char tmp[48];
	int j = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			tmp[j++] = ',';
		tmp[j++] = digits[i];
	}
	tmp[j] = 0;
	snprintf(out, cap, "%s", tmp);
	return out;
}

char *fmt_usd(double usd, char *out, size_t cap)
{
	if (usd < 0 || isnan(usd))
		snprintf(out, cap, "no price");
	else if (usd < 10000)
		snprintf(out, cap, "$%.2f", usd);
	else
		snprintf(out, cap, "$%.0f", usd);
	return out;
}

char *fmt_gap(double s, char *out, size_t cap)
{
	if (s < 0 || isnan(s)) {
		snprintf(out, cap, "-");
	} else if (s < 60) {
		snprintf(out, cap, "%.0fs", floor(s));
	} else if (s < 3600) {
		double m = floor(s / 6.0) / 10.0; /* truncate, so 59.99 min never shows as 60.0m */
		snprintf(out, cap, "%.1fm", m);
	} else if (s < 86400) {
		long t = (long)(s / 60);
		snprintf(out, cap, "%ldh%02ldm", t / 60, t % 60);
	} else {
		long t = (long)(s / 3600);
		snprintf(out, cap, "%ldd%02ldh", t / 24, t % 24);
	}
	return out;
}

char *fmt_countdown(double s, char *out, size_t cap)
{
	if (s < 0 || isnan(s))
		s = 0;
	long t = (long)s;
	if (t < 60)
		snprintf(out, cap, "%lds", t);
	else if (t < 3600)
		snprintf(out, cap, "%ldm", t / 60);
	else if (t < 86400)
		snprintf(out, cap, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
	else
		snprintf(out, cap, "%ldd%02ldh", t / 86400, (t % 86400) / 3600);
	return out;
}

char *fmt_cache_left(double s, char *out, size_t cap)
{
	if (!(s > 0)) {
		snprintf(out, cap, "cold");
		return out;
	}
	long t = (long)ceil(s);
	if (t < 60)
		snprintf(out, cap, "%lds", t);
	else if (t < 3600)
		snprintf(out, cap, "%ldm %02lds", t / 60, t % 60);
	else
		snprintf(out, cap, "%ldh %02ldm%02lds", t / 3600, (t % 3600) / 60, t % 60);
	return out;
}

char *fmt_pct(double frac, int decimals, char *out, size_t cap)
{
	if (frac < 0 || isnan(frac))
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.*f", decimals, frac * 100.0);
	return out;
}

char *fmt_clock(int64_t ms, bool with_date, char *out, size_t cap)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, cap, "?");
		return out;
	}
	if (with_date)
		snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
	else
		snprintf(out, cap, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return out;
}
