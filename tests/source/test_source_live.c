/* test_source_live.c — the property test of the source layer: a tree of two Claude files and
 * one Codex file is written in random chunks that split lines mid-byte, interleaving files,
 * while a source tails it live; one file is truncated (or deleted) and written again part-way.
 * At the end, per file, the lines delivered since its last open/reset must equal what a fresh
 * scan of the final tree delivers — nothing lost, nothing doubled — for several seeds. The
 * same lines also feed a model: its final report_json must equal that of a model built by a
 * scan (the rewrite keeps the old lines, as Claude's resume/compact rewrites keep requests). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <math.h>

#include "cachetop/model.h"
#include "cachetop/report.h"
#include "cachetop/util.h"
#include "rec.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic per seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd(size_t n) { return n ? (size_t)(rng() % n) : 0; }

static void hex(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = "0123456789abcdef"[rnd(16)];
	out[n] = 0;
}

/* One transcript's bytes: realistic lines of varied length (a few long ones). */
static void gen_claude(struct buf *b, int from, int nlines, const char *tag, bool side)
{
	for (int i = from; i < from + nlines; i++) {
		char uuid[33], pad[8];
		hex(uuid, 32);
		size_t padn = rnd(10) == 0 ? 20000 + rnd(200000) : rnd(600);
		buf_printf(b, "{\"parentUuid\":null,\"isSidechain\":%s,%s\"type\":\"assistant\","
			      "\"sessionId\":\"%s\",\"timestamp\":\"2026-01-01T00:%02d:%02d.%03dZ\","
			      "\"requestId\":\"req_%s\",\"message\":{\"id\":\"msg_%s\","
			      "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":"
			      "\"text\",\"text\":\"",
			   side ? "true" : "false", side ? "\"agentId\":\"a1\"," : "", tag,
			   i / 60 % 60, i % 60, (int)rnd(1000), uuid, uuid);
		for (size_t k = 0; k < padn; k++) {
			hex(pad, 1);
			buf_append(b, pad, 1);
		}
		buf_printf(b, "\"}],\"usage\":{\"input_tokens\":%d,\"cache_creation_input_tokens\":%d,"
			      "\"cache_read_input_tokens\":%d,\"output_tokens\":%d}},\"uuid\":\"u%s\"}",
			   (int)rnd(5000), (int)rnd(3000), (int)rnd(90000), (int)rnd(900), uuid);
		buf_puts(b, rnd(8) == 0 ? "\r\n" : "\n");
	}
}

static void gen_codex(struct buf *b, int nlines)
{
	buf_puts(b, "{\"timestamp\":\"2026-01-01T00:59:59.000Z\",\"type\":\"session_meta\","
		    "\"payload\":{\"id\":\"0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee\",\"cwd\":\"/w\"}}\n"
		    "{\"timestamp\":\"2026-01-01T00:59:59.500Z\",\"type\":\"turn_context\","
		    "\"payload\":{\"model\":\"gpt-5-codex\",\"cwd\":\"/w\"}}\n");
	uint64_t ti = 0, tc = 0, to = 0;
	for (int i = 0; i < nlines; i++) {
		char id[17];
		hex(id, 16);
		uint64_t in = 1000 + rnd(50000), cached = rnd(in + 1), out = rnd(5000);
		ti += in, tc += cached, to += out;
		buf_printf(b, "{\"timestamp\":\"2026-01-01T01:%02d:%02d.%03dZ\",\"type\":\"event_msg\","
			      "\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":"
			      "{\"input_tokens\":%llu,\"cached_input_tokens\":%llu,\"output_tokens\":%llu,"
			      "\"reasoning_output_tokens\":0,\"total_tokens\":%llu},\"last_token_usage\":"
			      "{\"input_tokens\":%llu,\"cached_input_tokens\":%llu,\"output_tokens\":%llu,"
			      "\"reasoning_output_tokens\":0,\"total_tokens\":%llu}},\"id\":\"%s\"}}\n",
			   i / 60 % 60, i % 60, (int)rnd(1000), (unsigned long long)ti,
			   (unsigned long long)tc, (unsigned long long)to, (unsigned long long)(ti + to),
			   (unsigned long long)in, (unsigned long long)cached, (unsigned long long)out,
			   (unsigned long long)(in + out), id);
	}
}

