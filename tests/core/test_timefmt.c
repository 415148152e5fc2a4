/* test_timefmt.c — the RFC 3339 parser and formatter: fractions, Z and numeric offsets, lower-case
 * designators, date-only input, rejection of malformed input, and the round trip through the
 * fixed output form. The C library's timegm is the independent oracle. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "cachetop/timefmt.h"

static int64_t utc_ms(int y, int mo, int d, int h, int mi, int s, int ms)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	return (int64_t)timegm(&tm) * 1000 + ms;
}

static int64_t parse_ok(const char *s)
{
	int64_t ms = 12345;
	cr_assert_eq(rfc3339_parse(s, strlen(s), &ms), 0, "should parse: \"%s\"", s);
	return ms;
}

static void parse_bad(const char *s)
{
	int64_t ms = 777;
	cr_expect_eq(rfc3339_parse(s, strlen(s), &ms), -1, "should reject: \"%s\"", s);
	cr_expect_eq(ms, 777, "a rejected input must not write *ms (\"%s\")", s);
}

Test(timefmt, utc_with_millis)
{
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.345Z"), utc_ms(2026, 11, 21, 22, 39, 12, 345));
	cr_expect_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
	cr_expect_eq(parse_ok("2000-02-29T00:00:00.000Z"), utc_ms(2000, 2, 29, 0, 0, 0, 0));
}

Test(timefmt, fractions_of_any_length)
{
	int64_t base = utc_ms(2026, 11, 21, 22, 39, 12, 0);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.3Z"), base + 300);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.34Z"), base + 340);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.345678Z"), base + 345, "sub-ms digits are truncated");
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.999999999Z"), base + 999);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12,5Z"), base + 500, "ISO 8601 decimal comma");
}

Test(timefmt, numeric_offsets)
{
	int64_t z = utc_ms(2026, 11, 21, 22, 39, 12, 0);
	cr_expect_eq(parse_ok("2026-11-22T00:39:12+02:00"), z);
	cr_expect_eq(parse_ok("2026-11-21T17:09:12-05:30"), z);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12+00:00"), z);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12-00:00"), z);
	cr_expect_eq(parse_ok("2026-11-22T00:39:12+0200"), z, "basic-format offset");
	cr_expect_eq(parse_ok("2026-11-22T08:24:12.000+09:45"), z);
	/* an offset that crosses midnight and a month end */
	cr_expect_eq(parse_ok("2026-12-01T01:00:00+03:00"), utc_ms(2026, 11, 30, 22, 0, 0, 0));
}

Test(timefmt, lower_case_and_space_separator)
{
	int64_t z = utc_ms(2026, 11, 21, 22, 39, 12, 345);
	cr_expect_eq(parse_ok("2026-11-21t22:39:12.345z"), z);
	cr_expect_eq(parse_ok("2026-11-21 22:39:12.345Z"), z);
	cr_expect_eq(parse_ok("2026-11-21T22:39:12.345"), z, "no designator is taken as UTC");
}

Test(timefmt, date_only_is_midnight_utc)
{
	cr_expect_eq(parse_ok("2026-11-21"), utc_ms(2026, 11, 21, 0, 0, 0, 0));
	cr_expect_eq(parse_ok("1999-12-31"), utc_ms(1999, 12, 31, 0, 0, 0, 0));
}

Test(timefmt, length_is_respected)
{
	/* only s[0..n) is read: a longer buffer must not leak into the result */
	const char *s = "2026-11-21T22:39:12.345Zjunk";
	int64_t ms;
	cr_expect_eq(rfc3339_parse(s, 24, &ms), 0);
	cr_expect_eq(ms, utc_ms(2026, 11, 21, 22, 39, 12, 345));
	cr_expect_eq(rfc3339_parse(s, 10, &ms), 0);
	cr_expect_eq(ms, utc_ms(2026, 11, 21, 0, 0, 0, 0));
	cr_expect_eq(rfc3339_parse(s, 0, &ms), -1);
	cr_expect_eq(rfc3339_parse(s, 9, &ms), -1);
}

