/* tree_model.c — a model of every root read once, oldest-first (report, status), through the
 * warm-start state when there is one, and the report context over it. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cachetop/status_digest.h"
#include "state.h"

struct model *app_build_model(struct app *a, struct source **src_out, struct blocks *blocks, bool *have_blocks)
{
	if (have_blocks)
		*have_blocks = false;
	struct state *st = state_open(a);
	struct model *m;
	struct source *s;
	char err[512] = "";
	/* an unchanged tree: the image is the model (nothing to save; the prices, if app_load left
	 * them, are parsed on its thread meanwhile) */
	struct status_digest dg;
	bool have_dg = false;
	if ((m = state_unchanged_model(st, a, &s, &dg, &have_dg))) {
		state_close(st);
		if (have_dg && blocks) {
			/* the digest's blocks pass to the caller; the rest of it goes */
			memcpy(blocks, dg.bl, sizeof dg.bl);
			memset(dg.bl, 0, sizeof dg.bl);
			*have_blocks = true;
		}
		if (have_dg)
			status_digest_free(&dg);
		goto done;
	}
	app_prices(a);
	for (;;) {
		m = model_new(&a->mopts);
		struct line_sink sink;
		if (st)
			state_sink(st, m, &sink);
		else
			app_model_sink(m, &sink);
		s = source_new(&a->roots, &sink);
		if (source_scan(s, err, sizeof err) != 0) {
			fprintf(stderr, "cachetop: %s\n", err);
			source_free(s);
			model_free(m);
			state_close(st);
			return NULL;
		}
		if (!state_failed(st))
			break;
		/* the state misled the read: read the tree whole */
		state_forget(st);
		source_free(s);
		model_free(m);
	}
	state_save(st, s, false);
	state_close(st); /* the source reads nothing more through its sink */
done:;
	const char *msg;
	while ((msg = source_take_message(s)))
		fprintf(stderr, "cachetop: %s\n", msg);
	if (src_out)
		*src_out = s;
	else
		source_free(s);
	return m;
}

/* report_root entries from the source's roots (valid while `s` lives) */
static size_t app_report_roots(const struct source *s, struct report_root *out, size_t cap)
{
	const struct source_roots *r = source_get_roots(s);
	size_t n = 0;
	for (size_t i = 0; i < r->n && n < cap; i++)
		out[n++] = (struct report_root){.agent = r->v[i].agent, .path = r->v[i].path,
						.files = r->v[i].files, .exists = r->v[i].exists};
	return n;
}

void app_report_ctx(struct app *a, const struct source *s, struct report_root *roots, size_t cap,
		    struct report_ctx *c)
{
	*c = (struct report_ctx){.now = app_now(a), .roots = roots,
				 .nroots = s ? app_report_roots(s, roots, cap) : 0, .quota = a->qopts,
				 .official = a->official.present ? &a->official : NULL,
				 .ledgers = a->ledgers.n ? &a->ledgers : NULL, .utf8 = !a->ascii};
}