/* Recorder handles are per open; the model's are per path (a re-created file keeps its
 * index), so the tee maps one to the other. */
struct tee {
	struct line_sink rec;
	struct model *m;
	uint32_t to_model[4096];
};

static uint32_t tee_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	struct tee *t = ctx;
	uint32_t h = t->rec.file_open(t->rec.ctx, agent, path, subagent);
	cr_assert_lt(h, 4096);
	t->to_model[h] = model_file_add(t->m, agent, path, subagent);
	return h;
}

static void tee_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	struct tee *t = ctx;
	t->rec.line(t->rec.ctx, file, line, n);
	model_feed(t->m, t->to_model[file], line, n);
}

static void tee_reset(void *ctx, uint32_t file)
{
	struct tee *t = ctx;
	t->rec.file_reset(t->rec.ctx, file);
	model_file_reset(t->m, t->to_model[file]);
}

static void tee_gone(void *ctx, uint32_t file)
{
	struct tee *t = ctx;
	t->rec.file_gone(t->rec.ctx, file);
	model_file_gone(t->m, t->to_model[file]);
}

static void tee_sink(struct tee *t, struct rec *r, struct line_sink *out)
{
	rec_sink(r, &t->rec);
	struct model_opts o;
	model_opts_default(&o);
	t->m = model_new(&o);
	*out = (struct line_sink){.ctx = t, .file_open = tee_open, .line = tee_line,
				  .file_reset = tee_reset, .file_gone = tee_gone};
}

static char *report_of(const struct model *m)
{
	struct report_ctx c;
	memset(&c, 0, sizeof c);
	c.now = 1767232800000; /* 2026-01-01T02:00:00Z: the same generated_at for both */
	struct buf b = {0};
	report_json(m, &c, &b);
	return (char *)buf_cstr(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A session's "files" as a sorted set: the live model met them in another order, and a path
 * whose file was replaced is registered twice (old and new inode). */
static bool files_same(json_object *a, json_object *b)
{
	const char *v[2][64];
	size_t n[2] = {0, 0};
	json_object *ab[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		size_t len = json_object_array_length(ab[k]);
		for (size_t i = 0; i < len && n[k] < 64; i++)
			v[k][n[k]++] = json_object_get_string(json_object_array_get_idx(ab[k], i));
		qsort(v[k], n[k], sizeof v[k][0], cmp_str);
		size_t u = 0;
		for (size_t i = 0; i < n[k]; i++)
			if (!u || strcmp(v[k][u - 1], v[k][i]))
				v[k][u++] = v[k][i];
		n[k] = u;
	}
	if (n[0] != n[1])
		return false;
	for (size_t i = 0; i < n[0]; i++)
		if (strcmp(v[0][i], v[1][i]))
			return false;
	return true;
}

/* Two reports agree: the same structure and values, doubles within 1e-9 relative (sums taken in
 * another order), except what counts lines fed rather than what they say: generated_at, and
 * totals.lines / duplicate_lines_dropped (a rewritten file is legitimately fed again). */
static bool json_same(json_object *a, json_object *b, struct buf *where)
{
	enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	if ((ta == json_type_double || ta == json_type_int) &&
	    (tb == json_type_double || tb == json_type_int)) {
		double x = json_object_get_double(a), y = json_object_get_double(b);
		if (ta == json_type_int && tb == json_type_int)
			return json_object_get_int64(a) == json_object_get_int64(b);
		return fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
	}
	if (ta != tb)
		return false;
	switch (ta) {
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, va) {
			if (!strcmp(key, "generated_at") || !strcmp(key, "lines") ||
			    !strcmp(key, "duplicate_lines_dropped"))
				continue;
			json_object *vb;
			if (!json_object_object_get_ex(b, key, &vb))
				return false;
			size_t len = where->len;
			buf_printf(where, ".%s", key);
			if (!strcmp(key, "files") && json_object_is_type(va, json_type_array) &&
			    json_object_is_type(vb, json_type_array)) {
				if (!files_same(va, vb))
					return false;
				where->len = len;
				continue;
			}
			if (!json_same(va, vb, where))
				return false;
			where->len = len;
		}
		return true;
	}
	case json_type_array: {
		size_t n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (size_t i = 0; i < n; i++) {
			size_t len = where->len;
			buf_printf(where, "[%zu]", i);
			if (!json_same(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i),
				       where))
				return false;
			where->len = len;
		}
		return true;
	}
	case json_type_string:
		return strcmp(json_object_get_string(a), json_object_get_string(b)) == 0;
	default:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	}
}

