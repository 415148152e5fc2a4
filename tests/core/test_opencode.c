/* test_opencode.c — opencode's records (parse_opencode.c) and how the model counts them: the
 * envelope and stored-JSON fallbacks, tokens as opencode reports them (reasoning billed as
 * output), the Claude or OpenAI cache rules by model, sub-agent sessions in their parent's,
 * compaction, replies with no tokens, legacy copies of database rows, rows read again when they
 * change, and a live order of arrival that ends where a whole read in time order does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/opencode.h"
#include "cachetop/report.h"
#include "cachetop/util.h"

#define T0 1763542800000LL /* 2025-11-19T09:00:00Z */
#define SEC(x) ((int64_t)(x) * 1000)

static char buf[8192];

static const char *ses(const char *id, const char *parent, const char *dir, const char *title, int64_t t)
{
	char p[128];
	snprintf(p, sizeof p, parent ? "\"%s\"" : "null", parent);
	snprintf(buf, sizeof buf,
		 "{\"kind\":\"session\",\"src\":\"db\",\"id\":\"%s\",\"parent_id\":%s,\"directory\":\"%s\","
		 "\"title\":\"%s\",\"time_created\":%lld}", id, p, dir, title, (long long)t);
	return buf;
}

struct reply {
	const char *id, *sid, *model, *provider;
	int64_t t;
	unsigned in, out, reasoning, cr, cw;
	bool summary, legacy, open;
};

/* a reply written out in full: id, session, model, provider, time, then the five counts */
#define REPLY(i, s, mo, pr, tt, a, b, c, d, e) \
	{.id = (i), .sid = (s), .model = (mo), .provider = (pr), .t = (tt), .in = (a), .out = (b), \
	 .reasoning = (c), .cr = (d), .cw = (e)}

static const char *msg(const struct reply *r)
{
	const char *model = r->model ? r->model : "claude-sonnet-4-5";
	const char *prov = r->provider ? r->provider : "anthropic";
	char time[96];
	if (r->open)
		snprintf(time, sizeof time, "{\"created\":%lld}", (long long)r->t);
	else
		snprintf(time, sizeof time, "{\"created\":%lld,\"completed\":%lld}", (long long)r->t, (long long)r->t + 900);
	snprintf(buf, sizeof buf,
		 "{\"kind\":\"message\",\"src\":\"%s\",\"id\":\"%s\",\"session_id\":\"%s\",\"time_created\":%lld,"
		 "\"data\":{\"role\":\"assistant\",\"time\":%s,\"modelID\":\"%s\",\"providerID\":\"%s\","
		 "\"path\":{\"cwd\":\"/w\",\"root\":\"/w\"},%s\"tokens\":{\"input\":%u,\"output\":%u,"
		 "\"reasoning\":%u,\"cache\":{\"read\":%u,\"write\":%u}}}}",
		 r->legacy ? "json" : "db", r->id, r->sid, (long long)r->t, time, model, prov,
		 r->summary ? "\"summary\":true," : "", r->in, r->out, r->reasoning, r->cr, r->cw);
	return buf;
}

static const char *user(const char *id, const char *sid, int64_t t)
{
	snprintf(buf, sizeof buf,
		 "{\"kind\":\"message\",\"src\":\"db\",\"id\":\"%s\",\"session_id\":\"%s\",\"time_created\":%lld,"
		 "\"data\":{\"role\":\"user\",\"time\":{\"created\":%lld},\"agent\":\"build\"}}",
		 id, sid, (long long)t, (long long)t);
	return buf;
}

static struct model *m;
static uint32_t db, legacy;

static void setup(void)
{
	m = model_new(NULL);
	db = model_file_add(m, AGENT_OPENCODE, "/d/opencode/opencode.db", false);
	legacy = model_file_add(m, AGENT_OPENCODE, "/d/opencode/storage", false);
}

static void teardown(void) { model_free(m); }

TestSuite(opencode, .init = setup, .fini = teardown);

static unsigned feed(uint32_t f, const char *s) { return model_feed(m, f, s, strlen(s)); }

