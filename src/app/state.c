/* state.c — the warm-start state: one file per set of roots under $XDG_CACHE_HOME/cachetop/
 * (else ~/.cache/cachetop/) holding, for each transcript read, the packed records of its
 * complete lines and a mark telling whether the file still holds those bytes (statefile.h,
 * sink.h). It keeps parsed records, not the model: the model is built again from records on
 * every start, in the scan's order, so a warm start feeds it exactly what a fresh read would
 * and whatever the model decides (ownership of copies, lineage) comes out the same.
 *
 * Here: the model sink that keeps each file's records as they are committed and recalls an
 * earlier run's (the source checks the marks and reads only what follows), and the model's
 * image standing in for the records (when it is worth reading, when the scan refuses it).
 * Writing it back is state_save.c's (a private temporary file, then rename, state_file.c:
 * readers see the old file or the new one, two writers never block each other and the last
 * rename wins with a state that is whole); `status` without a model, state_status.c's. It lives
 * in the app, not the source, because it is cachetop's own file, not a transcript, and what it
 * keeps is the sink's records. */
#define _GNU_SOURCE /* dl_iterate_phdr, O_TMPFILE, copy_file_range */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/model_image.h"
#include "cachetop/timefmt.h"
#include "cachetop/statefile.h"
#include "cachetop/status_digest.h"
#include "cachetop/util.h"
#include "state.h"
#include "state_int.h"

/* ---- loading ------------------------------------------------------------------------------- */

struct state *state_open(const struct app *a)
{
	if (a->no_state)
		return NULL;
	char *dir = state_dir();
	if (!dir)
		return NULL;
	struct state *st = xcalloc(1, sizeof *st);
	st->fd = -1;
	st->spill_fd = -1;
	st->dir = dir;
	st->build_key = state_build_key();
	st->roots_key = state_roots_key(&a->roots);
	struct buf p = {0};
	buf_printf(&p, "%s/state-%016llx.bin", dir, (unsigned long long)st->roots_key);
	st->path = p.data;
	st->can_write = st->build_key != 0 && !state_under_roots(dir, &a->roots) && state_mkdirs(dir) == 0;
	state_spill_open(st);
	int fd = st->build_key ? open(st->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) : -1;
	if (fd >= 0 && state_load(st, fd) != 0)
		close(fd); /* a file that is not ours, damaged or old: as if absent */
	return st;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	state_spill_close(st);
	for (size_t i = 0; i < st->nkept; i++)
		buf_free(&st->kept[i].fresh);
	free(st->kept);
	free(st->snap_seen);
	state_unload(st);
	free(st->dir);
	free(st->path);
	free(st);
}

void state_follow(struct state *st)
{
	if (st)
		st->follow = true;
}

bool state_loaded(const struct state *st) { return st && st->fd >= 0; }
/* for tests: images loaded, and refused after the scan, by this process */
static uint64_t image_loads, image_refusals;
uint64_t state_image_loads(void) { return image_loads; }
static uint64_t private_images;
uint64_t state_private_images(void) { return private_images; }
void state_count_image_load(void) { image_loads++; }
uint64_t state_image_refusals(void) { return image_refusals; }

/* After a scan that started from the image: it vouches for the tree only when the lines read
 * on top of it are the ones a whole read would read after all it holds, in the same order:
 * every file it holds found with its saved lines, at most one of them grown and that one
 * sorting after all others (its first timestamp the latest), new files sorting after them all
 * (state_sink_order), nothing rewritten or gone. Lines appended to a file that sorts earlier
 * would come, in a whole read, before the later files' lines; the model's own order checks
 * (model_order_broken) do not catch every such case, so those starts replay the records.
 * Ends the image's part. */