struct wfile {
	char *path;
	struct buf data;
	size_t off;
};

static void run_seed(uint64_t seed, bool rewrite)
{
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	char *root = tmp_tree();
	char *dp = pathf("%s/claude/projects/-home-u-p", root);
	char *ds = pathf("%s/claude/projects/-home-u-p/s1/subagents", root);
	char *dc = pathf("%s/codex/sessions/2026/01/01", root);
	mkdirs(dp);
	struct wfile f[3] = {
		{pathf("%s/s1.jsonl", dp), {0}, 0},
		{pathf("%s/agent-a1.jsonl", ds), {0}, 0},
		{pathf("%s/rollout-2026-01-01T01-00-00-x.jsonl", dc), {0}, 0},
	};
	int n0 = 40 + (int)rnd(40);
	gen_claude(&f[0].data, 0, n0, "s1", false);
	gen_claude(&f[1].data, 0, 20 + (int)rnd(40), "s1", true);
	gen_codex(&f[2].data, 30 + (int)rnd(60));

	struct rec rec;
	struct line_sink sink;
	struct tee tee;
	tee_sink(&tee, &rec, &sink);
	struct source_roots roots = {0};
	char *rc = pathf("%s/claude", root), *rx = pathf("%s/codex", root);
	source_roots_add(&roots, AGENT_CLAUDE, rc);
	source_roots_add(&roots, AGENT_CODEX, rx);
	struct source *s = NULL;

	size_t total = f[0].data.len + f[1].data.len + f[2].data.len;
	size_t written = 0;
	bool rewritten = !rewrite, started = false;
	size_t start_at = total / 10, rewrite_at = total / 2;
	while (written < total || !rewritten) {
		if (!started && written >= start_at) {
			s = source_new(&roots, &sink);
			cr_assert_eq(source_scan(s, NULL, 0), 0);
			cr_assert_eq(source_watch(s, NULL, 0), 0);
			started = true;
		}
		if (!rewritten && written >= rewrite_at) {
			/* Claude rewrote the main file (resume/compact): truncate in place, or
			 * delete and create again. The new stream starts with the old complete
			 * lines written so far (some of which the source may not have seen yet)
			 * and goes on with new ones. */
			rewritten = true;
			size_t done0 = f[0].off;
			struct buf nd = {0};
			size_t keep = 0;
			for (size_t k = 0; k < done0; k++)
				if (f[0].data.data[k] == '\n')
					keep = k + 1;
			buf_append(&nd, f[0].data.data, keep);
			gen_claude(&nd, n0, 30 + (int)rnd(30), "s1", false);
			total = total - f[0].data.len + nd.len;
			written -= done0;
			buf_free(&f[0].data);
			f[0].data = nd;
			f[0].off = 0;
			if (rnd(2)) {
				int fd = open(f[0].path, O_WRONLY | O_TRUNC);
				cr_assert_geq(fd, 0);
				close(fd);
			} else {
				cr_assert_eq(unlink(f[0].path), 0);
			}
			continue;
		}
		size_t i = rnd(3);
		if (f[i].off == f[i].data.len) {
			continue;
		}
		if (f[i].off == 0)
			mkdirs(i == 0 ? dp : i == 1 ? ds : dc);
		size_t left = f[i].data.len - f[i].off;
		size_t k = rnd(4) == 0 ? 1 + rnd(70000) : 1 + rnd(400);
		if (k > left)
			k = left;
		write_file(f[i].path, f[i].data.data + f[i].off, k, true);
		f[i].off += k;
		written += k;
		if (started) {
			size_t r = rnd(10);
			if (r < 3) {
				source_process(s, mono_ms()); /* whatever is queued, never waiting */
			} else if (r == 3) {
				struct pollfd p = {source_fd(s), POLLIN, 0};
				poll(&p, 1, (int)rnd(5));
				source_process(s, mono_ms());
			}
		}
	}
	pump(s, 300, 10000);

	/* A fresh scan of the final tree is the reference. */
	struct rec ref;
	struct line_sink rsink;
	struct tee rtee;
	tee_sink(&rtee, &ref, &rsink);
	struct source *fresh = source_new(&roots, &rsink);
	cr_assert_eq(source_scan(fresh, NULL, 0), 0);
	cr_assert_eq(ref.nf, 3);
	for (int i = 0; i < 3; i++) {
		char *want = rec_epoch_lines(&ref, f[i].path);
		char *got = rec_epoch_lines(&rec, f[i].path);
		cr_assert_gt(strlen(want), 1000);
		cr_assert(strcmp(want, got) == 0,
			  "seed %llu: %s differs (live %zu bytes, scan %zu bytes)",
			  (unsigned long long)seed, f[i].path, strlen(got), strlen(want));
		free(want);
		free(got);
		cr_assert_geq(rec_handle(&rec, f[i].path), 0);
	}
	const struct source_stats *st = source_stats(s);
	cr_assert_eq(st->skipped_files, 0);
	/* the live model ends where a model built from the final tree starts */
	cr_assert_gt(model_request_count(rtee.m), 100);
	{
		char *live = report_of(tee.m), *scan = report_of(rtee.m);
		json_object *jl = json_tokener_parse(live), *js = json_tokener_parse(scan);
		cr_assert(jl && js);
		struct buf where = {0};
		buf_cstr(&where);
		bool same = json_same(jl, js, &where);
		if (!same)
			fprintf(stderr, "live:\n%s\nscan:\n%s\n", live, scan);
		cr_assert(same, "seed %llu: report_json differs at %s", (unsigned long long)seed,
			  buf_cstr(&where));
		buf_free(&where);
		json_object_put(jl);
		json_object_put(js);
		free(live);
		free(scan);
	}
	model_free(tee.m);
	model_free(rtee.m);

	source_free(fresh);
	source_free(s);
	rec_free(&ref);
	rec_free(&rec);
	source_roots_free(&roots);
	for (int i = 0; i < 3; i++) {
		free(f[i].path);
		buf_free(&f[i].data);
	}
	rm_tree(root);
	free(root), free(dp), free(ds), free(dc), free(rc), free(rx);
}

ParameterizedTestParameters(live, random_chunks)
{
	static uint64_t seeds[] = {1, 2, 3, 7, 42, 1234, 99991, 20260101};
	return cr_make_param_array(uint64_t, seeds, sizeof seeds / sizeof seeds[0]);
}

/* With a rewrite part-way (truncate, or delete and re-create): lines per epoch must match a fresh
 * scan, and the live model's report_json must equal the scanned one's — the model keeps a
 * re-created file's identity, so its copied lines are not read as a resume. */
ParameterizedTest(uint64_t *seed, live, random_chunks, .timeout = 120)
{
	run_seed(*seed, true);
}

ParameterizedTestParameters(live, random_chunks_report)
{
	static uint64_t seeds[] = {5, 11, 77, 31337};
	return cr_make_param_array(uint64_t, seeds, sizeof seeds / sizeof seeds[0]);
}

/* Appends only (chunked, interleaved, lines split mid-byte): the live model's report_json must
 * equal a scanned model's. */
ParameterizedTest(uint64_t *seed, live, random_chunks_report, .timeout = 120)
{
	run_seed(*seed, false);
}
