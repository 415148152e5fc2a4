/* test_quota.c — 5-hour blocks (floored to the UTC hour; a new block past start + 5 h or after a
 * 5 h gap; independent of feeding order), the auto limit (maximum while fewer than five completed
 * blocks, nearest-rank p90 after), burn, projection and limit_at at an injected `now`, and the
 * official readings: Codex windows picked by window_minutes (never by position) in all three
 * rate-limit shapes, Claude statusline readings, expired readings ignored. Models are built by
 * feeding synthetic transcript lines through model_feed. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cachetop/codex.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/timefmt.h"

#define MIN (60LL * 1000)
#define HOUR (60 * MIN)

/* 2026-01-05 hh:mm:ss.mmm UTC */
static int64_t at(int h, int mi, int s, int ms)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 0, .tm_mday = 5};
	return (int64_t)timegm(&tm) * 1000 + h * HOUR + mi * MIN + s * 1000LL + ms;
}

struct fx {
	struct model *m;
	uint32_t claude, codex;
	int n;
};

static void fx_init(struct fx *f)
{
	struct model_opts o;
	model_opts_default(&o);
	f->m = model_new(&o);
	f->claude = model_file_add(f->m, AGENT_CLAUDE, "/t/projects/p/s.jsonl", false);
	f->codex = model_file_add(f->m, AGENT_CODEX, "/t/sessions/rollout-a.jsonl", false);
	f->n = 0;
}

/* One Claude assistant line: its own response id, in its own session when sid is NULL. */
static void claude_req(struct fx *f, const char *sid, int64_t t, unsigned in, unsigned cc, unsigned cr,
		       unsigned out)
{
	char ts[32], line[1024], own[32];
	rfc3339_format(t, ts);
	int k = f->n++;
	if (!sid) {
		snprintf(own, sizeof own, "sess-%d", k);
		sid = own;
	}
	int len = snprintf(line, sizeof line,
		"{\"type\":\"assistant\",\"uuid\":\"u%d\",\"parentUuid\":null,\"sessionId\":\"%s\","
		"\"timestamp\":\"%s\",\"requestId\":\"req_%d\",\"message\":{\"id\":\"msg_%d\","
		"\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":%u,"
		"\"cache_creation_input_tokens\":%u,\"cache_read_input_tokens\":%u,\"output_tokens\":%u}}}",
		k, sid, ts, k, k, in, cc, cr, out);
	unsigned ch = model_feed(f->m, f->claude, line, (size_t)len);
	cr_assert(ch & MODEL_NEW_REQUEST, "line not taken as a request: %s", line);
}

static void codex_line(struct fx *f, const char *line)
{
	model_feed(f->m, f->codex, line, strlen(line));
}

static struct blocks blocks_of(struct fx *f)
{
	struct blocks b = {0};
	blocks_compute(f->m, AGENT_CLAUDE, &b);
	return b;
}

Test(blocks, start_floored_to_utc_hour)
{
	struct fx f;
	fx_init(&f);
	claude_req(&f, NULL, at(10, 37, 12, 500), 100, 0, 0, 10);
	claude_req(&f, NULL, at(11, 59, 0, 0), 200, 0, 0, 20);
	struct blocks b = blocks_of(&f);
	cr_assert_eq(b.n, 1);
	cr_expect_eq(b.v[0].start, at(10, 0, 0, 0));
	cr_expect_eq(b.v[0].end, at(15, 0, 0, 0));
	cr_expect_eq(b.v[0].first, at(10, 37, 12, 500));
	cr_expect_eq(b.v[0].last, at(11, 59, 0, 0));
	cr_expect_eq(b.v[0].requests, 2);
	cr_expect_eq(b.v[0].input, 300);
	cr_expect_eq(b.v[0].output, 30);
	blocks_free(&b);
	model_free(f.m);
}

