/* model_image.c — the model's image (model_image.h): every piece of a model's state written in
 * one buffer, arrays as they lie in memory (requests chunk by chunk, hash tables as their flat
 * arrays), strings after their length, so a load is a few large copies and a pass of checks.
 *
 * What no image carries, so that a model holding it is not written: an agent module's own state
 * (per-file state, maps: its model_<name>.c owns it), a file gone. Whether the model is the
 * one a whole-tree read gives (model_order_broken after lines read one by one) is the caller's
 * to judge; the order flag itself is not kept (a whole read is the reference, as after
 * model_order_clear).
 * The parse scratch buffers are not state, nor are the live aggregates (blocks_live.c: built
 * from the model by model_settle, NULL in a model just loaded). The image is for the same build only (the state
 * file's build key): structs are copied as the compiler laid them out.
 *
 * Layout: "CTMODEL\0", version, the options-and-prices key, the body's length and hash, then the
 * body; the request chunks start at multiples of 8 from the head, so a model only read can use
 * them where they lie (model_image_load_borrowed). Loading checks the hash first, then every
 * count and every index (a request's session, predecessor, model, event; a session's files and
 * requests; every table's values), so a damaged or made-up image is refused, never trusted. */
#include "cachetop/model_image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/price.h"
#include "cachetop/statefile.h"
#include "cachetop/timefmt.h"
#include "image_io.h"
#include "model_private.h"

static const char magic[8] = {'C', 'T', 'M', 'O', 'D', 'E', 'L', 0};
enum { HEAD = IMG_HEAD }; /* its tag: the key of the options and prices */

/* ---- the key: what decides the model besides its lines -------------------------------------- */

static uint64_t mix_u64(uint64_t h, uint64_t v) { return ct_hash_mix(h, &v, sizeof v); }
static uint64_t mix_f(uint64_t h, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof v);
	return mix_u64(h, v);
}
static uint64_t mix_rates(uint64_t h, const struct price_rates *r)
{
	h = mix_f(h, r->input);
	h = mix_f(h, r->output);
	h = mix_f(h, r->cache_read);
	h = mix_f(h, r->cache_write_5m);
	return mix_f(h, r->cache_write_1h);
}

static uint64_t image_key(const struct model *m)
{
	const struct model_opts *o = &m->opts;
	uint64_t h = ct_hash("model-opts", 10);
	h = mix_u64(h, o->cold_min_prefix);
	h = mix_f(h, o->cold_ratio);
	h = mix_u64(h, (uint64_t)(int64_t)o->default_ttl_s);
	for (int a = 0; a < AGENT_COUNT; a++)
		h = mix_u64(h, (uint64_t)(int64_t)o->ttl_s[a]);
	h = mix_u64(h, (uint64_t)o->since_ms);
	if (o->prices_key)
		return mix_u64(h, o->prices_key); /* the same bytes give the same table */
	const struct price_table *t = m->prices;
	h = mix_u64(h, t ? t->n : 0);
	for (size_t i = 0; t && i < t->n; i++) {
		const struct price *p = &t->v[i];
		h = ct_hash_mix(h, p->name ? p->name : "", p->name ? strlen(p->name) + 1 : 1);
		h = mix_u64(h, p->prefix);
		h = mix_rates(h, &p->base);
		h = mix_u64(h, p->long_threshold);
		h = mix_rates(h, &p->longp);
	}
	return h;
}

/* ---- writing ------------------------------------------------------------------------------- */

enum model_image_why model_image_writable(const struct model *m)
{
	mdl_unsealed(m);
	if (mdl_agent_state_any(m))
		return MODEL_IMAGE_AGENT_STATE;
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].gone)
			return MODEL_IMAGE_GONE;
	return MODEL_IMAGE_OK;
}