static bool state_snap_refused(struct state *st)
{
	if (!st->snap)
		return false;
	st->snap = false;
	/* with nothing read on top, the model is the image's: a whole read's, whatever its flags */
	bool bad = st->snap_bad || (st->snap_fed && model_order_broken(st->m));
	long grew = -1;
	for (size_t i = 0; i < st->snap_files && !bad; i++) {
		unsigned char f = st->snap_seen[i];
		bad = !(f & SNAP_OPENED) || ((f & SNAP_HAD_LINES) && !(f & SNAP_RECALLED)) ||
		      ((f & SNAP_GREW) && grew >= 0);
		if (f & SNAP_GREW)
			grew = (long)i;
	}
	if (bad)
		return true;
	/* A file still growing before others is no reason to write the state again (it would be
	 * written on every start while it grows): the records serve until the next save. */
	st->snap_grown = grew >= 0;
	if (grew >= 0) {
		int64_t last = model_file(st->m, (size_t)grew)->first_ts;
		bad = last == CT_TIME_NONE;
		for (size_t i = 0; i < st->snap_files && !bad; i++) {
			int64_t t = model_file(st->m, i)->first_ts;
			bad = i != (size_t)grew && (t == CT_TIME_NONE || t >= last);
		}
	}
	return bad;
}

bool state_failed(struct state *st)
{
	if (st && state_snap_refused(st)) {
		st->snap_refused = true;
		image_refusals++;
	}
	bool failed = st && (st->failed || st->snap_refused);
	if (st && !failed)
		st->scanned = true;
	return failed;
}
uint64_t state_saves(const struct state *st) { return st ? st->saved : 0; }
const char *state_path(const struct state *st) { return st ? st->path : NULL; }

void state_forget(struct state *st)
{
	st->snap_off = true;
	if (st->snap_refused && !st->failed) {
		/* the image could not vouch for the tree: the records can, file by file */
		st->snap_refused = false;
		st->snap_stale |= !st->snap_grown;
		return;
	}
	st->snap_refused = false;
	st->no_recall = true;
	st->failed = false;
	state_unload(st);
}

/* ---- the sink ------------------------------------------------------------------------------ */

static struct kept *state_kept(struct state *st, uint32_t file)
{
	if (file >= st->nkept) {
		ct_grow((void **)&st->kept, &st->capkept, (size_t)file + 1, sizeof *st->kept);
		for (size_t i = st->nkept; i <= file; i++)
			st->kept[i] = (struct kept){.entry = -1};
		st->nkept = (size_t)file + 1;
	}
	return &st->kept[file];
}

/* The file starts over (new, truncated, replaced, gone): nothing is kept of it. */
static void state_restart(struct state *st, uint32_t file)
{
	struct kept *k = state_kept(st, file);
	k->entry = -1;
	state_spill_drop(k);
	k->fresh.len = 0;
	k->fresh_lines = 0;
	k->lost = false;
}

static uint32_t state_sink_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	struct state *st = ctx;
	if (st->snap) {
		/* the image's file keeps its index and what the image holds of it */
		long fi = model_image_file(st->m, agent, path);
		if (fi >= 0 && !(st->snap_seen[fi] & SNAP_OPENED)) {
			st->snap_seen[fi] |= SNAP_OPENED;
			state_restart(st, (uint32_t)fi);
			return (uint32_t)fi;
		}
		/* A file the image does not hold is new: read on top of it when it sorts after all
		 * the image holds (state_sink_order). The same one twice is not. */
		if (fi >= 0)
			st->snap_bad = true;
		st->snap_fed = true;
	}
	uint32_t h = st->inner.file_open(st->inner.ctx, agent, path, subagent);
	state_restart(st, h);
	return h;
}

struct feed {
	struct state *st;
	struct kept *k;
	uint32_t file;
	unsigned changed;
};

/* one record of the line (a line may hold many): kept, then applied */
static void state_emit(void *ctx, const struct line *ln)
{
	struct feed *c = ctx;
	if (!c->k->lost)
		line_pack(ln, &c->k->fresh);
	c->changed |= model_apply(c->st->m, c->file, ln);
}

unsigned state_feed(struct state *st, uint32_t file, const char *line, size_t n)
{
	const struct model_file *mf = model_file(st->m, file);
	if (!mf || line_blank(line, n)) /* as model_feed skips them */
		return 0;
	struct kept *k = state_kept(st, file);
	struct feed c = {st, k, file, 0};
	if (st->snap) {
		st->snap_fed = true;
		if (file < st->snap_files)
			st->snap_seen[file] |= SNAP_GREW;
	}
	st->tailed |= st->scanned;
	line_parse_each(mf->agent, line, n, &st->scratch, state_emit, &c);
	if (!k->lost)
		k->fresh_lines++;
	return c.changed;
}

