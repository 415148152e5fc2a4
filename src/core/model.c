/* model.c — the incremental usage model's store: the session table, the file table and each
 * file's parse state, the model-name table, the request and event arrays' accessors, and the
 * model's life (new, free). The rest of the model is in pieces beside it, each with one job:
 * model_order.c (reading order and lineage marks), model_classify.c (a new request against its
 * predecessor: the facts for cause.c's rule, waste and rebuild costs), model_requests.c (storing
 * requests and their totals); what an agent's lines mean is its own model_<name>.c, reached
 * through agent_ops.c. All of them share model_private.h.
 * Everything is decided when a request arrives, from what came before it, so one pass and
 * line-by-line feeding agree. */
#include "cachetop/model.h"

#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/price.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"
#include "u64map.h"

/* A 64-bit hash as a nonzero 32-bit chain key (0 is the main chain). */
uint32_t mdl_fold32(uint64_t h)
{
	uint32_t k = (uint32_t)(h ^ (h >> 32));
	return k ? k : 1;
}

void model_opts_default(struct model_opts *o)
{
	*o = (struct model_opts){.cold_min_prefix = 1024, .cold_ratio = 0.5, .default_ttl_s = 300,
				 .since_ms = CT_TIME_NONE, .prices = NULL};
	for (int a = 0; a < AGENT_COUNT; a++)
		o->ttl_s[a] = agent_get((enum agent)a)->ttl_default;
}

double request_hit(const struct request *r)
{
	uint64_t p = request_prompt(r);
	return p ? (double)r->cache_read / (double)p : -1.0;
}

double totals_hit(const struct totals *t)
{
	uint64_t p = t->input + t->cache_creation + t->cache_read;
	return p ? (double)t->cache_read / (double)p : -1.0;
}

struct model *model_new(const struct model_opts *opts)
{
	struct model *m = xcalloc(1, sizeof *m);
	if (opts)
		m->opts = *opts;
	else
		model_opts_default(&m->opts);
	if (!m->opts.cold_min_prefix && !m->opts.cold_ratio)
		model_opts_default(&m->opts);
	m->prices = m->opts.prices ? m->opts.prices : price_table_builtin();
	m->account.observed_at = CT_TIME_NONE;
	m->evlog = evidence_log_new();
	/* model index 0 is "unknown" */
	m->model_names = xcalloc(8, sizeof *m->model_names);
	m->model_prices = xcalloc(8, sizeof *m->model_prices);
	m->capmodels = 8;
	m->model_names[0] = xstrdup("");
	m->nmodels = 1;
	return m;
}

void mdl_free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsessions; i++) {
		struct session *s = &m->sessions[i];
		free(s->id);
		free(s->project);
		free(s->title);
		free(s->files);
		free(s->reqs);
		free(m->spriv[i].chains);
	}
	free(m->sessions);
	free(m->spriv);
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->fstate[i].title);
	}
	free(m->files);
	free(m->fstate);
	for (size_t i = 0; i < m->nmodels; i++)
		free(m->model_names[i]);
	free(m->model_names);
	free(m->model_prices);
	for (size_t i = m->lent_chunks; i < m->nchunks; i++) {
		free(m->chunks[i]);
		free(m->fchunks[i]);
	}
	free(m->chunks);
	free(m->fchunks);
	free(m->events);
	u64map_free(&m->session_ids);
	u64map_free(&m->req_keys);
	u64map_free(&m->msg_ids);
	u64map_free(&m->uuids);
	u64map_free(&m->side_roots);
	u64map_free(&m->dangling);
	free(m->ties);
	free(m->pairs);
	u64map_free(&m->model_ids);
	u64map_free(&m->file_paths);
	evidence_log_free(m->evlog);
	if (m->agg)
		m->agg_hooks->free(m->agg);
	void (*release)(void *) = m->keep_release;
	void *ctx = m->keep_ctx;
	free(m);
	if (release)
		release(ctx); /* what it borrowed from goes after it */
}

void model_keep(struct model *m, void (*release)(void *ctx), void (*rest)(void *ctx), void *ctx)
{
	if (m->keep_release)
		m->keep_release(m->keep_ctx);
	m->keep_release = release;
	m->keep_rest = rest;
	m->keep_ctx = ctx;
}

void model_rest(struct model *m)
{
	if (m && m->keep_rest)
		m->keep_rest(m->keep_ctx);
}

/* Grow two parallel arrays of *cap elements together when n reaches *cap. */
static void grow_pair(void **a, size_t ea, void **b, size_t eb, size_t *cap, size_t n)
{
	if (n < *cap)
		return;
	size_t c = *cap ? *cap * 2 : 16;
	*a = xrealloc(*a, c * ea);
	*b = xrealloc(*b, c * eb);
	*cap = c;
}