enum model_image_why model_image_write(const struct model *m, struct buf *out)
{
	out->len = 0;
	enum model_image_why why = model_image_writable(m);
	if (why != MODEL_IMAGE_OK)
		return why;
	buf_reserve(out, HEAD + m->nreqs * (sizeof(struct request) + 4) + ((size_t)1 << 16));
	out->len = HEAD; /* the head is written last */
	struct buf *b = out;
	img_u64(b, m->generation);
	img_u64(b, m->event_edits);
	img_u64(b, m->changes);
	/* model names (their prices are looked up again from the same table) */
	img_u64(b, m->nmodels);
	for (size_t i = 0; i < m->nmodels; i++)
		img_str(b, m->model_names[i]);
	img_map(b, &m->model_ids);
	/* files */
	img_u64(b, m->nfiles);
	img_put(b, m->files, m->nfiles * sizeof *m->files);
	img_put(b, m->fstate, m->nfiles * sizeof *m->fstate);
	for (size_t i = 0; i < m->nfiles; i++) {
		img_str(b, m->files[i].path);
		img_str(b, m->fstate[i].title);
	}
	img_map(b, &m->file_paths);
	/* sessions */
	img_u64(b, m->nsessions);
	img_put(b, m->sessions, m->nsessions * sizeof *m->sessions);
	img_put(b, m->spriv, m->nsessions * sizeof *m->spriv);
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct session *s = &m->sessions[i];
		img_str(b, s->id);
		img_str(b, s->project);
		img_str(b, s->title);
		img_put(b, s->files, s->nfiles * sizeof *s->files);
		img_put(b, s->reqs, s->nreqs * sizeof *s->reqs);
		img_put(b, m->spriv[i].chains, m->spriv[i].nchains * sizeof *m->spriv[i].chains);
	}
	img_map(b, &m->session_ids);
	/* requests and the file each was read in, chunk by chunk */
	img_u64(b, m->nreqs);
	for (size_t c = 0, left = m->nreqs; left; c++) {
		size_t k = left < CHUNK ? left : CHUNK;
		img_align(b);
		img_put(b, m->chunks[c], k * sizeof **m->chunks);
		img_align(b);
		img_put(b, m->fchunks[c], k * sizeof **m->fchunks);
		left -= k;
	}
	img_u64(b, m->nevents);
	img_put(b, m->events, m->nevents * sizeof *m->events);
	img_map(b, &m->req_keys);
	img_map(b, &m->msg_ids);
	img_map(b, &m->uuids);
	img_map(b, &m->side_roots);
	img_map(b, &m->dangling);
	img_u64(b, m->nties);
	img_put(b, m->ties, m->nties * sizeof *m->ties);
	img_u64(b, m->npairs);
	img_put(b, m->pairs, m->npairs * sizeof *m->pairs);
	img_put(b, &m->stats, sizeof m->stats);
	img_put(b, &m->totals, sizeof m->totals);
	img_put(b, &m->account, sizeof m->account);
	img_put(b, &m->limits, sizeof m->limits);
	evidence_log_image(m->evlog, b);

	unsigned char *h = (unsigned char *)out->data;
	uint64_t len = out->len - HEAD;
	img_head_put(h, magic, MODEL_IMAGE_VERSION, image_key(m), len, statefile_hash(h + HEAD, (size_t)len));
	return MODEL_IMAGE_OK;
}

/* ---- loading ------------------------------------------------------------------------------- */

static bool sess_ok(int32_t v, size_t n) { return v == NO_SESSION || (v >= 0 && (size_t)v < n); }
/* A time as the parsers give them (four-digit years, as line_unpack holds records to), or none:
 * the blocks, gaps and pairs subtract times, which must not overflow. */
#define TIME_LIMIT 253402300800000LL
static bool ts_ok(int64_t t) { return t == CT_TIME_NONE || (t > -TIME_LIMIT && t < TIME_LIMIT); }
static bool limits_ok(const struct rate_limits *rl)
{
	return ts_ok(rl->primary.resets_at_ms) && ts_ok(rl->secondary.resets_at_ms) &&
	       ts_ok(rl->individual.resets_at_ms);
}
static bool evt_ok(int32_t v, size_t n) { return v == -1 || (v >= 0 && (size_t)v < n); }

static void fix_limits(struct rate_limits *rl)
{
	img_bool(&rl->present);
	img_bool(&rl->primary.present);
	img_bool(&rl->secondary.present);
	img_bool(&rl->individual.present);
}

