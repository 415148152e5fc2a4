/* state_status.c — `status` from the state without a model: the digest kept after the image
 * is used when the source finds nothing it would read (source_unchanged over the saved folder
 * listings and marks, the files' stats taken meanwhile on a thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model_image.h"
#include "cachetop/status_digest.h"
#include "state_int.h"

bool state_status_digest(const struct app *a, struct status_digest *d)
{
	memset(d, 0, sizeof *d);
	if (a->no_state)
		return false;
	struct state *st = state_open(a);
	if (!st || st->fd < 0 || !st->sf.image_len) {
		state_close(st);
		return false;
	}
	/* the digest after the image's body: the model itself is not read */
	struct model *m = model_new(&a->mopts);
	bool ok = state_digest_read(st, m, d);
	model_free(m);
	if (ok) {
		/* the saved folders' and files' stats, on two threads, which the check then goes by
		 * (it only looks: seen_fresh) */
		st->seen_fresh = true;
		struct state_stat_bg bg;
		state_stat_start(st, &bg);
		struct line_sink k;
		state_recall_sink(st, &k);
		struct source *s = source_new(&a->roots, &k);
		ok = source_unchanged(s, st->sf.n, state_stat_join, &bg);
		state_stat_join(&bg);
		const char *msg;
		while ((msg = source_take_message(s)))
			fprintf(stderr, "cachetop: %s\n", msg);
		source_free(s);
		if (!ok)
			status_digest_free(d);
	}
	state_close(st);
	return ok;
}

