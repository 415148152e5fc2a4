/* test_gemini_live.c — Gemini CLI recordings read live equal the report of the final tree. A source
 * watches an empty Gemini root; a legacy whole-file JSON session appears and is rewritten twice
 * (in place, then by a rename over it), a JSONL session grows in random chunks that split
 * records mid-byte (model turns written first with `tokens: null` and again with usage, tool-call
 * re-appends, `$set`, a checkpoint, a rewind, an in-place resume), then a sub-agent recording in a
 * new folder and a session of a new project folder; an activity log under tmp/ grows all along.
 * The model fed live must give the same report_json as one fed by a fresh scan (lines fed and
 * duplicate lines aside: a rewritten file is legitimately read again). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachetop/model.h"
#include "cachetop/report.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "rec.h"

static uint64_t rs;
static size_t rnd(size_t n)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return n ? (size_t)((rs * 0x2545F4914F6CDD1DULL) % n) : 0;
}

/* The sink the app binds: file handles are model file indices. */
static uint32_t m_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	return model_file_add(ctx, agent, path, subagent);
}
static void m_line(void *ctx, uint32_t file, const char *line, size_t n) { model_feed(ctx, file, line, n); }
static void m_reset(void *ctx, uint32_t file) { model_file_reset(ctx, file); }
static void m_gone(void *ctx, uint32_t file) { model_file_gone(ctx, file); }

static struct model *sink_model(struct line_sink *out)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	*out = (struct line_sink){.ctx = m, .file_open = m_open, .line = m_line, .file_reset = m_reset,
				  .file_gone = m_gone};
	return m;
}

/* report_json without what counts lines fed rather than what they say */
static char *report_of(const struct model *m)
{
	struct report_ctx c;
	memset(&c, 0, sizeof c);
	c.now = 1795600000000LL;
	struct buf b = {0};
	report_json(m, &c, &b);
	json_object *o = json_tokener_parse(buf_cstr(&b));
	cr_assert_not_null(o);
	json_object *t;
	cr_assert(json_object_object_get_ex(o, "totals", &t));
	json_object_object_del(t, "lines");
	json_object_object_del(t, "duplicate_lines_dropped");
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	buf_free(&b);
	return s;
}

static char *iso(int64_t ms)
{
	static char b[8][32];
	static int k;
	k = (k + 1) & 7;
	rfc3339_format(ms, b[k]);
	return b[k];
}

/* A Gemini recording's text: header, then `turns` user + model turns from `t0`. */
static int64_t recording(struct buf *b, const char *sid, bool sub, int64_t t0, int turns, unsigned *ctx)
{
	static char pad[3001];
	memset(pad, 'x', sizeof pad - 1);
	int64_t t = t0;
	buf_printf(b, "{\"sessionId\":\"%s\",\"projectHash\":\"abc\",\"startTime\":\"%s\",\"lastUpdated\":\"%s\","
		      "\"kind\":\"%s\"}\n", sid, iso(t), iso(t), sub ? "subagent" : "main");
	for (int i = 0; i < turns; i++) {
		t += 2000 + (int64_t)rnd(30000);
		buf_printf(b, "{\"id\":\"u%d\",\"timestamp\":\"%s\",\"type\":\"user\",\"content\":[{\"text\":\"%.*s\"}]}\n",
			   i, iso(t), (int)rnd(3000), pad);
		t += 1000 + (int64_t)rnd(9000);
		unsigned prev = *ctx;
		*ctx += 400 + (unsigned)rnd(5000);
		unsigned cached = rnd(10) < 8 ? prev : (unsigned)rnd(prev / 2 + 1);
		char body[256];
		snprintf(body, sizeof body, "{\"id\":\"g%d\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"content\":\"\",", i,
			 iso(t));
		if (rnd(2))
			buf_printf(b, "%s\"tokens\":null,\"model\":\"gemini-2.5-pro\"}\n", body);
		buf_printf(b, "%s\"tokens\":{\"input\":%u,\"output\":%u,\"cached\":%u,\"thoughts\":%u,\"tool\":0,\"total\":1}"
			      "%s}\n", body, *ctx, 30 + (unsigned)rnd(600), cached, (unsigned)rnd(200),
			   rnd(4) ? ",\"model\":\"gemini-2.5-pro\"" : "");
		if (rnd(3) == 0)
			buf_printf(b, "%s\"toolCalls\":[{\"id\":\"c%d\",\"name\":\"read_file\"}],\"tokens\":{\"input\":%u,"
				      "\"output\":1,\"cached\":%u},\"model\":\"gemini-2.5-pro\"}\n", body, i, *ctx, cached);
		if (rnd(4) == 0)
			buf_printf(b, "{\"$set\":{\"lastUpdated\":\"%s\"}}\n", iso(t));
		if (!sub && i == turns / 2) {
			buf_printf(b, "{\"$rewindTo\":\"u%d\"}\n", i);
			buf_printf(b, "{\"$set\":{\"messages\":[{\"id\":\"u0\",\"timestamp\":\"%s\",\"type\":\"user\","
				      "\"content\":\"x\"}],\"summary\":\"live test\"}}\n", iso(t0));
		}
		if (!sub && i == turns - 2)
			buf_printf(b, "{\"$set\":{\"sessionId\":\"%s\"}}\n", sid); /* resumed in place */
	}
	return t;
}

