/* state_save.c — writing the warm-start state: which files' records go in (what the source
 * still lists), whether the model's image (and the status digest after it) goes with them, when
 * a write is worth it, and following the file just written. The file's bytes are
 * state_file.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/model_image.h"
#include "cachetop/status_digest.h"
#include "state_int.h"

struct save_walk {
	struct state *st;
	struct source *s;
	struct save_item *v;
	size_t n, cap;
	bool changed;          /* something differs from the loaded file */
	size_t settled;        /* marks taken too close to a write, now trusted by their stat */
	size_t seen_loaded;    /* files still holding their loaded entry */
};

static void state_collect(void *ctx, const struct source_pos *p)
{
	struct save_walk *w = ctx;
	struct state *st = w->st;
	if (p->handle < st->nkept)
		st->kept[p->handle].seen = st->walks;
	if (p->handle >= st->nkept || p->offset == 0) {
		w->changed = true;
		return;
	}
	struct kept *k = &st->kept[p->handle];
	if (k->lost) {
		w->changed = true;
		return;
	}
	struct statefile_entry base = {0};
	bool has_base = k->entry >= 0 && st->fd >= 0;
	if (has_base)
		statefile_get(&st->sf, (size_t)k->entry, &base);
	struct sink_mark mk, again;
	if (has_base && k->fresh.len == 0 && k->spilled == 0 && base.offset == p->offset && base.dev == p->dev && base.ino == p->ino) {
		/* unchanged since it was recalled: its mark holds as it was checked */
		state_mark_of(&base, &mk);
		w->seen_loaded++;
		/* one taken too soon after a write is taken again once the write is older */
		if (!mk.ctime_ns && source_mark(w->s, p->path, &again) == 0 && again.offset == mk.offset) {
			w->settled += again.ctime_ns != 0;
			mk = again;
		}
	} else {
		w->changed = true;
		if (source_mark(w->s, p->path, &mk) != 0 || mk.offset != p->offset)
			return; /* changed under us: left out, read whole next time */
	}
	ct_grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v);
	struct save_item *it = &w->v[w->n++];
	*it = (struct save_item){.handle = p->handle, .base_at = has_base ? base.rec_at : 0,
				 .baselen = has_base ? (size_t)base.rec_len : 0,
				 .base_hash = has_base ? base.rec_hash : 0};
	it->e = (struct statefile_entry){.path = p->path, .path_len = strlen(p->path), .dev = mk.dev,
					 .ino = mk.ino, .size = mk.size, .mtime_ns = mk.mtime_ns,
					 .ctime_ns = mk.ctime_ns, .offset = mk.offset,
					 .head_len = mk.head_len, .tail_len = mk.tail_len,
					 .head_hash = mk.head_hash, .tail_hash = mk.tail_hash,
					 .first_ts = mk.first_ts, .last_ts = mk.last_ts,
					 .peek_last_ts = mk.peek_last_ts,
					 .lines = (has_base ? base.lines : 0) + k->fresh_lines,
					 .rec_len = it->baselen + k->spilled + k->fresh.len};
	memcpy(it->e.tail, mk.tail, sizeof it->e.tail);
}

static int state_cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct save_item *)a)->e.path, ((const struct save_item *)b)->e.path);
}

/* The model's image goes with the records only when it is exactly what they give: every file
 * the model read a line of is saved, with all it read (model_image_write refuses the rest). */
static bool state_image_fits(const struct state *st, const struct save_walk *w)
{
	size_t nf = model_file_count(st->m);
	unsigned char *in = xcalloc(nf ? nf : 1, 1);
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].handle < nf)
			in[w->v[i].handle] = 1;
	bool fits = true;
	for (size_t i = 0; i < nf && fits; i++) {
		const struct model_file *f = model_file(st->m, i);
		fits = in[i] || (!f->lines && !f->requests && !f->gone);
	}
	free(in);
	return fits;
}

/* The status digest after the image just written, tied to it by its hash. */
static void state_digest_put(const struct model *m, struct buf *image)
{
	size_t len;
	uint64_t hash;
	if (model_image_head(m, image->data, image->len, &len, &hash) != MODEL_IMAGE_OK || len != image->len)
		return;
	struct status_digest d;
	status_digest_of(m, &d);
	status_digest_put(&d, hash, image);
	status_digest_free(&d);
}

/* state_write's image: made once the records are written (and freed), so that the two are
 * never in memory at once (a first run over a long history held both: 546 B per request) */
static void state_image_make(void *ctx, struct buf *image)
{
	const struct model *m = ctx;
	if (model_image_write(m, image) == MODEL_IMAGE_OK)
		state_digest_put(m, image);
}

