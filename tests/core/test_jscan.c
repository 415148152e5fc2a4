/* test_jscan.c — the JSON member scanner and its strict decoders: members found at any position,
 * nested values skipped whole, escapes inside keys and strings, duplicate keys (last wins),
 * \u escapes (surrogate pairs, lone surrogates, \u0000), malformed objects, deep nesting without
 * recursion, and the number decoders' rejections. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/jscan.h"

static const char *const K3[] = {"a", "b", "c"};

static long scan(const char *s, struct jspan out[3]) { return jscan_object(s, strlen(s), K3, 3, out); }

static char *str_of(const struct jspan *v)
{
	static char buf[256];
	cr_assert_geq(jspan_str(v, buf, sizeof buf), 0);
	return buf;
}

Test(jscan, members_found_in_any_order)
{
	struct jspan v[3];
	const char *s = "{\"c\":3,\"x\":\"skip\",\"a\":\"one\",\"b\":true}";
	cr_assert_eq(scan(s, v), (long)strlen(s));
	cr_expect_eq(v[0].type, '"');
	cr_expect_str_eq(str_of(&v[0]), "one");
	cr_expect_eq(v[1].type, 't');
	cr_expect_eq(v[2].type, '0');
	uint64_t n;
	cr_expect_eq(jspan_u64(&v[2], UINT64_MAX, &n), 0);
	cr_expect_eq(n, 3);
}

Test(jscan, absent_members_have_type_zero)
{
	struct jspan v[3];
	cr_assert_gt(scan("{\"a\":null}", v), 0);
	cr_expect_eq(v[0].type, 'n');
	cr_expect_eq(v[1].type, 0);
	cr_expect_eq(v[2].type, 0);
	cr_assert_gt(scan("  {  }  ", v), 0);
	cr_expect_eq(v[0].type, 0);
}

Test(jscan, whitespace_everywhere)
{
	struct jspan v[3];
	const char *s = " \t\r\n{ \"a\" :\t1 , \"b\"\n:\r[ 1 , 2 ] }";
	cr_assert_gt(scan(s, v), 0);
	cr_expect_eq(v[0].type, '0');
	cr_expect_eq(v[1].type, '[');
	cr_expect_eq(v[1].n, 9);
	cr_expect_eq(memcmp(v[1].p, "[ 1 , 2 ]", 9), 0);
}

Test(jscan, nested_values_are_skipped_not_searched)
{
	/* keys of the same name inside nested values must not be taken for top-level members */
	struct jspan v[3];
	const char *s = "{\"x\":{\"a\":\"inner\",\"b\":[{\"c\":1}]},\"y\":[\"a\",{\"a\":2}],\"a\":\"outer\"}";
	cr_assert_gt(scan(s, v), 0);
	cr_expect_str_eq(str_of(&v[0]), "outer");
	cr_expect_eq(v[1].type, 0);
	cr_expect_eq(v[2].type, 0);
	/* an object member hands back the whole nested span, which can be scanned again */
	const char *t = "{\"a\":{\"b\":{\"c\":\"deep\"}}}";
	cr_assert_gt(scan(t, v), 0);
	cr_assert_eq(v[0].type, '{');
	struct jspan w[3];
	cr_assert_gt(jscan_object(v[0].p, v[0].n, K3, 3, w), 0);
	cr_assert_eq(w[1].type, '{');
	struct jspan x[3];
	cr_assert_gt(jscan_object(w[1].p, w[1].n, K3, 3, x), 0);
	cr_expect_str_eq(str_of(&x[2]), "deep");
}

Test(jscan, brackets_and_quotes_inside_strings)
{
	struct jspan v[3];
	const char *s = "{\"x\":\"}{][,:\\\"\",\"a\":\"a \\\"quoted\\\" }\",\"b\":\"\\\\\",\"c\":\"\\\\\\\"\"}";
	cr_assert_eq(scan(s, v), (long)strlen(s));
	cr_expect_str_eq(str_of(&v[0]), "a \"quoted\" }");
	cr_expect_str_eq(str_of(&v[1]), "\\");
	cr_expect_str_eq(str_of(&v[2]), "\\\"");
}

