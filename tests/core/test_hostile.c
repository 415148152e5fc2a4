/* test_hostile.c — hostile transcript lines through the public path (model_feed, then
 * model_stats and the request table): a 64 MB line, NUL bytes, invalid UTF-8, a BOM, CRLF,
 * nesting 100,000 deep, numbers that are negative, fractional, huge or strings, missing and
 * duplicated keys, and every prefix of a truncated line. Bad lines must be counted as
 * malformed (with their reason) and every good line around them must still count. Regression
 * inputs found by the fuzzers are at the end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/claude.h"
#include "cachetop/codex.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

struct fx {
	struct model *m;
	uint32_t cl, cx;
	int seq;
};

static void fx_init(struct fx *f)
{
	struct model_opts o;
	model_opts_default(&o);
	f->m = model_new(&o);
	f->cl = model_file_add(f->m, AGENT_CLAUDE, "/h/projects/p/s1.jsonl", false);
	f->cx = model_file_add(f->m, AGENT_CODEX, "/h/sessions/2026/01/05/rollout-x.jsonl", false);
	f->seq = 0;
}

static const struct model_stats *st(struct fx *f) { return model_stats(f->m); }

/* A good Claude assistant line with a fresh response id; `usage` is the inside of "usage". */
static size_t claude_line(struct fx *f, char *out, size_t cap, const char *usage)
{
	int k = f->seq++;
	int n = snprintf(out, cap,
		"{\"type\":\"assistant\",\"uuid\":\"u%d\",\"sessionId\":\"s1\",\"timestamp\":"
		"\"2026-01-05T10:%02d:00.000Z\",\"requestId\":\"req_%d\",\"message\":{\"id\":\"msg_%d\","
		"\"model\":\"claude-sonnet-4-20250514\",\"usage\":{%s}}}", k, k % 60, k, k, usage);
	cr_assert_lt((size_t)n, cap);
	return (size_t)n;
}

#define GOOD_USAGE "\"input_tokens\":10,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000,\"output_tokens\":5"

static void good_claude(struct fx *f)
{
	char b[1024];
	size_t n = claude_line(f, b, sizeof b, GOOD_USAGE);
	size_t before = model_request_count(f->m);
	model_feed(f->m, f->cl, b, n);
	cr_assert_eq(model_request_count(f->m), before + 1, "a good line must count: %s", b);
}

static void feed_claude(struct fx *f, const char *s) { model_feed(f->m, f->cl, s, strlen(s)); }
static void feed_codex(struct fx *f, const char *s) { model_feed(f->m, f->cx, s, strlen(s)); }

static void good_codex(struct fx *f)
{
	/* cumulative totals grow with seq so every line is a new request */
	int k = ++f->seq;
	char b[1024];
	snprintf(b, sizeof b,
		 "{\"timestamp\":\"2026-01-05T11:%02d:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
		 "\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":%d,\"cached_input_tokens\":%d,"
		 "\"output_tokens\":%d,\"reasoning_output_tokens\":0,\"total_tokens\":%d}}}}",
		 k % 60, 1000 * k, 500 * k, 10 * k, 1010 * k);
	size_t before = model_request_count(f->m);
	feed_codex(f, b);
	cr_assert_eq(model_request_count(f->m), before + 1, "a good Codex line must count: %s", b);
}

/* Feed a line that must be malformed for `why`; checks the counters moved by exactly one. */
static void expect_malformed(struct fx *f, bool codex, const char *s, size_t n, enum line_problem why)
{
	struct model_stats before = *st(f);
	size_t reqs = model_request_count(f->m);
	model_feed(f->m, codex ? f->cx : f->cl, s, n);
	cr_expect_eq(st(f)->lines, before.lines + 1, "line not counted: %.200s", s);
	cr_expect_eq(st(f)->malformed, before.malformed + 1, "not malformed: %.200s", s);
	cr_expect_eq(st(f)->by_problem[why], before.by_problem[why] + 1, "wrong reason for: %.200s", s);
	cr_expect_eq(model_request_count(f->m), reqs, "a malformed line made a request: %.200s", s);
}
#define MALFORMED(f, codex, lit, why) expect_malformed(f, codex, lit, strlen(lit), why)

