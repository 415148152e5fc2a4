/* test_gemini.c — Gemini CLI recordings through the parser and the model, one test per trap of
 * transcript-formats.md E4: token normalisation, `tokens: null`, the last version of a record
 * winning, keys per (sessionId, id), a record without a model, the legacy whole-file JSON read
 * again, `$set {sessionId}` resumes, rewinds keeping their bills, the resume orphan, the
 * `.json` → `.jsonl` continuation, sub-agent recordings attributed to their parent, the
 * slug/sha256 folder copies, implicit-cache pricing (no write premium), sessions that never
 * read from the cache, the TTL option, the packed (parallel scan) path, and the path rules. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/gemini.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/price.h"
#include "cachetop/report.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

/* 2026-11-20T10:00:00Z */
#define T0 1795168800000LL
#define SEC(x) ((int64_t)(x) * 1000)

#define ROOT "/home/u/.gemini/tmp"
#define SID "5d2c1e0a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
#define SID2 "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
#define MAIN_PATH ROOT "/api/chats/session-2026-11-20T10-00-5d2c1e0a.jsonl"

static struct model *new_model(int ttl)
{
	struct model_opts o;
	model_opts_default(&o);
	if (ttl)
		o.ttl_s[AGENT_GEMINI] = ttl;
	return model_new(&o);
}

static uint32_t file(struct model *m, const char *path)
{
	return model_file_add(m, AGENT_GEMINI, path, gemini_path_kind_abs(path) == GEMINI_PATH_SUBAGENT);
}

static unsigned feed(struct model *m, uint32_t f, const char *fmt, ...) CT_PRINTF(3, 4);
static unsigned feed(struct model *m, uint32_t f, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	char tmp[8192];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(&b, tmp);
	unsigned r = model_feed(m, f, b.data, b.len);
	buf_free(&b);
	return r;
}

static const char *iso(int64_t ms)
{
	static char b[4][32];
	static int k;
	k = (k + 1) & 3;
	rfc3339_format(ms, b[k]);
	return b[k];
}

static void header(struct model *m, uint32_t f, const char *sid, int64_t t, const char *kind)
{
	feed(m, f, "{\"sessionId\":\"%s\",\"projectHash\":\"0f1e2d\",\"startTime\":\"%s\",\"lastUpdated\":\"%s\""
		   ",\"kind\":\"%s\"}", sid, iso(t), iso(t), kind);
}

static void user(struct model *m, uint32_t f, const char *id, int64_t t)
{
	feed(m, f, "{\"id\":\"%s\",\"timestamp\":\"%s\",\"type\":\"user\",\"content\":[{\"text\":\"go on\"}]}", id, iso(t));
}

/* A model turn; model NULL leaves the member out. */
static void gem(struct model *m, uint32_t f, const char *id, int64_t t, const char *model, unsigned in,
		unsigned cached, unsigned out, unsigned thoughts)
{
	char mm[96] = "";
	if (model)
		snprintf(mm, sizeof mm, ",\"model\":\"%s\"", model);
	feed(m, f, "{\"id\":\"%s\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"content\":\"done\",\"thoughts\":[]"
		   ",\"tokens\":{\"input\":%u,\"output\":%u,\"cached\":%u,\"thoughts\":%u,\"tool\":0,\"total\":%u}%s}",
	     id, iso(t), in, out, cached, thoughts, in + out + thoughts, mm);
}

static const struct session *sess(const struct model *m, const char *id)
{
	int32_t i = model_session_find(m, id);
	cr_assert_geq(i, 0, "no session %s", id);
	return model_session(m, (size_t)i);
}

static size_t events_of(const struct model *m, enum cause c)
{
	size_t n = 0;
	for (size_t i = 0; i < model_event_count(m); i++)
		n += model_event(m, i)->cause == c;
	return n;
}

static const struct request *last_request(const struct model *m)
{
	cr_assert_gt(model_request_count(m), 0);
	return model_request(m, model_request_count(m) - 1);
}

Test(gemini, tokens_are_normalised)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 10000, 6000, 300, 200);
	cr_assert_eq(model_request_count(m), 1);
	const struct request *r = last_request(m);
	/* input includes cached; output excludes thoughts, which are billed as output */
	cr_expect_eq(r->input, 4000);
	cr_expect_eq(r->cache_read, 6000);
	cr_expect_eq(r->output, 500);
	cr_expect_eq(request_cc(r), 0);
	cr_expect_eq(sess(m, SID)->agent, AGENT_GEMINI);
	cr_expect_str_eq(sess(m, SID)->project, "api");
	model_free(m);
}