Test(jscan, escapes_in_keys)
{
	struct jspan v[3];
	/* a key holding an escaped quote must not end early; "b\"" is not "b" */
	const char *s = "{\"b\\\"\":\"no\",\"a\\\\\":\"no\",\"a\":\"yes\"}";
	cr_assert_gt(scan(s, v), 0);
	cr_expect_str_eq(str_of(&v[0]), "yes");
	cr_expect_eq(v[1].type, 0);
	/* keys are compared as written: both writers emit plain ASCII member names */
	const char *t = "{\"\\u0061\":\"escaped\"}";
	cr_assert_gt(scan(t, v), 0);
	cr_expect_eq(v[0].type, 0);
}

Test(jscan, duplicate_keys_last_wins)
{
	struct jspan v[3];
	cr_assert_gt(scan("{\"a\":1,\"b\":\"x\",\"a\":\"two\",\"a\":{\"k\":3}}", v), 0);
	cr_expect_eq(v[0].type, '{');
	cr_expect_eq(v[0].n, 7);
	cr_expect_str_eq(str_of(&v[1]), "x");
	cr_assert_gt(scan("{\"a\":{\"k\":3},\"a\":null}", v), 0);
	cr_expect_eq(v[0].type, 'n');
}

Test(jscan, malformed_objects_rejected)
{
	static const char *const bad[] = {
		"", "   ", "[]", "\"a\"", "1", "null", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,",
		"{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":falsey}",
		"{\"a\":\"unterminated}", "{\"a\":[1,2}", "{\"a\":{\"b\":1}", "{\"a\":1 \"b\":2}",
		"{\"a\":\"x\\\"}", "{,}", "{\"a\":}", "{\"a\":@}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct jspan v[3];
		cr_expect_eq(scan(bad[i], v), -1, "should reject: %s", bad[i]);
	}
}

Test(jscan, returns_bytes_consumed)
{
	struct jspan v[3];
	const char *s = "{\"a\":1}  trailing";
	cr_expect_eq(scan(s, v), 7);
	cr_expect_eq(jscan_skip_value("  [1,[2]] ,", 11), 9);
	cr_expect_eq(jscan_skip_value("\"a\\\"b\"x", 7), 6);
	cr_expect_eq(jscan_skip_value("-12.5e3,", 8), 7);
	cr_expect_eq(jscan_skip_value("true}", 5), 4);
	cr_expect_eq(jscan_skip_value("", 0), -1);
	cr_expect_eq(jscan_skip_value("}", 1), -1);
}

Test(jscan, deep_nesting_without_recursion)
{
	size_t depth = 1000000;
	size_t n = 2 * depth + 16;
	char *s = malloc(n + 1);
	cr_assert_not_null(s);
	size_t o = 0;
	o += (size_t)sprintf(s, "{\"b\":");
	memset(s + o, '[', depth);
	o += depth;
	memset(s + o, ']', depth);
	o += depth;
	o += (size_t)sprintf(s + o, ",\"a\":7}");
	struct jspan v[3];
	cr_assert_eq(jscan_object(s, o, K3, 3, v), (long)o);
	cr_expect_eq(v[1].type, '[');
	cr_expect_eq(v[1].n, 2 * depth);
	uint64_t x;
	cr_expect_eq(jspan_u64(&v[0], UINT64_MAX, &x), 0);
	cr_expect_eq(x, 7);
	/* one bracket short: rejected, not crashed */
	cr_expect_eq(jscan_object(s, o - 8 - 1, K3, 3, v), -1);
	free(s);
}

static struct jspan sv(const char *raw) { return (struct jspan){raw, strlen(raw), '"'}; }

Test(jspan, string_escapes)
{
	char out[64];
	struct jspan v = sv("a\\n\\t\\r\\b\\f\\/\\\\\\\"z");
	cr_expect_eq(jspan_str(&v, out, sizeof out), 10);
	cr_expect_str_eq(out, "a\n\t\r\b\f/\\\"z");
	v = sv("\\u0041\\u00e9\\u20AC");
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "A\xc3\xa9\xe2\x82\xac");
}

Test(jspan, surrogates)
{
	char out[64];
	struct jspan v = sv("\\ud83d\\ude00");  /* U+1F600 */
	cr_expect_eq(jspan_str(&v, out, sizeof out), 4);
	cr_expect_str_eq(out, "\xf0\x9f\x98\x80");
	v = sv("\\uD800\\uDC00");  /* U+10000, upper-case hex */
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "\xf0\x90\x80\x80");
	v = sv("\\udbff\\udfff");  /* U+10FFFF */
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "\xf4\x8f\xbf\xbf");
	/* lone surrogates become U+FFFD, and what follows survives */
	v = sv("x\\ud83dy");
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "x\xef\xbf\xbdy");
	v = sv("\\ude00x");
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "\xef\xbf\xbdx");
	v = sv("\\ud83d\\u0041");  /* high surrogate followed by a non-surrogate escape */
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "\xef\xbf\xbd" "A");
	v = sv("\\ud83d");  /* at the very end */
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "\xef\xbf\xbd");
}