Test(hostile, line_of_64_megabytes)
{
	struct fx f;
	fx_init(&f);
	good_claude(&f);
	const size_t big = 64u << 20;
	const char *head = "{\"type\":\"assistant\",\"uuid\":\"big\",\"sessionId\":\"s1\",\"timestamp\":"
			   "\"2026-01-05T10:30:00.000Z\",\"requestId\":\"req_big\",\"toolUseResult\":{\"stdout\":\"";
	const char *mid = "\",\"nested\":[[{\"a\":\"]}\"}]]},\"message\":{\"id\":\"msg_big\",\"model\":"
			  "\"claude-sonnet-4-20250514\",\"content\":[{\"type\":\"text\",\"text\":\"";
	const char *tail = "\"}],\"usage\":{\"input_tokens\":7,\"cache_creation_input_tokens\":70,"
			   "\"cache_read_input_tokens\":700,\"output_tokens\":3}}}";
	size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail), half = big / 2;
	char *s = malloc(hl + ml + tl + 2 * half);
	cr_assert_not_null(s);
	size_t o = 0;
	memcpy(s + o, head, hl), o += hl;
	/* text with escapes, quotes and brackets all the way through */
	for (size_t i = 0; i < half; i += 8)
		memcpy(s + o + i, "ab\\\"{[\\\\", 8);
	o += half;
	memcpy(s + o, mid, ml), o += ml;
	memset(s + o, 'x', half), o += half;
	memcpy(s + o, tail, tl), o += tl;
	cr_assert_gt(o, big);
	unsigned ch = model_feed(f.m, f.cl, s, o);
	cr_expect(ch & MODEL_NEW_REQUEST, "the 64 MB line is a request");
	cr_assert_eq(model_request_count(f.m), 2);
	const struct request *r = model_request(f.m, 1);
	cr_expect_eq(r->input, 7);
	cr_expect_eq(r->cc5m, 70);
	cr_expect_eq(r->cache_read, 700);
	cr_expect_eq(r->output, 3);
	cr_expect_eq(st(&f)->malformed, 0);
	/* the same line cut before its last byte is malformed, not a crash */
	expect_malformed(&f, false, s, o - 1, LP_NOT_JSON);
	/* and as a Codex line: skipped (no type it uses), not malformed */
	struct model_stats before = *st(&f);
	model_feed(f.m, f.cx, s, o);
	cr_expect_eq(st(&f)->skipped, before.skipped + 1);
	free(s);
	good_claude(&f);
	model_free(f.m);
}

Test(hostile, nul_bytes)
{
	struct fx f;
	fx_init(&f);
	char b[1024];
	/* a NUL inside a string value: the parser is length-based, the line still counts */
	size_t n = claude_line(&f, b, sizeof b, GOOD_USAGE);
	char *u = strstr(b, "\"uuid\":\"u");
	u[8] = '\0'; /* the first byte of the uuid's value */
	size_t before = model_request_count(f.m);
	model_feed(f.m, f.cl, b, n);
	cr_expect_eq(model_request_count(f.m), before + 1, "NUL inside a string does not end the line");
	/* a NUL where JSON syntax belongs: malformed */
	n = claude_line(&f, b, sizeof b, GOOD_USAGE);
	b[1] = '\0';
	expect_malformed(&f, false, b, n, LP_NOT_JSON);
	/* a line of NULs, and a NUL before the object */
	char zeros[64] = {0};
	expect_malformed(&f, false, zeros, sizeof zeros, LP_NOT_JSON);
	expect_malformed(&f, true, zeros, sizeof zeros, LP_NOT_JSON);
	n = claude_line(&f, b + 1, sizeof b - 1, GOOD_USAGE);
	b[0] = '\0';
	expect_malformed(&f, false, b, n + 1, LP_NOT_JSON);
	good_claude(&f);
	model_free(f.m);
}