Test(blocks, exactly_five_hours_after_start)
{
	/* ccusage: a new block starts when the time since the block start is *more* than 5 h, so a
	 * request at exactly start + 5 h still belongs to the block; one millisecond later does not. */
	struct fx f;
	fx_init(&f);
	claude_req(&f, NULL, at(10, 37, 0, 0), 100, 0, 0, 1);
	claude_req(&f, NULL, at(15, 0, 0, 0), 100, 0, 0, 1);
	claude_req(&f, NULL, at(15, 0, 0, 1), 100, 0, 0, 1);
	struct blocks b = blocks_of(&f);
	cr_assert_eq(b.n, 2);
	cr_expect_eq(b.v[0].requests, 2);
	cr_expect_eq(b.v[0].last, at(15, 0, 0, 0));
	cr_expect_eq(b.v[1].start, at(15, 0, 0, 0));
	cr_expect_eq(b.v[1].requests, 1);
	blocks_free(&b);
	model_free(f.m);
}

Test(blocks, new_block_after_start_plus_five_hours)
{
	struct fx f;
	fx_init(&f);
	claude_req(&f, NULL, at(10, 5, 0, 0), 1, 0, 0, 0);
	claude_req(&f, NULL, at(12, 0, 0, 0), 1, 0, 0, 0);
	claude_req(&f, NULL, at(14, 50, 0, 0), 1, 0, 0, 0);
	claude_req(&f, NULL, at(15, 10, 0, 0), 1, 0, 0, 0); /* 25 min after the last, 5h10 after start */
	struct blocks b = blocks_of(&f);
	cr_assert_eq(b.n, 2);
	cr_expect_eq(b.v[0].requests, 3);
	cr_expect_eq(b.v[1].start, at(15, 0, 0, 0));
	cr_expect_eq(b.v[1].first, at(15, 10, 0, 0));
	blocks_free(&b);
	model_free(f.m);
}

Test(blocks, gap_over_five_hours)
{
	struct fx f;
	fx_init(&f);
	claude_req(&f, NULL, at(1, 5, 0, 0), 1, 0, 0, 0);
	claude_req(&f, NULL, at(6, 5, 0, 1), 1, 0, 0, 0); /* gap 5 h + 1 ms */
	claude_req(&f, NULL, at(16, 10, 0, 0), 1, 0, 0, 0);
	struct blocks b = blocks_of(&f);
	cr_assert_eq(b.n, 3);
	cr_expect_eq(b.v[0].start, at(1, 0, 0, 0));
	cr_expect_eq(b.v[1].start, at(6, 0, 0, 0));
	cr_expect_eq(b.v[2].start, at(16, 0, 0, 0));
	for (size_t i = 0; i < b.n; i++)
		cr_expect_eq(b.v[i].requests, 1);
	blocks_free(&b);
	model_free(f.m);
}

Test(blocks, feeding_order_does_not_matter)
{
	static const int hm[][2] = {{9, 1}, {9, 59}, {13, 0}, {14, 30}, {15, 5}, {20, 40}, {21, 0}, {23, 59}};
	static const int order[] = {5, 2, 7, 0, 3, 6, 1, 4};
	struct fx a, z;
	fx_init(&a);
	fx_init(&z);
	for (int i = 0; i < 8; i++)
		claude_req(&a, NULL, at(hm[i][0], hm[i][1], 0, 0), 10u * (unsigned)(i + 1), 0, 0, 1);
	for (int k = 0; k < 8; k++) {
		int i = order[k];
		z.n = i; /* same ids as in order: identical requests */
		claude_req(&z, NULL, at(hm[i][0], hm[i][1], 0, 0), 10u * (unsigned)(i + 1), 0, 0, 1);
	}
	struct blocks ba = blocks_of(&a), bz = blocks_of(&z);
	cr_assert_eq(ba.n, 3, "9:01-13:00 | 14:30-15:05 | 20:40-23:59");
	cr_assert_eq(bz.n, ba.n);
	for (size_t i = 0; i < ba.n; i++) {
		cr_expect_eq(bz.v[i].start, ba.v[i].start);
		cr_expect_eq(bz.v[i].first, ba.v[i].first);
		cr_expect_eq(bz.v[i].last, ba.v[i].last);
		cr_expect_eq(bz.v[i].requests, ba.v[i].requests);
		cr_expect_eq(bz.v[i].input, ba.v[i].input);
	}
	cr_expect_eq(ba.v[0].input, 10 + 20 + 30);
	cr_expect_eq(ba.v[1].start, at(14, 0, 0, 0));
	blocks_free(&ba);
	blocks_free(&bz);
	model_free(a.m);
	model_free(z.m);
}