/* Write data to path in random chunks, letting the source run now and then. */
static void dribble(struct source *s, const char *path, const struct buf *data)
{
	for (size_t off = 0; off < data->len;) {
		size_t k = rnd(5) == 0 ? 1 + rnd(20000) : 1 + rnd(300);
		if (k > data->len - off)
			k = data->len - off;
		write_file(path, data->data + off, k, true);
		off += k;
		size_t r = rnd(10);
		if (r < 3) {
			source_process(s, mono_ms());
		} else if (r == 3) {
			struct pollfd p = {source_fd(s), POLLIN, 0};
			poll(&p, 1, (int)rnd(4));
			source_process(s, mono_ms());
		}
	}
}

static void legacy_doc(struct buf *b, const char *sid, int64_t t0, int turns)
{
	buf_printf(b, "{\n  \"sessionId\": \"%s\",\n  \"projectHash\": \"abc\",\n  \"startTime\": \"%s\",\n"
		      "  \"messages\": [", sid, iso(t0));
	for (int i = 0; i < turns; i++)
		buf_printf(b, "%s\n    {\n      \"id\": \"m%d\",\n      \"timestamp\": \"%s\",\n      \"type\": \"gemini\",\n"
			      "      \"tokens\": {\n        \"input\": %d,\n        \"output\": 40,\n        \"cached\": %d\n"
			      "      },\n      \"model\": \"gemini-2.5-flash\"\n    }", i ? "," : "", i, iso(t0 + 60000 * (i + 1)),
			   9000 + 1000 * i, i ? 8000 + 1000 * (i - 1) : 0);
	buf_puts(b, "\n  ]\n}\n");
}