Test(hostile, invalid_utf8)
{
	struct fx f;
	fx_init(&f);
	/* invalid bytes inside strings (session id, model, title, cwd) do not stop parsing */
	feed_claude(&f, "{\"type\":\"assistant\",\"uuid\":\"\xff\xfe\",\"sessionId\":\"s\xc0\xaf\",\"cwd\":"
			"\"/tmp/\xed\xa0\x80\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"requestId\":\"r\xf8\","
			"\"message\":{\"id\":\"m\x80\",\"model\":\"claude-\xe2\x82\",\"usage\":{" GOOD_USAGE "}}}");
	cr_expect_eq(model_request_count(f.m), 1);
	cr_expect_eq(st(&f)->malformed, 0);
	feed_claude(&f, "{\"type\":\"custom-title\",\"customTitle\":\"\x1b[31m\xff\xe2\x80\xae\",\"sessionId\":\"s\xc0\xaf\"}");
	int32_t si = model_session_find(f.m, "s\xc0\xaf");
	cr_assert_geq(si, 0);
	cr_expect_not_null(model_session(f.m, (size_t)si)->title);
	/* invalid UTF-8 outside strings is malformed */
	MALFORMED(&f, false, "\xff{\"type\":\"user\"}", LP_NOT_JSON);
	MALFORMED(&f, false, "{\"type\":\"user\"\xc0}", LP_NOT_JSON);
	MALFORMED(&f, true, "\xed\xa0\x80", LP_NOT_JSON);
	good_claude(&f);
	good_codex(&f);
	model_free(f.m);
}

Test(hostile, bom_at_the_start_of_the_first_line)
{
	struct fx f;
	fx_init(&f);
	char b[1100];
	memcpy(b, "\xEF\xBB\xBF", 3);
	size_t n = claude_line(&f, b + 3, sizeof b - 3, GOOD_USAGE) + 3;
	unsigned ch = model_feed(f.m, f.cl, b, n);
	cr_expect(ch & MODEL_NEW_REQUEST, "a BOM before the first line must not make it malformed");
	cr_expect_eq(st(&f)->malformed, 0);
	const char *cx = "\xEF\xBB\xBF{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"session_meta\","
			 "\"payload\":{\"id\":\"bom-session\",\"cwd\":\"/x\"}}";
	feed_codex(&f, cx);
	cr_expect_geq(model_session_find(f.m, "bom-session"), 0, "a Codex session_meta after a BOM");
	/* the timestamp peeks used to order files see through it too */
	int64_t ms;
	char buf[1200];
	int len = snprintf(buf, sizeof buf, "%.*s\n", (int)n, b);
	cr_expect_eq(line_peek_first_ts(buf, (size_t)len, &ms), 0);
	cr_expect_eq(line_peek_last_ts(buf, (size_t)len, &ms), 0);
	/* a first line longer than the peek: its leading timestamp is enough */
	cr_expect_eq(line_peek_first_ts(buf, (size_t)len - 20, &ms), 0);
	cr_expect_eq(ms, 1767607200000);
	/* a BOM alone, or two BOMs, are not lines that parse */
	MALFORMED(&f, false, "\xEF\xBB\xBF", LP_NOT_JSON);
	MALFORMED(&f, false, "\xEF\xBB\xBF\xEF\xBB\xBF{\"type\":\"user\"}", LP_NOT_JSON);
	model_free(f.m);
}

Test(hostile, crlf_endings)
{
	struct fx f;
	fx_init(&f);
	char b[1100];
	size_t n = claude_line(&f, b, sizeof b - 2, GOOD_USAGE);
	memcpy(b + n, "\r", 2);
	model_feed(f.m, f.cl, b, n + 1);
	cr_expect_eq(model_request_count(f.m), 1);
	feed_codex(&f, "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"session_meta\",\"payload\":"
		       "{\"id\":\"crlf\"}}\r");
	cr_expect_geq(model_session_find(f.m, "crlf"), 0);
	/* lone "\r" lines are blank, not lines */
	uint64_t lines = st(&f)->lines;
	feed_claude(&f, "\r");
	feed_claude(&f, "");
	feed_codex(&f, " \t\r");
	cr_expect_eq(st(&f)->lines, lines);
	cr_expect_eq(st(&f)->malformed, 0);
	model_free(f.m);
}

