/* test_model.c — the model's rules, one scenario each: request dedup (split responses, sidechain
 * replays, copied resume prefixes, Codex re-emissions and fork replays), every resume shape
 * (replayed prefix, junction, in-file sessionId change, version change, Codex fork), every cause
 * of a cold request, the TTL tiers at their edges, waste and rebuild costs, and no false alarms. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "cachetop/model.h"
#include "cachetop/price.h"
#include "lines.h"

static char buf[8192];

/* A conversation writer: each request is a user line then an assistant line chained by uuid. */
struct conv {
	struct model *m;
	uint32_t file;
	const char *sid;
	const char *model;
	const char *version;
	char last_uuid[64];
	int n;
	char tag[16];
};

static void conv_init(struct conv *c, struct model *m, uint32_t file, const char *sid, const char *tag)
{
	memset(c, 0, sizeof *c);
	c->m = m;
	c->file = file;
	c->sid = sid;
	snprintf(c->tag, sizeof c->tag, "%s", tag);
}

/* One request at minute `min`: writes c5/c1, reads cr. Returns the request's time. */
static int64_t conv_req(struct conv *c, double min, unsigned c5, unsigned c1, unsigned cr)
{
	char u1[64], u2[64], msg[64], req[64];
	int64_t t = T0 + MIN(min);
	snprintf(u1, sizeof u1, "%s-u%d", c->tag, c->n);
	snprintf(u2, sizeof u2, "%s-a%d", c->tag, c->n);
	snprintf(msg, sizeof msg, "msg_%s_%d", c->tag, c->n);
	snprintf(req, sizeof req, "req_%s_%d", c->tag, c->n);
	cl_user(buf, sizeof buf, c->sid, u1, c->last_uuid[0] ? c->last_uuid : NULL, t - 1000, c->version);
	feed(c->m, c->file, buf);
	struct cl a = {.sid = c->sid, .uuid = u2, .parent = u1, .msg = msg, .req = req, .model = c->model,
		       .version = c->version, .t = t, .in = 3, .c5 = c5, .c1 = c1, .cr = cr, .out = 200};
	cl_assistant(buf, sizeof buf, &a);
	feed(c->m, c->file, buf);
	snprintf(c->last_uuid, sizeof c->last_uuid, "%s", u2);
	c->n++;
	return t;
}

static struct model *new_model(void)
{
	struct model_opts o;
	model_opts_default(&o);
	return model_new(&o);
}

/* A fresh model with one Claude transcript for session A, written through `a`. */
static struct model *one_session(struct conv *a)
{
	struct model *m = new_model();
	conv_init(a, m, model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false), "A", "A");
	return m;
}

Test(dedup, split_response_counts_once_with_max_output)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/s1.jsonl", false);
	unsigned outs[] = {3, 172, 172};
	for (int i = 0; i < 3; i++) {
		char uuid[16];
		snprintf(uuid, sizeof uuid, "u%d", i);
		struct cl a = {.sid = "s1", .uuid = uuid, .msg = "msg_1", .req = "req_1", .t = T0 + i * 500,
			       .in = 3, .c5 = 1331, .cr = 14874, .out = outs[i]};
		cl_assistant(buf, sizeof buf, &a);
		feed(m, f, buf);
	}
	cr_assert_eq(model_request_count(m), 1);
	cr_assert_eq(model_totals(m)->output, 172);
	cr_assert_eq(model_totals(m)->cache_creation, 1331);
	cr_assert_eq(model_totals(m)->cache_read, 14874);
	cr_assert_eq(model_stats(m)->duplicate_lines, 2);
	model_free(m);
}

Test(dedup, sidechain_replay_with_new_request_id_counts_once)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/s1.jsonl", false);
	struct cl a = {.sid = "s1", .uuid = "u1", .msg = "msg_1", .req = "req_1", .t = T0, .in = 3, .c5 = 2000, .cr = 0, .out = 10};
	cl_assistant(buf, sizeof buf, &a);
	feed(m, f, buf);
	struct cl b = a;
	b.uuid = "u2";
	b.req = "req_2";
	b.side = true;
	b.t = T0 + 60000;
	cl_assistant(buf, sizeof buf, &b);
	feed(m, f, buf);
	cr_assert_eq(model_request_count(m), 1);
	/* but two distinct requests that share nothing are two */
	struct cl c = a;
	c.uuid = "u3";
	c.msg = "msg_2";
	c.req = "req_3";
	c.t = T0 + 120000;
	cl_assistant(buf, sizeof buf, &c);
	feed(m, f, buf);
	cr_assert_eq(model_request_count(m), 2);
	model_free(m);
}