static const struct session *session_of(const char *id)
{
	int32_t i = model_session_find(m, id);
	cr_assert_geq(i, 0, "no session %s", id);
	return model_session(m, (size_t)i);
}

/* ---- parsing ------------------------------------------------------------------------------ */

static void parse(const char *s, struct line *ln) { line_parse_opencode(s, strlen(s), ln); }

Test(opencode, parses_a_reply_with_tokens_as_opencode_reports_them)
{
	struct line ln;
	struct reply r = REPLY("msg_1", "ses_a", "claude-opus-4-5", "anthropic", T0, 12, 300, 45, 20000, 900);
	r.summary = true;
	parse(msg(&r), &ln);
	cr_assert_eq(ln.kind, LINE_DB_MESSAGE);
	cr_assert(ln.has_usage);
	cr_assert_eq(ln.ts, T0);
	cr_assert_str_eq(ln.session_id, "ses_a");
	cr_assert_str_eq(ln.model, "claude-opus-4-5");
	cr_assert_eq(ln.usage.input, 12);
	cr_assert_eq(ln.usage.cache_read, 20000);
	cr_assert_eq(ln.usage.cache_creation, 900);
	cr_assert_eq(ln.usage.output, 345, "reasoning is billed as output");
	cr_assert(ln.compact_boundary);
	cr_assert(!ln.openai_rules);
	cr_assert(!ln.legacy);
	cr_assert_str_eq(ln.cwd, "/w");
	/* the same through the packed form the parallel scan uses */
	struct buf b = {0};
	line_pack(&ln, &b);
	struct line back;
	cr_assert_eq(line_unpack(b.data, b.len, &back), b.len);
	cr_assert_eq(back.kind, ln.kind);
	cr_assert_eq(back.msg_id, ln.msg_id);
	cr_assert(!memcmp(&back.usage, &ln.usage, sizeof ln.usage));
	cr_assert_str_eq(back.model, ln.model);
	cr_assert_str_eq(back.session_id, ln.session_id);
	cr_assert_eq(back.compact_boundary, ln.compact_boundary);
	buf_free(&b);
}

Test(opencode, claude_models_anywhere_get_the_claude_rules)
{
	struct line ln;
	struct reply r = REPLY("msg_1", "ses_a", "gpt-5.1-codex", "openai", T0, 1, 1, 0, 0, 0);
	parse(msg(&r), &ln);
	cr_assert(ln.openai_rules);
	r.model = "anthropic/claude-sonnet-4.5", r.provider = "openrouter";
	parse(msg(&r), &ln);
	cr_assert(!ln.openai_rules);
	r.model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0", r.provider = "amazon-bedrock";
	parse(msg(&r), &ln);
	cr_assert(!ln.openai_rules);
	r.model = "some-model", r.provider = "anthropic";
	parse(msg(&r), &ln);
	cr_assert(!ln.openai_rules);
	r.model = "gemini-2.5-pro", r.provider = "google";
	parse(msg(&r), &ln);
	cr_assert(ln.openai_rules);
}