uint16_t mdl_intern(struct model *m, const char *name)
{
	if (!name || !*name)
		return 0;
	uint64_t h = ct_hash(name, strlen(name));
	uint32_t *v = u64map_get(&m->model_ids, h);
	if (v)
		return (uint16_t)*v;
	if (m->nmodels >= MAX_MODELS)
		return 0; /* hostile input with endless model names: the rest are "unknown" */
	grow_pair((void **)&m->model_names, sizeof *m->model_names, (void **)&m->model_prices,
		  sizeof *m->model_prices, &m->capmodels, m->nmodels);
	size_t i = m->nmodels++;
	m->model_names[i] = xstrdup(name);
	m->model_prices[i] = price_lookup(m->prices, name);
	u64map_put(&m->model_ids, h, i);
	return (uint16_t)i;
}

int32_t mdl_session_get(struct model *m, const char *id, enum agent agent, unsigned *changed)
{
	uint64_t h = ct_hash(id, strlen(id));
	uint32_t *v = u64map_get(&m->session_ids, h);
	if (v)
		return (int32_t)*v;
	grow_pair((void **)&m->sessions, sizeof *m->sessions, (void **)&m->spriv, sizeof *m->spriv,
		  &m->capsessions, m->nsessions);
	size_t i = m->nsessions++;
	struct session *s = &m->sessions[i];
	memset(s, 0, sizeof *s);
	memset(&m->spriv[i], 0, sizeof m->spriv[i]);
	m->spriv[i].looked_up_at = INT64_MIN;
	s->id = xstrdup(id);
	s->agent = agent;
	s->first_at = s->last_at = s->last_activity = CT_TIME_NONE;
	s->resumed_from = NO_SESSION;
	s->resumed_at = CT_TIME_NONE;
	s->resume_gap_s = -1;
	s->last_event = -1;
	s->last_unexpected = -1;
	s->last_warm_at = CT_TIME_NONE;
	s->ttl_s = mdl_implicit_cache(agent) ? mdl_implicit_ttl(m, agent) : m->opts.default_ttl_s;
	u64map_put(&m->session_ids, h, i);
	*changed |= MODEL_NEW_SESSION;
	return (int32_t)i;
}

void mdl_session_add_file(struct session *s, uint32_t file)
{
	for (uint32_t i = s->nfiles; i-- > 0;)
		if (s->files[i] == file)
			return;
	size_t cap = s->capfiles;
	void *p = s->files;
	ct_grow(&p, &cap, s->nfiles + 1u, sizeof *s->files);
	s->files = p;
	s->capfiles = (uint32_t)cap;
	s->files[s->nfiles++] = file;
}

void mdl_session_touch(struct model *m, int32_t si, uint32_t file, const struct line *ln)
{
	struct session *s = &m->sessions[si];
	mdl_session_add_file(s, file);
	/* the first cwd of the file read first (a copied prefix may carry another folder's) */
	struct session_priv *sp = &m->spriv[si];
	if (ln->cwd[0] && (!s->project || (sp->project_file != file && mdl_file_before(m, file, sp->project_file)))) {
		/* events already told named the other folder */
		if (s->project && strcmp(s->project, ln->cwd) != 0)
			m->order_broken = true;
		free(s->project);
		s->project = xstrdup(ln->cwd);
		sp->project_file = file;
	}
	if (ln->ts != CT_TIME_NONE && (s->last_activity == CT_TIME_NONE || ln->ts > s->last_activity))
		s->last_activity = ln->ts;
}

void mdl_session_title(struct session *s, enum title_rank rank, const char *title)
{
	/* custom-title > ai-title > summary; within a rank the latest wins */
	if (rank < s->title_rank || !*title)
		return;
	free(s->title);
	s->title = xstrdup(title);
	s->title_rank = rank;
}

uint64_t model_generation(const struct model *m) { return m->generation; }

uint32_t mdl_file_add(struct model *m, enum agent agent, const char *path, bool subagent, bool *again)
{
	m->generation++;
	*again = false;
	/* The same path again (deleted and re-created, replaced by a rename, rewritten by a resume
	 * or a compaction): the same transcript. Its lines come again from byte 0, and must not
	 * look like a copy of themselves — a copy would read as a resume. */
	uint64_t ph = path ? ct_hash(path, strlen(path)) : 0;
	uint32_t *known = ph ? u64map_get(&m->file_paths, ph) : NULL;
	if (known && !strcmp(m->files[*known].path, path) && m->files[*known].agent == agent) {
		uint32_t i = (uint32_t)*known;
		m->files[i].gone = false;
		*again = true;
		return i;
	}
	grow_pair((void **)&m->files, sizeof *m->files, (void **)&m->fstate, sizeof *m->fstate,
		  &m->capfiles, m->nfiles);
	size_t i = m->nfiles++;
	m->files[i] = (struct model_file){.path = xstrdup(path ? path : ""), .agent = agent,
					  .subagent = subagent, .session = NO_SESSION,
					  .first_ts = CT_TIME_NONE, .last_ts = CT_TIME_NONE};
	m->fstate[i] = (struct file_state){.cur_session = NO_SESSION, .first_session = NO_SESSION,
					   .replay_owner = NO_SESSION, .pair_session = NO_SESSION,
					   .pending_session = NO_SESSION, .pending_from = NO_SESSION,
					   .compaction_session = NO_SESSION};
	if (subagent)
		m->fstate[i].chain_key = mdl_fold32(ct_hash(m->files[i].path, strlen(m->files[i].path)));
	if (ph)
		u64map_put(&m->file_paths, ph, i);
	return (uint32_t)i;
}