Test(dedup, synthetic_error_lines_are_not_requests)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/s1.jsonl", false);
	struct cl a = {.sid = "s1", .uuid = "u1", .msg = "msg_1", .req = "req_1", .t = T0, .model = "<synthetic>"};
	cl_assistant(buf, sizeof buf, &a);
	feed(m, f, buf);
	cr_assert_eq(model_request_count(m), 0);
	cr_assert_eq(model_stats(m)->synthetic, 1);
	model_free(m);
}

/* A 1-hour-tier session whose last request has E = cr + cc = 40,551. */
static void base_session(struct model *m, struct conv *c)
{
	conv_req(c, 0, 0, 20000, 0);
	conv_req(c, 0.5, 0, 2000, 20000);
	conv_req(c, 1.0, 0, 1000, 22000);
	conv_req(c, 2.0, 0, 17548, 23003); /* E = 40,551 */
	(void)m;
}

/* Session A in its own file, and a new file for session B whose first line's parentUuid points
 * at A's last line: a junction, the resume shape without a replayed prefix. */
static struct model *junction_pair(struct conv *a, struct conv *b)
{
	struct model *m = new_model();
	conv_init(a, m, model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false), "A", "A");
	base_session(m, a);
	conv_init(b, m, model_file_add(m, AGENT_CLAUDE, "/p/B.jsonl", false), "B", "B");
	snprintf(b->last_uuid, sizeof b->last_uuid, "%s", a->last_uuid);
	return m;
}

Test(resume, replayed_prefix_then_miss_at_4_minutes)
{
	struct model *m = new_model();
	uint32_t fa = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	struct conv a;
	conv_init(&a, m, fa, "A", "A");
	base_session(m, &a);
	/* B: a new file that starts with byte copies of A's lines under B's sessionId */
	uint32_t fb = model_file_add(m, AGENT_CLAUDE, "/p/B.jsonl", false);
	for (int i = 0; i < 4; i++) {
		char u1[16], u2[16], msg[32], req[32];
		snprintf(u1, sizeof u1, "A-u%d", i);
		snprintf(u2, sizeof u2, "A-a%d", i);
		snprintf(msg, sizeof msg, "msg_A_%d", i);
		snprintf(req, sizeof req, "req_A_%d", i);
		cl_user(buf, sizeof buf, "B", u1, NULL, T0, NULL);
		feed(m, fb, buf);
		struct cl x = {.sid = "B", .uuid = u2, .parent = u1, .msg = msg, .req = req, .t = T0 + MIN(i * 0.5),
			       .in = 3, .c1 = 1000, .cr = 20000, .out = 200};
		cl_assistant(buf, sizeof buf, &x);
		feed(m, fb, buf);
	}
	cr_assert_eq(model_request_count(m), 4, "copied requests must not count again");
	struct conv b;
	conv_init(&b, m, fb, "B", "B");
	snprintf(b.last_uuid, sizeof b.last_uuid, "A-a3");
	int64_t t = conv_req(&b, 2.0 + 4.1, 0, 23849, 16702);
	cr_assert_eq(model_request_count(m), 5);
	const struct cache_event *e = event_at(m, t);
	cr_assert_not_null(e);
	cr_assert_eq(e->cause, CAUSE_RESUME_MISS);
	cr_assert_eq(e->expected_prefix, 40551);
	cr_assert_float_eq(e->gap_s, 4.1 * 60, 0.01);
	cr_assert_eq(e->ttl_s, 3600);
	cr_assert_eq(e->wasted_tokens, 23849); /* min(cc, E − cr) = min(23849, 23849) */
	/* sonnet-4-5: 1h write $6/M, read $0.30/M → (6 − 0.3) per million */
	cr_assert_float_eq(e->wasted_usd, 23849 * 5.7 / 1e6, 1e-9);
	int32_t bi = model_session_find(m, "B"), ai = model_session_find(m, "A");
	cr_assert_eq(model_session(m, (size_t)bi)->resumed_from, ai);
	cr_assert_eq(e->resumed_from, ai);
	cr_assert_eq(model_session(m, (size_t)ai)->tot.requests, 4);
	cr_assert_eq(model_session(m, (size_t)bi)->tot.requests, 1);
	model_free(m);
}