Test(opencode, legacy_records_take_what_the_envelope_lacks_from_the_file)
{
	struct line ln;
	const char *s = "{\"kind\":\"message\",\"src\":\"json\",\"id\":\"msg_9\",\"session_id\":\"ses_9\",\"data\":"
			"{  \"id\": \"msg_9\",  \"sessionID\": \"ses_9\",  \"role\": \"assistant\",  \"time\": {"
			"\"created\": 1763542800123 },  \"modelID\": \"claude-sonnet-4-5\", \"providerID\": \"anthropic\","
			"  \"tokens\": { \"input\": 5, \"output\": 7, \"reasoning\": 0, \"cache\": {\"read\": 1, \"write\": 2}}}}";
	line_parse_opencode(s, strlen(s), &ln);
	cr_assert_eq(ln.kind, LINE_DB_MESSAGE);
	cr_assert(ln.legacy);
	cr_assert_eq(ln.ts, 1763542800123LL);
	cr_assert_eq(ln.usage.input + ln.usage.cache_read + ln.usage.cache_creation + ln.usage.output, 15);
	s = "{\"kind\":\"session\",\"src\":\"json\",\"id\":\"ses_9\",\"data\":{\"id\":\"ses_9\",\"parentID\":\"ses_1\","
	    "\"directory\":\"/p\",\"title\":\"T (@general subagent)\",\"time\":{\"created\":5,\"updated\":6}}}";
	line_parse_opencode(s, strlen(s), &ln);
	cr_assert_eq(ln.kind, LINE_DB_SESSION);
	cr_assert_str_eq(ln.parent_id, "ses_1");
	cr_assert_str_eq(ln.cwd, "/p");
	cr_assert_eq(ln.ts, 5);
	/* the file names them when the envelope does not */
	s = "{\"kind\":\"message\",\"src\":\"json\",\"data\":{\"id\":\"msg_8\",\"sessionID\":\"ses_8\","
	    "\"role\":\"user\",\"time\":{\"created\":7}}}";
	line_parse_opencode(s, strlen(s), &ln);
	cr_assert_eq(ln.kind, LINE_DB_MESSAGE);
	cr_assert_str_eq(ln.session_id, "ses_8");
	cr_assert(!ln.has_usage);
}

Test(opencode, bad_records_are_counted_with_their_reason)
{
	struct line ln;
	static const struct {
		const char *s;
		enum line_problem why;
	} bad[] = {
		{"{\"kind\":\"message\",\"id\":\"m\",\"session_id\":\"s\",\"time_created\":1,\"data\":{\"role\":"
		 "\"assistant\",\"tokens\":{\"input\":-3,\"output\":1,\"reasoning\":0}}}", LP_BAD_NUMBER},
		{"{\"kind\":\"message\",\"id\":\"m\",\"session_id\":\"s\",\"time_created\":1,\"data\":{\"role\":"
		 "\"assistant\",\"tokens\":{\"input\":1.5,\"output\":1,\"reasoning\":0}}}", LP_BAD_NUMBER},
		{"{\"kind\":\"message\",\"session_id\":\"s\",\"time_created\":1,\"data\":{}}", LP_MISSING_FIELD},
		{"{\"kind\":\"message\",\"id\":\"m\",\"session_id\":\"s\",\"data\":{\"role\":\"user\"}}", LP_BAD_TIME},
		{"{\"kind\":\"message\",\"id\":\"m\",\"session_id\":\"s\",\"time_created\":\"x\"}", LP_BAD_TIME},
		{"{\"kind\":\"session\",\"title\":\"no id\"}", LP_MISSING_FIELD},
		{"{\"kind\":\"message\",\"id\":\"m\",\"session_id\":\"s\",\"time_created\":1,\"data\":{\"role\":", LP_NOT_JSON},
		{"{\"id\":\"m\"}", LP_MISSING_FIELD},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		line_parse_opencode(bad[i].s, strlen(bad[i].s), &ln);
		cr_expect_eq(ln.kind, LINE_MALFORMED, "record %zu", i);
		cr_expect_eq(ln.problem, bad[i].why, "record %zu: %d", i, ln.problem);
	}
	const char *other = "{\"kind\":\"todo\",\"id\":\"x\"}";
	line_parse_opencode(other, strlen(other), &ln);
	cr_assert_eq(ln.kind, LINE_SKIP);
	feed(db, bad[0].s);
	cr_assert_eq(model_stats(m)->malformed, 1);
	cr_assert_eq(model_stats(m)->by_problem[LP_BAD_NUMBER], 1);
}

