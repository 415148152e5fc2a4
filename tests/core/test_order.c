/* test_order.c — the model's half of "live equals report": what it decides must not depend on
 * the order files interleave in, and where a later line proves an earlier decision could be
 * wrong, model_order_broken says so (the app then reads the tree again). One scenario each:
 * a copy read before its original, a tie between an original and its copy that flips as they
 * grow, a late request in a session a resume already looked into, boundaries and compactions
 * that belong to their own file, a Codex sub-agent replaying its parent's meta, and a Claude
 * usage line without a uuid. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "cachetop/model.h"
#include "lines.h"

static char buf[8192];

static struct model *new_model(void)
{
	struct model_opts o;
	model_opts_default(&o);
	return model_new(&o);
}

/* Request i of conversation `tag` in session sid at minute `min`, as two lines. */
static void req_lines(struct model *m, uint32_t f, const char *sid, const char *tag, int i, double min,
		      unsigned c1, unsigned cr)
{
	char u1[32], u2[32], prev[32], msg[32], req[32];
	snprintf(u1, sizeof u1, "%s-u%d", tag, i);
	snprintf(u2, sizeof u2, "%s-a%d", tag, i);
	snprintf(prev, sizeof prev, "%s-a%d", tag, i - 1);
	snprintf(msg, sizeof msg, "msg_%s_%d", tag, i);
	snprintf(req, sizeof req, "req_%s_%d", tag, i);
	cl_user(buf, sizeof buf, sid, u1, i ? prev : NULL, T0 + MIN(min) - 1000, NULL);
	feed(m, f, buf);
	struct cl a = {.sid = sid, .uuid = u2, .parent = u1, .msg = msg, .req = req, .t = T0 + MIN(min),
		       .in = 3, .c1 = c1, .cr = cr, .out = 100};
	cl_assistant(buf, sizeof buf, &a);
	feed(m, f, buf);
}

Test(order, copy_read_before_its_original_is_noticed)
{
	/* A: requests 0..3 at minutes 0..3. B: resumes A, starting with copies of A's requests 2
	 * and 3 (so B starts after A). Read B first: the copies would be B's. */
	for (int b_first = 0; b_first < 2; b_first++) {
		struct model *m = new_model();
		uint32_t fa = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
		uint32_t fb = model_file_add(m, AGENT_CLAUDE, "/p/B.jsonl", false);
		model_file_order(m, fa, T0 - 1000, CT_TIME_NONE);
		model_file_order(m, fb, T0 + MIN(2) - 1000, CT_TIME_NONE);
		for (int pass = 0; pass < 2; pass++) {
			bool do_b = (pass == 0) == (bool)b_first;
			if (do_b) {
				for (int i = 2; i < 4; i++)
					req_lines(m, fb, "B", "A", i, i, 500, 20000 + 500u * (unsigned)i);
			} else {
				for (int i = 0; i < 4; i++)
					req_lines(m, fa, "A", "A", i, i, 500, 20000 + 500u * (unsigned)i);
			}
		}
		cr_expect_eq(model_order_broken(m), (bool)b_first, "b_first=%d", b_first);
		cr_expect_eq(model_request_count(m), 4);
		model_free(m);
	}
}

Test(order, a_tie_is_checked_again_as_both_files_grow)
{
	/* B copies A from its first line (the same first timestamp): A counts while it ends first. */
	struct model *m = new_model();
	uint32_t fa = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	uint32_t fb = model_file_add(m, AGENT_CLAUDE, "/p/B.jsonl", false);
	model_file_order(m, fa, T0 - 1000, CT_TIME_NONE);
	model_file_order(m, fb, T0 - 1000, CT_TIME_NONE);
	for (int i = 0; i < 3; i++)
		req_lines(m, fa, "A", "A", i, i, 500, 20000);
	for (int i = 0; i < 3; i++)
		req_lines(m, fb, "B", "A", i, i, 500, 20000);
	req_lines(m, fb, "B", "B", 0, 10, 500, 20000); /* B goes on: A ended first */
	cr_expect_not(model_order_broken(m));
	req_lines(m, fa, "A", "A", 3, 20, 500, 20000); /* now A ends last: B would be the original */
	cr_expect(model_order_broken(m));
	cr_expect_not(model_order_hard(m), "only the tie's order is in question");
	model_free(m);
}

Test(order, a_late_request_in_a_session_a_resume_looked_into)
{
	/* B is a junction onto A at minute 10 (its predecessor: A's last request at or before 10).
	 * A request of A at minute 8 that arrives afterwards changes that predecessor. */
	struct model *m = new_model();
	uint32_t fa = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	uint32_t fb = model_file_add(m, AGENT_CLAUDE, "/p/B.jsonl", false);
	model_file_order(m, fa, T0 - 1000, CT_TIME_NONE);
	model_file_order(m, fb, T0 + MIN(10) - 2000, CT_TIME_NONE);
	req_lines(m, fa, "A", "A", 0, 0, 500, 20000);
	cl_user(buf, sizeof buf, "B", "B-u0", "A-a0", T0 + MIN(10) - 1000, NULL);
	feed(m, fb, buf);
	struct cl a = {.sid = "B", .uuid = "B-a0", .parent = "B-u0", .msg = "msg_B_0", .req = "req_B_0",
		       .t = T0 + MIN(10), .in = 3, .c1 = 500, .cr = 20000, .out = 100};
	cl_assistant(buf, sizeof buf, &a);
	feed(m, fb, buf);
	cr_expect_not(model_order_broken(m));
	req_lines(m, fa, "A", "A", 1, 12, 500, 20500); /* after the lookup's time: fine */
	cr_expect_not(model_order_broken(m));
	req_lines(m, fa, "A", "A", 2, 8, 500, 21000);  /* before it: the answer may change */
	cr_expect(model_order_broken(m));
	model_free(m);
}

