/* peek_stub.c — a stand-in for core's line_peek_first_ts/line_peek_last_ts, built only while
 * core does not define them yet: finds "timestamp":"YYYY-MM-DDThh:mm:ss(.mmm)Z" textually. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cachetop/line.h"

static int stub_parse(const char *p, const char *end, int64_t *ms)
{
	int Y, M, D, h, m, s, f = 0;
	if (end - p < 20 || sscanf(p, "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &s) != 6)
		return 0;
	if (p[19] == '.')
		sscanf(p + 20, "%3d", &f);
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
			.tm_min = m, .tm_sec = s};
	*ms = (int64_t)timegm(&tm) * 1000 + f;
	return 1;
}

static const char *stub_find(const char *buf, size_t n, const char *from)
{
	static const char key[] = "\"timestamp\":\"";
	const char *end = buf + n;
	for (const char *p = from; p + sizeof key - 1 <= end; p++)
		if (memcmp(p, key, sizeof key - 1) == 0)
			return p + sizeof key - 1;
	return NULL;
}

int line_peek_first_ts(const char *buf, size_t n, int64_t *ms)
{
	const char *p = stub_find(buf, n, buf);
	return p && stub_parse(p, buf + n, ms);
}

int line_peek_last_ts(const char *buf, size_t n, int64_t *ms)
{
	const char *p, *last = NULL;
	for (p = buf; (p = stub_find(buf, n, p)); p++)
		last = p;
	return last && stub_parse(last, buf + n, ms);
}
