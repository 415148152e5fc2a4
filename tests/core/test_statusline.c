/* test_statusline.c — the statusLine stdin JSON (with and without rate_limits; resets_at as epoch
 * seconds or RFC 3339; model as object or string) and the state file: a reading written as a
 * line reads back the same, the latest observed_at wins whatever the line order, and garbage
 * lines are skipped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/ledger.h"
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
	struct official_reading r = {.present = true, .observed_at = 1771850123456LL, .five_hour_pct = 42.5,
				    .five_hour_resets_at = 1771864834000LL, .seven_day_pct = 10.25,
				    .seven_day_resets_at = 1772355702000LL};
	struct buf b = {0};
	statusline_state_line(&r, &b);
	cr_assert_gt(b.len, 0);
	cr_expect_eq(b.data[b.len - 1], '\n');
	cr_expect_eq(memchr(b.data, '\n', b.len - 1), NULL, "one line");
	struct official_reading back;
	statusline_state_read(b.data, b.len, &back);
	cr_assert(back.present);
	cr_expect_eq(back.observed_at, r.observed_at);
	cr_expect_float_eq(back.five_hour_pct, r.five_hour_pct, 1e-9);
	cr_expect_eq(back.five_hour_resets_at, r.five_hour_resets_at);
	cr_expect_float_eq(back.seven_day_pct, r.seven_day_pct, 1e-9);
	cr_expect_eq(back.seven_day_resets_at, r.seven_day_resets_at);
	buf_free(&b);

	/* a reading with only the five-hour window and no reset time */
	struct official_reading p = {.present = true, .observed_at = 1771850000000LL, .five_hour_pct = 7,
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
	struct official_reading r = {.present = true, .observed_at = observed, .five_hour_pct = pct,
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
	struct official_reading latest;
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

/* Claude Code ≥ 2.1.251 passes its own prompt-cache ledger (transcript-formats.md E1). */
static const char *const STDIN_LEDGER =
	"{\"session_id\":\"aaaaaaaa-1111-4111-8111-000000000001\",\"model\":{\"id\":\"claude-opus-4-6\","
	"\"display_name\":\"Opus\"},\"rate_limits\":{\"five_hour\":{\"used_percentage\":42,\"resets_at\":1772460000},"
	"\"seven_day\":{\"used_percentage\":17,\"resets_at\":1772877600},\"spend_limit\":{\"used_percentage\":8,"
	"\"resets_at\":1774173600}},\"prompt_cache\":{\"warm\":true,\"caching_observed\":true,\"ttl\":\"1h\","
	"\"expires_at\":1772449203,\"requests\":7,\"misses\":2,\"expected_rebuilds\":1,\"hit_ratio\":0.87,"
	"\"cache_write_tokens\":300000,\"miss_recache_tokens\":90100,\"last_miss_at\":1772445960,"
	"\"last_miss_cause\":{\"causes\":[\"likely_server_side\"],\"tools_added\":0,\"tools_removed\":0,"
	"\"system_char_delta\":0},\"miss_causes\":{\"messages_rewritten\":1,\"likely_server_side\":1},"
	"\"recache_tokens_if_cold\":113000}}";

static void expect_ledger(const struct agent_ledger *l)
{
	cr_assert(l->present);
	cr_expect_eq(l->requests, 7);
	cr_expect_eq(l->misses, 2);
	cr_expect_eq(l->expected_rebuilds, 1);
	cr_expect_float_eq(l->hit_ratio, 0.87, 1e-9);
	cr_expect_str_eq(l->ttl, "1h");
	cr_expect_eq(l->cache_write_tokens, 300000);
	cr_expect_eq(l->miss_recache_tokens, 90100);
	cr_expect_eq(l->last_miss_at, 1772445960000LL, "epoch seconds");
	cr_assert_eq(l->nlast, 1);
	cr_expect_str_eq(l->last_miss_causes[0], "likely_server_side");
	cr_expect_eq(l->tools_added, 0);
	cr_assert_eq(l->ncauses, 2);
	uint32_t rewritten = 0, server = 0;
	for (uint8_t i = 0; i < l->ncauses; i++) {
		if (!strcmp(l->causes[i].name, "messages_rewritten"))
			rewritten = l->causes[i].count;
		if (!strcmp(l->causes[i].name, "likely_server_side"))
			server = l->causes[i].count;
	}
	cr_expect_eq(rewritten, 1);
	cr_expect_eq(server, 1);
}

Test(ledger, stdin_prompt_cache_and_spend_limit)
{
	static struct statusline_input in;
	cr_assert_eq(parse(STDIN_LEDGER, &in), 0);
	expect_ledger(&in.ledger);
	cr_expect_eq(in.ledger.observed_at, NOW);
	cr_assert(in.rl.present);
	cr_expect(in.rl.has_spend);
	cr_expect_float_eq(in.rl.spend_pct, 8, 1e-9);
	cr_expect_eq(in.rl.spend_resets_at, 1774173600000LL);
	/* no prompt_cache (before 2.1.251): no ledger */
	cr_assert_eq(parse("{\"session_id\":\"s\",\"rate_limits\":{\"five_hour\":{\"used_percentage\":1}}}", &in), 0);
	cr_expect_not(in.ledger.present);
	cr_expect_not(in.rl.has_spend);
}

Test(ledger, recorded_with_the_reading_and_folded_per_session)
{
	static struct statusline_input in;
	cr_assert_eq(parse(STDIN_LEDGER, &in), 0);
	struct buf b = {0};
	statusline_record(in.session_id, NOW, &in.rl, &in.ledger, &b);
	cr_expect_eq(memchr(b.data, '\n', b.len - 1), NULL, "one line");
	/* a ledger-only reading of another session (an API-key user: no rate_limits) */
	statusline_record("other", NOW + 1000, NULL, &in.ledger, &b);
	struct official_reading latest;
	struct ledger_set ls = {0};
	statusline_state_fold(b.data, b.len, &latest, &ls);
	cr_assert(latest.present);
	cr_expect_eq(latest.observed_at, NOW, "a ledger-only line is no rate-limit reading");
	cr_expect_float_eq(latest.spend_pct, 8, 1e-9);
	cr_assert_eq(ls.n, 2);
	const struct session_ledger *sl = ledger_set_find(&ls, "aaaaaaaa-1111-4111-8111-000000000001");
	cr_assert_not_null(sl);
	expect_ledger(&sl->latest);
	cr_assert_eq(sl->nmisses, 1);
	cr_expect_eq(sl->misses[0].at, 1772445960000LL);
	cr_expect_str_eq(sl->misses[0].causes, "likely_server_side");
	cr_expect_not(session_ledger_complete(sl), "two misses counted, one timed");
	ledger_set_free(&ls);
	buf_free(&b);
}

Test(ledger, fold_is_order_independent_and_keeps_distinct_misses)
{
	/* the fixture's three readings: misses at 10:05:02 and 10:06:00, the latest has 7 requests */
	const char *lines[3];
	static char buf[3][1024];
	FILE *f = fopen(TEST_DATA "/evidence/statusline.jsonl", "r");
	cr_assert_not_null(f);
	for (int i = 0; i < 3; i++) {
		cr_assert_not_null(fgets(buf[i], sizeof buf[i], f));
		lines[i] = buf[i];
	}
	fclose(f);
	static const int orders[2][3] = {{0, 1, 2}, {2, 0, 1}};
	for (int o = 0; o < 2; o++) {
		struct buf b = {0};
		for (int i = 0; i < 3; i++)
			buf_puts(&b, lines[orders[o][i]]);
		struct official_reading latest;
		struct ledger_set ls = {0};
		statusline_state_fold(b.data, b.len, &latest, &ls);
		cr_assert_eq(ls.n, 1);
		const struct session_ledger *sl = &ls.v[0];
		cr_expect_eq(sl->latest.requests, 7, "order %d", o);
		cr_assert_eq(sl->nmisses, 2);
		cr_expect_lt(sl->misses[0].at, sl->misses[1].at);
		cr_expect_str_eq(sl->misses[0].causes, "messages_rewritten");
		cr_expect(session_ledger_complete(sl));
		ledger_set_free(&ls);
		buf_free(&b);
	}
}

Test(ledger, older_and_hostile_shapes)
{
	static struct statusline_input in;
	/* older builds sent miss_causes as a list; a cause name outside [a-z0-9_] is not kept */
	cr_assert_eq(parse("{\"prompt_cache\":{\"requests\":3,\"misses\":2,\"hit_ratio\":null,"
			   "\"miss_causes\":[\"tools_changed\",\"tools_changed\",\"\\u001b[31mX\"],"
			   "\"last_miss_cause\":\"tools_changed\",\"last_miss_at\":\"2026-03-02T10:05:02Z\"}}", &in), 0);
	cr_assert(in.ledger.present);
	cr_expect_lt(in.ledger.hit_ratio, 0, "null");
	cr_expect_lt(in.ledger.expected_rebuilds, 0, "absent");
	cr_assert_eq(in.ledger.ncauses, 1);
	cr_expect_str_eq(in.ledger.causes[0].name, "tools_changed");
	cr_expect_eq(in.ledger.causes[0].count, 2);
	cr_expect_str_eq(in.ledger.last_miss_causes[0], "tools_changed");
	cr_expect_neq(in.ledger.last_miss_at, CT_TIME_NONE, "RFC 3339 accepted too");
	/* numbers of the wrong kind are absent, never garbage */
	cr_assert_eq(parse("{\"prompt_cache\":{\"requests\":-1,\"misses\":1.5,\"hit_ratio\":7,\"ttl\":\"1h; rm\"}}", &in), 0);
	cr_expect_lt(in.ledger.requests, 0);
	cr_expect_lt(in.ledger.misses, 0);
	cr_expect_lt(in.ledger.hit_ratio, 0);
	cr_expect_str_eq(in.ledger.ttl, "");
	cr_assert_eq(parse("{\"prompt_cache\":[1]}", &in), 0);
	cr_expect_not(in.ledger.present);
}