Test(gemini, bad_tokens_are_malformed)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 100, 600, 3, 0); /* cached > input */
	feed(m, f, "{\"id\":\"g2\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":{\"input\":-5,\"output\":1,"
		   "\"cached\":0}}", iso(T0));
	feed(m, f, "{\"id\":\"g3\",\"timestamp\":\"yesterday\",\"type\":\"gemini\",\"tokens\":{\"input\":5,\"output\":1,"
		   "\"cached\":0}}");
	feed(m, f, "{\"id\":\"g4\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":", iso(T0));
	cr_expect_eq(model_request_count(m), 0);
	const struct model_stats *st = model_stats(m);
	cr_expect_eq(st->malformed, 4);
	cr_expect_eq(st->by_problem[LP_BAD_NUMBER], 2);
	cr_expect_eq(st->by_problem[LP_BAD_TIME], 1);
	cr_expect_eq(st->by_problem[LP_NOT_JSON], 1);
	model_free(m);
}

/* A turn is written first with `tokens: null`, then again whole when its usage arrives, and
 * again when tool calls are added: one request, its last version. */
Test(gemini, null_tokens_then_the_same_id_again)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	user(m, f, "u1", T0 + SEC(1));
	feed(m, f, "{\"id\":\"g1\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"content\":\"\",\"tokens\":null,"
		   "\"model\":\"gemini-2.5-pro\"}", iso(T0 + SEC(3)));
	cr_expect_eq(model_request_count(m), 0);
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 12000, 0, 400, 0);
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 12000, 0, 400, 0); /* tool calls added */
	gem(m, f, "g0", T0 + SEC(9), "gemini-2.5-pro", 0, 0, 0, 0);         /* an aborted turn */
	cr_expect_eq(model_request_count(m), 1);
	cr_expect_eq(model_stats(m)->duplicate_lines, 1);
	cr_expect_eq(model_totals(m)->input, 12000);
	model_free(m);
}

Test(gemini, the_last_version_wins)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 400, 100);
	gem(m, f, "g2", T0 + SEC(30), "gemini-2.5-pro", 21000, 19000, 300, 0);
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-flash", 20500, 0, 450, 50); /* g1 written again */
	cr_assert_eq(model_request_count(m), 2);
	const struct totals *t = model_totals(m);
	cr_expect_eq(t->requests, 2);
	cr_expect_eq(t->input, 20500 + 2000);
	cr_expect_eq(t->cache_read, 19000);
	cr_expect_eq(t->output, 500 + 300);
	const struct session *s = sess(m, SID);
	cr_expect_eq(s->tot.input, t->input);
	cr_expect_eq(s->tot.output, t->output);
	/* the cost is the last version's: g1 now at Flash prices */
	double want = (20500 * 0.30 + 500 * 2.50) / 1e6 + (2000 * 1.25 + 19000 * 0.125 + 300 * 10.0) / 1e6;
	cr_expect_float_eq(t->cost_usd, want, 1e-12, "cost %.9f want %.9f", t->cost_usd, want);
	cr_expect_str_eq(model_model_name(m, model_request(m, 0)->model), "gemini-2.5-flash");
	/* its event (a cold first request) has the new figures too */
	const struct cache_event *e = model_event(m, 0);
	cr_expect_eq(e->request, 0);
	cr_expect_eq(e->cache_read, 0);
	cr_expect_float_eq(e->rebuild_usd, 20000 * (0.30 - 0.03) / 1e6, 1e-12);
	cr_expect_float_eq(t->rebuild_usd, e->rebuild_usd, 1e-12);
	cr_expect_eq(model_stats(m)->duplicate_lines, 1);
	model_free(m);
}

/* The injected session-context turn has the same id in every session. */
Test(gemini, the_key_includes_the_session)
{
	struct model *m = new_model(0);
	uint32_t a = file(m, MAIN_PATH), b = file(m, ROOT "/api/chats/session-2026-11-20T11-00-9f8e7d6c.jsonl");
	header(m, a, SID, T0, "main");
	gem(m, a, "ctx-0", T0 + SEC(3), "gemini-2.5-pro", 9000, 0, 10, 0);
	header(m, b, SID2, T0 + SEC(3600), "main");
	gem(m, b, "ctx-0", T0 + SEC(3603), "gemini-2.5-pro", 9000, 0, 10, 0);
	cr_expect_eq(model_request_count(m), 2);
	cr_expect_eq(sess(m, SID)->tot.requests, 1);
	cr_expect_eq(sess(m, SID2)->tot.requests, 1);
	model_free(m);
}