static void state_sink_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	state_feed(ctx, file, line, n);
}

static void state_sink_reset(void *ctx, uint32_t file)
{
	struct state *st = ctx;
	st->snap_bad |= st->snap;
	st->tailed |= st->scanned;
	state_restart(st, file);
	st->inner.file_reset(st->inner.ctx, file);
}

static void state_sink_gone(void *ctx, uint32_t file)
{
	struct state *st = ctx;
	st->snap_bad |= st->snap;
	st->tailed |= st->scanned;
	state_restart(st, file);
	st->inner.file_gone(st->inner.ctx, file);
}

static void state_sink_order(void *ctx, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	struct state *st = ctx;
	/* a new file read on top of the image must sort after all it holds, as in a whole read */
	if (st->snap && file >= st->snap_files && (first_ts == INT64_MAX || first_ts <= st->snap_last_first))
		st->snap_bad = true;
	st->inner.file_order(st->inner.ctx, file, first_ts, last_ts);
}

static void state_sink_commit(void *ctx, uint32_t file, void *batch)
{
	struct state *st = ctx;
	struct parsed *b = batch;
	struct kept *k = state_kept(st, file);
	if (b->recalled && st->snap) {
		/* its saved lines are in the model already */
		if (file < st->snap_files && (st->snap_seen[file] & SNAP_OPENED))
			st->snap_seen[file] |= SNAP_RECALLED;
		else
			st->snap_bad = true;
		k->entry = b->kept;
		free(b);
		return;
	}
	if (st->snap && file < st->snap_files && (st->snap_seen[file] & SNAP_HAD_LINES) &&
	    !(st->snap_seen[file] & SNAP_RECALLED))
		st->snap_bad = true; /* read from its start: rewritten since the image */
	if (st->snap && b->lines) {
		st->snap_fed = true;
		if (file < st->snap_files)
			st->snap_seen[file] |= SNAP_GREW;
	}
	st->tailed |= st->scanned;
	if (b->recalled) {
		if (app_apply_packed(st->m, file, b->packed.data, b->packed.len) != 0)
			st->failed = true; /* hashed right, yet unreadable: trust none of it */
		k->entry = b->kept;
		buf_free(&b->packed);
		free(b);
		return;
	}
	if (!k->lost) {
		if (!state_spill_put(st, k, b->packed.data, b->packed.len))
			buf_append(&k->fresh, b->packed.data ? b->packed.data : "", b->packed.len);
		k->fresh_lines += b->lines;
	}
	st->inner.commit(st->inner.ctx, file, b);
}

bool state_sink_recall(void *ctx, const char *path, struct sink_mark *mk)
{
	struct state *st = ctx;
	if (st->no_recall || st->fd < 0)
		return false;
	long i = statefile_find(&st->sf, path);
	if (i < 0)
		return false;
	struct statefile_entry e;
	statefile_get(&st->sf, (size_t)i, &e);
	state_mark_of(&e, mk);
	struct state_seen *sn = st->seen ? &st->seen[i] : NULL;
	if (sn && sn->taken) {
		/* once: a later listing of the same path must look again (each path is recalled by
		 * one scan thread, so the entries written here are never shared); an unchanged
		 * tree's check only looks, leaving them for the scan should it find a change */
		sn->taken = st->seen_fresh;
		mk->seen = true;
		mk->seen_reg = sn->reg;
		mk->seen_dev = sn->dev;
		mk->seen_ino = sn->ino;
		mk->seen_size = sn->size;
		mk->seen_mtime_ns = sn->mtime_ns;
		mk->seen_ctime_ns = sn->ctime_ns;
	}
	return true;
}

void state_recall_sink(struct state *st, struct line_sink *out)
{
	*out = (struct line_sink){.ctx = st, .recall = state_sink_recall, .dir_recall = state_sink_dir_recall};
}

static int state_dir_cmp(const void *key, const void *elem)
{
	const char *k = key;
	const struct statefile_dir *d = elem;
	int c = strncmp(k, d->path, d->path_len);
	return c ? c : k[d->path_len] != 0;
}