Test(opencode, helpers_for_the_source)
{
	int64_t t = 0;
	const char *done = "{\"role\":\"assistant\",\"time\":{\"created\":11,\"completed\":12},\"tokens\":{}}";
	const char *running = "{\"role\":\"assistant\",\"time\":{\"created\":11},\"tokens\":{}}";
	const char *failed = "{\"role\":\"assistant\",\"time\":{\"created\":11},\"error\":{\"name\":\"APIError\"}}";
	const char *asked = "{\"role\":\"user\",\"time\":{\"created\":11}}";
	cr_assert_eq(line_peek_opencode_created(done, strlen(done), &t), 0);
	cr_assert_eq(t, 11);
	cr_assert_eq(line_peek_opencode_created("{\"time\":{}}", 11, &t), -1);
	cr_assert_eq(line_peek_opencode_created("[1]", 3, &t), -1);
	cr_assert(!line_opencode_open(done, strlen(done)));
	cr_assert(line_opencode_open(running, strlen(running)));
	cr_assert(!line_opencode_open(failed, strlen(failed)));
	cr_assert(!line_opencode_open(asked, strlen(asked)));
	cr_assert(!line_opencode_open("{", 1));
}

/* ---- counting ----------------------------------------------------------------------------- */

Test(opencode, claude_rules_for_anthropic_models_openai_rules_for_the_rest)
{
	feed(db, ses("ses_a", NULL, "/p/a", "Anthropic", T0));
	feed(db, ses("ses_b", NULL, "/p/b", "OpenAI", T0));
	feed(db, msg(&(struct reply){.id = "msg_1", .sid = "ses_a", .t = T0 + SEC(1), .in = 10, .out = 100, .cw = 20000}));
	feed(db, msg(&(struct reply)REPLY("msg_2", "ses_b", "gpt-5.1-codex", "openai", T0 + SEC(2), 14000, 100, 50, 0, 0)));
	/* a provider that reports writes without a premium: they are uncached input */
	feed(db, msg(&(struct reply)REPLY("msg_3", "ses_b", "gpt-5.1-codex", "openai", T0 + SEC(30), 1000, 100, 0, 13000, 512)));
	cr_assert_eq(model_request_count(m), 3);
	const struct request *a = model_request(m, 0), *b = model_request(m, 1), *c = model_request(m, 2);
	cr_assert_eq(a->cc5m, 20000, "the configured default tier (300 s)");
	cr_assert_eq(a->cc1h, 0);
	cr_assert(!(a->flags & REQ_OPENAI_RULES));
	cr_assert(b->flags & REQ_OPENAI_RULES);
	cr_assert_eq(b->output, 150);
	cr_assert_eq(request_cc(c), 0);
	cr_assert_eq(c->input, 1512);
	/* the OpenAI rules: E is the predecessor's whole prompt, warm at 13,000 of 14,000 */
	cr_assert_eq(c->cause, CAUSE_NONE);
	cr_assert_eq(model_event(m, a->event - 1)->ttl_s, 300);
	cr_assert_eq(session_of("ses_a")->agent, AGENT_OPENCODE);
	cr_assert_str_eq(session_of("ses_a")->title, "Anthropic");
	cr_assert_str_eq(session_of("ses_b")->project, "/p/b");
	/* a 1-hour default puts Anthropic's writes in the 1-hour tier */
	struct model_opts o;
	model_opts_default(&o);
	o.default_ttl_s = 3600;
	struct model *m2 = model_new(&o);
	uint32_t f = model_file_add(m2, AGENT_OPENCODE, "/d/opencode.db", false);
	const char *s = msg(&(struct reply){.id = "msg_1", .sid = "ses_a", .t = T0, .in = 10, .out = 100, .cw = 20000});
	model_feed(m2, f, s, strlen(s));
	cr_assert_eq(model_request(m2, 0)->cc1h, 20000);
	model_free(m2);
}