Test(gemini, a_record_without_model_uses_the_previous_one)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), NULL, 9000, 0, 10, 0); /* no model known yet */
	gem(m, f, "g2", T0 + SEC(6), "gemini-2.5-flash", 9100, 8000, 10, 0);
	gem(m, f, "g3", T0 + SEC(9), NULL, 9200, 9000, 10, 0);
	cr_expect_str_eq(model_model_name(m, model_request(m, 0)->model), "");
	cr_expect_str_eq(model_model_name(m, model_request(m, 2)->model), "gemini-2.5-flash");
	cr_expect_eq(model_request(m, 0)->flags & REQ_PRICED, 0, "no model: no price, not $0");
	cr_expect_eq(model_totals(m)->unpriced, 1);
	model_free(m);
}

static const char legacy_v1[] =
	"{\n  \"sessionId\": \"" SID "\",\n  \"projectHash\": \"0f1e2d\",\n"
	"  \"startTime\": \"2026-11-20T10:00:00.000Z\",\n  \"lastUpdated\": \"2026-11-20T10:01:00.000Z\",\n"
	"  \"messages\": [\n"
	"    {\n      \"id\": \"u1\",\n      \"timestamp\": \"2026-11-20T10:00:01.000Z\",\n      \"type\": \"user\",\n"
	"      \"content\": \"fix the \\\"parser\\\" {please}\"\n    },\n"
	"    {\n      \"id\": \"g1\",\n      \"timestamp\": \"2026-11-20T10:00:05.000Z\",\n      \"type\": \"gemini\",\n"
	"      \"content\": \"ok ]\",\n      \"tokens\": {\n        \"input\": 15000,\n        \"output\": 200,\n"
	"        \"cached\": 0,\n        \"thoughts\": 40,\n        \"tool\": 0,\n        \"total\": 15240\n      },\n"
	"      \"model\": \"gemini-2.5-pro\"\n    },\n"
	"    {\n      \"id\": \"g2\",\n      \"timestamp\": \"2026-11-20T10:01:00.000Z\",\n      \"type\": \"gemini\",\n"
	"      \"content\": \"\",\n      \"tokens\": {\n        \"input\": 16000,\n        \"output\": 100,\n"
	"        \"cached\": 14000,\n        \"thoughts\": 0,\n        \"tool\": 0,\n        \"total\": 16100\n      },\n"
	"      \"model\": \"gemini-2.5-pro\"\n    }\n  ],\n  \"summary\": \"Fix the parser\"\n}";

/* v1 and one more turn: the writer rewrites the whole file */
static const char legacy_v2_tail[] =
	",\n    {\n      \"id\": \"g3\",\n      \"timestamp\": \"2026-11-20T10:02:00.000Z\",\n      \"type\": \"gemini\",\n"
	"      \"tokens\": {\n        \"input\": 16500,\n        \"output\": 90,\n        \"cached\": 15000,\n"
	"        \"thoughts\": 0\n      }\n    }\n  ]\n}";

static char *legacy_v2(void)
{
	struct buf b = {0};
	const char *end = strstr(legacy_v1, "\n  ],\n  \"summary\"");
	buf_append(&b, legacy_v1, (size_t)(end - legacy_v1)); /* up to g2's closing brace */
	buf_puts(&b, legacy_v2_tail);
	return b.data;
}

#define LEGACY_PATH ROOT "/api/chats/session-2026-11-20T10-00-5d2c1e0a.json"

Test(gemini, legacy_json_is_read_whole_and_again_when_rewritten)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, LEGACY_PATH);
	model_feed(m, f, legacy_v1, strlen(legacy_v1));
	cr_assert_eq(model_request_count(m), 2);
	const struct session *s = sess(m, SID);
	cr_expect_str_eq(s->title, "Fix the parser");
	cr_expect_eq(s->tot.input, 15000 + 2000);
	cr_expect_eq(s->tot.output, 240 + 100);
	cr_expect_eq(model_stats(m)->malformed, 0);
	/* rewritten whole: the source resets the file and hands it over again */
	char *v2 = legacy_v2();
	model_file_reset(m, f);
	model_feed(m, f, v2, strlen(v2));
	free(v2);
	cr_expect_eq(model_request_count(m), 3);
	s = sess(m, SID);
	cr_expect_eq(s->tot.requests, 3);
	cr_expect_eq(s->tot.input, 15000 + 2000 + 1500);
	cr_expect_eq(s->tot.cache_read, 14000 + 15000);
	cr_expect_eq(model_stats(m)->duplicate_lines, 2);
	cr_expect_str_eq(model_model_name(m, last_request(m)->model), "gemini-2.5-pro", "g3 had no model");
	cr_expect_eq(s->resumed_from, -1);
	cr_expect_eq(events_of(m, CAUSE_RESUME_MISS) + events_of(m, CAUSE_RESUME_HIT), 0,
		     "reading the same file again is no resume");
	model_free(m);
}