Test(jspan, nul_and_invalid_escapes)
{
	char out[64];
	struct jspan v = sv("a\\u0000b");
	cr_expect_eq(jspan_str(&v, out, sizeof out), 5, "\\u0000 must not cut the string");
	cr_expect_str_eq(out, "a\xef\xbf\xbd" "b");
	v = sv("\\q\\u12G4\\u12");
	long n = jspan_str(&v, out, sizeof out);
	cr_expect_gt(n, 0);
	cr_expect_eq(memchr(out, 0, (size_t)n), NULL);
	cr_expect_neq(strstr(out, "\xef\xbf\xbd"), NULL);
	v = sv("trailing\\");
	jspan_str(&v, out, sizeof out);
	cr_expect_str_eq(out, "trailing");
}

Test(jspan, truncation_and_types)
{
	char out[4];
	struct jspan v = sv("abcdef");
	cr_expect_eq(jspan_str(&v, out, sizeof out), 3);
	cr_expect_str_eq(out, "abc");
	v = sv("\\u20ac\\u20ac");  /* 3-byte characters are not split */
	cr_expect_eq(jspan_str(&v, out, sizeof out), 3);
	cr_expect_str_eq(out, "\xe2\x82\xac");
	struct jspan num = {"12", 2, '0'};
	cr_expect_eq(jspan_str(&num, out, sizeof out), -1);
	cr_expect_str_eq(out, "");
	cr_expect_null(jspan_strdup(&num));
	v = sv("\\ud83d\\ude00 and more text");
	char *d = jspan_strdup(&v);
	cr_expect_str_eq(d, "\xf0\x9f\x98\x80 and more text");
	free(d);
	cr_expect(jspan_eq(&v, "\\ud83d\\ude00 and more text"), "jspan_eq compares raw bytes");
	cr_expect_not(jspan_eq(&num, "12"));
}

static int u64_of(const char *raw, uint64_t max, uint64_t *out)
{
	struct jspan v = {raw, strlen(raw), '0'};
	return jspan_u64(&v, max, out);
}