static char *nested(size_t depth, const char *before, const char *after, size_t *len, bool closed)
{
	size_t bl = strlen(before), al = strlen(after);
	char *s = malloc(bl + 2 * depth + al + 1);
	memcpy(s, before, bl);
	memset(s + bl, '[', depth);
	size_t o = bl + depth;
	if (closed) {
		memset(s + o, ']', depth);
		o += depth;
	}
	memcpy(s + o, after, al);
	o += al;
	s[o] = 0;
	*len = o;
	return s;
}

Test(hostile, nesting_100000_deep)
{
	struct fx f;
	fx_init(&f);
	size_t n;
	char *s = nested(100000, "{\"type\":\"assistant\",\"uuid\":\"deep\",\"sessionId\":\"s1\",\"timestamp\":"
				 "\"2026-01-05T10:00:00Z\",\"toolUseResult\":",
			 ",\"message\":{\"id\":\"msg_deep\",\"model\":\"claude-sonnet-4\",\"usage\":{" GOOD_USAGE "}}}",
			 &n, true);
	model_feed(f.m, f.cl, s, n);
	cr_expect_eq(model_request_count(f.m), 1, "deep nesting elsewhere does not hide the usage");
	free(s);
	/* inside usage itself: the usage object is still well-formed, the extra member ignored */
	s = nested(100000, "{\"type\":\"assistant\",\"uuid\":\"deep2\",\"sessionId\":\"s1\",\"timestamp\":"
			   "\"2026-01-05T10:01:00Z\",\"message\":{\"id\":\"msg_deep2\",\"usage\":{\"x\":",
		   "," GOOD_USAGE "}}}", &n, true);
	model_feed(f.m, f.cl, s, n);
	cr_expect_eq(model_request_count(f.m), 2);
	free(s);
	/* unbalanced: malformed */
	s = nested(100000, "{\"type\":\"user\",\"x\":", "}", &n, false);
	expect_malformed(&f, false, s, n, LP_NOT_JSON);
	free(s);
	/* Codex: deep nesting in rate_limits (json-c parses it, with a depth limit) and in info */
	s = nested(100000, "{\"timestamp\":\"2026-01-05T10:02:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
			   "\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":100,"
			   "\"cached_input_tokens\":0,\"output_tokens\":1,\"reasoning_output_tokens\":0,"
			   "\"total_tokens\":101},\"deep\":",
		   "},\"rate_limits\":{\"primary\":{\"used_percent\":5,\"window_minutes\":300,\"x\":[[[[[[[[[[[[[[[[[["
		   "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
		   "}}}}", &n, true);
	size_t before = model_request_count(f.m);
	model_feed(f.m, f.cx, s, n);
	cr_expect_eq(model_request_count(f.m), before + 1);
	free(s);
	s = nested(100000, "{\"timestamp\":\"2026-01-05T10:03:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
			   "\"type\":\"token_count\",\"rate_limits\":{\"primary\":",
		   "}}}", &n, true);
	model_feed(f.m, f.cx, s, n);
	cr_expect_eq(st(&f)->malformed, 1);
	free(s);
	/* statusline stdin and state file */
	s = nested(100000, "{\"rate_limits\":", "}", &n, true);
	static struct statusline_input in;
	cr_expect_eq(statusline_parse(s, n, 0, &in), -1, "json-c's depth limit refuses it");
	struct official_reading co;
	statusline_state_read(s, n, &co);
	cr_expect_not(co.present);
	free(s);
	good_claude(&f);
	good_codex(&f);
	model_free(f.m);
}