/* Two parallel arrays of n elements (the model's files and their parse state, its sessions and
 * their lineage state), written one after the other: zeroed first, so a short read leaves no
 * pointer uninitialised. */
static void get_pair(struct img_r *r, void **a, size_t ea, void **b, size_t eb, size_t n)
{
	*a = xcalloc(n, ea);
	*b = xcalloc(n, eb);
	if (img_get(r, *a, n, ea))
		img_get(r, *b, n, eb);
}

/* A count, then that many elements into a new array; 0 (and bad) when they are not all there. */
static size_t get_array(struct img_r *r, void **dst, size_t elem)
{
	size_t n = img_count(r, (r->n - r->at) / elem);
	if (!n || r->bad)
		return 0;
	*dst = xmalloc(n * elem);
	return img_get(r, *dst, n, elem) ? n : 0;
}

/* Read the body into t (a fresh model); false at the first thing out of bounds. */
static bool image_read(struct model *t, struct img_r *r, bool sealed, bool borrow)
{
	bool ok = true;
	t->generation = img_get_u64(r);
	t->event_edits = img_get_u64(r);
	t->changes = (unsigned)img_get_u64(r);
	/* model names: index 0 is "unknown", already there */
	size_t nm = img_count(r, MAX_MODELS);
	if (r->bad || nm == 0)
		return false;
	char *zero = img_get_str(r, &ok);
	if (!ok || !zero || zero[0]) {
		free(zero);
		return false;
	}
	free(zero);
	if (nm > t->capmodels) {
		t->model_names = xrealloc(t->model_names, nm * sizeof *t->model_names);
		t->model_prices = xrealloc(t->model_prices, nm * sizeof *t->model_prices);
		t->capmodels = nm;
	}
	for (size_t i = 1; i < nm; i++) {
		char *name = img_get_str(r, &ok);
		if (!ok || !name || !name[0]) {
			free(name);
			return false;
		}
		t->model_names[i] = name;
		t->model_prices[i] = price_lookup(t->prices, name);
		t->nmodels = i + 1;
	}
	if (!img_get_map(r, &t->model_ids, t->nmodels, UINT32_MAX - 1))
		return false;

	/* files */
	size_t nf = img_count(r, UINT32_MAX - 1);
	if (r->bad || nf > (r->n - r->at) / (sizeof *t->files + sizeof *t->fstate))
		return false;
	if (nf) {
		get_pair(r, (void **)&t->files, sizeof *t->files, (void **)&t->fstate, sizeof *t->fstate, nf);
		t->capfiles = nf;
		for (size_t i = 0; i < nf; i++) { /* pointers from another process: never followed */
			t->files[i].path = NULL;
			t->fstate[i].title = NULL;
			t->fstate[i].scratch = NULL;
		}
		t->nfiles = nf;
	}
	for (size_t i = 0; i < nf && !r->bad; i++) {
		t->files[i].path = img_get_str(r, &ok);
		t->fstate[i].title = img_get_str(r, &ok);
		if (!ok || !t->files[i].path)
			return false;
	}
	if (!img_get_map(r, &t->file_paths, nf, UINT32_MAX - 1))
		return false;

	/* sessions */
	size_t ns = img_count(r, INT32_MAX);
	if (r->bad || ns > (r->n - r->at) / (sizeof *t->sessions + sizeof *t->spriv))
		return false;
	if (ns) {
		get_pair(r, (void **)&t->sessions, sizeof *t->sessions, (void **)&t->spriv, sizeof *t->spriv, ns);
		t->capsessions = ns;
		for (size_t i = 0; i < ns; i++) {
			struct session *s = &t->sessions[i];
			s->id = s->project = s->title = NULL;
			s->files = s->reqs = NULL;
			t->spriv[i].chains = NULL;
		}
		/* counts stay as read until their arrays are; cleared first so a refusal frees right */
		t->nsessions = ns;
	}
	for (size_t i = 0; i < ns; i++) {
		struct session *s = &t->sessions[i];
		struct session_priv *sp = &t->spriv[i];
		uint32_t nfi = s->nfiles, nrq = s->nreqs, nch = sp->nchains;
		s->nfiles = s->capfiles = s->nreqs = s->capreqs = 0;
		sp->nchains = sp->capchains = 0;
		if (r->bad)
			continue;
		s->id = img_get_str(r, &ok);
		s->project = img_get_str(r, &ok);
		s->title = img_get_str(r, &ok);
		if (!ok || !s->id)
			return false;
		/* counts from the image: no larger than what is left to read, before any allocation */
		size_t left = r->n - r->at;
		if ((size_t)nfi > left / 4 || (size_t)nrq > left / 4 || (size_t)nch > left / sizeof *sp->chains)
			return false;
		if (nfi) {
			s->files = xmalloc((size_t)nfi * sizeof *s->files);
			if (img_get(r, s->files, nfi, sizeof *s->files))
				s->nfiles = s->capfiles = nfi;
		}
		if (nrq && !r->bad) {
			s->reqs = xmalloc((size_t)nrq * sizeof *s->reqs);
			if (img_get(r, s->reqs, nrq, sizeof *s->reqs))
				s->nreqs = s->capreqs = nrq;
		}
		if (nch && !r->bad) {
			sp->chains = xmalloc((size_t)nch * sizeof *sp->chains);
			if (img_get(r, sp->chains, nch, sizeof *sp->chains))
				sp->nchains = sp->capchains = nch;
		}
	}
	if (r->bad || !img_get_map(r, &t->session_ids, ns, UINT32_MAX - 1))
		return false;

	/* requests */
	size_t nr = img_count(r, UINT32_MAX - 2);
	if (r->bad || nr > (r->n - r->at) / (sizeof(struct request) + 4))
		return false;
	size_t nc = (nr + CHUNK - 1) / CHUNK;
	if (nc) {
		t->chunks = xcalloc(nc, sizeof *t->chunks);
		t->fchunks = xcalloc(nc, sizeof *t->fchunks);
	}
	/* lent only where the image lies aligned (a state file's image does; a buffer from
	 * elsewhere may not); a model that takes more lines copies its last chunk when partial (it
	 * grows there) */
	bool lend = borrow && ((uintptr_t)r->p - r->base) % 8 == 0;
	for (size_t c = 0, left = nr; left; c++) {
		size_t k = left < CHUNK ? left : CHUNK;
		if (lend && (sealed || k == CHUNK)) {
			img_skip_align(r);
			t->chunks[c] = (struct request *)img_take(r, k * sizeof **t->chunks);
			img_skip_align(r);
			t->fchunks[c] = (uint32_t *)img_take(r, k * sizeof **t->fchunks);
			t->nchunks = t->lent_chunks = c + 1;
			if (r->bad)
				return false;
			left -= k;
			continue;
		}
		t->chunks[c] = xmalloc(CHUNK * sizeof **t->chunks);
		t->fchunks[c] = xmalloc(CHUNK * sizeof **t->fchunks);
		t->nchunks = c + 1;
		img_skip_align(r);
		if (!img_get(r, t->chunks[c], k, sizeof **t->chunks))
			return false;
		img_skip_align(r);
		if (!img_get(r, t->fchunks[c], k, sizeof **t->fchunks))
			return false;
		left -= k;
	}
	t->nreqs = nr;
	size_t ne = t->nevents = t->capevents = get_array(r, (void **)&t->events, sizeof *t->events);
	if (r->bad)
		return false;
	if (sealed) {
		/* what only takes new lines (dedup ids, parent links): a model read and not fed
		 * has no use for them, and they were half the image's loading */
		if (!img_skip_map(r) || !img_skip_map(r) || !img_skip_map(r) || !img_skip_map(r) ||
		    !img_skip_map(r))
			return false;
		t->sealed = true;
	} else {
		/* the dedup ids, a long history's largest part: lent where they lie, like the
		 * requests (new ids go to tables of the model's own) */
		if (!img_get_map_as(r, &t->req_keys, nr, UINT32_MAX, lend) ||
		    !img_get_map_as(r, &t->msg_ids, nr, UINT32_MAX - 1, lend))
			return false;
		/* uuids index the pairs, which come later: checked below */
		if (!img_get_map_as(r, &t->uuids, UINT32_MAX - 1, UINT32_MAX - 1, lend) ||
		    !img_get_map(r, &t->side_roots, (uint64_t)UINT32_MAX + 1, 0) ||
		    !img_get_map(r, &t->dangling, nf, UINT32_MAX - 1))
			return false;
	}
	size_t nt = t->nties = t->capties = get_array(r, (void **)&t->ties, sizeof *t->ties);
	size_t np = t->npairs = t->cappairs = get_array(r, (void **)&t->pairs, sizeof *t->pairs);
	if (r->bad)
		return false;
	img_get(r, &t->stats, 1, sizeof t->stats);
	img_get(r, &t->totals, 1, sizeof t->totals);
	img_get(r, &t->account, 1, sizeof t->account);
	img_get(r, &t->limits, 1, sizeof t->limits);
	if (r->bad)
		return false;
	evidence_log_free(t->evlog);
	t->evlog = evidence_log_from_image(r, ns);
	if (!t->evlog) {
		t->evlog = evidence_log_new();
		return false;
	}
	if (r->at != r->n)
		return false;

	/* every index, before anything follows one */
	for (size_t i = 0; i < nf; i++) {
		struct model_file *f = &t->files[i];
		struct file_state *fs = &t->fstate[i];
		img_bool(&f->subagent);
		img_bool(&f->gone);
		img_bool(&f->last_from_source);
		img_bool(&fs->first_new_done);
		img_bool(&fs->have_prev_total);
		if ((unsigned)f->agent >= AGENT_COUNT || !sess_ok(f->session, ns) || f->gone ||
		    !ts_ok(f->first_ts) || !ts_ok(f->last_ts) ||
		    !sess_ok(fs->cur_session, ns) || !sess_ok(fs->first_session, ns) ||
		    !sess_ok(fs->replay_owner, ns) || !sess_ok(fs->pending_session, ns) ||
		    !sess_ok(fs->pending_from, ns) || !sess_ok(fs->compaction_session, ns) ||
		    !sess_ok(fs->pair_session, ns) || (fs->pair && fs->pair >= np) ||
		    (unsigned)fs->title_rank > TITLE_CUSTOM || fs->model >= t->nmodels)
			return false;
	}
	for (size_t i = 0; i < ns; i++) {
		struct session *s = &t->sessions[i];
		struct session_priv *sp = &t->spriv[i];
		s->live = false; /* the app's mark for this run only */
		img_bool(&sp->cache_seen);
		img_bool(&sp->oc_compacted);
		if ((unsigned)s->agent >= AGENT_COUNT || (unsigned)s->title_rank > TITLE_CUSTOM ||
		    !sess_ok(s->resumed_from, ns) || !evt_ok(s->last_event, ne) ||
		    !evt_ok(s->last_unexpected, ne) || s->main_last > nr || s->nmodels > 8 ||
		    (sp->project_file >= nf && (s->project || sp->project_file)) || !ts_ok(s->first_at) ||
		    !ts_ok(s->last_at) || !ts_ok(s->last_activity) || !ts_ok(s->resumed_at) ||
		    !ts_ok(s->last_warm_at) || !ts_ok(sp->looked_up_at))
			return false;
		for (unsigned k = 0; k < s->nmodels; k++)
			if (s->models[k] >= t->nmodels || !ts_ok(s->model_at[k]))
				return false;
		for (uint32_t k = 0; k < s->nfiles; k++)
			if (s->files[k] >= nf)
				return false;
		for (uint32_t k = 0; k < s->nreqs; k++)
			if (s->reqs[k] >= nr)
				return false;
		for (uint32_t k = 0; k < sp->nchains; k++)
			if (sp->chains[k].last > nr)
				return false;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct request *q = REQ(t, i);
		if (q->session >= ns || q->pred > nr || q->model >= t->nmodels || q->cause >= CAUSE_COUNT ||
		    q->event > ne || REQ_FILE(t, i) >= nf || q->t == CT_TIME_NONE || !ts_ok(q->t))
			return false;
	}
	for (size_t i = 0; i < ne; i++) {
		const struct cache_event *e = &t->events[i];
		if (e->request >= nr || e->cause >= CAUSE_COUNT || !sess_ok(e->resumed_from, ns))
			return false;
	}
	for (size_t i = 0; i < nt; i++)
		if (t->ties[i].first >= nf || t->ties[i].second >= nf)
			return false;
	for (size_t i = 0; i < np; i++)
		if (t->pairs[i].file >= nf || t->pairs[i].session >= ns)
			return false;
	for (size_t i = 0; i < t->uuids.cap; i++)
		if (t->uuids.keys[i] && t->uuids.vals[i] >= np)
			return false;
	for (size_t i = 0; i < t->uuids.bcap; i++)
		if (t->uuids.bkeys[i] && t->uuids.bvals[i] >= np)
			return false;
	img_bool(&t->account.present);
	fix_limits(&t->account.rl);
	if (t->limits.n > LIMIT_FAMILIES_MAX || !ts_ok(t->account.observed_at) || !limits_ok(&t->account.rl))
		return false;
	for (size_t i = 0; i < LIMIT_FAMILIES_MAX; i++) {
		if (!ts_ok(t->limits.v[i].observed_at) || !limits_ok(&t->limits.v[i].rl))
			return false;
		t->limits.v[i].id[LINE_LIMIT_MAX - 1] = 0;
		t->limits.v[i].name[LINE_LIMIT_MAX - 1] = 0;
		fix_limits(&t->limits.v[i].rl);
	}
	return true;
}