Test(opencode, ttl_expiry_and_openai_waste_use_openai_numbers)
{
	struct model_opts o;
	model_opts_default(&o);
	o.ttl_s[AGENT_CODEX] = 600;
	struct model *m2 = model_new(&o);
	uint32_t f = model_file_add(m2, AGENT_OPENCODE, "/d/opencode.db", false);
	const char *s = msg(&(struct reply)REPLY("msg_1", "ses_b", "gpt-5.1-codex", "openai", T0, 14000, 100, 0, 0, 0));
	model_feed(m2, f, s, strlen(s));
	/* 7 minutes later, nothing read: inside OpenAI's 600 s here, so not a TTL expiry */
	s = msg(&(struct reply)REPLY("msg_2", "ses_b", "gpt-5.1-codex", "openai", T0 + SEC(420), 15000, 100, 0, 0, 0));
	model_feed(m2, f, s, strlen(s));
	const struct request *r = model_request(m2, 1);
	cr_assert_eq(r->cause, CAUSE_UNEXPLAINED_MISS);
	const struct cache_event *e = model_event(m2, r->event - 1);
	cr_assert_eq(e->ttl_s, 600);
	cr_assert_eq(e->expected_prefix, 14000);
	cr_assert_eq(e->wasted_tokens, 14000, "the prefix resent uncached, no write premium");
	model_free(m2);
}

Test(opencode, subagent_sessions_count_in_their_parent_as_chains)
{
	feed(db, ses("ses_p", NULL, "/p", "Parent", T0));
	feed(db, ses("ses_c", "ses_p", "/p", "Look around (@explore subagent)", T0 + SEC(10)));
	feed(db, ses("ses_g", "ses_c", "/p", "Deeper (@general subagent)", T0 + SEC(20)));
	feed(db, msg(&(struct reply){.id = "msg_1", .sid = "ses_p", .t = T0 + SEC(1), .in = 5, .out = 10, .cw = 18000}));
	feed(db, msg(&(struct reply)REPLY("msg_2", "ses_c", "claude-haiku-4-5", NULL, T0 + SEC(11), 5, 10, 0, 0, 9000)));
	feed(db, msg(&(struct reply)REPLY("msg_3", "ses_c", "claude-haiku-4-5", NULL, T0 + SEC(15), 5, 10, 0, 9000, 400)));
	feed(db, msg(&(struct reply){.id = "msg_4", .sid = "ses_g", .t = T0 + SEC(21), .in = 5, .out = 10, .cw = 7000}));
	feed(db, msg(&(struct reply){.id = "msg_5", .sid = "ses_p", .t = T0 + SEC(40), .in = 5, .out = 10, .cr = 18000, .cw = 800}));
	cr_assert_eq(model_session_count(m), 1, "sub-agents are not sessions of their own");
	const struct session *p = session_of("ses_p");
	cr_assert_eq(p->tot.requests, 5);
	cr_assert_eq(p->sub.requests, 3);
	cr_assert_eq(model_session_find(m, "ses_c"), -1);
	const struct request *c1 = model_request(m, 1), *c2 = model_request(m, 2), *g = model_request(m, 3);
	cr_assert(c1->flags & REQ_SIDECHAIN);
	cr_assert_neq(c1->chain, 0);
	cr_assert_eq(c2->chain, c1->chain);
	cr_assert_neq(g->chain, c1->chain, "a nested sub-agent is a chain of its own");
	cr_assert_eq(c1->cause, CAUSE_FIRST_REQUEST);
	cr_assert_eq(c2->pred, 2u, "its predecessor is its own chain's");
	cr_assert_eq(g->cause, CAUSE_FIRST_REQUEST);
	/* the parent's main chain goes on from its own last request: warm */
	const struct request *p2 = model_request(m, 4);
	cr_assert_eq(p2->pred, 1u);
	cr_assert_eq(p2->cause, CAUSE_NONE);
	cr_assert(!model_order_broken(m));
}

Test(opencode, compaction_summary_explains_the_next_cold_request)
{
	feed(db, ses("ses_a", NULL, "/p", "T", T0));
	feed(db, msg(&(struct reply){.id = "msg_1", .sid = "ses_a", .t = T0, .in = 5, .out = 10, .cw = 26000}));
	feed(db, msg(&(struct reply){.id = "msg_2", .sid = "ses_a", .t = T0 + SEC(30), .in = 4, .out = 1900, .cr = 26000,
				     .cw = 900, .summary = true}));
	feed(db, msg(&(struct reply){.id = "msg_3", .sid = "ses_a", .t = T0 + SEC(90), .in = 7, .out = 500, .cr = 11050,
				     .cw = 3400}));
	feed(db, msg(&(struct reply){.id = "msg_4", .sid = "ses_a", .t = T0 + SEC(120), .in = 7, .out = 500, .cr = 100, .cw = 14000}));
	cr_assert_eq(model_request(m, 1)->cause, CAUSE_NONE, "the summary request itself reads the history");
	const struct request *r = model_request(m, 2);
	cr_assert_eq(r->cause, CAUSE_COMPACTION);
	cr_assert(r->flags & REQ_AFTER_COMPACTION);
	cr_assert(cause_expected(r->cause));
	/* only the request right after it */
	cr_assert_eq(model_request(m, 3)->cause, CAUSE_UNEXPLAINED_MISS);
}