int state_save(struct state *st, struct source *s, bool force)
{
	if (!st || !st->can_write || !st->m)
		return -1;
	uint64_t bytes = source_stats(s)->bytes;
	struct save_walk w = {.st = st, .s = s};
	st->walks++;
	source_each_file(s, state_collect, &w);
	/* What the source never lists (a database's sessions, a whole document) is never
	 * saved: stop keeping its records. */
	for (size_t i = 0; i < st->nkept; i++)
		if (st->kept[i].seen != st->walks && !st->kept[i].lost) {
			state_spill_drop(&st->kept[i]);
			buf_free(&st->kept[i].fresh);
			st->kept[i].fresh_lines = 0;
			st->kept[i].lost = true;
		}
	bool loaded = st->fd >= 0;
	bool dropped = loaded && w.seen_loaded < st->sf.n;
	/* a file without an image, or with one that misled this run, gets one at once: until then
	 * every start replays the records */
	/* lines tailed one by one give what a whole read gives only as far as the model's order
	 * checks reach: such a model is not saved as an image (the next start that reads the tree
	 * whole writes one) */
	bool fits = !st->tailed && state_image_fits(st, &w);
	/* The folder listings: worth a write when many folders were listed anew (until then each
	 * start lists them again); a few new folders wait for the next write. */
	struct buf dirs = {0};
	size_t dirs_recalled, dirs_fresh;
	source_dirs_save(s, &dirs, &dirs_recalled, &dirs_fresh);
	bool dirs_worth = dirs_fresh && (!st->ndirs || dirs_fresh * 8 >= dirs_recalled + dirs_fresh);
	/* none when the model holds what no image carries */
	bool with_image = fits && model_image_writable(st->m) == MODEL_IMAGE_OK;
	bool want_image = with_image && (st->snap_stale || !loaded || !st->sf.image_len);
	if (!want_image && ((!w.changed && !dropped && !w.settled && !dirs_worth && loaded) || (!w.n && !loaded))) {
		free(w.v);
		buf_free(&dirs);
		st->bytes_at_save = bytes;
		return 0; /* the file on disk says it all */
	}
	/* Rewriting the whole file costs about as much as parsing half its size again (measured:
	 * tests/bench/bench_state.sh), so small growth waits until it adds up; a missing or
	 * refused file is written at once. */
	/* (marks that can now be trusted by their stat are worth a write: until then every start
	 * reads their windows) */
	if (!force && !want_image && loaded && !w.settled && !dirs_worth && (bytes - st->bytes_at_save) < st->file_len / 2) {
		free(w.v);
		buf_free(&dirs);
		return 0;
	}
	if (w.n)
		qsort(w.v, w.n, sizeof *w.v, state_cmp_item);
	int fd;
	int rc = state_write(st, w.v, w.n, &dirs, with_image ? state_image_make : NULL, st->m, &fd);
	buf_free(&dirs);
	if (rc == 0) {
		st->saved++;
		st->snap_stale = false;
		st->snap_off = false; /* the new file's image is this model's */
	}
	bool followed = rc == 0 && st->follow && state_load(st, fd) == 0;
	if (!followed)
		for (size_t i = 0; i < w.n; i++) {
			/* its records left memory as they were written: should a later save come, they
			 * are not this file's to give (the file is read whole next time) */
			struct kept *k = &st->kept[w.v[i].handle];
			k->lost = true;
			k->fresh_lines = 0;
		}
	if (followed) {
		/* Follow the file just written: what it holds leaves memory (a dashboard keeps no
		 * copy of history's records), and a rebuild recalls from it. */
		st->bytes_at_save = bytes;
		for (size_t i = 0; i < st->nkept; i++) {
			/* records not saved just now (below) referred to the old file */
			if (st->kept[i].entry >= 0)
				st->kept[i].lost = true;
			st->kept[i].entry = -1;
		}
		for (size_t i = 0; i < w.n; i++) {
			struct kept *k = &st->kept[w.v[i].handle];
			k->entry = statefile_find(&st->sf, w.v[i].e.path);
			k->lost = k->entry < 0;
			buf_free(&k->fresh);
			k->fresh_lines = 0;
		}
	} else if (rc == 0) {
		close(fd);
	}
	state_spill_settle(st);
	if (st->base_lost) {
		/* the loaded file was cut short by someone else: what this run recalled from it can
		 * no longer be saved; those files are read whole next time */
		for (size_t i = 0; i < st->nkept; i++)
			if (st->kept[i].entry >= 0) {
				st->kept[i].entry = -1;
				st->kept[i].lost = true;
			}
		state_unload(st);
		st->base_lost = false;
	}
	free(w.v);
	return rc;
}