Test(hostile, bad_numbers_claude)
{
	struct fx f;
	fx_init(&f);
	static const char *const bad[] = {
		"\"input_tokens\":-1", "\"input_tokens\":1.5", "\"input_tokens\":1e3", "\"input_tokens\":1E3",
		"\"input_tokens\":9223372036854775808", "\"input_tokens\":18446744073709551616",
		"\"input_tokens\":99999999999999999999999999", "\"input_tokens\":4294967296",
		"\"input_tokens\":\"100\"", "\"input_tokens\":true", "\"input_tokens\":[1]",
		"\"input_tokens\":{}", "\"output_tokens\":-0", "\"cache_read_input_tokens\":0.0",
		"\"cache_creation\":{\"ephemeral_5m_input_tokens\":-5}",
		"\"cache_creation\":{\"ephemeral_1h_input_tokens\":\"7\"}", "\"input_tokens\":12abc", "\"input_tokens\":-",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char b[1024];
		size_t n = claude_line(&f, b, sizeof b, bad[i]);
		expect_malformed(&f, false, b, n, LP_BAD_NUMBER);
		good_claude(&f);
	}
	/* NaN and Infinity are not JSON at all */
	static const char *const notjson[] = {"\"cache_creation_input_tokens\":NaN",
					      "\"cache_creation_input_tokens\":Infinity"};
	for (size_t i = 0; i < sizeof notjson / sizeof notjson[0]; i++) {
		char b[1024];
		size_t n = claude_line(&f, b, sizeof b, notjson[i]);
		expect_malformed(&f, false, b, n, LP_NOT_JSON);
	}
	/* null is "absent": zero, and the line counts */
	char b[1024];
	size_t n = claude_line(&f, b, sizeof b, "\"input_tokens\":null,\"output_tokens\":7");
	size_t before = model_request_count(f.m);
	model_feed(f.m, f.cl, b, n);
	cr_expect_eq(model_request_count(f.m), before + 1);
	/* the largest count a request can hold */
	n = claude_line(&f, b, sizeof b, "\"input_tokens\":4294967295");
	model_feed(f.m, f.cl, b, n);
	cr_expect_eq(model_request(f.m, model_request_count(f.m) - 1)->input, 4294967295u);
	cr_expect_eq(st(&f)->by_problem[LP_BAD_NUMBER], sizeof bad / sizeof bad[0]);
	model_free(f.m);
}

Test(hostile, bad_numbers_codex)
{
	struct fx f;
	fx_init(&f);
	static const char *const bad[] = {
		"\"input_tokens\":-100", "\"input_tokens\":100.5", "\"input_tokens\":1e9",
		"\"input_tokens\":9223372036854775808", "\"input_tokens\":\"100\"", "\"total_tokens\":-1",
		"\"input_tokens\":10,\"cached_input_tokens\":11", /* cached ⊂ input */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char b[1024];
		snprintf(b, sizeof b,
			 "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
			 "\"token_count\",\"info\":{\"last_token_usage\":{%s}}}}", bad[i]);
		MALFORMED(&f, true, b, LP_BAD_NUMBER);
		good_codex(&f);
	}
	/* huge rate-limit numbers are ignored, never converted out of range */
	feed_codex(&f, "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
		       "\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":1e308,"
		       "\"window_minutes\":1e300,\"resets_at\":-1e300},\"secondary\":{\"used_percent\":\"5\"}}}}");
	const struct account_limits *q = model_account_limits(f.m);
	cr_assert(q->present);
	cr_expect_eq(q->rl.primary.window_minutes, -1);
	cr_expect_eq(q->rl.primary.resets_at_ms, CT_TIME_NONE);
	cr_expect_not(q->rl.secondary.present);
	model_free(f.m);
}