static struct blocks token_blocks(const uint64_t *used, size_t n, int64_t first_start)
{
	struct blocks b = {0};
	b.v = calloc(n, sizeof *b.v);
	b.n = b.cap = n;
	for (size_t i = 0; i < n; i++) {
		b.v[i].start = first_start + (int64_t)i * 6 * HOUR;
		b.v[i].end = b.v[i].start + BLOCK_MS;
		b.v[i].input = used[i];
		b.v[i].cost_usd = (double)used[i] / 100.0;
	}
	return b;
}

Test(auto_limit, maximum_while_fewer_than_five_completed)
{
	uint64_t used[] = {100, 400, 300, 200, 9000};
	struct blocks b = token_blocks(used, 5, 0);
	/* `now` inside the fifth block: four completed blocks, the running one is not counted */
	int64_t now = b.v[4].start + HOUR;
	cr_expect_float_eq(quota_auto_limit(&b, now, QUOTA_TOKENS), 400, 1e-9);
	cr_expect_float_eq(quota_auto_limit(&b, now, QUOTA_USD), 4.0, 1e-9);
	cr_expect_float_eq(quota_auto_limit(&b, b.v[0].start, QUOTA_TOKENS), 0, 1e-9, "none completed");
	cr_expect_float_eq(quota_auto_limit(&b, b.v[0].end, QUOTA_TOKENS), 100, 1e-9, "end is completed");
	blocks_free(&b);
}

Test(auto_limit, nearest_rank_p90)
{
	/* 10 completed blocks 100..1000 in shuffled order: rank ceil(0.9×10) = 9 → 900 */
	uint64_t ten[] = {700, 100, 1000, 300, 900, 200, 500, 800, 400, 600};
	struct blocks b = token_blocks(ten, 10, 0);
	int64_t now = b.v[9].end + HOUR;
	cr_expect_float_eq(quota_auto_limit(&b, now, QUOTA_TOKENS), 900, 1e-9);
	blocks_free(&b);
	/* 5 blocks: rank ceil(4.5) = 5 → the maximum */
	uint64_t five[] = {5, 1, 4, 2, 3};
	b = token_blocks(five, 5, 0);
	cr_expect_float_eq(quota_auto_limit(&b, b.v[4].end, QUOTA_TOKENS), 5, 1e-9);
	blocks_free(&b);
	/* 12 blocks: rank ceil(10.8) = 11 → the second largest */
	uint64_t twelve[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50};
	b = token_blocks(twelve, 12, 0);
	cr_expect_float_eq(quota_auto_limit(&b, b.v[11].end, QUOTA_TOKENS), 11, 1e-9);
	blocks_free(&b);
	/* 20 blocks: rank 18 */
	uint64_t twenty[20];
	for (int i = 0; i < 20; i++)
		twenty[i] = (uint64_t)(20 - i) * 10;
	b = token_blocks(twenty, 20, 0);
	cr_expect_float_eq(quota_auto_limit(&b, b.v[19].end, QUOTA_TOKENS), 180, 1e-9);
	blocks_free(&b);
}

