/* timefmt.c — RFC 3339 in and out, without the C library's time zone state (timegm/gmtime are
 * avoided so results never depend on TZ and the parser stays pure and thread-safe). */
#include "cachetop/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int64_t ct_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil */
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	if (at + count > n)
		return -1;
	int v = 0;
	for (size_t i = 0; i < count; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

int rfc3339_parse(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
	    digits(s, n, 8, 2, &d))
		return -1;
	static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1; /* "2026-02-30" is not a date, not 2 March */
	size_t i = 10;
	int64_t frac_ms = 0, offset_s = 0;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' || digits(s, n, i + 3, 2, &mi))
			return -1;
		i += 5;
		if (i < n && s[i] == ':') {
			if (digits(s, n, i + 1, 2, &se))
				return -1;
			i += 3;
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			i++;
			size_t start = i;
			int64_t scale = 100;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				frac_ms += (s[i] - '0') * scale;
				scale /= 10;
				i++;
			}
			if (i == start)
				return -1;
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int oh, om = 0;
			int sign = s[i] == '-' ? -1 : 1;
			if (digits(s, n, i + 1, 2, &oh))
				return -1;
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && digits(s, n, i, 2, &om) == 0)
				i += 2;
			if (oh > 23 || om > 59)
				return -1;
			offset_s = sign * (oh * 3600 + om * 60);
		}
		/* no designator: taken as UTC (both agents write UTC) */
	}
	if (i != n)
		return -1;
	int64_t days = ct_days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
	*ms = secs * 1000 + frac_ms;
	return 0;
}

void rfc3339_format(int64_t ms, char out[32])
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int msec = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y >= 0 && y <= 9999) {
		/* digits by hand: a report formats ~10^4 times, and snprintf was most of their cost */
		int v[7] = {(int)y, (int)m, (int)d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), msec};
		static const char lay[] = "0000-00-00T00:00:00.000Z";
		static const unsigned char end[7] = {4, 7, 10, 13, 16, 19, 23}; /* one past each field */
		static const unsigned char width[7] = {4, 2, 2, 2, 2, 2, 3};
		memcpy(out, lay, sizeof lay);
		for (int f = 0; f < 7; f++)
			for (int k = 0, x = v[f]; k < width[f]; k++, x /= 10)
				out[end[f] - 1 - k] = (char)('0' + x % 10);
		return;
	}
	/* a wide scratch buffer: the compiler cannot see that y has four digits */
	char tmp[96];
	snprintf(tmp, sizeof tmp, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(rem / 3600),
		 (int)(rem / 60 % 60), (int)(rem % 60), msec);
	memcpy(out, tmp, 31);
	out[31] = 0;
}
