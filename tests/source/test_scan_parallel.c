/* test_scan_parallel.c — the multi-core scan delivers exactly what one-by-one reading delivers:
 * same lines, same order per file, files in the same order, partial last lines held back, lines
 * longer than a read block intact, CRLF kept, and the tail state right for later appends. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/source.h"
#include "cachetop/util.h"

/* A log of "file:line" records, in delivery order. */
struct log {
	struct buf text;
	uint32_t nfiles;
};

static uint32_t on_open(void *ctx, enum agent a, const char *path, bool sub)
{
	(void)a, (void)path, (void)sub;
	return ((struct log *)ctx)->nfiles++;
}
static void on_line(void *ctx, uint32_t f, const char *p, size_t n)
{
	struct log *l = ctx;
	buf_printf(&l->text, "%u:", f);
	buf_append(&l->text, p, n);
	buf_puts(&l->text, "\n");
}
static void on_reset(void *ctx, uint32_t f) { (void)ctx, (void)f; }
static void on_gone(void *ctx, uint32_t f) { (void)ctx, (void)f; }

/* prepare copies the lines (as a worker would parse them); commit replays them in order */
struct chunk {
	struct buf lines;
	uint64_t n;
};
static void *on_prepare(void *ctx, uint32_t f, enum agent a, const char *p, size_t n)
{
	(void)ctx, (void)f, (void)a;
	struct chunk *c = xcalloc(1, sizeof *c);
	buf_append(&c->lines, p, n);
	for (size_t i = 0; i < n; i++)
		c->n += p[i] == '\n';
	return c;
}
static void on_commit(void *ctx, uint32_t f, void *batch)
{
	struct chunk *c = batch;
	const char *p = c->lines.data, *end = p + c->lines.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(nl - p);
		if (len && !(len == 1 && p[0] == '\r'))
			on_line(ctx, f, p, len);
		p = nl + 1;
	}
	buf_free(&c->lines);
	free(c);
}
static size_t on_size(void *batch, uint64_t *lines)
{
	struct chunk *c = batch;
	*lines = c->n;
	return c->lines.cap;
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void run(const char *root, bool parallel, struct log *out, const char *append_to, const char *more)
{
	memset(out, 0, sizeof *out);
	struct line_sink sink = {.ctx = out, .file_open = on_open, .line = on_line, .file_reset = on_reset,
				 .file_gone = on_gone};
	if (parallel) {
		sink.prepare = on_prepare;
		sink.commit = on_commit;
		sink.batch_size = on_size;
	}
	struct source_roots roots = {0};
	source_roots_add(&roots, AGENT_CLAUDE, root);
	struct source *s = source_new(&roots, &sink);
	char err[256];
	cr_assert_eq(source_scan(s, err, sizeof err), 0);
	if (append_to) {
		/* after the scan: the held-back partial line completes, and more arrives */
		int fd = open(append_to, O_WRONLY | O_APPEND);
		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, more, strlen(more)), (ssize_t)strlen(more));
		close(fd);
		cr_assert_eq(source_watch(s, err, sizeof err), 0);
		for (int i = 0; i < 50; i++) {
			source_process(s, 0);
			usleep(20000);
		}
	}
	source_free(s);
	source_roots_free(&roots);
}

/* A fresh tree: root (a mkdtemp template) made, with projects/p, into dir (512 bytes). */
static void tree_new(char *root, char *dir)
{
	char cmd[700];
	cr_assert_not_null(mkdtemp(root));
	snprintf(dir, 512, "%s/projects/p", root);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void tree_free(const char *root)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}

/* Read root one by one and on every core: the same deliveries, nfiles files, and no line
 * holding `unfinished` (the start of a line its file does not end yet). */