static void codex_meta_line(char *b, size_t cap, const char *id, const char *spawned_by, int64_t t)
{
	char ts[32], src[256] = "";
	rfc3339_format(t, ts);
	if (spawned_by)
		snprintf(src, sizeof src, ",\"source\":{\"subagent\":{\"thread_spawn\":{\"parent_thread_id\":\"%s\","
			 "\"depth\":1}}}", spawned_by);
	snprintf(b, cap, "{\"timestamp\":\"%s\",\"type\":\"session_meta\",\"payload\":{\"id\":\"%s\",\"timestamp\":\"%s\","
			 "\"cwd\":\"/home/dev/web\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.104.0\"%s}}", ts, id, ts, src);
}

static void codex_req(struct model *m, uint32_t f, unsigned tot[4], double min, unsigned in, unsigned cached)
{
	unsigned last[4] = {in, cached, 300, 0};
	for (int k = 0; k < 4; k++)
		tot[k] += last[k];
	codex_tokens(buf, sizeof buf, T0 + MIN(min), tot, last);
	feed(m, f, buf);
}

Test(order, codex_subagent_replaying_its_parents_meta_is_no_resume)
{
	struct model *m = new_model();
	uint32_t fp = model_file_add(m, AGENT_CODEX, "/s/rollout-p.jsonl", false);
	codex_meta_line(buf, sizeof buf, "P", NULL, T0);
	feed(m, fp, buf);
	unsigned tp[4] = {0}, ts[4] = {0};
	codex_req(m, fp, tp, 1, 20000, 0);
	codex_req(m, fp, tp, 2, 21000, 19000);
	/* the sub-agent's file: its own meta, then its parent's meta replayed, then its work */
	uint32_t fs = model_file_add(m, AGENT_CODEX, "/s/rollout-s.jsonl", false);
	codex_meta_line(buf, sizeof buf, "S", "P", T0 + MIN(3));
	feed(m, fs, buf);
	codex_meta_line(buf, sizeof buf, "P", NULL, T0);
	feed(m, fs, buf);
	codex_req(m, fs, ts, 3, 9000, 0);
	/* the parent goes on, warm */
	codex_req(m, fp, tp, 4, 22000, 20900);
	cr_expect_eq(count_cause(m, CAUSE_RESUME_HIT), 0, "a sub-agent is not a new process of its parent");
	cr_expect_eq(model_session(m, (size_t)model_session_find(m, "P"))->resumed_from, -1);
	model_free(m);
}

Test(order, a_compaction_belongs_to_its_own_file)
{
	/* A sub-agent's file holds a compaction; the parent's next cold request is not explained
	 * by it. */
	struct model *m = new_model();
	uint32_t fp = model_file_add(m, AGENT_CODEX, "/s/rollout-p.jsonl", false);
	codex_meta_line(buf, sizeof buf, "P", NULL, T0);
	feed(m, fp, buf);
	unsigned tp[4] = {0}, ts[4] = {0};
	codex_req(m, fp, tp, 1, 20000, 0);
	uint32_t fs = model_file_add(m, AGENT_CODEX, "/s/rollout-s.jsonl", false);
	codex_meta_line(buf, sizeof buf, "S", "P", T0 + MIN(2));
	feed(m, fs, buf);
	feed(m, fs, "{\"timestamp\":\"2025-11-10T09:02:30.000Z\",\"type\":\"compacted\",\"payload\":{\"message\":\"\"}}");
	codex_req(m, fs, ts, 3, 9000, 0);
	codex_req(m, fp, tp, 4, 22000, 0); /* cold, 3 minutes after its predecessor */
	const struct cache_event *e = event_at(m, T0 + MIN(4));
	cr_assert_not_null(e);
	cr_expect_eq(e->cause, CAUSE_UNEXPLAINED_MISS, "got %s", cause_name(e->cause));
	model_free(m);
}

Test(order, a_usage_line_without_uuid_is_a_request)
{
	struct model *m = new_model();
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/p/A.jsonl", false);
	const char *line = "{\"type\":\"assistant\",\"sessionId\":\"A\",\"timestamp\":\"2025-11-10T09:00:00Z\","
			   "\"requestId\":\"req_1\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\","
			   "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,"
			   "\"cache_read_input_tokens\":0,\"output_tokens\":34}}}";
	feed(m, f, line);
	feed(m, f, line); /* the same response again: a duplicate */
	cr_assert_eq(model_request_count(m), 1);
	cr_expect_eq(model_totals(m)->input, 12);
	cr_expect_eq(model_totals(m)->output, 34);
	cr_expect_eq(model_stats(m)->duplicate_lines, 1);
	cr_expect_eq(model_stats(m)->malformed, 0);
	model_free(m);
}