static enum model_image_why image_load(struct model *m, const void *p, size_t n, bool sealed, bool borrow,
				       const struct statefile_pager *pg)
{
	if (m->nfiles || m->nsessions || m->nreqs || mdl_agent_state_any(m))
		return MODEL_IMAGE_NOT_FRESH;
	const unsigned char *b = p;
	uint64_t key, len, hash;
	if (!img_head_get(b, n, magic, MODEL_IMAGE_VERSION, &key, &len, &hash) || len != n - HEAD)
		return MODEL_IMAGE_DAMAGED;
	if (key != image_key(m))
		return MODEL_IMAGE_OTHER_OPTS;
	if (statefile_hash_paged(b + HEAD, (size_t)len, pg) != hash)
		return MODEL_IMAGE_DAMAGED;
	struct model *t = model_new(&m->opts);
	struct img_r r = {.p = b + HEAD, .n = (size_t)len, .base = HEAD};
	if (!image_read(t, &r, sealed, borrow)) {
		model_free(t);
		return MODEL_IMAGE_DAMAGED;
	}
	/* m takes t's inside; t, now holding m's fresh one, goes */
	struct model swap = *m;
	*m = *t;
	*t = swap;
	model_free(t);
	return MODEL_IMAGE_OK;
}

enum model_image_why model_image_load(struct model *m, const void *p, size_t n)
{
	return image_load(m, p, n, false, false, NULL);
}

