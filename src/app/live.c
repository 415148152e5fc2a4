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

static void live_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	struct live *l = ctx;
	unsigned bits = l->st ? state_feed(l->st, file, line, n) : model_feed(l->m, file, line, n);
	l->bits |= bits;
	if (bits && l->hooks.changed)
		l->hooks.changed(l->hooks.ctx, l->m, bits);
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
	sink_forward(&l->sink, l);
	l->sink.line = live_line;
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
	l->lines_seen = source_stats(l->s)->lines;
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
		model_rest(l->m); /* what the save walked through leaves memory again */
	}
	/* A tie flipped by growth that raced the last read is settled by the lines that raced
	 * it: only a wake-up that brought something reads the tree again. */
	/* lines read by a rescan asked for outside this call count too */
	bool got = source_stats(l->s)->lines != l->lines_seen;
	if ((got || model_order_hard(l->m)) && model_order_broken(l->m))
		live_rebuild(l);
	l->lines_seen = source_stats(l->s)->lines;
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
