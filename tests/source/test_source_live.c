/* test_source_live.c — the property test of the source layer: a tree of two Claude files and
 * one Codex file is written in random chunks that split lines mid-byte, interleaving files,
 * while a source tails it live; one file is truncated (or deleted) and written again part-way.
 * At the end, per file, the lines delivered since its last open/reset must equal what a fresh
 * scan of the final tree delivers — nothing lost, nothing doubled — for several seeds. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
static void gen_claude(struct buf *b, int nlines, const char *tag)
{
	for (int i = 0; i < nlines; i++) {
		char uuid[33], pad[8];
		hex(uuid, 32);
		size_t padn = rnd(10) == 0 ? 20000 + rnd(200000) : rnd(600);
		buf_printf(b, "{\"parentUuid\":null,\"isSidechain\":false,\"type\":\"assistant\","
			      "\"sessionId\":\"%s\",\"timestamp\":\"2026-01-01T00:%02d:%02d.%03dZ\","
			      "\"message\":{\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":"
			      "\"text\",\"text\":\"",
			   tag, i / 60 % 60, i % 60, (int)rnd(1000));
		for (size_t k = 0; k < padn; k++) {
			hex(pad, 1);
			buf_append(b, pad, 1);
		}
		buf_printf(b, "\"}],\"usage\":{\"input_tokens\":%d,\"cache_read_input_tokens\":%d,"
			      "\"output_tokens\":%d}},\"uuid\":\"%s\"}",
			   (int)rnd(5000), (int)rnd(90000), (int)rnd(900), uuid);
		buf_puts(b, rnd(8) == 0 ? "\r\n" : "\n");
	}
}

static void gen_codex(struct buf *b, int nlines)
{
	for (int i = 0; i < nlines; i++) {
		char id[17];
		hex(id, 16);
		buf_printf(b, "{\"timestamp\":\"2026-01-01T01:00:%02d.%03dZ\",\"type\":\"event_msg\","
			      "\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":"
			      "{\"input_tokens\":%d,\"cached_input_tokens\":%d,\"output_tokens\":%d},"
			      "\"id\":\"%s\"}}}\n",
			   i % 60, (int)rnd(1000), (int)rnd(100000), (int)rnd(90000), (int)rnd(5000),
			   id);
	}
}

struct wfile {
	char *path;
	struct buf data;
	size_t off;
};

static void run_seed(uint64_t seed)
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
	gen_claude(&f[0].data, 40 + (int)rnd(40), "s1");
	gen_claude(&f[1].data, 20 + (int)rnd(40), "s1");
	gen_codex(&f[2].data, 30 + (int)rnd(60));

	struct rec rec;
	struct line_sink sink;
	rec_sink(&rec, &sink);
	struct source_roots roots = {0};
	char *rc = pathf("%s/claude", root), *rx = pathf("%s/codex", root);
	source_roots_add(&roots, AGENT_CLAUDE, rc);
	source_roots_add(&roots, AGENT_CODEX, rx);
	struct source *s = NULL;

	size_t total = f[0].data.len + f[1].data.len + f[2].data.len;
	size_t written = 0;
	bool rewritten = false, started = false;
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
			 * delete and create again; the new content is a different stream. */
			rewritten = true;
			size_t done0 = f[0].off;
			struct buf nd = {0};
			gen_claude(&nd, 30 + (int)rnd(30), "s1");
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
	rec_sink(&ref, &rsink);
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
		/* a handle that is still open is never fed twice the same epoch */
		int h = rec_handle(&rec, f[i].path);
		cr_assert_geq(h, 0);
	}
	/* everything the live source delivered was a whole line of the stream */
	const struct source_stats *st = source_stats(s);
	cr_assert_eq(st->skipped_files, 0);

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

ParameterizedTest(uint64_t *seed, live, random_chunks, .timeout = 120)
{
	run_seed(*seed);
}