enum model_image_why model_image_load_sealed(struct model *m, const void *p, size_t n)
{
	return image_load(m, p, n, true, false, NULL);
}

enum model_image_why model_image_load_borrowed(struct model *m, const void *p, size_t n,
					       const struct statefile_pager *pg)
{
	return image_load(m, p, n, true, true, pg);
}

enum model_image_why model_image_load_in_place(struct model *m, void *p, size_t n, const struct statefile_pager *pg)
{
	return image_load(m, p, n, false, true, pg);
}

enum model_image_why model_image_head(const struct model *m, const void *p, size_t n, size_t *len, uint64_t *hash)
{
	uint64_t key, body;
	if (!img_head_get(p, n, magic, MODEL_IMAGE_VERSION, &key, &body, hash))
		return MODEL_IMAGE_DAMAGED;
	if (key != image_key(m))
		return MODEL_IMAGE_OTHER_OPTS;
	*len = HEAD + (size_t)body;
	return MODEL_IMAGE_OK;
}

long model_image_file(const struct model *m, enum agent agent, const char *path)
{
	uint32_t *v = u64map_get(&m->file_paths, ct_hash(path, strlen(path)));
	if (!v || *v >= m->nfiles || m->files[*v].agent != agent || strcmp(m->files[*v].path, path))
		return -1;
	return (long)*v;
}
