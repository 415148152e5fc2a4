/* test_read_file.c — source_read_file, the one-file read statusline uses: the same lines a
 * source's tail hands on (no blank or CR-only line, no unfinished last line, a line split across
 * read blocks whole), from a given line start, with the caller's handle, and never a file that
 * is not regular (a FIFO named like a transcript must not block). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/source.h"
#include "cachetop/util.h"
#include "rec.h"

struct got {
	struct buf lines; /* each line, then '\n' */
	size_t n;
	uint32_t bad_handle;
	int opens;
};

static uint32_t got_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	(void)agent, (void)path, (void)subagent;
	((struct got *)ctx)->opens++;
	return 0;
}

static void got_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	struct got *g = ctx;
	if (file != 7)
		g->bad_handle++;
	buf_append(&g->lines, line, n);
	buf_append(&g->lines, "\n", 1);
	g->n++;
}

static void nop(void *ctx, uint32_t file) { (void)ctx, (void)file; }

static int read_into(const char *path, uint64_t from, struct got *g)
{
	memset(g, 0, sizeof *g);
	struct line_sink k = {.ctx = g, .file_open = got_open, .line = got_line, .file_reset = nop, .file_gone = nop};
	return source_read_file(AGENT_CLAUDE, path, from, &k, 7);
}

static const char *text(struct got *g) { return g->lines.len ? buf_cstr(&g->lines) : ""; }

Test(read_file, lines_as_a_tail_reads_them)
{
	char *dir = tmp_tree();
	char *p = pathf("%s/s.jsonl", dir);
	append_str(p, "{\"a\":1}\r\n\r\n\n{\"b\":2}\n{\"unfinished\":");
	struct got g;
	cr_assert_eq(read_into(p, 0, &g), 0);
	cr_expect_str_eq(text(&g), "{\"a\":1}\r\n{\"b\":2}\n");
	cr_expect_eq(g.n, 2);
	cr_expect_eq(g.bad_handle, 0, "every line carries the caller's handle");
	cr_expect_eq(g.opens, 0, "the caller registered the file: no new handle");
	buf_free(&g.lines);
	/* from a line start: only what follows */
	cr_assert_eq(read_into(p, strlen("{\"a\":1}\r\n\r\n\n"), &g), 0);
	cr_expect_str_eq(text(&g), "{\"b\":2}\n");
	buf_free(&g.lines);
	/* from the end, or past it: nothing */
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(read_into(p, (uint64_t)st.st_size + 10, &g), 0);
	cr_expect_eq(g.n, 0);
	buf_free(&g.lines);
	rm_tree(dir);
	free(p), free(dir);
}

Test(read_file, a_line_longer_than_a_read_block_comes_whole)
{
	char *dir = tmp_tree();
	char *p = pathf("%s/s.jsonl", dir);
	size_t big = (3u << 20) + 17; /* spans several 1 MB reads */
	char *s = malloc(big + 1);
	memset(s, 'x', big);
	s[0] = '{', s[big - 1] = '}', s[big] = 0;
	append_str(p, "{\"first\":1}\n");
	append_str(p, s);
	append_str(p, "\n{\"last\":1}\n");
	struct got g;
	cr_assert_eq(read_into(p, 0, &g), 0);
	cr_assert_eq(g.n, 3);
	cr_expect_eq(g.lines.len, strlen("{\"first\":1}\n") + big + 1 + strlen("{\"last\":1}\n"));
	cr_expect_eq(memcmp(g.lines.data + strlen("{\"first\":1}\n"), s, big), 0);
	buf_free(&g.lines);
	free(s);
	rm_tree(dir);
	free(p), free(dir);
}

Test(read_file, not_a_regular_file_is_not_read, .timeout = 10)
{
	char *dir = tmp_tree();
	char *fifo = pathf("%s/fifo.jsonl", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	struct got g;
	cr_expect_eq(read_into(fifo, 0, &g), -1, "a FIFO is never opened for reading");
	char *none = pathf("%s/none.jsonl", dir);
	cr_expect_eq(read_into(none, 0, &g), -1);
	cr_expect_eq(read_into(dir, 0, &g), -1, "a folder is no transcript");
	cr_expect_eq(g.n, 0);
	rm_tree(dir);
	free(fifo), free(none), free(dir);
}