static void same_both_ways(const char *root, uint32_t nfiles, const char *unfinished)
{
	struct log seq, par;
	run(root, false, &seq, NULL, NULL);
	run(root, true, &par, NULL, NULL);
	cr_assert_eq(seq.nfiles, nfiles);
	cr_assert_eq(par.nfiles, nfiles);
	cr_assert_eq(seq.text.len, par.text.len, "sequential %zu bytes, parallel %zu", seq.text.len, par.text.len);
	cr_assert(memcmp(seq.text.data, par.text.data, seq.text.len) == 0, "different deliveries");
	cr_assert_null(strstr(par.text.data, unfinished), "an unfinished line must wait");
	buf_free(&seq.text);
	buf_free(&par.text);
}

Test(scan, parallel_equals_sequential)
{
	char root[] = "/tmp/cachetop-scan-XXXXXX", dir[512], path[600];
	tree_new(root, dir);
	struct buf b = {0};
	for (int f = 0; f < 12; f++) {
		b.len = 0;
		for (int l = 0; l < 200 + f * 37; l++) {
			buf_printf(&b, "{\"timestamp\":\"2026-01-01T00:%02d:%02d.000Z\",\"n\":%d,\"pad\":\"", f, l % 60, l);
			size_t pad = (size_t)((l * 7919 + f * 104729) % 5000);
			if (f == 3 && l == 10)
				pad = 3u << 20; /* a line spanning several read blocks */
			for (size_t k = 0; k < pad; k++)
				buf_puts(&b, "x");
			buf_puts(&b, l % 5 == 0 ? "\"}\r\n" : "\"}\n");
		}
		if (f == 5)
			buf_puts(&b, "{\"timestamp\":\"2026-01-01T00:59:59.000Z\",\"partial"); /* no newline yet */
		snprintf(path, sizeof path, "%s/f%02d.jsonl", dir, f);
		write_file(path, b.data, b.len);
	}
	buf_free(&b);
	same_both_ways(root, 12, "partial");
	struct log par;
	snprintf(path, sizeof path, "%s/f05.jsonl", dir);

	/* the tail state adopted from the workers: appending completes the partial line, once */
	run(root, true, &par, path, "\":1}\n{\"timestamp\":\"2026-01-01T01:00:00.000Z\",\"after\":2}\n");
	const char *hit = strstr(par.text.data, "\"partial\":1}");
	cr_assert_not_null(hit, "the completed line was not delivered");
	cr_assert_null(strstr(hit + 1, "\"partial\":1}"), "delivered twice");
	cr_assert_not_null(strstr(par.text.data, "\"after\":2}"));
	buf_free(&par.text);
	tree_free(root);
}

static void pad_with(struct buf *b, char c, size_t n)
{
	buf_reserve(b, n);
	memset(b->data + b->len, c, n);
	b->len += n;
}

/* Many files, so that the commit turn passes between the workers thousands of times, workers
 * wait for the committed file to catch up, and some files end in a long unfinished line (kept
 * back as the file's partial line, longer than a read block). */
Test(scan, many_files_commit_in_order)
{
	char root[] = "/tmp/cachetop-scan-XXXXXX", dir[512], path[600];
	tree_new(root, dir);
	struct buf b = {0};
	for (int f = 0; f < 400; f++) {
		b.len = 0;
		int lines = 1 + (f * 7919) % 90;
		for (int l = 0; l < lines; l++) {
			buf_printf(&b, "{\"timestamp\":\"2026-01-01T%02d:%02d:%02d.000Z\",\"f\":%d,\"l\":%d,\"pad\":\"", f / 60 % 24,
				   f % 60, l % 60, f, l);
			size_t pad = (size_t)((l * 104729 + f * 7919) % (f % 10 == 0 ? 400000 : 3000));
			pad_with(&b, 'y', pad);
			buf_puts(&b, "\"}\n");
		}
		if (f % 37 == 0) {
			buf_puts(&b, "{\"unfinished\":\"");
			pad_with(&b, 'z', 300000);
		}
		snprintf(path, sizeof path, "%s/f%03d.jsonl", dir, f);
		write_file(path, b.data, b.len);
	}
	buf_free(&b);
	same_both_ways(root, 400, "unfinished");
	tree_free(root);
}

/* Lines as long as the read buffer or longer, from a file's first byte and around the buffer's
 * size (which once made the scan stop reading a file whose read had filled the buffer). */