/* Gemini CLI resumes a JSONL recording in place: `$set {sessionId}` with its own id, then a
 * checkpoint of the messages. A miss after that is the resume's, not a compaction. */
Test(gemini, set_session_id_marks_a_resume)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
	gem(m, f, "g2", T0 + SEC(20), "gemini-2.5-pro", 21000, 20000, 100, 0);
	feed(m, f, "{\"$set\":{\"sessionId\":\"%s\"}}", SID);
	feed(m, f, "{\"$set\":{\"messages\":[{\"id\":\"g1\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":"
		   "{\"input\":20000,\"output\":100,\"cached\":0},\"model\":\"gemini-2.5-pro\"},{\"id\":\"g2\","
		   "\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":{\"input\":21000,\"output\":100,\"cached\":20000},"
		   "\"model\":\"gemini-2.5-pro\"}],\"lastUpdated\":\"%s\"}}",
	     iso(T0 + SEC(3)), iso(T0 + SEC(20)), iso(T0 + SEC(100)));
	cr_expect_eq(model_request_count(m), 2, "a checkpoint copies, it does not bill");
	cr_expect_eq(model_stats(m)->duplicate_lines, 2);
	gem(m, f, "g3", T0 + SEC(120), "gemini-2.5-pro", 22000, 1000, 100, 0);
	const struct request *r = last_request(m);
	cr_expect(r->flags & REQ_AFTER_RESUME);
	cr_expect_eq(r->cause, CAUSE_RESUME_MISS);
	/* a $set naming another session moves the rest of the file there */
	feed(m, f, "{\"$set\":{\"sessionId\":\"%s\"}}", SID2);
	gem(m, f, "g4", T0 + SEC(130), "gemini-2.5-pro", 23000, 21000, 100, 0);
	cr_expect_eq(sess(m, SID2)->tot.requests, 1);
	cr_expect_eq(sess(m, SID2)->resumed_from, model_session_find(m, SID));
	cr_expect_eq(sess(m, SID)->tot.requests, 3);
	model_free(m);
}

/* A checkpoint outside a resume (history compressed or rolled back) makes the next, smaller read
 * expected; so does a rewind, whose cut turns stay billed. */
Test(gemini, rewind_keeps_the_bill_and_explains_the_next_miss)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
	gem(m, f, "g2", T0 + SEC(20), "gemini-2.5-pro", 40000, 20000, 100, 0);
	user(m, f, "u3", T0 + SEC(30));
	gem(m, f, "g3", T0 + SEC(40), "gemini-2.5-pro", 60000, 40000, 100, 0);
	feed(m, f, "{\"$rewindTo\":\"u3\"}");
	gem(m, f, "g4", T0 + SEC(60), "gemini-2.5-pro", 41000, 20000, 100, 0);
	cr_expect_eq(model_request_count(m), 4, "the rewound turn was billed and stays");
	cr_expect_eq(model_totals(m)->input, 20000 + 20000 + 20000 + 21000);
	cr_expect_eq(last_request(m)->cause, CAUSE_COMPACTION);
	cr_expect_eq(model_totals(m)->unexpected, 0);
	/* a checkpoint with fewer messages: the same */
	feed(m, f, "{\"$set\":{\"messages\":[],\"lastUpdated\":\"%s\"}}", iso(T0 + SEC(70)));
	gem(m, f, "g5", T0 + SEC(80), "gemini-2.5-pro", 30000, 5000, 100, 0);
	cr_expect_eq(last_request(m)->cause, CAUSE_COMPACTION);
	/* without either, the same drop is unexplained */
	gem(m, f, "g6", T0 + SEC(90), "gemini-2.5-pro", 35000, 2000, 100, 0);
	cr_expect_eq(last_request(m)->cause, CAUSE_UNEXPLAINED_MISS);
	model_free(m);
}

/* Resuming starts a recording before it knows it resumes: a file with the same sessionId and no
 * turns stays beside the real one. */