static void run(uint64_t seed)
{
	rs = seed * 0x9E3779B97F4A7C15ULL + 3;
	char *root = tmp_tree();
	char *chats = pathf("%s/.gemini/tmp/api/chats", root);
	char *logs = pathf("%s/.gemini/tmp/api/logs", root);
	mkdirs(chats);
	mkdirs(logs);
	struct source_roots roots = {0};
	char *groot = pathf("%s/.gemini", root);
	source_roots_add(&roots, AGENT_GEMINI, groot);
	struct line_sink sink;
	struct model *live = sink_model(&sink);
	struct source *s = source_new(&roots, &sink);
	cr_assert_eq(source_scan(s, NULL, 0), 0);
	cr_assert_eq(source_watch(s, NULL, 0), 0);
	char *log = pathf("%s/session-2026-11-20.jsonl", logs);

	/* a legacy session, rewritten whole: in place, then by a rename over it */
	int64_t t0 = 1795168800000LL;
	char *legacy = pathf("%s/session-2026-11-20T10-00-11111111.json", chats);
	for (int v = 1; v <= 3; v++) {
		struct buf d = {0};
		legacy_doc(&d, "11111111-aaaa-4bbb-8ccc-000000000001", t0, 1 + v);
		if (v < 3) {
			write_file(legacy, d.data, d.len, false);
		} else {
			char *tmp = pathf("%s.tmp", legacy);
			write_file(tmp, d.data, d.len, false);
			cr_assert_eq(rename(tmp, legacy), 0);
			free(tmp);
		}
		buf_free(&d);
		append_str(log, "{\"id\":\"z\",\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"type\":\"gemini\","
				"\"tokens\":{\"input\":5,\"output\":5,\"cached\":0}}\n");
		pump(s, 60, 3000);
	}

	/* a JSONL session growing, then its sub-agent in a new folder */
	const char *sid = "22222222-aaaa-4bbb-8ccc-000000000002";
	unsigned ctx = 12000;
	struct buf d = {0};
	int64_t end = recording(&d, sid, false, t0 + 3600000, 12 + (int)rnd(10), &ctx);
	char *main = pathf("%s/session-2026-11-20T11-00-22222222.jsonl", chats);
	dribble(s, main, &d);
	buf_free(&d);
	char *subdir = pathf("%s/%s", chats, sid);
	mkdirs(subdir);
	char *sub = pathf("%s/investigator-1.jsonl", subdir);
	unsigned sctx = 5000;
	recording(&d, "investigator-1", true, end + 1000, 4 + (int)rnd(4), &sctx);
	dribble(s, sub, &d);
	buf_free(&d);
	append_str(log, "{\"id\":\"y\",\"timestamp\":\"2026-11-20T12:00:00.000Z\",\"type\":\"gemini\","
			"\"tokens\":{\"input\":7,\"output\":7,\"cached\":0}}\n");

	/* a new project folder, created while watched */
	char *chats2 = pathf("%s/.gemini/tmp/web/chats", root);
	mkdirs(chats2);
	char *other = pathf("%s/session-2026-11-20T14-00-33333333.jsonl", chats2);
	ctx = 9000;
	recording(&d, "33333333-aaaa-4bbb-8ccc-000000000003", false, end + 7200000, 6 + (int)rnd(6), &ctx);
	dribble(s, other, &d);
	buf_free(&d);
	pump(s, 300, 10000);

	struct line_sink rsink;
	struct model *scanned = sink_model(&rsink);
	struct source *fresh = source_new(&roots, &rsink);
	cr_assert_eq(source_scan(fresh, NULL, 0), 0);
	cr_assert_eq(source_stats(fresh)->files, 4, "the activity log is not a recording");
	cr_assert_gt(source_stats(s)->resets, 0, "the in-place rewrite was read again");
	cr_assert_gt(model_request_count(scanned), 20);
	cr_assert_eq(model_stats(scanned)->malformed, 0);
	char *a = report_of(live), *b = report_of(scanned);
	if (strcmp(a, b))
		fprintf(stderr, "live:\n%s\nscan:\n%s\n", a, b);
	cr_assert_str_eq(a, b, "seed %llu: the live report differs from the scan's", (unsigned long long)seed);
	free(a);
	free(b);

	source_free(fresh);
	source_free(s);
	model_free(scanned);
	model_free(live);
	source_roots_free(&roots);
	rm_tree(root);
	free(root), free(chats), free(logs), free(groot), free(log), free(legacy), free(main), free(subdir);
	free(sub), free(chats2), free(other);
}

ParameterizedTestParameters(gemini_live, growing)
{
	static uint64_t seeds[] = {1, 2, 3, 11, 2026};
	return cr_make_param_array(uint64_t, seeds, sizeof seeds / sizeof seeds[0]);
}

ParameterizedTest(uint64_t *seed, gemini_live, growing, .timeout = 120)
{
	run(*seed);
}
