/* sink_forward.c — one forwarding sink: a sink that wraps another (the live model's, the
 * warm-start state's) passes every call it does not handle itself straight on to the one it
 * wraps, so each wrapper states only what it changes. The wrapper's ctx starts with the wrapped
 * sink (struct line_sink as its first member), which is how these find it. */
#include "app.h"

static const struct line_sink *fwd(void *ctx) { return ctx; }

static uint32_t fwd_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	return fwd(ctx)->file_open(fwd(ctx)->ctx, agent, path, subagent);
}

static void fwd_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	fwd(ctx)->line(fwd(ctx)->ctx, file, line, n);
}

static void fwd_reset(void *ctx, uint32_t file) { fwd(ctx)->file_reset(fwd(ctx)->ctx, file); }

static void fwd_gone(void *ctx, uint32_t file) { fwd(ctx)->file_gone(fwd(ctx)->ctx, file); }

static void fwd_order(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	fwd(ctx)->file_order(fwd(ctx)->ctx, file, first_ts, last_ts);
}

/* The parallel scan calls prepare/commit with the wrapper's ctx: the wrapped sink's get theirs. */
static void *fwd_prepare(void *ctx, uint32_t file, enum agent agent, const char *p, size_t n)
{
	return fwd(ctx)->prepare(fwd(ctx)->ctx, file, agent, p, n);
}

static void fwd_commit(void *ctx, uint32_t file, void *batch) { fwd(ctx)->commit(fwd(ctx)->ctx, file, batch); }

static bool fwd_recall(void *ctx, const char *path, struct sink_mark *mark)
{
	return fwd(ctx)->recall(fwd(ctx)->ctx, path, mark);
}

static void *fwd_recalled(void *ctx, uint32_t file, const char *path)
{
	return fwd(ctx)->recalled(fwd(ctx)->ctx, file, path);
}

static bool fwd_dir_recall(void *ctx, const char *dir, struct sink_dir *d)
{
	return fwd(ctx)->dir_recall(fwd(ctx)->ctx, dir, d);
}

void sink_forward(struct line_sink *out, void *ctx)
{
	const struct line_sink *in = fwd(ctx);
	*out = (struct line_sink){.ctx = ctx, .file_open = fwd_open, .line = fwd_line, .file_reset = fwd_reset,
				  .file_gone = fwd_gone, .batch_size = in->batch_size};
	if (in->file_order)
		out->file_order = fwd_order;
	if (in->prepare && in->commit) {
		out->prepare = fwd_prepare;
		out->commit = fwd_commit;
	}
	if (in->recall && in->recalled) {
		out->recall = fwd_recall;
		out->recalled = fwd_recalled;
	}
	if (in->dir_recall)
		out->dir_recall = fwd_dir_recall;
}