Test(gemini, the_resume_orphan_adds_nothing)
{
	struct model *m = new_model(0);
	uint32_t a = file(m, MAIN_PATH);
	header(m, a, SID, T0, "main");
	gem(m, a, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
	uint32_t o = file(m, ROOT "/api/chats/session-2026-11-20T12-00-5d2c1e0a.jsonl");
	header(m, o, SID, T0 + SEC(7200), "main");
	feed(m, o, "{\"$set\":{\"lastUpdated\":\"%s\"}}", iso(T0 + SEC(7200)));
	cr_expect_eq(model_request_count(m), 1);
	size_t listed = 0;
	for (size_t i = 0; i < model_session_count(m); i++)
		listed += model_session(m, i)->tot.requests > 0;
	cr_expect_eq(listed, 1);
	cr_expect_eq(model_session_count(m), 1, "grouped by sessionId, not by file");
	cr_expect_eq(sess(m, SID)->nfiles, 2);
	model_free(m);
}

/* A legacy session resumed by a JSONL version: the new file repeats every old message with the
 * same ids, then goes on. */
Test(gemini, json_continued_as_jsonl)
{
	struct model *m = new_model(0);
	uint32_t j = file(m, LEGACY_PATH);
	model_feed(m, j, legacy_v1, strlen(legacy_v1));
	uint32_t l = file(m, LEGACY_PATH "l");
	header(m, l, SID, T0, "main");
	user(m, l, "u1", T0 + SEC(1));
	gem(m, l, "g1", T0 + SEC(5), "gemini-2.5-pro", 15000, 0, 200, 40);
	gem(m, l, "g2", T0 + SEC(60), "gemini-2.5-pro", 16000, 14000, 100, 0);
	feed(m, l, "{\"$set\":{\"sessionId\":\"%s\"}}", SID);
	gem(m, l, "g3", T0 + SEC(200), "gemini-2.5-pro", 17000, 15500, 100, 0);
	cr_expect_eq(model_request_count(m), 3);
	cr_expect_eq(model_stats(m)->duplicate_lines, 2);
	const struct session *s = sess(m, SID);
	cr_expect_eq(s->tot.requests, 3);
	cr_expect_eq(s->nfiles, 2);
	const struct request *r = last_request(m);
	cr_expect(r->flags & REQ_AFTER_RESUME);
	cr_expect_eq(r->cause, CAUSE_RESUME_HIT);
	model_free(m);
}

Test(gemini, subagent_recordings_count_in_the_parent)
{
	struct model *m = new_model(0);
	uint32_t p = file(m, MAIN_PATH);
	header(m, p, SID, T0, "main");
	gem(m, p, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
	uint32_t a = file(m, ROOT "/api/chats/" SID "/codebase-investigator-7q2x.jsonl");
	cr_expect(model_file(m, a)->subagent);
	header(m, a, "codebase-investigator-7q2x", T0 + SEC(10), "subagent");
	gem(m, a, "s1", T0 + SEC(12), "gemini-2.5-flash", 8000, 0, 50, 0);
	gem(m, a, "s2", T0 + SEC(14), "gemini-2.5-flash", 8500, 7900, 50, 0);
	gem(m, p, "g2", T0 + SEC(30), "gemini-2.5-pro", 22000, 20000, 100, 0);
	cr_expect_eq(model_session_count(m), 1, "no session of its own");
	const struct session *s = sess(m, SID);
	cr_expect_eq(s->tot.requests, 4);
	cr_expect_eq(s->sub.requests, 2);
	cr_expect_eq(s->sub.cache_read, 7900);
	cr_expect(model_request(m, 1)->flags & REQ_SIDECHAIN);
	cr_expect_neq(model_request(m, 1)->chain, 0);
	/* its own chain: its first request is cold on its own, and the parent's next request
	 * follows the parent's last one */
	cr_expect_eq(model_request(m, 1)->cause, CAUSE_FIRST_REQUEST);
	cr_expect_eq(model_request(m, 3)->pred, 1);
	cr_expect_eq(model_request(m, 3)->cause, CAUSE_NONE);
	model_free(m);
}

/* Since 0.29 the project folder is a slug; the upgrade copies the old sha256 folder, so the same
 * recording exists twice. */
Test(gemini, folder_copies_are_not_counted_twice)
{
	struct model *m = new_model(0);
	const char *hash = "3b9b2b6bfe7c1b9a1c77d1b8fe3f4cf54c1b8f0d9f7b2a2b3c4d5e6f7a8b9c0d";
	char old[512];
	snprintf(old, sizeof old, ROOT "/%s/chats/session-2026-11-20T10-00-5d2c1e0a.jsonl", hash);
	uint32_t files[2] = {file(m, old), file(m, MAIN_PATH)};
	for (int k = 0; k < 2; k++) {
		header(m, files[k], SID, T0, "main");
		gem(m, files[k], "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
		gem(m, files[k], "g2", T0 + SEC(30), "gemini-2.5-pro", 22000, 20000, 100, 0);
	}
	gem(m, files[1], "g3", T0 + SEC(60), "gemini-2.5-pro", 23000, 21000, 100, 0);
	cr_expect_eq(model_request_count(m), 3);
	cr_expect_eq(model_stats(m)->duplicate_lines, 2);
	const struct session *s = sess(m, SID);
	cr_expect_eq(s->tot.requests, 3);
	cr_expect_str_eq(s->project, "api", "the slug names the project, the hash does not");
	cr_expect_eq(model_file(m, files[0])->requests, 2);
	cr_expect_eq(model_file(m, files[1])->requests, 1);
	model_free(m);
}

Test(gemini, implicit_caching_has_no_write_premium)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 50000, 0, 1000, 500);
	gem(m, f, "g2", T0 + SEC(30), "gemini-2.5-pro", 52000, 50000, 800, 0);
	gem(m, f, "g3", T0 + SEC(60), "gemini-2.5-pro", 54000, 4000, 800, 0);   /* a miss */
	gem(m, f, "g4", T0 + SEC(90), "gemini-2.5-pro", 300000, 250000, 100, 0); /* > 200K prompt */
	const struct totals *t = model_totals(m);
	cr_expect_eq(t->cache_creation, 0);
	/* USD per million: input 1.25, cached 0.125, output 10; above 200K: 2.50, 0.25, 15 */
	double c1 = (50000 * 1.25 + 1500 * 10.0) / 1e6, c2 = (2000 * 1.25 + 50000 * 0.125 + 800 * 10.0) / 1e6;
	double c3 = (50000 * 1.25 + 4000 * 0.125 + 800 * 10.0) / 1e6;
	double c4 = (50000 * 2.50 + 250000 * 0.25 + 100 * 15.0) / 1e6;
	cr_expect_float_eq(t->cost_usd, c1 + c2 + c3 + c4, 1e-12, "cost %.9f", t->cost_usd);
	/* the miss: 48,000 tokens that should have been read were billed as input */
	const struct request *r = model_request(m, 2);
	cr_assert_eq(r->cause, CAUSE_UNEXPLAINED_MISS);
	const struct cache_event *e = model_event(m, r->event - 1);
	cr_expect_eq(e->expected_prefix, 52000);
	cr_expect_eq(e->wasted_tokens, 48000);
	cr_expect_float_eq(e->wasted_usd, 48000 * (1.25 - 0.125) / 1e6, 1e-12);
	cr_expect_eq(e->ttl_s, 300);
	/* the first request's rebuild is the same measure at the same rate */
	const struct cache_event *first = model_event(m, 0);
	cr_expect_eq(first->cause, CAUSE_FIRST_REQUEST);
	cr_expect_float_eq(first->rebuild_usd, 50000 * (1.25 - 0.125) / 1e6, 1e-12);
	/* shipped prices, by name */
	const struct price *flash = price_lookup(NULL, "gemini-2.5-flash");
	cr_assert_not_null(flash);
	cr_expect_float_eq(flash->base.cache_write_5m, flash->base.input, 1e-12);
	cr_expect_float_eq(flash->base.cache_read, 0.03, 1e-12);
	cr_expect_null(price_lookup(NULL, "gemini-2.5-flash-preview-04-17"), "an unlisted preview has no price");
	model_free(m);
}

/* Many accounts never get an implicit cache hit: without one, reading nothing is no miss. */
Test(gemini, no_misses_before_the_cache_was_ever_read)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	for (int i = 0; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof id, "g%d", i);
		gem(m, f, id, T0 + SEC(20 * i), "gemini-2.5-pro", 20000 + 1000u * (unsigned)i, 0, 100, 0);
	}
	cr_expect_eq(model_event_count(m), 1);
	cr_expect_eq(events_of(m, CAUSE_FIRST_REQUEST), 1);
	cr_expect_eq(model_totals(m)->unexpected, 0);
	/* once a request read from the cache, a drop is a miss again */
	gem(m, f, "h1", T0 + SEC(200), "gemini-2.5-pro", 27000, 25000, 100, 0);
	gem(m, f, "h2", T0 + SEC(220), "gemini-2.5-pro", 28000, 0, 100, 0);
	cr_expect_eq(last_request(m)->cause, CAUSE_UNEXPLAINED_MISS);
	model_free(m);
}