bool state_sink_dir_recall(void *ctx, const char *dir, struct sink_dir *out)
{
	struct state *st = ctx;
	if (st->no_recall || st->fd < 0 || !st->ndirs)
		return false;
	const struct statefile_dir *d = bsearch(dir, st->dirs, st->ndirs, sizeof *st->dirs, state_dir_cmp);
	if (!d)
		return false;
	*out = (struct sink_dir){.dev = d->dev, .ino = d->ino, .mtime_ns = d->mtime_ns, .ctime_ns = d->ctime_ns,
				 .ents = d->ents, .ents_len = d->ents_len};
	struct state_dseen *sn = st->dseen ? &st->dseen[d - st->dirs] : NULL;
	if (sn && atomic_load_explicit(&sn->done, memory_order_acquire) && sn->s.taken) {
		/* once, as for the files (state_sink_recall); the check only looks */
		sn->s.taken = st->seen_fresh;
		out->seen = true;
		out->seen_dir = sn->dir;
		out->seen_dev = sn->s.dev;
		out->seen_ino = sn->s.ino;
		out->seen_mtime_ns = sn->s.mtime_ns;
		out->seen_ctime_ns = sn->s.ctime_ns;
	}
	return true;
}

static void *state_sink_recalled(void *ctx, uint32_t file, const char *path)
{
	(void)file;
	struct state *st = ctx;
	long i = statefile_find(&st->sf, path);
	if (i < 0)
		return NULL;
	struct statefile_entry e;
	statefile_get(&st->sf, (size_t)i, &e);
	struct parsed *b = xcalloc(1, sizeof *b);
	if (st->snap) {
		/* the model loaded from the image holds these lines: nothing to read */
		b->lines = e.lines;
		b->kept = i;
		b->recalled = true;
		return b;
	}
	if (!state_records(st, &e, &b->packed)) {
		buf_free(&b->packed);
		free(b);
		return NULL; /* damaged or cut short: the file is read from its start */
	}
	b->lines = e.lines;
	b->kept = i;
	b->recalled = true;
	return b;
}

uint64_t state_recall_file(struct state *st, struct model *m, uint32_t file, const char *path)
{
	if (!st || st->fd < 0)
		return 0;
	long i = statefile_find(&st->sf, path);
	if (i < 0)
		return 0;
	struct statefile_entry e;
	struct sink_mark mk;
	statefile_get(&st->sf, (size_t)i, &e);
	state_mark_of(&e, &mk);
	struct buf rec = {0};
	uint64_t from = 0;
	if (source_mark_check(path, &mk) == 0 && state_records(st, &e, &rec)) {
		from = e.offset;
		/* records that hash right always unpack (line_unpack refuses nothing a parser
		 * wrote); should one not, the model has a prefix: start it over from the file */
		if (app_apply_packed(m, file, rec.data, rec.len) != 0) {
			model_file_reset(m, file);
			from = 0;
		}
	}
	buf_free(&rec);
	return from;
}


/* A file written this long ago is taken as done growing (for now). */
#define STATE_SETTLED_NS (60 * 1000000000LL)

/* Before the image is read: would the scan accept it (state_snap_refused)? One lstat per saved
 * file tells which changed; with more than one, or one that does not sort last, the scan would
 * refuse the image after reading the tree once for nothing, then read it again from the
 * records. Only a guess (new files are not seen here): the scan still decides. When the image
 * is passed over for a file gone, replaced or cut, or for growth that has settled, the state
 * is written again at the end of this run with an image of the tree as it is now; growth still
 * going on would have it written on every start, so that waits for the next save. The stats
 * are taken here unless stats_taken (seen[] holds them, just taken). */
static bool state_snap_worth(struct state *st, bool stats_taken)
{
	long grown = -1, latest = -1;
	int64_t latest_ts = INT64_MIN;
	bool tie = false, growing = false, more = false;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (!stats_taken)
		state_stat_entries(st);
	for (size_t i = 0; i < st->sf.n; i++) {
		struct statefile_entry e;
		statefile_get(&st->sf, i, &e);
		const struct state_seen *sb = &st->seen[i];
		bool gone = !sb->taken;
		if (gone || sb->dev != e.dev || sb->ino != e.ino || sb->size < e.offset) {
			st->snap_stale = true; /* gone, replaced or cut */
			return false;
		}
		bool same = sb->size == e.size && (!e.ctime_ns || (sb->mtime_ns == e.mtime_ns && sb->ctime_ns == e.ctime_ns));
		if (!same) {
			growing |= state_ns(&now) - sb->mtime_ns < STATE_SETTLED_NS;
			more |= grown >= 0;
			grown = (long)i;
		}
		if (e.first_ts > latest_ts) {
			latest_ts = e.first_ts;
			latest = (long)i;
			tie = false;
		} else if (e.first_ts == latest_ts) {
			tie = true;
		}
	}
	if (grown < 0 || (!more && grown == latest && !tie && latest_ts != INT64_MAX))
		return true;
	st->snap_stale |= !growing;
	return false;
}