Test(scan, lines_around_the_buffer_size)
{
	char root[] = "/tmp/cachetop-scan-XXXXXX", dir[512], path[600];
	tree_new(root, dir);
	/* files of three lines of one size each; and one file whose lines (1.2 MB, then 635,008
	 * bytes) leave exactly a buffer's worth unfinished right when the grown buffer shrinks
	 * back (found by simulating the reads; it once left no room for the next read) */
	static const size_t sizes[][4] = {
		{(256u << 10) - 1, (256u << 10) - 1, (256u << 10) - 1}, {256u << 10, 256u << 10, 256u << 10},
		{(256u << 10) + 1, (256u << 10) + 1, (256u << 10) + 1}, {(512u << 10) - 70, (512u << 10) - 70, (512u << 10) - 70},
		{1u << 20, 1u << 20, 1u << 20}, {(3u << 20) + 17, (3u << 20) + 17, (3u << 20) + 17},
		{1200000, 635008, 300000, 100}};
	const size_t nf = sizeof sizes / sizeof sizes[0];
	size_t want = 0;
	struct buf b = {0};
	for (size_t f = 0; f < nf; f++) {
		b.len = 0;
		for (int l = 0; l < 4 && sizes[f][l]; l++, want++) {
			size_t at = b.len;
			buf_printf(&b, "{\"timestamp\":\"2026-01-01T00:%02zu:%02d.000Z\",\"pad\":\"", f, l);
			size_t head = b.len - at;
			pad_with(&b, 'p', sizes[f][l] - head - 3); /* the line, with its newline, is sizes[f][l] bytes */
			buf_puts(&b, "\"}\n");
		}
		snprintf(path, sizeof path, "%s/f%zu.jsonl", dir, f);
		write_file(path, b.data, b.len);
	}
	buf_free(&b);
	same_both_ways(root, (uint32_t)nf, "unfinished");
	struct log par;
	run(root, true, &par, NULL, NULL);
	size_t lines = 0;
	for (const char *p = par.text.data; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, want, "every line delivered");
	buf_free(&par.text);
	tree_free(root);
}

/* Random trees: line lengths from a few bytes to 700 KB (so lines start and end anywhere
 * relative to the reads, the buffer's growth and its page-aligned ends), CRLF and blank lines,
 * some files ending in an unfinished line. Parallel must equal sequential, for several seeds. */
Test(scan, random_line_lengths_equal_sequential, .timeout = 120)
{
	for (unsigned seed = 1; seed <= 6; seed++) {
		char root[] = "/tmp/cachetop-scan-XXXXXX", dir[512], path[600];
		tree_new(root, dir);
		uint64_t x = seed * 0x9E3779B97F4A7C15ull;
		struct buf b = {0};
		for (int f = 0; f < 24; f++) {
			b.len = 0;
			int lines = 1 + (int)(x % 40);
			for (int l = 0; l < lines; l++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* mostly short; some to 700 KB; a few over 1 MB, after which the buffer shrinks
				 * back while the next lines may fill it to any point */
				size_t pad = x % 29 == 0 ? 1100000 + (size_t)(x >> 20) % 600000
					     : x % 8 == 0 ? (size_t)(x >> 20) % 700000 : (size_t)(x >> 20) % 300000;
				buf_printf(&b, "{\"timestamp\":\"2026-01-01T00:%02d:%02d.000Z\",\"pad\":\"", f, l % 60);
				pad_with(&b, 'q', pad);
				buf_puts(&b, x % 11 == 0 ? "\"}\r\n" : x % 13 == 0 ? "\"}\n\n" : "\"}\n");
			}
			if (x % 3 == 0) {
				buf_puts(&b, "{\"unfinished\":\"");
				pad_with(&b, 'u', (size_t)(x >> 24) % 400000);
			}
			snprintf(path, sizeof path, "%s/f%02d.jsonl", dir, f);
			write_file(path, b.data, b.len);
		}
		buf_free(&b);
		same_both_ways(root, 24, "unfinished");
		tree_free(root);
	}
}
