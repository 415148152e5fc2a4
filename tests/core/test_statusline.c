/* test_statusline.c — the statusLine stdin JSON (with and without rate_limits; resets_at as epoch
 * seconds or RFC 3339; model as object or string) and the state file: a reading written as a
 * line reads back the same, the latest observed_at wins whatever the line order, and garbage
 * lines are skipped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

#define NOW 1771850000000LL

static int parse(const char *s, struct statusline_input *in) { return statusline_parse(s, strlen(s), NOW, in); }

Test(statusline, stdin_with_rate_limits)
{
	static struct statusline_input in;
	const char *s = "{\"hook_event_name\":\"Status\",\"session_id\":\"abc123\",\"transcript_path\":"
			"\"/home/u/.claude/projects/p/abc123.jsonl\",\"cwd\":\"/home/u/p\",\"model\":{\"id\":"
			"\"claude-opus-4-1\",\"display_name\":\"Opus\"},\"workspace\":{\"current_dir\":\"/home/u/w\"},"
			"\"rate_limits\":{\"five_hour\":{\"used_percentage\":42.5,\"resets_at\":1771864834},"
			"\"seven_day\":{\"used_percentage\":10,\"resets_at\":1772355702}}}";
	cr_assert_eq(parse(s, &in), 0);
	cr_expect_str_eq(in.session_id, "abc123");
	cr_expect_str_eq(in.model, "Opus");
	cr_expect_str_eq(in.transcript_path, "/home/u/.claude/projects/p/abc123.jsonl");
	cr_expect_str_eq(in.cwd, "/home/u/w", "workspace.current_dir is preferred over cwd");
	cr_assert(in.rl.present);
	cr_expect_eq(in.rl.observed_at, NOW);
	cr_expect_float_eq(in.rl.five_hour_pct, 42.5, 1e-9);
	cr_expect_eq(in.rl.five_hour_resets_at, 1771864834LL * 1000, "resets_at is epoch seconds");
	cr_expect_float_eq(in.rl.seven_day_pct, 10.0, 1e-9);
	cr_expect_eq(in.rl.seven_day_resets_at, 1772355702LL * 1000);
}

Test(statusline, stdin_without_rate_limits)
{
	static struct statusline_input in;
	cr_assert_eq(parse("{\"session_id\":\"s1\",\"cwd\":\"/tmp\",\"model\":{\"id\":\"claude-sonnet-4-5\"}}", &in), 0);
	cr_expect_str_eq(in.session_id, "s1");
	cr_expect_str_eq(in.model, "claude-sonnet-4-5", "id when there is no display_name");
	cr_expect_str_eq(in.cwd, "/tmp");
	cr_expect_not(in.rl.present);
	cr_expect_lt(in.rl.five_hour_pct, 0);
	cr_expect_eq(in.rl.five_hour_resets_at, CT_TIME_NONE);
	/* rate_limits present but empty or of the wrong type: still no reading */
	cr_assert_eq(parse("{\"rate_limits\":{}}", &in), 0);
	cr_expect_not(in.rl.present);
	cr_assert_eq(parse("{\"rate_limits\":[1,2]}", &in), 0);
	cr_expect_not(in.rl.present);
	cr_assert_eq(parse("{\"rate_limits\":{\"five_hour\":{\"used_percentage\":\"42\"}}}", &in), 0);
	cr_expect_not(in.rl.present, "a percentage given as a string is not a number");
	cr_assert_eq(parse("{}", &in), 0);
	cr_expect_str_eq(in.session_id, "");
}

Test(statusline, other_shapes)
{
	static struct statusline_input in;
	cr_assert_eq(parse("{\"model\":\"claude-haiku-4-5\",\"rate_limits\":{\"five_hour\":{\"utilization\":3.5,"
			   "\"resets_at\":\"2026-02-23T17:00:00+01:00\"}}}", &in), 0);
	cr_expect_str_eq(in.model, "claude-haiku-4-5");
	cr_assert(in.rl.present);
	cr_expect_float_eq(in.rl.five_hour_pct, 3.5, 1e-9);
	int64_t want;
	cr_assert_eq(rfc3339_parse("2026-02-23T16:00:00Z", 20, &want), 0);
	cr_expect_eq(in.rl.five_hour_resets_at, want, "resets_at as RFC 3339");
	cr_expect_lt(in.rl.seven_day_pct, 0);
	/* a huge or non-finite resets_at is no time at all */
	cr_assert_eq(parse("{\"rate_limits\":{\"five_hour\":{\"used_percentage\":1,\"resets_at\":1e300}}}", &in), 0);
	cr_expect(in.rl.present);
	cr_expect_eq(in.rl.five_hour_resets_at, CT_TIME_NONE);
}