static void view_release(void *p)
{
	state_view_drop(p);
	free(p);
}

/* A mapped image's pages out of this process (model_rest): the clean ones go back to the page
 * cache, the few it wrote stay; MADV_PAGEOUT loses nothing, where MADV_DONTNEED would drop a
 * private mapping's writes. */
static void view_rest(void *p)
{
#ifdef MADV_PAGEOUT
	struct state_view *v = p;
	if (v->map)
		(void)madvise(v->map, v->maplen, MADV_PAGEOUT);
#else
	(void)p;
#endif
}

/* A mapped image's checksum pass, a window at a time: brought in at once (as MAP_POPULATE would
 * have), then let go (clean pages of a read-only mapping: the page cache keeps them), so a
 * model that borrows its requests from the image holds those alone. */
static void page_range(const void *p, size_t n, bool in, uintptr_t *a, uintptr_t *e)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), s = (uintptr_t)p, t = s + n;
	*a = in ? (s + pg - 1) & ~(pg - 1) : s & ~(pg - 1);
	*e = in ? t & ~(pg - 1) : (t + pg - 1) & ~(pg - 1);
}
static void view_want(void *ctx, const void *p, size_t n)
{
	(void)ctx;
#ifdef MADV_POPULATE_READ
	uintptr_t a, e;
	page_range(p, n, false, &a, &e);
	(void)madvise((void *)a, e - a, MADV_POPULATE_READ);
#else
	(void)p;
	(void)n;
#endif
}
static void view_done(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	uintptr_t a, e;
	page_range(p, n, true, &a, &e);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_DONTNEED);
}

/* The image copied into a file of this process's own (unnamed, in the state's folder: no other
 * process can open it) and mapped private and writable: for a long-running view, whose model
 * keeps its history there for hours — the state file itself, replaced only whole by any
 * cachetop, could still be written into by something else, which must not reach a model in
 * use. The copy is the kernel's (copy_file_range); false, and nothing made, when it cannot be. */
static bool private_image(const struct state *st, struct state_view *v)
{
	*v = (struct state_view){0};
	size_t n = (size_t)st->sf.image_len;
	int t = open(st->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t < 0)
		return false;
	loff_t in = (loff_t)st->sf.image_at, out = 0;
	while ((size_t)out < n) {
		ssize_t k = copy_file_range(st->fd, &in, t, &out, n - (size_t)out, 0);
		if (k <= 0) {
			close(t);
			return false;
		}
	}
	void *map = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, t, 0);
	close(t); /* the mapping holds the file */
	if (map == MAP_FAILED)
		return false;
	v->map = map;
	v->maplen = n;
	v->p = map;
	private_images++;
	return true;
}

enum model_image_why state_image_load(const struct state *st, struct model *m, bool sealed)
{
	struct state_view *img = xmalloc(sizeof *img);
	enum model_image_why why = MODEL_IMAGE_DAMAGED;
	size_t len;
	uint64_t hash;
	/* the model keeps its requests (and, when it takes more lines, its dedup ids) where they
	 * lie in the image: the state file's own for a run that ends soon (it is only ever
	 * replaced whole), a private copy for a long-running view */
	unsigned how = VIEW_LAZY | (sealed ? 0 : VIEW_PRIVATE_WRITE);
	bool copy = false, got;
	if (!sealed && st->follow)
		/* no private copy to be had (a file system without unnamed files): copied whole */
		got = private_image(st, img) ||
		      (copy = state_view_get(st->fd, st->sf.image_at, (size_t)st->sf.image_len, img));
	else
		got = state_view_get_as(st->fd, st->sf.image_at, (size_t)st->sf.image_len, img, how);
	if (got &&
	    (why = model_image_head(m, img->p, (size_t)st->sf.image_len, &len, &hash)) == MODEL_IMAGE_OK) {
		struct statefile_pager pg = {view_want, view_done, NULL};
		const struct statefile_pager *paged = img->map ? &pg : NULL;
		/* the status digest follows it */
		why = sealed ? model_image_load_borrowed(m, img->p, len, paged)
		      : copy ? model_image_load(m, img->p, len)
			     : model_image_load_in_place(m, (char *)img->p, len, paged);
	}
	if (why == MODEL_IMAGE_OK && !copy) {
		model_keep(m, view_release, view_rest, img);
		return why;
	}
	view_release(img);
	return why;
}

