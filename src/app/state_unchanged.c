/* state_unchanged.c — a model straight from the state's image when nothing under the roots
 * changed since it was written: the check status makes (source_unchanged over the saved
 * listings and marks: no transcript opened, no scan), the image loaded on a thread meanwhile
 * (the price table parsed first, if left for now), sealed (for reading only: the maps that take
 * new lines left unread). When the tree did change, that model goes; the files' stats taken for
 * the check serve the scan's start. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "cachetop/model_image.h"
#include "cachetop/status_digest.h"
#include "state_int.h"

static uint64_t unchanged_models;
uint64_t state_unchanged_models(void) { return unchanged_models; }

struct image_job {
	const struct state *st;
	struct app *a;
	struct model *m;
	enum model_image_why why;
	struct status_digest *dg; /* wanted: the digest after the image */
	bool have_dg;
	const atomic_bool *differs; /* the stats' early word that the tree changed */
};

/* the prices, if not parsed yet (the model is made with them), then the image (and the digest
 * written with it: its blocks are the model's) — unless the stats taken meanwhile already show
 * a changed file (a sealed model could not serve the scan that follows) */
static void *image_job(void *p)
{
	struct image_job *j = p;
	app_prices(j->a);
	j->m = model_new(&j->a->mopts);
	if (atomic_load(j->differs))
		return NULL;
	j->why = state_image_load(j->st, j->m, true);
	if (j->why == MODEL_IMAGE_OK && j->dg)
		j->have_dg = state_digest_read(j->st, j->m, j->dg);
	return NULL;
}

struct model *state_unchanged_model(struct state *st, struct app *a, struct source **src_out,
				    struct status_digest *dg, bool *have_dg)
{
	*src_out = NULL;
	if (have_dg)
		*have_dg = false;
	if (!st || st->fd < 0 || !st->sf.image_len || st->no_recall || st->snap_off)
		return NULL;
	/* the thread owns a's prices and options until joined; this one reads only its roots */
	st->seen_fresh = true; /* the recalls below look without taking */
	struct state_stat_bg bg;
	state_stat_start(st, &bg);
	struct image_job j = {st, a, NULL, MODEL_IMAGE_DAMAGED, dg && have_dg ? dg : NULL, false, &bg.r.differs};
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, image_job, &j) == 0;
	if (!threaded)
		image_job(&j);
	/* meanwhile: the stats (shared with a thread), then the check by them */
	struct line_sink k;
	state_recall_sink(st, &k);
	struct source *s = source_new(&a->roots, &k);
	bool same = source_unchanged(s, st->sf.n, state_stat_join, &bg);
	state_stat_join(&bg);
	if (threaded)
		pthread_join(t, NULL);
	if (same && j.why == MODEL_IMAGE_OK) {
		st->seen_fresh = false;
		state_count_image_load();
		unchanged_models++;
		*src_out = s;
		if (have_dg)
			*have_dg = j.have_dg;
		return j.m;
	}
	if (j.have_dg)
		status_digest_free(dg);
	source_free(s);
	model_free(j.m);
	return NULL;
}