Test(auto_limit, through_quota_compute)
{
	struct fx f;
	fx_init(&f);
	/* three completed blocks on earlier days, then a running one */
	claude_req(&f, NULL, at(-72, 0, 0, 0), 1000, 0, 0, 0);
	claude_req(&f, NULL, at(-48, 0, 0, 0), 3000, 0, 0, 0);
	claude_req(&f, NULL, at(-24, 0, 0, 0), 2000, 0, 0, 0);
	claude_req(&f, NULL, at(10, 10, 0, 0), 500, 0, 0, 0);
	struct quota_opts o = {.limit_auto = true, .unit = QUOTA_TOKENS};
	struct quota q;
	quota_compute(f.m, AGENT_CLAUDE, at(10, 20, 0, 0), &o, NULL, &q);
	cr_expect(q.has_block);
	cr_expect_float_eq(q.limit, 3000, 1e-9);
	cr_expect_float_eq(q.used, 500, 1e-9);
	cr_expect_float_eq(q.percent, 500.0 / 3000 * 100, 1e-9);
	model_free(f.m);
}

/* Published sonnet-4 rates, USD per million. */
static double sonnet_cost(double in, double out) { return (in * 3.00 + out * 15.00) / 1e6; }

Test(burn, rates_projection_and_limit_at)
{
	struct fx f;
	fx_init(&f);
	claude_req(&f, "s", at(10, 10, 0, 0), 1000, 0, 0, 100);
	claude_req(&f, "s", at(10, 20, 0, 0), 2000, 0, 0, 200);
	claude_req(&f, "s", at(10, 30, 0, 0), 3000, 0, 0, 300);
	int64_t now = at(10, 40, 0, 0);
	struct quota_opts o = {.limit_auto = false, .limit = 50000, .unit = QUOTA_TOKENS};
	struct quota q;
	quota_compute(f.m, AGENT_CLAUDE, now, &o, NULL, &q);
	cr_assert(q.has_block);
	cr_expect_eq(q.block_start, at(10, 0, 0, 0));
	cr_expect_eq(q.resets_at, at(15, 0, 0, 0));
	cr_expect_float_eq(q.used, 6600, 1e-9);
	cr_expect_eq(q.block_tokens, 6600);
	/* whole block: 6,600 tokens over its 20 active minutes */
	cr_expect_float_eq(q.tokens_per_min_block, 330, 1e-9);
	/* last 15 minutes of activity (10:15–10:30): the 10:20 and 10:30 requests */
	double tpm15 = (2200.0 + 3300.0) / 15.0;
	cr_expect_float_eq(q.tokens_per_min_15, tpm15, 1e-9);
	double usd15 = sonnet_cost(2000, 200) + sonnet_cost(3000, 300);
	cr_expect_float_eq(q.usd_per_hour_15, usd15 / 15 * 60, 1e-12);
	double usd_all = sonnet_cost(1000, 100) + usd15;
	cr_expect_float_eq(q.usd_per_hour_block, usd_all / 20 * 60, 1e-12);
	/* projection to the block end (15:00) at the 15-minute rate */
	double projected = 6600 + tpm15 * 260;
	cr_expect_float_eq(q.projected_used, projected, 1e-6);
	cr_expect_float_eq(q.percent, 6600.0 / 50000 * 100, 1e-9);
	cr_expect_float_eq(q.projected_percent, projected / 50000 * 100, 1e-9);
	/* 43,400 tokens left at tpm15 per minute */
	double minutes = (50000.0 - 6600) / tpm15;
	int64_t want = now + (int64_t)(minutes * MIN);
	cr_expect(llabs(q.limit_at - want) <= 1, "limit_at %lld, want %lld", (long long)q.limit_at, (long long)want);
	cr_expect_lt(q.limit_at, q.resets_at);

	/* a limit out of reach before the reset: no limit_at */
	o.limit = 1e9;
	quota_compute(f.m, AGENT_CLAUDE, now, &o, NULL, &q);
	cr_expect_eq(q.limit_at, CT_TIME_NONE);
	/* a limit already passed: limit_at is now */
	o.limit = 5000;
	quota_compute(f.m, AGENT_CLAUDE, now, &o, NULL, &q);
	cr_expect_eq(q.limit_at, now);
	cr_expect_float_eq(q.percent, 132, 1e-9);
	/* no limit known: no percentages */
	o.limit = 0;
	quota_compute(f.m, AGENT_CLAUDE, now, &o, NULL, &q);
	cr_expect_lt(q.percent, 0);
	cr_expect_eq(q.limit_at, CT_TIME_NONE);
	/* in USD */
	struct quota_opts ou = {.limit_auto = false, .limit = 1.0, .unit = QUOTA_USD};
	quota_compute(f.m, AGENT_CLAUDE, now, &ou, NULL, &q);
	cr_expect_float_eq(q.used, usd_all, 1e-12);
	cr_expect_float_eq(q.projected_used, usd_all + usd15 / 15 * 260, 1e-9);
	/* after the block's end nothing is active */
	quota_compute(f.m, AGENT_CLAUDE, at(15, 0, 0, 0), &o, NULL, &q);
	cr_expect_not(q.has_block);
	cr_expect_eq(q.block_start, CT_TIME_NONE);
	cr_expect_lt(q.percent, 0);
	model_free(f.m);
}