Test(gemini, ttl_comes_from_the_options)
{
	struct model *m = new_model(60);
	uint32_t f = file(m, MAIN_PATH);
	header(m, f, SID, T0, "main");
	gem(m, f, "g1", T0 + SEC(3), "gemini-2.5-pro", 20000, 0, 100, 0);
	gem(m, f, "g2", T0 + SEC(30), "gemini-2.5-pro", 21000, 20000, 100, 0);
	gem(m, f, "g3", T0 + SEC(120), "gemini-2.5-pro", 22000, 0, 100, 0); /* 90 s idle */
	cr_expect_eq(last_request(m)->cause, CAUSE_TTL_EXPIRY);
	cr_expect_eq(model_event(m, last_request(m)->event - 1)->ttl_s, 60);
	cr_expect_float_eq(model_cache_left_s(m, sess(m, SID), T0 + SEC(150)), 30.0, 1e-9);
	model_free(m);
}

/* The parallel scan parses on workers (line_parse_each + line_pack) and applies in order: the same
 * model as feeding the lines one by one. */
struct packer {
	struct buf b;
	size_t records;
};
static void pack_one(void *ctx, const struct line *ln)
{
	struct packer *p = ctx;
	line_pack(ln, &p->b);
	p->records++;
}

Test(gemini, packed_records_give_the_same_model)
{
	char *v2 = legacy_v2();
	char cp[2048];
	snprintf(cp, sizeof cp, "{\"$set\":{\"sessionId\":\"%s\",\"summary\":\"Parser\",\"messages\":[{\"id\":\"g1\","
		 "\"timestamp\":\"2026-11-20T10:00:05.000Z\",\"type\":\"gemini\",\"tokens\":{\"input\":15000,"
		 "\"output\":200,\"cached\":0,\"thoughts\":40}},7,{\"sessionId\":\"x\",\"projectHash\":\"y\"}]}}", SID);
	const char *units[] = {v2, cp};
	struct model *a = new_model(0), *b = new_model(0);
	uint32_t fa = file(a, LEGACY_PATH), fb = file(b, LEGACY_PATH);
	struct line ln;
	for (int k = 0; k < 2; k++) {
		model_feed(a, fa, units[k], strlen(units[k]));
		struct packer p = {{0}, 0};
		line_parse_each(AGENT_GEMINI, units[k], strlen(units[k]), &ln, pack_one, &p);
		cr_expect_eq(p.records, k == 0 ? 5u : 4u, "a document: header + 4 messages; a checkpoint: $set + 3");
		for (size_t off = 0; off < p.b.len;) {
			size_t used = line_unpack(p.b.data + off, p.b.len - off, &ln);
			cr_assert_gt(used, 0);
			model_apply(b, fb, &ln);
			off += used;
		}
		buf_free(&p.b);
	}
	free(v2);
	struct report_ctx c;
	memset(&c, 0, sizeof c);
	c.now = T0 + SEC(86400);
	struct buf ra = {0}, rb = {0};
	report_json(a, &c, &ra);
	report_json(b, &c, &rb);
	cr_expect_str_eq(buf_cstr(&ra), buf_cstr(&rb));
	/* the checkpoint's two non-messages are counted as malformed, not dropped silently */
	cr_expect_eq(model_stats(a)->malformed, 2);
	cr_expect_eq(model_stats(a)->lines, 5 + 4);
	cr_expect_str_eq(sess(a, SID)->title, "Parser");
	buf_free(&ra);
	buf_free(&rb);
	model_free(a);
	model_free(b);
}

