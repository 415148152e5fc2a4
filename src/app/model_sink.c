/* model_sink.c — the line sink that feeds the model: file handles are model file indices,
 * lines one by one go to model_feed, and a whole tree's runs of lines are parsed on the source's
 * worker threads into packed records (struct parsed) that the model applies in order. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

static uint32_t sink_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	return model_file_add(ctx, agent, path, subagent);
}
static void sink_line(void *ctx, uint32_t file, const char *line, size_t n) { model_feed(ctx, file, line, n); }
static void sink_reset(void *ctx, uint32_t file) { model_file_reset(ctx, file); }
static void sink_gone(void *ctx, uint32_t file) { model_file_gone(ctx, file); }
static void sink_order(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	model_file_order(ctx, file, first_ts == INT64_MAX ? CT_TIME_NONE : first_ts,
			 last_ts == INT64_MAX ? CT_TIME_NONE : last_ts);
}

/* Parsing on the source's worker threads: a run of lines → packed records (struct parsed,
 * app.h); the model applies them on this thread, in order. */

/* one record of a line (a line of some agents holds many) into the batch */
static void sink_pack(void *ctx, const struct line *ln) { line_pack(ln, ctx); }

void *app_sink_prepare(void *ctx, uint32_t file, enum agent agent, const char *p, size_t n)
{
	(void)ctx;
	(void)file;
	struct parsed *b = xcalloc(1, sizeof *b);
	struct line *ln = xmalloc(sizeof *ln);
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* the same lines the one-by-one path delivers (tail.c) and feeds (model_feed) */
		if (len > 0 && !(len == 1 && p[0] == '\r')) {
			b->lines++;
			if (!line_blank(p, len))
				line_parse_each(agent, p, len, ln, sink_pack, &b->packed);
		}
		p += len + 1;
	}
	free(ln);
	return b;
}

static struct line commit_line; /* commits run on one thread */

int app_apply_packed(struct model *m, uint32_t file, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		size_t used = line_unpack(p, (size_t)(end - p), &commit_line);
		if (!used)
			return -1;
		model_apply(m, file, &commit_line);
		p += used;
	}
	return 0;
}

static void sink_commit(void *ctx, uint32_t file, void *batch)
{
	struct parsed *b = batch;
	app_apply_packed(ctx, file, b->packed.data, b->packed.len);
	buf_free(&b->packed);
	free(b);
}

size_t app_sink_batch_size(void *batch, uint64_t *lines)
{
	struct parsed *b = batch;
	*lines = b->lines;
	return b->packed.cap + sizeof *b;
}

void app_model_sink(struct model *m, struct line_sink *out)
{
	*out = (struct line_sink){.ctx = m, .file_open = sink_open, .line = sink_line,
				  .file_reset = sink_reset, .file_gone = sink_gone, .file_order = sink_order,
				  .prepare = app_sink_prepare,
				  .commit = sink_commit, .batch_size = app_sink_batch_size};
}
