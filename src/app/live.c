/* live.c — the model as it is followed live: a source tailing the roots into a model, and the
 * rule that keeps it equal to a fresh read of the tree whatever order lines arrive in. When the
 * model says that lines came in an order a whole-tree read would not have used, in a way that
 * could change the answer (model_order_broken: a copy read before its original, a junction to
 * a line not read yet, a truncated or deleted file), the tree is read again into a fresh model,
 * which replaces the old one; the caller's hook sees both, so that it can take back what the old
 * one said wrongly. The rebuild costs a full read, but only such rare wake-ups pay it: appends
 * in the agents' own order never do. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "state.h"

/* A long-running view saves the state this often (and when it stops), so that the next start
 * reads only what came after. */
#define LIVE_SAVE_MS (10 * 60 * 1000)

static uint32_t live_open_file(void *ctx, enum agent agent, const char *path, bool subagent)
{
	struct live *l = ctx;
	return l->inner.file_open(l->inner.ctx, agent, path, subagent);
}

static void live_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	struct live *l = ctx;
	unsigned bits = l->st ? state_feed(l->st, file, line, n) : model_feed(l->m, file, line, n);
	l->bits |= bits;
	if (bits && l->hooks.changed)
		l->hooks.changed(l->hooks.ctx, l->m, bits);
}

static void live_reset(void *ctx, uint32_t file)
{
	struct live *l = ctx;
	l->inner.file_reset(l->inner.ctx, file);
}

static void live_gone(void *ctx, uint32_t file)
{
	struct live *l = ctx;
	l->inner.file_gone(l->inner.ctx, file);
}

static void live_order(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	struct live *l = ctx;
	l->inner.file_order(l->inner.ctx, file, first_ts, last_ts);
}

/* The parallel scan calls prepare/commit with the sink's ctx: give them the model's. */
static void *live_prepare(void *ctx, uint32_t file, enum agent agent, const char *p, size_t n)
{
	struct live *l = ctx;
	return l->inner.prepare(l->inner.ctx, file, agent, p, n);
}

static void live_commit(void *ctx, uint32_t file, void *batch)
{
	struct live *l = ctx;
	l->inner.commit(l->inner.ctx, file, batch);
}

static bool live_recall(void *ctx, const char *path, struct sink_mark *mark)
{
	struct live *l = ctx;
	return l->inner.recall(l->inner.ctx, path, mark);
}

static void *live_recalled(void *ctx, uint32_t file, const char *path)
{
	struct live *l = ctx;
	return l->inner.recalled(l->inner.ctx, file, path);
}

/* Bind the sinks to model m: lines read whole (the scan's parallel path) go straight to the
 * model, lines tailed one by one through live_line, so that the hook sees each change. */
static void live_bind(struct live *l, struct model *m)
{
	l->m = m;
	if (l->st)
		state_sink(l->st, m, &l->inner);
	else
		app_model_sink(m, &l->inner);
	l->sink = (struct line_sink){.ctx = l, .file_open = live_open_file, .line = live_line,
				     .file_reset = live_reset, .file_gone = live_gone,
				     .file_order = live_order, .prepare = live_prepare,
				     .commit = live_commit, .batch_size = l->inner.batch_size};
	if (l->inner.recall) {
		l->sink.recall = live_recall;
		l->sink.recalled = live_recalled;
	}
}

int live_open(struct live *l, struct app *a, const struct live_hooks *h, char *err, size_t errlen)
{
	*l = (struct live){.a = a};
	if (h)
		l->hooks = *h;
	l->st = state_open(a);
	state_follow(l->st);
	int rc;
	for (;;) {
		live_bind(l, model_new(&a->mopts));
		l->s = source_new(&a->roots, &l->sink);
		rc = source_scan(l->s, err, errlen);
		if (!state_failed(l->st))
			break;
		/* the state misled the read: read the tree whole */
		state_forget(l->st);
		source_free(l->s);
		model_free(l->m);
	}
	state_save(l->st, l->s, false);
	/* a whole-tree read is the reference: whatever it noticed is how the tree reads */
	model_order_clear(l->m);
	model_take_changes(l->m); /* the backfill is not news */
	l->bits = 0;
	return rc;
}

static void live_rebuild(struct live *l)
{
	struct model *old = l->m;
	for (;;) {
		live_bind(l, model_new(&l->a->mopts));
		source_rebuild(l->s, &l->sink);
		if (!state_failed(l->st))
			break;
		state_forget(l->st); /* the state misled the read: read the tree whole */
		model_free(l->m);
	}
	model_order_clear(l->m);
	model_take_changes(l->m); /* what the old model said new stays said; the rest is not news */
	l->rebuilds++;
	if (l->hooks.replaced)
		l->hooks.replaced(l->hooks.ctx, old, l->m);
	model_free(old);
	l->bits |= MODEL_UPDATED | MODEL_NEW_EVENT | MODEL_NEW_REQUEST | MODEL_NEW_SESSION;
}

uint64_t live_process(struct live *l, int64_t mono_ms)
{
	uint64_t n = source_process(l->s, mono_ms);
	/* the model's own record of what changed, whichever path (tail or scan commit) fed it */
	l->bits |= model_take_changes(l->m);
	if (l->st && mono_ms - l->saved_at >= LIVE_SAVE_MS) {
		if (l->saved_at)
			state_save(l->st, l->s, false);
		l->saved_at = mono_ms;
	}
	/* A tie flipped by growth that raced the last read is settled by the lines that raced
	 * it: only a wake-up that brought something reads the tree again. */
	if ((n > 0 || model_order_hard(l->m)) && model_order_broken(l->m))
		live_rebuild(l);
	return n;
}

unsigned live_take_bits(struct live *l)
{
	unsigned b = l->bits;
	l->bits = 0;
	return b;
}

void live_close(struct live *l)
{
	if (l->st && l->s)
		state_save(l->st, l->s, false);
	state_close(l->st);
	l->st = NULL;
	source_free(l->s);
	model_free(l->m);
	l->s = NULL;
	l->m = NULL;
}