Test(hostile, missing_and_duplicated_keys)
{
	struct fx f;
	fx_init(&f);
	/* Claude */
	MALFORMED(&f, false, "{\"uuid\":\"x\",\"sessionId\":\"s1\"}", LP_MISSING_FIELD);
	MALFORMED(&f, false, "{\"type\":7,\"uuid\":\"x\"}", LP_MISSING_FIELD);
	MALFORMED(&f, false, "{\"type\":\"assistant\",\"uuid\":\"nots\",\"sessionId\":\"s1\",\"message\":{\"id\":"
			     "\"m\",\"usage\":{\"input_tokens\":1}}}", LP_BAD_TIME);
	MALFORMED(&f, false, "{\"type\":\"user\",\"uuid\":\"badts\",\"timestamp\":\"yesterday\"}", LP_BAD_TIME);
	MALFORMED(&f, false, "{\"type\":\"user\",\"uuid\":\"numts\",\"timestamp\":1767600000}", LP_BAD_TIME);
	/* no uuid: bookkeeping, skipped — but a usage line without a uuid is a request when its
	 * counts are there, and malformed with its reason when they are not */
	MALFORMED(&f, false, "{\"type\":\"assistant\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"usage\":{}}}",
		  LP_MISSING_FIELD);
	MALFORMED(&f, false, "{\"type\":\"assistant\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"m0\","
			     "\"usage\":{\"input_tokens\":-3,\"output_tokens\":1}}}", LP_BAD_NUMBER);
	struct model_stats before = *st(&f);
	feed_claude(&f, "{\"type\":\"user\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"content\":\"x\"}}");
	cr_expect_eq(st(&f)->skipped, before.skipped + 1);
	feed_claude(&f, "{\"type\":\"assistant\",\"uuid\":\"nousage\",\"sessionId\":\"s1\",\"timestamp\":"
			"\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"m\"}}");
	cr_expect_eq(model_request_count(f.m), 0);
	cr_expect_eq(st(&f)->malformed, before.malformed);
	/* duplicated keys: the last one wins (as json-c) */
	feed_claude(&f, "{\"type\":\"user\",\"type\":\"assistant\",\"uuid\":\"dup\",\"sessionId\":\"s1\","
			"\"timestamp\":\"bad\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"msg_dup\","
			"\"usage\":{\"input_tokens\":-1,\"input_tokens\":42,\"output_tokens\":1}}}");
	cr_assert_eq(model_request_count(f.m), 1);
	cr_expect_eq(model_request(f.m, 0)->input, 42);
	MALFORMED(&f, false, "{\"type\":\"assistant\",\"uuid\":\"dup2\",\"sessionId\":\"s1\",\"timestamp\":"
			     "\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"msg_dup2\",\"usage\":{\"input_tokens\":42,"
			     "\"input_tokens\":-1}}}", LP_BAD_NUMBER);
	/* Codex */
	MALFORMED(&f, true, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"payload\":{}}", LP_MISSING_FIELD);
	MALFORMED(&f, true, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"session_meta\",\"payload\":"
			    "{\"cwd\":\"/x\"}}", LP_MISSING_FIELD);
	MALFORMED(&f, true, "{\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":null}}",
		  LP_BAD_TIME);
	MALFORMED(&f, true, "{\"timestamp\":\"2026-13-01T00:00:00Z\",\"type\":\"event_msg\",\"payload\":{}}",
		  LP_BAD_TIME);
	MALFORMED(&f, true, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
			    "\"token_count\",\"info\":{\"last_token_usage\":{\"input_tokens\":5,\"input_tokens\":-5}}}}",
		  LP_BAD_NUMBER);
	before = *st(&f);
	feed_codex(&f, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"turn_context\",\"payload\":{}}");
	feed_codex(&f, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"event_msg\"}");
	feed_codex(&f, "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"something_new\",\"payload\":{}}");
	cr_expect_eq(st(&f)->malformed, before.malformed, "unknown or empty types are skipped, not malformed");
	good_claude(&f);
	good_codex(&f);
	model_free(f.m);
}

Test(hostile, every_prefix_of_a_line)
{
	struct fx f;
	fx_init(&f);
	char b[1024];
	size_t n = claude_line(&f, b, sizeof b, GOOD_USAGE
			       ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":100,\"ephemeral_1h_input_tokens\":0}");
	static const char cx[] =
		"{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
		"\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":17088,\"cached_input_tokens\":3456,"
		"\"output_tokens\":350,\"reasoning_output_tokens\":152,\"total_tokens\":17438}},\"rate_limits\":{"
		"\"primary\":{\"used_percent\":13.0,\"window_minutes\":300,\"resets_at\":1771864834}}}}";
	uint64_t blank = 0;
	for (size_t k = 1; k < n; k++) {
		bool ws = b[k - 1] == ' ';
		model_feed(f.m, f.cl, b, k);
		blank += ws && k == 1;
	}
	for (size_t k = 1; k < sizeof cx - 1; k++)
		model_feed(f.m, f.cx, cx, k);
	uint64_t fed = (n - 1) + (sizeof cx - 2) - blank;
	cr_expect_eq(st(&f)->lines, fed);
	cr_expect_eq(st(&f)->malformed, fed, "every proper prefix of an object is malformed");
	cr_expect_eq(st(&f)->by_problem[LP_NOT_JSON], fed);
	cr_expect_eq(model_request_count(f.m), 0);
	/* and the whole lines still count afterwards */
	model_feed(f.m, f.cl, b, n);
	feed_codex(&f, cx);
	cr_expect_eq(model_request_count(f.m), 2);
	model_free(f.m);
}