static const char *const RL_WEEKLY_PRIMARY =
	"{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
	"\"token_count\",\"info\":null,\"rate_limits\":{\"limit_id\":\"codex\",\"primary\":{"
	"\"used_percent\":2.0,\"window_minutes\":10080,\"resets_at\":1768212000},\"secondary\":{"
	"\"used_percent\":37.5,\"window_minutes\":300,\"resets_at\":1767618000},\"plan_type\":\"plus\"}}}";

Test(codex_official, window_chosen_by_minutes_not_position)
{
	struct fx f;
	fx_init(&f);
	codex_line(&f, RL_WEEKLY_PRIMARY);
	const struct account_limits *cq = model_account_limits(f.m);
	cr_assert(cq->present);
	cr_expect_eq(cq->observed_at, at(10, 0, 0, 0));
	struct quota_opts o = {.limit_auto = true, .unit = QUOTA_USD};
	struct quota q;
	quota_compute(f.m, AGENT_CODEX, at(10, 30, 0, 0), &o, NULL, &q);
	cr_expect_float_eq(q.official_percent, 37.5, 1e-9, "the 300-minute window is the secondary here");
	cr_expect_eq(q.window_minutes, 300);
	cr_expect_eq(q.official_resets_at, 1767618000LL * 1000);
	cr_expect_float_eq(q.weekly_percent, 2.0, 1e-9);
	cr_expect_eq(q.weekly_resets_at, 1768212000LL * 1000);
	cr_expect_eq(q.resets_at, 1767618000LL * 1000, "the official reset anchors the block");
	cr_expect_eq(q.block_start, 1767618000LL * 1000 - BLOCK_MS);
	cr_expect_eq(q.observed_at, at(10, 0, 0, 0));
	model_free(f.m);
}

Test(codex_official, weekly_only_plan_has_no_five_hour_percent)
{
	struct fx f;
	fx_init(&f);
	codex_line(&f, "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
		       "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":"
		       "61.0,\"window_minutes\":10080,\"resets_at\":1768212000},\"secondary\":null}}}");
	struct quota q;
	struct quota_opts o = {.limit_auto = true};
	quota_compute(f.m, AGENT_CODEX, at(11, 0, 0, 0), &o, NULL, &q);
	cr_expect_lt(q.official_percent, 0, "a weekly primary is not the 5-hour gauge");
	cr_expect_eq(q.window_minutes, 0);
	cr_expect_float_eq(q.weekly_percent, 61.0, 1e-9);
	model_free(f.m);
}