Test(jspan, u64_strict)
{
	uint64_t x = 99;
	cr_expect_eq(u64_of("0", UINT64_MAX, &x), 0);
	cr_expect_eq(x, 0);
	cr_expect_eq(u64_of("18446744073709551615", UINT64_MAX, &x), 0);
	cr_expect_eq(x, UINT64_MAX);
	cr_expect_eq(u64_of("4294967295", 0xFFFFFFFFULL, &x), 0);
	cr_expect_eq(x, 0xFFFFFFFFULL);
	x = 5;
	cr_expect_eq(u64_of("-1", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("-0", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("1.5", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("1.0", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("1e3", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("1E3", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("+1", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("9223372036854775808", INT64_MAX, &x), -1, "2^63 > INT64_MAX");
	cr_expect_eq(u64_of("18446744073709551616", UINT64_MAX, &x), -1, "2^64 overflows");
	cr_expect_eq(u64_of("99999999999999999999999", UINT64_MAX, &x), -1);
	cr_expect_eq(u64_of("4294967296", 0xFFFFFFFFULL, &x), -1, "max + 1");
	cr_expect_eq(u64_of("", UINT64_MAX, &x), -1);
	cr_expect_eq(x, 5, "a rejected number must not write *out");
	/* maxima below 10: every digit must still be checked against max */
	cr_expect_eq(u64_of("5", 5, &x), 0);
	cr_expect_eq(x, 5);
	cr_expect_eq(u64_of("6", 5, &x), -1);
	cr_expect_eq(u64_of("9", 5, &x), -1);
	cr_expect_eq(u64_of("1", 0, &x), -1);
	cr_expect_eq(u64_of("10", 9, &x), -1);
	/* not a number span at all */
	struct jspan s = sv("12");
	cr_expect_eq(jspan_u64(&s, UINT64_MAX, &x), -1, "a string is not a number");
	struct jspan n = {"null", 4, 'n'};
	cr_expect_eq(jspan_u64(&n, UINT64_MAX, &x), -1);
}

Test(jspan, double_and_bool)
{
	double d;
	struct jspan v = {"-12.5e2", 7, '0'};
	cr_expect_eq(jspan_double(&v, &d), 0);
	cr_expect_float_eq(d, -1250.0, 1e-9);
	struct jspan bad = {"12abc", 5, '0'};
	cr_expect_eq(jspan_double(&bad, &d), -1);
	struct jspan nul = {"null", 4, 'n'};
	cr_expect_eq(jspan_double(&nul, &d), -1);
	bool b = false;
	struct jspan t = {"true", 4, 't'}, f = {"false", 5, 'f'};
	cr_expect_eq(jspan_bool(&t, &b), 0);
	cr_expect(b);
	cr_expect_eq(jspan_bool(&f, &b), 0);
	cr_expect_not(b);
	cr_expect_eq(jspan_bool(&nul, &b), -1);
	struct jspan str = sv("true");
	cr_expect_eq(jspan_bool(&str, &b), -1);
}

/* The short-decimal fast path of jspan_double gives strtod's value bit for bit, and leaves to
 * strtod what it does not handle (exponents, long mantissas, leading zeros). */
Test(jspan, double_fast_path_matches_strtod)
{
	static const char *const nums[] = {"0", "-0", "12.5", "-0.25", "300", "0.1", "99.99", "1.",
					   "-.5", "007", "1e3", "2.5E-3", "123456789012345",
					   "1234567890123456", "0.000000000000000000001", "3.14159265358979",
					   "100.000000000000000000000001", "-", "1.2.3", "5-"};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		struct jspan v = {nums[i], strlen(nums[i]), '0'};
		char *end;
		double want = strtod(nums[i], &end);
		double got = -42;
		int rc = jspan_double(&v, &got);
		if (*end || end == nums[i]) {
			cr_expect_eq(rc, -1, "%s is not a number", nums[i]);
			continue;
		}
		cr_expect_eq(rc, 0, "%s", nums[i]);
		cr_expect(memcmp(&got, &want, sizeof got) == 0, "%s: %.17g, strtod %.17g", nums[i], got, want);
	}
}

/* The first member named key, found while the object is still cut off further on (a peek at
 * the first 4 KB of a file whose first line is longer). */
Test(jscan, member_prefix_of_a_cut_object)
{
	struct jspan v;
	const char *cut = "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"x\":\"abc";
	cr_assert_eq(jscan_member_prefix(cut, strlen(cut), "timestamp", &v), 0);
	cr_expect_eq(v.type, '"');
	cr_expect_eq(v.n, 24);
	cr_assert_eq(jscan_member_prefix(cut, strlen(cut), "type", &v), 0);
	cr_expect(jspan_eq(&v, "session_meta"));
	/* the member itself cut, or only after the cut, or never there */
	cr_expect_eq(jscan_member_prefix(cut, 20, "timestamp", &v), -1);
	cr_expect_eq(jscan_member_prefix(cut, strlen(cut), "payload", &v), -1);
	cr_expect_eq(jscan_member_prefix(cut, strlen(cut), "absent", &v), -1);
	/* a whole object, white space, a name that only starts like the key, not an object */
	const char *ws = " { \"timestampX\" : 1 , \"timestamp\" : \"t\" } ";
	cr_assert_eq(jscan_member_prefix(ws, strlen(ws), "timestamp", &v), 0);
	cr_expect(jspan_eq(&v, "t"));
	cr_expect_eq(jscan_member_prefix("[1]", 3, "timestamp", &v), -1);
	cr_expect_eq(jscan_member_prefix("{\"a\" 1}", 7, "a", &v), -1);
}

/* Names are grouped by length: same-length names, names longer than the grouping's last
 * length, a member name holding a NUL, and too many names for one object. */
Test(jscan, names_grouped_by_length)
{
	static const char *const keys[] = {"ab", "ba", "a_name_longer_than_thirty_one_bytes_x",
					   "a_name_longer_than_thirty_one_bytes_y", "a"};
	struct jspan v[5];
	const char s[] = "{\"ba\":1,\"a_name_longer_than_thirty_one_bytes_y\":2,\"a\\u0000\":3,\"a\":4,\"ab\":5}";
	cr_assert_gt(jscan_object(s, sizeof s - 1, keys, 5, v), 0);
	cr_expect_eq(v[0].p[0], '5');
	cr_expect_eq(v[1].p[0], '1');
	cr_expect_eq(v[2].type, 0);
	cr_expect_eq(v[3].p[0], '2');
	cr_expect_eq(v[4].p[0], '4');
	const char raw[] = "{\"a\0\":7}"; /* a raw NUL in a name is not the name "a" */
	cr_assert_gt(jscan_object(raw, sizeof raw - 1, keys, 5, v), 0);
	cr_expect_eq(v[4].type, 0);
	/* nor, among the long names (one group for every length from 31 on), is a longer name
	 * that holds a NUL right where the wanted one ends */
	const char raw2[] = "{\"a_name_longer_than_thirty_one_bytes_x\0zz\":8}";
	cr_assert_gt(jscan_object(raw2, sizeof raw2 - 1, keys, 5, v), 0);
	cr_expect_eq(v[2].type, 0);
	static const char *many[JSCAN_KEYS_MAX + 1];
	for (size_t i = 0; i <= JSCAN_KEYS_MAX; i++)
		many[i] = "k";
	struct jspan w[JSCAN_KEYS_MAX + 1];
	cr_expect_eq(jscan_object("{}", 2, many, JSCAN_KEYS_MAX + 1, w), -1);
}

/* A tree walk takes members of nested objects in the same pass, level by level into their
 * slots; a level applies only where the value is an object; a repeated name keeps the last
 * one's members only; members nested deeper than the tree are skipped whole. */
Test(jscan, tree_takes_nested_members_in_one_walk)
{
	static const char *const top_keys[] = {"type", "message", "after"};
	static const char *const msg_keys[] = {"id", "usage"};
	static const char *const use_keys[] = {"in", "out"};
	enum { T_TYPE, T_MSG, T_AFTER, M_ID, M_USAGE, U_IN, U_OUT, SLOTS };
	static const struct jscan_level use = {use_keys, 2, U_IN, NULL, 2};
	static const struct jscan_level *const msg_sub[] = {NULL, &use};
	static const struct jscan_level msg = {msg_keys, 2, M_ID, msg_sub, 4};
	static const struct jscan_level *const top_sub[] = {NULL, &msg, NULL};
	static const struct jscan_level top = {top_keys, 3, T_TYPE, top_sub, SLOTS};
	JSCAN_SUB_FITS(msg_sub, msg_keys);
	JSCAN_SUB_FITS(top_sub, top_keys);
	struct jspan v[SLOTS];
	const char *s = "{\"type\":\"assistant\",\"message\":{\"id\":\"m1\",\"content\":[{\"usage\":{\"in\":9}}],"
			"\"usage\":{\"in\":12,\"deep\":{\"out\":99},\"out\":34}},\"after\":true}";
	cr_assert_eq(jscan_tree(s, strlen(s), &top, v), (long)strlen(s));
	cr_expect(jspan_eq(&v[T_TYPE], "assistant"));
	cr_expect_eq(v[T_MSG].type, '{');
	cr_expect(jspan_eq(&v[M_ID], "m1"));
	cr_expect_eq(v[M_USAGE].type, '{');
	uint64_t x;
	cr_expect(jspan_u64(&v[U_IN], UINT64_MAX, &x) == 0 && x == 12, "not the one inside content");
	cr_expect(jspan_u64(&v[U_OUT], UINT64_MAX, &x) == 0 && x == 34, "not the one nested deeper");
	cr_expect_eq(v[T_AFTER].type, 't');

	/* the level is not applied to a value that is not an object; its slots stay absent */
	const char *t = "{\"message\":[{\"id\":\"x\"}],\"type\":\"user\"}";
	cr_assert_gt(jscan_tree(t, strlen(t), &top, v), 0);
	cr_expect_eq(v[T_MSG].type, '[');
	cr_expect_eq(v[M_ID].type, 0);
	cr_expect_eq(v[U_IN].type, 0);

	/* a repeated name: the last object's members, none left over from the first */
	const char *r = "{\"message\":{\"id\":\"first\",\"usage\":{\"in\":1,\"out\":2}},\"message\":{\"usage\":{\"in\":3}}}";
	cr_assert_gt(jscan_tree(r, strlen(r), &top, v), 0);
	cr_expect_eq(v[M_ID].type, 0);
	cr_expect(jspan_u64(&v[U_IN], UINT64_MAX, &x) == 0 && x == 3);
	cr_expect_eq(v[U_OUT].type, 0);

	/* malformed anywhere inside: the whole walk fails */
	const char *bad = "{\"message\":{\"usage\":{\"in\":1,}}}";
	cr_expect_eq(jscan_tree(bad, strlen(bad), &top, v), -1);
}