Test(hostile, good_lines_among_bad_ones_all_count)
{
	struct fx f;
	fx_init(&f);
	static const char *const junk[] = {
		"", "\r", "garbage", "{", "}", "[]", "null", "\"string\"", "{\"type\":\"assistant\"", "{}",
		"{\"type\":\"assistant\",\"uuid\":1}", "\xff\xfe\xfd", "{\"a\":[}", "{\"type\":\"user\",\"uuid\":\"x\","
		"\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":\"not an object\"}",
	};
	int good = 0;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
			feed_claude(&f, junk[i]);
			feed_codex(&f, junk[i]);
		}
		good_claude(&f);
		good_codex(&f);
		good += 2;
	}
	cr_expect_eq(model_request_count(f.m), (size_t)good);
	cr_expect_eq(model_totals(f.m)->requests, (uint64_t)good);
	const struct model_stats *s = st(&f);
	/* per round and agent: 12 non-blank junk lines and one good one; one Claude junk line is a
	 * well-formed entry, every other junk line is malformed or skipped */
	cr_expect_eq(s->lines, 20 * 2 * 13);
	cr_expect_eq(s->malformed + s->skipped, 20 * (2 * 12 - 1));
	cr_expect_gt(s->malformed, 0);
	model_free(f.m);
}

/* ---- regressions from the fuzzers ------------------------------------------------------- */

Test(fuzz_regression, statusline_resets_at_out_of_int64_range)
{
	/* fuzz_statusline: resets_at 1.8e19 s → (int64_t)(v * 1000) was undefined */
	static const char *const in[] = {
		"{\"rate_limits\":{\"five_hour\":{\"used_percentage\":1,\"resets_at\":18446744073709551615}}}",
		"{\"rate_limits\":{\"five_hour\":{\"used_percentage\":1,\"resets_at\":-1e300}}}",
		"{\"rate_limits\":{\"seven_day\":{\"used_percentage\":NaN,\"resets_at\":Infinity}}}",
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		static struct statusline_input s;
		cr_expect_eq(statusline_parse(in[i], strlen(in[i]), 0, &s), 0);
		cr_expect_eq(s.rl.five_hour_resets_at, CT_TIME_NONE);
		cr_expect_eq(s.rl.seven_day_resets_at, CT_TIME_NONE);
		cr_expect(s.rl.seven_day_pct < 0, "NaN is not a percentage");
	}
	const char *state = "{\"observed_at\":\"2026-01-05T10:00:00Z\",\"five_hour\":{\"used_percentage\":3,"
			    "\"resets_at\":1e22}}\n";
	struct official_reading co;
	statusline_state_read(state, strlen(state), &co);
	cr_expect(co.present);
	cr_expect_eq(co.five_hour_resets_at, CT_TIME_NONE);
}

Test(fuzz_regression, codex_rate_limit_numbers_out_of_range)
{
	static struct line ln;
	const char *s = "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
			"\"token_count\",\"rate_limits\":{\"primary_used_percent\":1,\"primary_window_minutes\":1e19,"
			"\"primary_reset_after_seconds\":1e300,\"secondary\":{\"used_percent\":2,\"resets_in_seconds\":"
			"-1e300,\"window_minutes\":-9e18}}}}";
	line_parse_codex(s, strlen(s), &ln);
	cr_assert_eq(ln.kind, LINE_TOKEN_COUNT);
	cr_expect_eq(ln.rl.primary.window_minutes, -1);
	cr_expect_eq(ln.rl.primary.resets_at_ms, CT_TIME_NONE);
	cr_expect_eq(ln.rl.secondary.resets_at_ms, CT_TIME_NONE);
	cr_expect_eq(ln.rl.secondary.window_minutes, -1);
}