bool mdl_file_reset(struct model *m, uint32_t file)
{
	m->generation++;
	if (file >= m->nfiles)
		return false;
	/* Lines come again from byte 0: uuids already recorded for this file are recognised as its
	 * own (not replays); request keys make every request count once. Only the positional state
	 * (where in the file we are) starts over. */
	struct file_state *f = &m->fstate[file];
	f->cur_session = NO_SESSION;
	f->replay_owner = NO_SESSION;
	f->last_version = 0;
	f->have_prev_total = false;
	f->first_new_done = true; /* its boundary, if any, was already taken */
	f->pending_session = f->pending_from = f->compaction_session = NO_SESSION;
	/* what it held before is no longer in the tree: only a fresh read counts it right */
	m->order_broken = true;
	return true;
}

void model_file_gone(struct model *m, uint32_t file)
{
	mdl_unsealed(m);
	m->generation++;
	if (file < m->nfiles) {
		m->files[file].gone = true;
		m->order_broken = true;
	}
}

uint32_t model_request_file(const struct model *m, size_t i) { return i < m->nreqs ? REQ_FILE(m, i) : 0; }

uint64_t model_event_edits(const struct model *m) { return m->event_edits; }

unsigned model_take_changes(struct model *m)
{
	unsigned c = m->changes;
	m->changes = 0;
	return c;
}

size_t model_session_count(const struct model *m) { return m->nsessions; }

const struct session *model_session(const struct model *m, size_t i) { return i < m->nsessions ? &m->sessions[i] : NULL; }

int32_t model_session_find(const struct model *m, const char *id)
{
	uint32_t *v = u64map_get(&m->session_ids, ct_hash(id, strlen(id)));
	return v ? (int32_t)*v : -1;
}

size_t model_request_count(const struct model *m) { return m->nreqs; }

const struct request *model_request(const struct model *m, size_t i) { return i < m->nreqs ? REQ(m, i) : NULL; }

size_t model_event_count(const struct model *m) { return m->nevents; }

const struct cache_event *model_event(const struct model *m, size_t i) { return i < m->nevents ? &m->events[i] : NULL; }

size_t model_file_count(const struct model *m) { return m->nfiles; }

const struct model_file *model_file(const struct model *m, size_t i) { return i < m->nfiles ? &m->files[i] : NULL; }

const char *model_model_name(const struct model *m, uint16_t model) { return model < m->nmodels ? m->model_names[model] : ""; }

const struct model_stats *model_stats(const struct model *m) { return &m->stats; }

const struct totals *model_totals(const struct model *m) { return &m->totals; }

const struct account_limits *model_account_limits(const struct model *m) { return &m->account; }

const struct limit_families *model_limit_families(const struct model *m) { return &m->limits; }

const struct evidence_log *model_evidence_log(const struct model *m) { return m->evlog; }

const struct model_opts *model_options(const struct model *m) { return &m->opts; }

double model_cache_left_s(const struct model *m, const struct session *s, int64_t now)
{
	if (!s->main_last)
		return 0;
	const struct request *r = REQ(m, s->main_last - 1);
	double left = (double)(r->t + (int64_t)s->ttl_s * 1000 - now) / 1000.0;
	return left > 0 ? left : 0;
}

/* ---- for the agent modules (model_private.h) -------------------------------------------- */

int32_t model_session_get(struct model *m, const char *id, enum agent agent, unsigned *changed)
{
	return mdl_session_get(m, id, agent, changed);
}

struct session *model_session_mut(struct model *m, int32_t si)
{
	return si >= 0 && (size_t)si < m->nsessions ? &m->sessions[si] : NULL;
}

struct model_file *model_file_mut(struct model *m, uint32_t fi) { return fi < m->nfiles ? &m->files[fi] : NULL; }

struct model_stats *model_stats_mut(struct model *m) { return &m->stats; }

void model_session_add_file(struct model *m, int32_t si, uint32_t fi) { mdl_session_add_file(&m->sessions[si], fi); }

void model_session_title(struct model *m, int32_t si, enum title_rank rank, const char *title)
{
	mdl_session_title(&m->sessions[si], rank, title);
}

uint16_t model_name_index(struct model *m, const char *name) { return mdl_intern(m, name); }

void model_file_stem(const struct model *m, uint32_t fi, char *out, size_t cap)
{
	const char *path = m->files[fi].path;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strcspn(base, ".");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, base, n);
	out[n] = 0;
}

uint32_t model_chain_key(uint64_t h) { return mdl_fold32(h); }