Test(statusline, not_an_object)
{
	static struct statusline_input in;
	cr_expect_eq(parse("", &in), -1);
	cr_expect_eq(parse("[]", &in), -1);
	cr_expect_eq(parse("\"x\"", &in), -1);
	cr_expect_eq(parse("{\"session_id\":", &in), -1);
	cr_expect_eq(parse("garbage", &in), -1);
	cr_expect_not(in.rl.present);
}

Test(statusline, long_fields_truncated)
{
	static struct statusline_input in;
	char s[600];
	char id[300];
	memset(id, 'x', sizeof id - 1);
	id[sizeof id - 1] = 0;
	snprintf(s, sizeof s, "{\"session_id\":\"%s\"}", id);
	cr_assert_eq(parse(s, &in), 0);
	cr_expect_eq(strlen(in.session_id), sizeof in.session_id - 1);
}

Test(state, line_round_trip)
{
	struct claude_official r = {.present = true, .observed_at = 1771850123456LL, .five_hour_pct = 42.5,
				    .five_hour_resets_at = 1771864834000LL, .seven_day_pct = 10.25,
				    .seven_day_resets_at = 1772355702000LL};
	struct buf b = {0};
	statusline_state_line(&r, &b);
	cr_assert_gt(b.len, 0);
	cr_expect_eq(b.data[b.len - 1], '\n');
	cr_expect_eq(memchr(b.data, '\n', b.len - 1), NULL, "one line");
	struct claude_official back;
	statusline_state_read(b.data, b.len, &back);
	cr_assert(back.present);
	cr_expect_eq(back.observed_at, r.observed_at);
	cr_expect_float_eq(back.five_hour_pct, r.five_hour_pct, 1e-9);
	cr_expect_eq(back.five_hour_resets_at, r.five_hour_resets_at);
	cr_expect_float_eq(back.seven_day_pct, r.seven_day_pct, 1e-9);
	cr_expect_eq(back.seven_day_resets_at, r.seven_day_resets_at);
	buf_free(&b);

	/* a reading with only the five-hour window and no reset time */
	struct claude_official p = {.present = true, .observed_at = 1771850000000LL, .five_hour_pct = 7,
				    .five_hour_resets_at = CT_TIME_NONE, .seven_day_pct = -1,
				    .seven_day_resets_at = CT_TIME_NONE};
	statusline_state_line(&p, &b);
	statusline_state_read(b.data, b.len, &back);
	cr_assert(back.present);
	cr_expect_float_eq(back.five_hour_pct, 7, 1e-9);
	cr_expect_eq(back.five_hour_resets_at, CT_TIME_NONE);
	cr_expect_lt(back.seven_day_pct, 0);
	buf_free(&b);
}

static void add(struct buf *b, int64_t observed, double pct)
{
	struct claude_official r = {.present = true, .observed_at = observed, .five_hour_pct = pct,
				    .five_hour_resets_at = 1771864834000LL, .seven_day_pct = -1,
				    .seven_day_resets_at = CT_TIME_NONE};
	statusline_state_line(&r, b);
}

Test(state, latest_observed_at_wins_and_garbage_is_skipped)
{
	struct buf b = {0};
	add(&b, 1771850000000LL, 10);
	buf_puts(&b, "garbage line\n");
	add(&b, 1771853600000LL, 30);           /* the latest */
	buf_puts(&b, "{\"observed_at\":\"not a time\",\"five_hour\":{\"used_percentage\":99}}\n");
	buf_puts(&b, "{\"five_hour\":{\"used_percentage\":98}}\n");
	buf_puts(&b, "[1,2,3]\n\n\r\n");
	buf_puts(&b, "{\"observed_at\":\"2026-02-23T20:00:00Z\",\"five_hour\":{\"used_percentage\":");
	buf_puts(&b, "\n");                     /* a truncated line */
	add(&b, 1771851800000LL, 20);           /* older, but written later */
	buf_puts(&b, "{\"observed_at\":\"2026-02-23T23:00:00Z\"}\n"); /* no reading in it */
	struct claude_official latest;
	statusline_state_read(b.data, b.len, &latest);
	cr_assert(latest.present);
	cr_expect_float_eq(latest.five_hour_pct, 30, 1e-9);
	cr_expect_eq(latest.observed_at, 1771853600000LL);
	buf_free(&b);
	/* no trailing newline on the last line */
	const char *s = "{\"observed_at\":\"2026-02-23T12:00:00Z\",\"five_hour\":{\"used_percentage\":5}}";
	statusline_state_read(s, strlen(s), &latest);
	cr_expect(latest.present);
	cr_expect_float_eq(latest.five_hour_pct, 5, 1e-9);
	/* empty file */
	statusline_state_read("", 0, &latest);
	cr_expect_not(latest.present);
	cr_expect_eq(latest.observed_at, CT_TIME_NONE);
}