Test(fuzz_regression, key_holding_a_nul_is_not_a_shorter_key)
{
	/* fuzz_codex (after main's jscan key-compare change): the key "type\0\x10fo" made
	 * strncmp stop at the NUL and keys[k][9] read past "type" — a global-buffer-overflow */
	static const unsigned char crash[] = {
		0x7b, 0x22, 0x74, 0x69, 0x6d, 0x65, 0x73, 0x6d, 0x70, 0x22, 0x3a, 0x22, 0x32, 0x30, 0x32, 0x30,
		0x30, 0x30, 0x5a, 0x22, 0x2c, 0x22, 0x74, 0x8c, 0x00, 0x65, 0x22, 0x3a, 0x22, 0x69, 0x6e, 0x70,
		0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73, 0x97, 0xdd, 0x9a, 0x8a, 0x65, 0x6e, 0x74,
		0x5f, 0x6d, 0x22, 0x2c, 0x22, 0x74, 0x79, 0x70, 0x65, 0x00, 0x10, 0x66, 0x6f, 0x22, 0x3a, 0x66,
		0x61, 0x6c, 0x73, 0x65, 0x2c, 0x22, 0x75, 0x6e, 0x6c, 0x69, 0x6d, 0x69, 0x74, 0x65, 0x64, 0x22,
		0x3a, 0x66, 0x61, 0x6c, 0x73, 0x65, 0x2c, 0x22, 0x62, 0x61, 0x6c, 0x61, 0x6e, 0x63, 0x65, 0x22,
		0x3a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x01, 0x00, 0x62, 0x50, 0x00,
		0x18, 0xb1, 0x00, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a};
	/* an exact-size heap copy, so any read past the end is caught by ASan */
	char *s = malloc(sizeof crash);
	memcpy(s, crash, sizeof crash);
	static struct line ln;
	line_parse_codex(s, sizeof crash, &ln);
	cr_expect_eq(ln.kind, LINE_MALFORMED);
	line_parse_claude(s, sizeof crash, &ln);
	cr_expect_eq(ln.kind, LINE_MALFORMED);
	free(s);
	/* the same shape, well-formed: "type\0x" is not "type" */
	static const char nul_key[] = "{\"type\0x\":\"session_meta\",\"timestamp\":\"2026-01-05T10:00:00Z\","
				      "\"payload\":{\"id\":\"x\"}}";
	s = malloc(sizeof nul_key - 1);
	memcpy(s, nul_key, sizeof nul_key - 1);
	line_parse_codex(s, sizeof nul_key - 1, &ln);
	cr_expect_eq(ln.kind, LINE_MALFORMED);
	cr_expect_eq(ln.problem, LP_MISSING_FIELD, "no \"type\" member");
	free(s);
}

Test(fuzz_regression, event_msg_fast_path_reads_only_the_line)
{
	/* the event_msg prefilter compared "token_count\"" with strncmp past the end of a line
	 * that is not NUL-terminated; each cut below ends inside the compared word */
	static const char full[] = "{\"timestamp\":\"2026-01-05T10:00:00Z\",\"type\":\"event_msg\",\"payload\":"
				   "{\"type\":\"token_count\",\"info\":null}}";
	const char *at = strstr(full, "token_count");
	size_t base = (size_t)(at - full);
	for (size_t cut = base; cut <= base + 12; cut++) {
		char *s = malloc(cut);
		memcpy(s, full, cut);
		static struct line ln;
		line_parse_codex(s, cut, &ln);
		cr_expect_eq(ln.kind, LINE_MALFORMED, "cut at %zu", cut);
		free(s);
	}
}

Test(fuzz_regression, member_value_missing_at_the_end_of_the_line)
{
	/* fuzz_codex and fuzz_claude (the nested walk, now jscan_tree): "key": followed only by white
	 * space to the end of the buffer made the nested-member check read s[n] */
	static const char *const lines[] = {
		"{\"ti\x10\":\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
		"{\"payload\":", "{\"message\":  ", "{\"type\":\"event_msg\",\"payload\":\n\n",
		"{\"type\":\"assistant\",\"message\":"};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		size_t n = strlen(lines[i]);
		char *s = malloc(n); /* exact size: a read past the end is an ASan error */
		memcpy(s, lines[i], n);
		static struct line ln;
		line_parse_codex(s, n, &ln);
		cr_expect_eq(ln.kind, LINE_MALFORMED, "codex: %s", lines[i]);
		line_parse_claude(s, n, &ln);
		cr_expect_eq(ln.kind, LINE_MALFORMED, "claude: %s", lines[i]);
		free(s);
	}
}