Test(codex_official, three_shapes_through_the_parser)
{
	static struct line ln;
	/* 1: flat (≈0.3x–0.4x), relative resets */
	const char *flat = "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
			   "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary_used_percent\":30.0,"
			   "\"secondary_used_percent\":7.0,\"primary_to_secondary_ratio_percent\":12.0,"
			   "\"primary_window_minutes\":300,\"secondary_window_minutes\":10080,"
			   "\"primary_reset_after_seconds\":3600,\"secondary_reset_after_seconds\":86400}}}";
	line_parse_codex(flat, strlen(flat), &ln);
	cr_assert_eq(ln.kind, LINE_TOKEN_COUNT);
	cr_assert(ln.rl.present);
	cr_expect_float_eq(ln.rl.primary.used_percent, 30.0, 1e-9);
	cr_expect_eq(ln.rl.primary.window_minutes, 300);
	cr_expect_eq(ln.rl.primary.resets_at_ms, at(11, 0, 0, 0));
	cr_expect_float_eq(ln.rl.secondary.used_percent, 7.0, 1e-9);
	cr_expect_eq(ln.rl.secondary.window_minutes, 10080);
	cr_expect_eq(ln.rl.secondary.resets_at_ms, at(10, 0, 0, 0) + 86400 * 1000LL);
	/* 2: nested, relative resets (≈0.45–0.5x), 299/10079 minutes */
	const char *rel = "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
			  "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":"
			  "20.5,\"window_minutes\":299,\"resets_in_seconds\":17388},\"secondary\":{\"used_percent\":"
			  "5.0,\"window_minutes\":10079,\"resets_in_seconds\":500000}}}}";
	line_parse_codex(rel, strlen(rel), &ln);
	cr_assert(ln.rl.present);
	cr_expect_float_eq(ln.rl.primary.used_percent, 20.5, 1e-9);
	cr_expect_eq(ln.rl.primary.window_minutes, 299);
	cr_expect_eq(ln.rl.primary.resets_at_ms, at(10, 0, 0, 0) + 17388 * 1000LL);
	cr_expect_eq(ln.rl.secondary.resets_at_ms, at(10, 0, 0, 0) + 500000 * 1000LL);
	/* 3: nested, absolute resets (current) */
	line_parse_codex(RL_WEEKLY_PRIMARY, strlen(RL_WEEKLY_PRIMARY), &ln);
	cr_assert(ln.rl.present);
	cr_expect_eq(ln.rl.primary.window_minutes, 10080);
	cr_expect_eq(ln.rl.primary.resets_at_ms, 1768212000LL * 1000);
	cr_expect_eq(ln.rl.secondary.window_minutes, 300);
	cr_expect_float_eq(ln.rl.secondary.used_percent, 37.5, 1e-9);
	/* a window without used_percent is absent; a window without window_minutes is unknown */
	const char *part = "{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
			   "\"type\":\"token_count\",\"rate_limits\":{\"primary\":{\"window_minutes\":300},"
			   "\"secondary\":{\"used_percent\":1}}}}";
	line_parse_codex(part, strlen(part), &ln);
	cr_expect_not(ln.rl.primary.present);
	cr_expect(ln.rl.secondary.present);
	cr_expect_eq(ln.rl.secondary.window_minutes, -1);
	cr_expect_eq(ln.rl.secondary.resets_at_ms, CT_TIME_NONE);
	/* the relative shape through a model gives the same official reading as the absolute one */
	struct fx f;
	fx_init(&f);
	codex_line(&f, rel);
	struct quota q;
	struct quota_opts o = {.limit_auto = true};
	quota_compute(f.m, AGENT_CODEX, at(10, 1, 0, 0), &o, NULL, &q);
	cr_expect_float_eq(q.official_percent, 20.5, 1e-9);
	cr_expect_eq(q.window_minutes, 299);
	cr_expect_float_eq(q.weekly_percent, 5.0, 1e-9);
	model_free(f.m);
}