Test(opencode, replies_without_tokens_are_not_requests)
{
	feed(db, ses("ses_a", NULL, "/p", "T", T0));
	feed(db, user("msg_0", "ses_a", T0));
	feed(db, msg(&(struct reply){.id = "msg_1", .sid = "ses_a", .t = T0 + SEC(1)})); /* aborted */
	feed(db, msg(&(struct reply){.id = "msg_2", .sid = "ses_a", .t = T0 + SEC(2)})); /* a shell command */
	cr_assert_eq(model_request_count(m), 0);
	const struct model_stats *st = model_stats(m);
	cr_assert_eq(st->synthetic, 2);
	cr_assert_eq(st->skipped, 1);
	cr_assert_eq(st->lines, 4);
	cr_assert_eq(model_totals(m)->requests, 0);
}

Test(opencode, legacy_copies_of_database_rows_count_once)
{
	struct reply r = {.id = "msg_1", .sid = "ses_a", .t = T0 + SEC(1), .in = 5, .out = 10, .cw = 18000};
	feed(db, ses("ses_a", NULL, "/p", "T", T0));
	feed(db, msg(&r));
	r.legacy = true;
	feed(legacy, msg(&r));
	const char *ls = "{\"kind\":\"session\",\"src\":\"json\",\"id\":\"ses_a\",\"data\":{\"title\":\"old\"}}";
	feed(legacy, ls);
	/* a session only in the legacy tree counts from there */
	struct reply only = {.id = "msg_2", .sid = "ses_old", .t = T0 - SEC(3600), .in = 5, .out = 10, .cw = 15000, .legacy = true};
	feed(legacy, msg(&only));
	cr_assert_eq(model_request_count(m), 2);
	cr_assert_eq(model_stats(m)->duplicate_lines, 2);
	cr_assert_str_eq(session_of("ses_a")->title, "T", "the database's title");
	cr_assert_eq(session_of("ses_old")->nfiles, 1);
	cr_assert_eq(session_of("ses_old")->files[0], legacy);
	cr_assert(!model_order_broken(m));
	/* the database read after its legacy copy (an import running now): order broken */
	struct reply late = {.id = "msg_2", .sid = "ses_old", .t = T0 - SEC(3600), .in = 5, .out = 10, .cw = 15000};
	feed(db, msg(&late));
	cr_assert(model_order_broken(m));
	cr_assert_eq(model_request_count(m), 2);
}

Test(opencode, a_row_read_again_is_the_same_line)
{
	feed(db, ses("ses_a", NULL, "/p", "New session - 2025-11-19", T0));
	struct reply r = {.id = "msg_1", .sid = "ses_a", .t = T0 + SEC(1), .open = true};
	feed(db, msg(&r)); /* started: no tokens yet */
	cr_assert_eq(model_stats(m)->synthetic, 1);
	r.in = 5, r.out = 300, r.cw = 18000, r.open = false;
	unsigned bits = feed(db, msg(&r)); /* completed */
	cr_assert(bits & MODEL_NEW_REQUEST);
	cr_assert_eq(model_request_count(m), 1);
	cr_assert_eq(model_stats(m)->synthetic, 0);
	feed(db, msg(&r)); /* read again, unchanged */
	cr_assert_eq(model_request_count(m), 1);
	feed(db, ses("ses_a", NULL, "/p", "Retry the HTTP calls", T0)); /* titled later */
	cr_assert_str_eq(session_of("ses_a")->title, "Retry the HTTP calls");
	cr_assert_eq(model_stats(m)->lines, 2, "one session and one message, each a line once");
	cr_assert_eq(model_file(m, db)->lines, 2);
	cr_assert(!model_order_broken(m));
	/* a counted request whose tokens change: a whole read would count the new ones */
	r.out = 301;
	feed(db, msg(&r));
	cr_assert(model_order_broken(m));
	cr_assert_eq(model_request_count(m), 1);
}