Test(resume, junction_then_full_miss_at_28_minutes)
{
	struct conv a, b;
	struct model *m = junction_pair(&a, &b);
	int64_t t = conv_req(&b, 2.0 + 28.2, 0, 40260, 0);
	const struct cache_event *e = event_at(m, t);
	cr_assert_not_null(e);
	cr_assert_eq(e->cause, CAUSE_RESUME_MISS, "28 minutes is inside the 1-hour TTL: %s", cause_name(e->cause));
	cr_assert_eq(e->hit, 0.0 / 1.0 * 0 + (double)0 / (3 + 40260));
	model_free(m);
}

Test(resume, junction_after_an_hour_is_ttl_expiry)
{
	struct conv a, b;
	struct model *m = junction_pair(&a, &b);
	int64_t t = conv_req(&b, 2.0 + 2423.6, 0, 20061, 0);
	const struct cache_event *e = event_at(m, t);
	cr_assert_eq(e->cause, CAUSE_TTL_EXPIRY);
	cr_assert(cause_expected(e->cause));
	cr_assert_eq(e->wasted_tokens, 0);
	cr_assert_gt(e->rebuild_usd, 0);
	model_free(m);
}

Test(resume, warm_resume_is_a_resume_hit)
{
	struct conv a, b;
	struct model *m = junction_pair(&a, &b);
	int64_t t = conv_req(&b, 5, 0, 800, 40551);
	const struct cache_event *e = event_at(m, t);
	cr_assert_not_null(e);
	cr_assert_eq(e->cause, CAUSE_RESUME_HIT);
	cr_assert(cause_expected(e->cause));
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

Test(resume, session_id_change_inside_one_file)
{
	struct conv a;
	struct model *m = one_session(&a);
	uint32_t f = a.file;
	base_session(m, &a);
	struct conv b;
	conv_init(&b, m, f, "B", "B");
	snprintf(b.last_uuid, sizeof b.last_uuid, "%s", a.last_uuid);
	int64_t t = conv_req(&b, 5, 0, 40000, 1000);
	const struct cache_event *e = event_at(m, t);
	cr_assert_eq(e->cause, CAUSE_RESUME_MISS);
	cr_assert_eq(model_session(m, (size_t)model_session_find(m, "B"))->resumed_from, model_session_find(m, "A"));
	model_free(m);
}

Test(resume, version_change_inside_one_file)
{
	struct conv a;
	struct model *m = one_session(&a);
	base_session(m, &a);
	a.version = "2.1.117";
	int64_t t = conv_req(&a, 4, 0, 40000, 1000);
	cr_assert_eq(event_at(m, t)->cause, CAUSE_RESUME_MISS);
	/* and the same process continuing is ordinary */
	int64_t t2 = conv_req(&a, 5, 0, 500, 41000);
	cr_assert_null(event_at(m, t2));
	model_free(m);
}

Test(resume, model_switch_is_never_a_resume_miss)
{
	struct conv a, b;
	struct model *m = junction_pair(&a, &b);
	b.model = "claude-haiku-4-5-20251001";
	int64_t t = conv_req(&b, 4, 0, 40000, 0);
	cr_assert_eq(event_at(m, t)->cause, CAUSE_MODEL_SWITCH);
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

Test(causes, ttl_tiers_at_their_edges)
{
	struct { unsigned c5, c1; double gap; enum cause want; } cases[] = {
		{0, 2000, 59, CAUSE_UNEXPLAINED_MISS}, {0, 2000, 61, CAUSE_TTL_EXPIRY},
		{2000, 0, 4, CAUSE_UNEXPLAINED_MISS}, {2000, 0, 6, CAUSE_TTL_EXPIRY},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct model *m = new_model();
		uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
		struct conv a;
		conv_init(&a, m, f, "A", "A");
		conv_req(&a, 0, cases[i].c5 * 10, cases[i].c1 * 10, 0);
		conv_req(&a, 1, cases[i].c5, cases[i].c1, cases[i].c5 * 10 + cases[i].c1 * 10);
		int64_t t = conv_req(&a, 1 + cases[i].gap, cases[i].c5 * 10, cases[i].c1 * 10, 0);
		const struct cache_event *e = event_at(m, t);
		cr_assert_not_null(e, "case %zu", i);
		cr_assert_eq(e->cause, cases[i].want, "case %zu: got %s", i, cause_name(e->cause));
		cr_assert_eq(e->ttl_s, cases[i].c1 ? 3600 : 300);
		model_free(m);
	}
}

Test(causes, compaction_is_expected)
{
	struct conv a;
	struct model *m = one_session(&a);
	uint32_t f = a.file;
	base_session(m, &a);
	feed(m, f, "{\"type\":\"system\",\"subtype\":\"compact_boundary\",\"timestamp\":\"2025-11-10T09:03:00.000Z\","
		   "\"parentUuid\":null,\"logicalParentUuid\":\"A-a3\",\"isSidechain\":false,\"userType\":\"external\","
		   "\"cwd\":\"/tmp\",\"sessionId\":\"A\",\"version\":\"2.1.116\",\"uuid\":\"cb\",\"content\":"
		   "\"Conversation compacted\",\"level\":\"info\",\"compactMetadata\":{\"trigger\":\"auto\",\"preTokens\":150000}}");
	snprintf(a.last_uuid, sizeof a.last_uuid, "cb");
	int64_t t = conv_req(&a, 4, 0, 9000, 2000);
	cr_assert_eq(event_at(m, t)->cause, CAUSE_COMPACTION);
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

Test(causes, unexplained_miss_and_first_request)
{
	struct conv a;
	struct model *m = one_session(&a);
	int64_t t0 = conv_req(&a, 0, 0, 20000, 0);
	cr_assert_eq(event_at(m, t0)->cause, CAUSE_FIRST_REQUEST);
	int64_t t1 = conv_req(&a, 2, 0, 15000, 5000);
	const struct cache_event *e = event_at(m, t1);
	cr_assert_eq(e->cause, CAUSE_UNEXPLAINED_MISS);
	cr_assert(!cause_expected(e->cause));
	cr_assert_eq(e->wasted_tokens, 15000);
	model_free(m);
}

Test(causes, no_false_alarms_in_a_long_ordinary_session)
{
	struct conv a;
	struct model *m = one_session(&a);
	unsigned read = 0;
	for (int i = 0; i < 300; i++) {
		unsigned write = i == 0 ? 30000 : 500 + (unsigned)(i % 7) * 300;
		conv_req(&a, i * 0.9 + (i % 13 == 0 ? 40 : 0) + (i / 13) * 40, 0, write, read);
		read += write;
	}
	cr_assert_eq(model_event_count(m), 1, "only the first request is an event, got %zu", model_event_count(m));
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

Test(causes, subagent_first_requests_are_first_request)
{
	struct conv a;
	struct model *m = one_session(&a);
	base_session(m, &a);
	uint32_t sf = model_file_add(m, AGENT_CLAUDE, "/p/A/subagents/agent-x1.jsonl", true);
	struct cl s = {.sid = "A", .uuid = "s1", .msg = "msg_s1", .req = "req_s1", .t = T0 + MIN(2.5),
		       .in = 3, .c5 = 13358, .cr = 0, .out = 100, .side = true, .agent_id = "x1"};
	cl_assistant(buf, sizeof buf, &s);
	feed(m, sf, buf);
	const struct cache_event *e = event_at(m, T0 + MIN(2.5));
	cr_assert_eq(e->cause, CAUSE_FIRST_REQUEST);
	/* the main chain is untouched: its next request is judged against its own predecessor */
	int64_t t = conv_req(&a, 3, 0, 600, 40551);
	cr_assert_null(event_at(m, t));
	const struct session *ss = model_session(m, (size_t)model_session_find(m, "A"));
	cr_assert_eq(ss->sub.requests, 1);
	cr_assert_eq(ss->tot.requests, 6);
	model_free(m);
}

Test(causes, v1_sidechain_trees_inside_the_main_file_are_separate_chains)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	/* two interleaved sidechain roots (parentUuid null), each with two requests */
	struct cl r1 = {.sid = "A", .uuid = "r1", .msg = "m1", .req = "q1", .t = T0, .in = 3, .c5 = 11776, .out = 5, .side = true};
	struct cl r2 = {.sid = "A", .uuid = "r2", .msg = "m2", .req = "q2", .t = T0 + 1000, .in = 3, .c5 = 9000, .out = 5, .side = true};
	struct cl r1b = {.sid = "A", .uuid = "r1b", .parent = "r1", .msg = "m3", .req = "q3", .t = T0 + 2000, .in = 3, .c5 = 300, .cr = 11776, .out = 5, .side = true};
	struct cl r2b = {.sid = "A", .uuid = "r2b", .parent = "r2", .msg = "m4", .req = "q4", .t = T0 + 3000, .in = 3, .c5 = 200, .cr = 9000, .out = 5, .side = true};
	const struct cl *all[] = {&r1, &r2, &r1b, &r2b};
	for (int i = 0; i < 4; i++) {
		cl_assistant(buf, sizeof buf, all[i]);
		feed(m, f, buf);
	}
	/* r2b follows r2 (warm), not r1b: with one chain it would look like a miss */
	cr_assert_eq(count_cause(m, CAUSE_FIRST_REQUEST), 2);
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

static void codex_meta(char *b, size_t cap, const char *id, const char *fork_of, int64_t t)
{
	char ts[32], fork[128] = "";
	rfc3339_format(t, ts);
	if (fork_of)
		snprintf(fork, sizeof fork, ",\"forked_from_id\":\"%s\"", fork_of);
	snprintf(b, cap, "{\"timestamp\":\"%s\",\"type\":\"session_meta\",\"payload\":{\"id\":\"%s\",\"timestamp\":\"%s\","
			 "\"cwd\":\"/home/dev/web\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.104.0\"%s}}", ts, id, ts, fork);
}

Test(codex, reemissions_zero_usage_and_fork_replay)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CODEX, "/s/rollout-a.jsonl", false);
	codex_meta(buf, sizeof buf, "P", NULL, T0);
	feed(m, f, buf);
	feed(m, f, "{\"timestamp\":\"2025-11-10T09:00:00.100Z\",\"type\":\"turn_context\",\"payload\":{\"model\":\"gpt-5.3-codex\"}}");
	unsigned tot[4] = {0}, last[4];
	unsigned ins[] = {17088, 20000, 24000}, cached[] = {3456, 16896, 19968};
	for (int i = 0; i < 3; i++) {
		last[0] = ins[i], last[1] = cached[i], last[2] = 350, last[3] = 100;
		for (int k = 0; k < 4; k++)
			tot[k] += last[k];
		codex_tokens(buf, sizeof buf, T0 + MIN(i), tot, last);
		feed(m, f, buf);
		codex_tokens(buf, sizeof buf, T0 + MIN(i) + 500, tot, last); /* re-emission */
		feed(m, f, buf);
	}
	cr_assert_eq(model_request_count(m), 3);
	cr_assert_eq(model_totals(m)->input, (17088 - 3456) + (20000 - 16896) + (24000 - 19968));
	cr_assert_eq(model_totals(m)->cache_read, 3456 + 16896 + 19968);
	cr_assert_eq(model_totals(m)->cache_creation, 0);
	/* the fork replays the parent's token_count events (re-timestamped), then goes on */
	uint32_t g = model_file_add(m, AGENT_CODEX, "/s/rollout-b.jsonl", false);
	codex_meta(buf, sizeof buf, "F", "P", T0 + MIN(3));
	feed(m, g, buf);
	feed(m, g, "{\"timestamp\":\"2025-11-10T09:03:00.100Z\",\"type\":\"turn_context\",\"payload\":{\"model\":\"gpt-5.3-codex\"}}");
	unsigned t2[4] = {0};
	for (int i = 0; i < 3; i++) {
		last[0] = ins[i], last[1] = cached[i], last[2] = 350, last[3] = 100;
		for (int k = 0; k < 4; k++)
			t2[k] += last[k];
		codex_tokens(buf, sizeof buf, T0 + MIN(3), t2, last);
		feed(m, g, buf);
	}
	cr_assert_eq(model_request_count(m), 3, "fork replay must not count");
	last[0] = 25000, last[1] = 4000, last[2] = 100, last[3] = 0;
	for (int k = 0; k < 4; k++)
		t2[k] += last[k];
	codex_tokens(buf, sizeof buf, T0 + MIN(4), t2, last);
	feed(m, g, buf);
	cr_assert_eq(model_request_count(m), 4);
	const struct cache_event *e = event_at(m, T0 + MIN(4));
	cr_assert_not_null(e);
	cr_assert_eq(e->cause, CAUSE_RESUME_MISS, "got %s", cause_name(e->cause));
	cr_assert_eq(e->expected_prefix, 24000);
	cr_assert_eq(e->wasted_tokens, 20000); /* min(uncached input 21000, E − cached = 20000) */
	cr_assert_eq(model_session(m, (size_t)model_session_find(m, "F"))->resumed_from, model_session_find(m, "P"));
	/* an all-zero usage is not a request */
	unsigned zero[4] = {0};
	codex_tokens(buf, sizeof buf, T0 + MIN(5), t2, zero);
	feed(m, g, buf);
	cr_assert_eq(model_request_count(m), 4);
	cr_assert(model_account_limits(m)->present);
	cr_assert_eq(model_account_limits(m)->rl.primary.window_minutes, 300);
	model_free(m);
}

Test(model, truncation_reread_counts_nothing_twice)
{
	struct conv a;
	struct model *m = one_session(&a);
	uint32_t f = a.file;
	base_session(m, &a);
	size_t events = model_event_count(m);
	model_file_reset(m, f);
	struct conv again;
	conv_init(&again, m, f, "A", "A");
	base_session(m, &again);
	cr_assert_eq(model_request_count(m), 4);
	cr_assert_eq(model_event_count(m), events);
	cr_assert_eq(model_totals(m)->unexpected, 0);
	model_free(m);
}

Test(model, malformed_lines_are_counted_and_skipped)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	feed(m, f, "not json");
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"x\",\"sessionId\":\"A\",\"timestamp\":\"2025-11-10T09:00:00Z\","
		   "\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":-5}}}");
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"y\",\"sessionId\":\"A\",\"timestamp\":\"2025-11-10T09:00:00Z\","
		   "\"message\":{\"id\":\"m2\",\"usage\":{\"input_tokens\":\"12\"}}}");
	struct conv a;
	conv_init(&a, m, f, "A", "A");
	conv_req(&a, 1, 0, 100, 0);
	cr_assert_eq(model_stats(m)->malformed, 3);
	cr_assert_eq(model_request_count(m), 1);
	model_free(m);
}

/* model_generation: what a reader derived from the model stays valid while it is the same, so it
 * must move with every applied line and file change, and stay put when nothing happened */
Test(model, generation_moves_with_every_change_only)
{
	struct conv a;
	struct model *m = one_session(&a);
	uint64_t g0 = model_generation(m);
	cr_assert_eq(model_generation(m), g0, "reading changes nothing");
	conv_req(&a, 0, 1000, 0, 0);
	uint64_t g1 = model_generation(m);
	cr_assert_neq(g1, g0);
	(void)model_session_count(m);
	(void)model_request_count(m);
	cr_assert_eq(model_generation(m), g1, "reading changes nothing");
	model_file_reset(m, a.file);
	uint64_t g2 = model_generation(m);
	cr_assert_neq(g2, g1);
	model_file_gone(m, a.file);
	cr_assert_neq(model_generation(m), g2);
	model_free(m);
}