Test(codex_official, expired_and_stale_readings_ignored)
{
	struct fx f;
	fx_init(&f);
	codex_line(&f, RL_WEEKLY_PRIMARY); /* 5-hour window resets at 1767618000 = 2026-01-05T13:00Z */
	struct quota q;
	struct quota_opts o = {.limit_auto = true};
	quota_compute(f.m, AGENT_CODEX, at(13, 0, 0, 1), &o, NULL, &q);
	cr_expect_lt(q.official_percent, 0, "a reading whose window has reset says nothing");
	cr_expect_float_eq(q.weekly_percent, 2.0, 1e-9, "the weekly window has not reset");
	/* an older reading read later does not replace the newer one */
	codex_line(&f, "{\"timestamp\":\"2026-01-05T09:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
		       "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":"
		       "99.0,\"window_minutes\":300,\"resets_at\":1767618000}}}}");
	cr_expect_eq(model_account_limits(f.m)->observed_at, at(10, 0, 0, 0));
	/* an all-zero placeholder after a real reading is ignored */
	codex_line(&f, "{\"timestamp\":\"2026-01-05T10:05:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
		       "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":"
		       "0,\"window_minutes\":300}}}}");
	quota_compute(f.m, AGENT_CODEX, at(10, 30, 0, 0), &o, NULL, &q);
	cr_expect_float_eq(q.official_percent, 37.5, 1e-9);
	/* a newer real reading wins */
	codex_line(&f, "{\"timestamp\":\"2026-01-05T10:10:00.000Z\",\"type\":\"event_msg\",\"payload\":{"
		       "\"type\":\"token_count\",\"info\":null,\"rate_limits\":{\"primary\":{\"used_percent\":"
		       "41.0,\"window_minutes\":300,\"resets_at\":1767618000}}}}");
	quota_compute(f.m, AGENT_CODEX, at(10, 30, 0, 0), &o, NULL, &q);
	cr_expect_float_eq(q.official_percent, 41.0, 1e-9);
	cr_expect_eq(q.observed_at, at(10, 10, 0, 0));
	model_free(f.m);
}

Test(official, statusline_reading)
{
	struct fx f;
	fx_init(&f);
	claude_req(&f, "s", at(10, 10, 0, 0), 1000, 0, 0, 100);
	struct official_reading co = {.present = true, .observed_at = at(10, 15, 0, 0), .five_hour_pct = 42.0,
				     .five_hour_resets_at = at(14, 0, 0, 0), .seven_day_pct = 12.0,
				     .seven_day_resets_at = at(14, 0, 0, 0) + 96 * HOUR};
	struct quota_opts o = {.limit_auto = true};
	struct quota q;
	quota_compute(f.m, AGENT_CLAUDE, at(10, 20, 0, 0), &o, &co, &q);
	cr_expect_float_eq(q.official_percent, 42.0, 1e-9);
	cr_expect_eq(q.official_resets_at, at(14, 0, 0, 0));
	cr_expect_eq(q.window_minutes, 300);
	cr_expect_float_eq(q.weekly_percent, 12.0, 1e-9);
	cr_expect_eq(q.resets_at, at(14, 0, 0, 0), "the provider's reset replaces the estimate");
	cr_expect_eq(q.block_start, at(9, 0, 0, 0));
	cr_expect_eq(q.observed_at, at(10, 15, 0, 0));
	/* expired */
	quota_compute(f.m, AGENT_CLAUDE, at(14, 0, 0, 0), &o, &co, &q);
	cr_expect_lt(q.official_percent, 0);
	cr_expect_float_eq(q.weekly_percent, 12.0, 1e-9);
	/* a Claude reading never leaks into Codex */
	quota_compute(f.m, AGENT_CODEX, at(10, 20, 0, 0), &o, &co, &q);
	cr_expect_lt(q.official_percent, 0);
	model_free(f.m);
}