Test(gemini, which_paths_are_recordings)
{
	cr_expect_eq(gemini_path_kind("api/chats/session-2026-11-20T10-00-5d2c1e0a.jsonl"), GEMINI_PATH_MAIN);
	cr_expect_eq(gemini_path_kind("api/chats/session-2026-11-20T10-00-5d2c1e0a.json"), GEMINI_PATH_LEGACY);
	cr_expect_eq(gemini_path_kind("api/chats/" SID "/investigator-1.jsonl"), GEMINI_PATH_SUBAGENT);
	/* activity logs and everything else under tmp/ */
	cr_expect_eq(gemini_path_kind("api/logs/session-2026-11-20.jsonl"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api/session-x.jsonl"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api/chats/" SID "/deeper/x.jsonl"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api/chats/" SID "/x.json"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api/chats/.jsonl"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api/chats/x.json.tmp-123"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("../chats/x.jsonl"), GEMINI_PATH_NONE);
	cr_expect_eq(gemini_path_kind("api//x.jsonl"), GEMINI_PATH_NONE);
	cr_expect(gemini_dir_wanted(""));
	cr_expect(gemini_dir_wanted("api"));
	cr_expect(gemini_dir_wanted("api/chats"));
	cr_expect(gemini_dir_wanted("api/chats/" SID));
	cr_expect(!gemini_dir_wanted("api/logs"));
	cr_expect(!gemini_dir_wanted("api/chats/" SID "/x"));
	cr_expect_eq(gemini_path_kind_abs(MAIN_PATH), GEMINI_PATH_MAIN);
	cr_expect_eq(gemini_path_kind_abs(ROOT "/tmp/chats/x.jsonl"), GEMINI_PATH_MAIN, "a project named tmp");
	cr_expect_eq(gemini_path_kind_abs("/tmp/api/chats/" SID "/a.jsonl"), GEMINI_PATH_SUBAGENT);
	cr_expect_eq(gemini_path_kind_abs("/home/u/.gemini/api/chats/x.jsonl"), GEMINI_PATH_NONE);
	char out[128];
	gemini_path_project(ROOT "/api/chats/" SID "/a.jsonl", out, sizeof out);
	cr_expect_str_eq(out, "api");
	gemini_path_parent(ROOT "/api/chats/" SID "/a.jsonl", out, sizeof out);
	cr_expect_str_eq(out, SID);
	gemini_path_parent(MAIN_PATH, out, sizeof out);
	cr_expect_str_eq(out, "");
	cr_expect(gemini_id_is_hash("3b9b2b6bfe7c1b9a1c77d1b8fe3f4cf54c1b8f0d9f7b2a2b3c4d5e6f7a8b9c0d"));
	cr_expect(!gemini_id_is_hash("api"));
}

Test(gemini, start_and_end_times_for_the_scan_order)
{
	int64_t ms;
	cr_assert_eq(gemini_peek_first_ts(legacy_v1, strlen(legacy_v1), &ms), 0);
	cr_expect_eq(ms, T0);
	/* a pretty-printed document's end: its last message time */
	cr_assert_eq(gemini_peek_last_ts(legacy_v1, strlen(legacy_v1), &ms), 0);
	cr_expect_eq(ms, T0 + SEC(60));
	const char *jl = "{\"sessionId\":\"s\",\"projectHash\":\"p\",\"startTime\":\"2026-11-20T10:00:00.000Z\"}\n"
			 "{\"id\":\"g\",\"timestamp\":\"2026-11-20T10:00:07.000Z\",\"type\":\"gemini\"}\n"
			 "{\"$set\":{\"lastUpdated\":\"2026-11-20T10:09:00.000Z\"}}\n";
	cr_assert_eq(gemini_peek_first_ts(jl, strlen(jl), &ms), 0);
	cr_expect_eq(ms, T0);
	cr_assert_eq(gemini_peek_last_ts(jl, strlen(jl), &ms), 0);
	cr_expect_eq(ms, T0 + SEC(7));
	cr_expect_eq(gemini_peek_last_ts("{\"$set\":{}}\n", 12, &ms), -1);
}

/* Hostile input: every proper prefix of a record is malformed and no request; a message array
 * nested 100,000 deep costs no recursion; a huge document is read whole. */
Test(gemini, prefixes_and_deep_nesting_are_harmless)
{
	struct model *m = new_model(0);
	uint32_t f = file(m, MAIN_PATH);
	char rec[512];
	int n = snprintf(rec, sizeof rec, "{\"id\":\"g1\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":{\"input\":900,"
				    "\"output\":5,\"cached\":0},\"model\":\"gemini-2.5-pro\"}", iso(T0));
	for (int k = 1; k < n; k++)
		model_feed(m, f, rec, (size_t)k);
	cr_expect_eq(model_request_count(m), 0);
	cr_expect_eq(model_stats(m)->malformed, (uint64_t)n - 1);
	struct buf deep = {0};
	buf_printf(&deep, "{\"$set\":{\"messages\":[");
	for (int i = 0; i < 100000; i++)
		buf_puts(&deep, "[");
	for (int i = 0; i < 100000; i++)
		buf_puts(&deep, "]");
	buf_puts(&deep, "]}}");
	model_feed(m, f, deep.data, deep.len);
	cr_expect_eq(model_request_count(m), 0);
	buf_free(&deep);
	/* one document of 20,000 messages */
	struct buf doc = {0};
	buf_printf(&doc, "{\"sessionId\":\"%s\",\"projectHash\":\"x\",\"messages\":[", SID);
	for (int i = 0; i < 20000; i++)
		buf_printf(&doc, "%s{\"id\":\"m%d\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"tokens\":{\"input\":%d,"
				 "\"output\":1,\"cached\":0}}", i ? "," : "", i, iso(T0 + i), 100 + i);
	buf_puts(&doc, "]}");
	uint32_t l = file(m, LEGACY_PATH);
	model_feed(m, l, doc.data, doc.len);
	cr_expect_eq(model_request_count(m), 20000);
	cr_expect_eq(model_totals(m)->input, 20000ULL * 100 + 19999ULL * 20000 / 2);
	buf_free(&doc);
	model_free(m);
}