Test(opencode, messages_before_their_subagent_session_break_the_order)
{
	feed(db, msg(&(struct reply){.id = "msg_1", .sid = "ses_c", .t = T0, .in = 5, .out = 10, .cw = 9000}));
	cr_assert(!model_order_broken(m));
	feed(db, ses("ses_c", "ses_p", "/p", "late (@explore subagent)", T0 - SEC(1)));
	cr_assert(model_order_broken(m));
}

/* The same final rows, fed as a whole read feeds them (in time order, each once) and as the live
 * path does (rows as they are written: replies created empty and completed later, a sub-agent's
 * replies completing before the parent's step that started it), give the same report. */
static char *report_of(struct model *x)
{
	struct report_ctx c = {.now = T0 + SEC(86400), .utf8 = true};
	struct buf b = {0};
	report_json(x, &c, &b);
	return b.data;
}

Test(opencode, live_order_ends_where_the_whole_read_does)
{
	struct reply p1 = {.id = "msg_1", .sid = "ses_p", .t = T0 + SEC(1), .in = 5, .out = 10, .cw = 18000};
	struct reply p2 = {.id = "msg_2", .sid = "ses_p", .t = T0 + SEC(20), .in = 5, .out = 10, .cr = 18000, .cw = 900};
	struct reply c1 = REPLY("msg_3", "ses_c", "claude-haiku-4-5", NULL, T0 + SEC(22), 5, 10, 0, 0, 9000);
	struct reply c2 = REPLY("msg_4", "ses_c", "claude-haiku-4-5", NULL, T0 + SEC(30), 5, 10, 0, 9000, 400);
	struct reply p3 = {.id = "msg_5", .sid = "ses_p", .t = T0 + SEC(600), .in = 5, .out = 10, .cw = 19500};
	/* whole: in time created order */
	feed(db, ses("ses_p", NULL, "/p", "Parent", T0));
	feed(db, ses("ses_c", "ses_p", "/p", "Child (@explore subagent)", T0 + SEC(21)));
	feed(db, msg(&p1));
	feed(db, msg(&p2));
	feed(db, msg(&c1));
	feed(db, msg(&c2));
	feed(db, msg(&p3));
	char *whole = report_of(m);

	struct model *live = model_new(NULL);
	uint32_t f = model_file_add(live, AGENT_OPENCODE, "/d/opencode/opencode.db", false);
	model_file_add(live, AGENT_OPENCODE, "/d/opencode/storage", false);
#define LFEED(s) model_feed(live, f, (s), strlen(s))
	LFEED(ses("ses_p", NULL, "/p", "New session", T0));
	struct reply open = p1;
	open.in = open.out = open.cw = 0, open.open = true;
	LFEED(msg(&open));
	LFEED(msg(&p1));
	open = p2;
	open.in = open.out = open.cr = open.cw = 0, open.open = true;
	LFEED(msg(&open)); /* the step that calls the task tool completes after the sub-agent */
	LFEED(ses("ses_c", "ses_p", "/p", "Child (@explore subagent)", T0 + SEC(21)));
	LFEED(msg(&c1));
	LFEED(msg(&c2));
	LFEED(msg(&p2));
	LFEED(ses("ses_p", NULL, "/p", "Parent", T0));
	LFEED(msg(&p3));
#undef LFEED
	cr_assert(!model_order_broken(live), "no rebuild needed for opencode's own order of writes");
	char *got = report_of(live);
	cr_assert_str_eq(got, whole);
	free(got);
	free(whole);
	model_free(live);
}