bool state_digest_read(const struct state *st, const struct model *m, struct status_digest *d)
{
	memset(d, 0, sizeof *d);
	if (st->fd < 0 || !st->sf.image_len)
		return false;
	/* the image's head (its options' and prices' key, its body's length and hash), then the
	 * bytes after the body */
	unsigned char head[64];
	size_t hl = st->sf.image_len < sizeof head ? (size_t)st->sf.image_len : sizeof head, len;
	uint64_t hash;
	struct state_view dig = {0};
	bool ok = state_pread(st->fd, head, hl, st->sf.image_at) &&
		  model_image_head(m, head, (size_t)st->sf.image_len, &len, &hash) == MODEL_IMAGE_OK &&
		  state_view_get(st->fd, st->sf.image_at + len, (size_t)st->sf.image_len - len, &dig) &&
		  status_digest_get(dig.p, (size_t)st->sf.image_len - len, hash, d);
	state_view_drop(&dig);
	return ok;
}

/* A model just made starts from the loaded file's image when it has one this run can use. */
static void state_snap_load(struct state *st, struct model *m)
{
	st->snap = st->snap_bad = st->snap_refused = st->snap_fed = st->snap_grown = false;
	st->scanned = st->tailed = false;
	free(st->snap_seen);
	st->snap_seen = NULL;
	st->snap_files = 0;
	bool fresh = st->seen_fresh; /* taken just now by state_unchanged_model's check */
	st->seen_fresh = false;      /* from here the recalls take them, once */
	if (!fresh)
		state_stat_free(st); /* stats of an earlier start are no use to this one */
	if (st->snap_off || st->no_recall || st->fd < 0 || !st->sf.image_len || model_file_count(m) ||
	    st->sf.image_len > SIZE_MAX / 2 || !state_snap_worth(st, fresh))
		return;
	enum model_image_why why = state_image_load(st, m, false);
	if (why != MODEL_IMAGE_OK) {
		/* damaged: written again at the next save; for other options: left for their runs */
		st->snap_stale |= why == MODEL_IMAGE_DAMAGED;
		return;
	}
	st->snap = true;
	state_count_image_load();
	st->snap_files = model_file_count(m);
	st->snap_seen = xcalloc(st->snap_files ? st->snap_files : 1, 1);
	st->snap_last_first = INT64_MIN;
	for (size_t i = 0; i < st->snap_files; i++) {
		const struct model_file *f = model_file(m, i);
		int64_t first = f->first_ts == CT_TIME_NONE ? INT64_MAX : f->first_ts;
		if (first > st->snap_last_first)
			st->snap_last_first = first;
		if (f->lines)
			st->snap_seen[i] = SNAP_HAD_LINES;
	}
}

void state_sink(struct state *st, struct model *m, struct line_sink *out)
{
	st->m = m;
	app_model_sink(m, &st->inner);
	for (size_t i = 0; i < st->nkept; i++) {
		buf_free(&st->kept[i].fresh);
		state_spill_drop(&st->kept[i]);
	}
	st->nkept = 0;
	state_spill_settle(st);
	state_snap_load(st, m);
	sink_forward(out, st); /* prepare goes straight on */
	out->file_open = state_sink_open;
	out->line = state_sink_line;
	out->file_reset = state_sink_reset;
	out->file_gone = state_sink_gone;
	out->file_order = state_sink_order;
	out->commit = state_sink_commit;
	out->recall = state_sink_recall;
	out->recalled = state_sink_recalled;
	out->dir_recall = state_sink_dir_recall;
}