Test(timefmt, invalid_inputs)
{
	parse_bad("");
	parse_bad("2026");
	parse_bad("2026-11");
	parse_bad("26-11-21");
	parse_bad("2026/11/21");
	parse_bad("abcd-ef-gh");
	parse_bad("2026-13-01");
	parse_bad("2026-00-10");
	parse_bad("2026-11-00");
	parse_bad("2026-11-32");
	parse_bad("2026-02-30");
	parse_bad("2025-02-29");       /* not a leap year */
	parse_bad("2026-04-31");
	parse_bad("2026-11-21T");
	parse_bad("2026-11-21T22");
	parse_bad("2026-11-21T24:00:00Z");
	parse_bad("2026-11-21T22:60:00Z");
	parse_bad("2026-11-21T22:39:61Z");
	parse_bad("2026-11-21T22:39:12.Z");
	parse_bad("2026-11-21T22:39:12ZZ");
	parse_bad("2026-11-21T22:39:12Z junk");
	parse_bad("2026-11-21T22:39:12+2");
	parse_bad("2026-11-21T22:39:12+24:00");
	parse_bad("2026-11-21T22:39:12+02:60");
	parse_bad("2026-11-21X22:39:12Z");
	parse_bad("-2026-11-21");
	parse_bad("\"2026-11-21T22:39:12Z\"");
}

Test(timefmt, leap_years)
{
	cr_expect_eq(parse_ok("2024-02-29"), utc_ms(2024, 2, 29, 0, 0, 0, 0));
	cr_expect_eq(parse_ok("2000-02-29"), utc_ms(2000, 2, 29, 0, 0, 0, 0));
	parse_bad("1900-02-29");
	parse_bad("2100-02-29");
}

Test(timefmt, format_fixed_form)
{
	char out[32];
	rfc3339_format(utc_ms(2026, 11, 21, 22, 39, 12, 345), out);
	cr_expect_str_eq(out, "2026-11-21T22:39:12.345Z");
	rfc3339_format(0, out);
	cr_expect_str_eq(out, "1970-01-01T00:00:00.000Z");
	rfc3339_format(-1, out);
	cr_expect_str_eq(out, "1969-12-31T23:59:59.999Z");
	rfc3339_format(utc_ms(2000, 2, 29, 23, 59, 59, 7), out);
	cr_expect_str_eq(out, "2000-02-29T23:59:59.007Z");
	cr_expect_eq(strlen(out), 24);
	/* outside years 0..9999 (no digits by hand there): still the same form */
	rfc3339_format(utc_ms(12345, 6, 7, 8, 9, 10, 11), out);
	cr_expect_str_eq(out, "12345-06-07T08:09:10.011Z");
}

Test(timefmt, round_trip)
{
	static const char *const in[] = {
		"2026-11-21T22:39:12.345Z", "1970-01-01T00:00:00.000Z", "1969-07-20T20:17:40.000Z",
		"2038-01-19T03:14:08.001Z", "2000-02-29T12:00:00.999Z", "9999-12-31T23:59:59.999Z",
		"2025-09-03T00:52:34.495Z"};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		int64_t ms = parse_ok(in[i]);
		char out[32];
		rfc3339_format(ms, out);
		cr_expect_str_eq(out, in[i]);
		int64_t again = parse_ok(out);
		cr_expect_eq(again, ms);
	}
	/* every millisecond step over a day boundary and a sweep of years */
	for (int64_t ms = utc_ms(1999, 12, 31, 23, 59, 59, 990); ms < utc_ms(2000, 1, 1, 0, 0, 0, 10); ms++) {
		char out[32];
		rfc3339_format(ms, out);
		cr_assert_eq(parse_ok(out), ms);
	}
	for (int y = 1901; y < 2400; y += 7) {
		int64_t ms = utc_ms(y, 3, 1, 1, 2, 3, 4);
		char out[32];
		rfc3339_format(ms, out);
		cr_assert_eq(parse_ok(out), ms, "%s", out);
	}
}

Test(timefmt, days_from_civil)
{
	cr_expect_eq(ct_days_from_civil(1970, 1, 1), 0);
	cr_expect_eq(ct_days_from_civil(1970, 1, 2), 1);
	cr_expect_eq(ct_days_from_civil(1969, 12, 31), -1);
	cr_expect_eq(ct_days_from_civil(2026, 11, 21) * 86400000LL, utc_ms(2026, 11, 21, 0, 0, 0, 0));
}
