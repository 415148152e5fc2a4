/* model.c — the incremental usage model. Owns the request store and its dedup sets, the session
 * table, per-file parse state, lineage state (resume boundaries, compactions, chains), and the
 * classification of each new request against its predecessor (the facts for cause.c's rule),
 * with waste and rebuild costs. What an agent's lines mean is decided by its own module
 * (model_claude.c, model_codex.c, model_gemini.c: its row's `apply` in agents.c), through
 * model_private.h.
 * Everything is decided when a request arrives, from what came before it, so one pass and
 * line-by-line feeding agree. */
#include "cachetop/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/price.h"
#include "cachetop/quota.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "blocks_live.h"
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
				 .codex_ttl_s = 300, .gemini_ttl_s = 300, .since_ms = CT_TIME_NONE, .prices = NULL};
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
	m->codex.observed_at = CT_TIME_NONE;
	m->evlog = evidence_log_new();
	/* model index 0 is "unknown" */
	m->model_names = xcalloc(8, sizeof *m->model_names);
	m->model_prices = xcalloc(8, sizeof *m->model_prices);
	m->capmodels = 8;
	m->model_names[0] = xstrdup("");
	m->nmodels = 1;
	return m;
}

void model_free(struct model *m)
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
	for (size_t i = 0; i < m->nchunks; i++) {
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
	for (int a = 0; a < AGENT_COUNT; a++)
		if (agent_table[a].state_free)
			agent_table[a].state_free(m);
	evidence_log_free(m->evlog);
	agg_free(m->agg);
	free(m);
}

static bool file_before(const struct model *m, uint32_t a, uint32_t b);
static bool tie_flipped(const struct model *m, size_t i);

/* ---- tables ---------------------------------------------------------------------------- */

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

/* OpenAI and Google cache prompts implicitly: no write tiers, writes not billed extra, and the
 * prefix a request should find is its predecessor's whole prompt. */
static bool implicit_cache(enum agent a) { return agent_get(a)->implicit_cache; }
static int implicit_ttl(const struct model *m, enum agent a) { return agent_ttl(a, &m->opts); }

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
	s->ttl_s = implicit_cache(agent) ? implicit_ttl(m, agent) : m->opts.default_ttl_s;
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
	if (ln->cwd[0] && (!s->project || (sp->project_file != file && file_before(m, file, sp->project_file)))) {
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

uint32_t model_file_add(struct model *m, enum agent agent, const char *path, bool subagent)
{
	m->generation++;
	/* The same path again (deleted and re-created, replaced by a rename, rewritten by a resume
	 * or a compaction): the same transcript. Its lines come again from byte 0, and must not
	 * look like a copy of themselves — a copy would read as a resume. */
	uint64_t ph = path ? ct_hash(path, strlen(path)) : 0;
	uint32_t *known = ph ? u64map_get(&m->file_paths, ph) : NULL;
	if (known && !strcmp(m->files[*known].path, path) && m->files[*known].agent == agent) {
		uint32_t i = (uint32_t)*known;
		m->files[i].gone = false;
		model_file_reset(m, i);
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

void model_file_reset(struct model *m, uint32_t file)
{
	m->generation++;
	if (file >= m->nfiles)
		return;
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
	for (int a = 0; a < AGENT_COUNT; a++)
		if (agent_table[a].file_reset)
			agent_table[a].file_reset(m, file);
	/* what it held before is no longer in the tree: only a fresh read counts it right */
	m->order_broken = true;
}

void model_file_gone(struct model *m, uint32_t file)
{
	m->generation++;
	if (file < m->nfiles) {
		m->files[file].gone = true;
		m->order_broken = true;
	}
}

void model_file_order(struct model *m, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	if (file >= m->nfiles)
		return;
	m->files[file].first_ts = first_ts;
	if (last_ts != CT_TIME_NONE) {
		m->files[file].last_ts = last_ts;
		m->files[file].last_from_source = true;
	}
}

bool model_order_broken(const struct model *m)
{
	if (m->order_broken)
		return true;
	for (size_t i = 0; i < m->nties; i++)
		if (tie_flipped(m, i))
			return true;
	return false;
}

bool model_order_hard(const struct model *m) { return m->order_broken; }

void model_order_clear(struct model *m)
{
	/* Ties stay: a file that grew while the tree was being read can already have flipped the
	 * order the read used, and later growth can flip it still. */
	m->order_broken = false;
}

int model_file_cmp(const struct model *m, uint32_t a, uint32_t b)
{
	if (a == b || a >= m->nfiles || b >= m->nfiles)
		return a < b ? -1 : a > b;
	return file_before(m, a, b) ? -1 : file_before(m, b, a) ? 1 : 0;
}

uint32_t model_request_file(const struct model *m, size_t i) { return i < m->nreqs ? REQ_FILE(m, i) : 0; }

/* The reading order of a whole tree (source_scan): first timestamp, then the one that ended
 * first, then the path. An unknown first timestamp sorts last, as the source's peek does. */
static bool file_before(const struct model *m, uint32_t a, uint32_t b)
{
	const struct model_file *x = &m->files[a], *y = &m->files[b];
	int64_t fx = x->first_ts == CT_TIME_NONE ? INT64_MAX : x->first_ts;
	int64_t fy = y->first_ts == CT_TIME_NONE ? INT64_MAX : y->first_ts;
	if (fx != fy)
		return fx < fy;
	int64_t lx = x->last_ts == CT_TIME_NONE ? INT64_MAX : x->last_ts;
	int64_t ly = y->last_ts == CT_TIME_NONE ? INT64_MAX : y->last_ts;
	if (lx != ly)
		return lx < ly;
	return strcmp(x->path, y->path) < 0;
}

/* Something now read in `file` was first met in `owner`: had the tree been read whole, the
 * file sorting first would own it. */
void mdl_order_check(struct model *m, uint32_t file, uint32_t owner)
{
	if (owner == file || owner >= m->nfiles)
		return;
	if (m->files[file].first_ts != m->files[owner].first_ts) {
		if (file_before(m, file, owner))
			m->order_broken = true;
		return;
	}
	/* The same start: which one counts depends on which ends first, and a copy being written
	 * ends with its original until it goes on. Judged when asked (model_order_broken), on
	 * what has been read by then, and again as both files grow. */
	for (size_t i = 0; i < m->nties; i++)
		if (m->ties[i].first == owner && m->ties[i].second == file)
			return;
	ct_grow((void **)&m->ties, &m->capties, m->nties + 1, sizeof *m->ties);
	m->ties[m->nties].first = owner;
	m->ties[m->nties++].second = file;
}

/* The order assumed for a tie no longer holds when the second file now ends strictly before
 * the first (an equal end is a copy still being written: undecided, not wrong). */
static bool tie_flipped(const struct model *m, size_t i)
{
	const struct model_file *a = &m->files[m->ties[i].first], *b = &m->files[m->ties[i].second];
	int64_t la = a->last_ts == CT_TIME_NONE ? INT64_MAX : a->last_ts;
	int64_t lb = b->last_ts == CT_TIME_NONE ? INT64_MAX : b->last_ts;
	return lb < la;
}

/* ---- classification -------------------------------------------------------------------- */

static int tier_ttl(const struct request *r, int fallback)
{
	if (r->cc1h)
		return 3600;
	if (r->cc5m)
		return 300;
	return fallback;
}

/* The last main-chain request of session x at or before t (usually its newest). */
static uint32_t last_main_before(struct model *m, const struct session *x, int64_t t)
{
	struct session_priv *sp = &m->spriv[x - m->sessions];
	if (t > sp->looked_up_at)
		sp->looked_up_at = t;
	if (!x->main_last)
		return 0;
	if (REQ(m, x->main_last - 1)->t <= t)
		return x->main_last;
	for (uint32_t i = x->nreqs; i-- > 0;) {
		const struct request *r = REQ(m, x->reqs[i]);
		if (r->chain == 0 && r->t <= t)
			return x->reqs[i] + 1;
	}
	return 0;
}

static void add_totals(struct totals *t, const struct request *r, double cost, bool priced)
{
	t->requests++;
	t->input += r->input;
	t->output += r->output;
	t->cc5m += r->cc5m;
	t->cc1h += r->cc1h;
	t->cache_creation += request_cc(r);
	t->cache_read += r->cache_read;
	if (priced)
		t->cost_usd += cost;
	else
		t->unpriced++;
}

double model_request_cost(const struct model *m, const struct request *r)
{
	const struct price *p = m->model_prices[r->model];
	if (!p)
		return -1.0;
	struct usage u = {.input = r->input, .cache_creation = request_cc(r), .cc5m = r->cc5m,
			  .cc1h = r->cc1h, .cache_read = r->cache_read, .output = r->output};
	return price_cost(p, &u);
}

/* Waste (or rebuild) of a cold request: the prefix that should have been read but was written
 * (Claude) or sent uncached (Codex), priced at what the miss added over a cache read. */
static void miss_cost(const struct model *m, const struct request *r, bool oai, uint64_t expected,
		      uint64_t *tokens, double *usd)
{
	uint64_t lost = expected > r->cache_read ? expected - r->cache_read : 0;
	const struct price *p = m->model_prices[r->model];
	if (oai) {
		/* No write premium (OpenAI, Google): the loss is the uncached input billed at full
		 * price instead of the cached one. */
		*tokens = lost < r->input ? lost : r->input;
		if (!p) {
			*usd = -1;
			return;
		}
		const struct price_rates *pr = price_rates_for(p, request_prompt(r));
		*usd = (double)*tokens * (pr->input - pr->cache_read) / 1e6;
		return;
	}
	uint64_t cc = request_cc(r);
	*tokens = lost < cc ? lost : cc;
	if (!p) {
		*usd = -1;
		return;
	}
	const struct price_rates *pr = price_rates_for(p, request_prompt(r));
	double share1h = cc ? (double)r->cc1h / (double)cc : 0;
	double per = share1h * (pr->cache_write_1h - pr->cache_read) +
		     (1 - share1h) * (pr->cache_write_5m - pr->cache_read);
	*usd = (double)*tokens * per / 1e6;
}

static struct chain *chain_get(struct session_priv *sp, uint32_t key, int ttl)
{
	for (uint32_t i = 0; i < sp->nchains; i++)
		if (sp->chains[i].key == key)
			return &sp->chains[i];
	size_t cap = sp->capchains;
	void *p = sp->chains;
	ct_grow(&p, &cap, sp->nchains + 1u, sizeof *sp->chains);
	sp->chains = p;
	sp->capchains = (uint32_t)cap;
	struct chain *c = &sp->chains[sp->nchains++];
	*c = (struct chain){.key = key, .last = 0, .ttl_s = ttl};
	return c;
}

static void push_event(struct model *m, struct cache_event *ev)
{
	void *p = m->events;
	ct_grow(&p, &m->capevents, m->nevents + 1, sizeof *m->events);
	m->events = p;
	m->events[m->nevents++] = *ev;
}

/* The TTL a sub-agent chain starts with: the tier in force in its session's main conversation
 * at the chain's first request (by time, so the answer does not depend on which file was read
 * first). */
static int chain_start_ttl(struct model *m, const struct session *s, int64_t t)
{
	uint32_t p = last_main_before(m, s, t);
	for (int steps = 0; p && steps < 64; steps++) {
		const struct request *r = REQ(m, p - 1);
		if (r->cc1h || r->cc5m)
			return tier_ttl(r, m->opts.default_ttl_s);
		p = r->pred;
	}
	return m->opts.default_ttl_s;
}

/* Classify request ri (already stored) against its predecessor and update lineage state. */
static unsigned classify(struct model *m, uint32_t ri, uint32_t file, uint32_t chain_key)
{
	struct request *r = REQ(m, ri);
	int32_t si = (int32_t)r->session;
	struct session *s = &m->sessions[si];
	enum agent agent = s->agent;
	uint32_t pred = 0;
	int ttl;
	bool after_resume = false, compaction = false;
	int32_t from = NO_SESSION;
	struct chain *ch = NULL;

	/* No prompt tokens (a Codex row whose last usage is zero but for total_tokens): nothing was
	 * read or sent, so it is neither cold nor anyone's predecessor; pending boundaries wait for
	 * the next real request. */
	if (!request_prompt(r))
		return 0;
	/* Implicit caching (no write premium): the agent's, or one request's (opencode to a model
	 * that is not Anthropic's). An agent that never says which TTL tier it wrote (opencode)
	 * starts its sub-agent chains at the configured TTL, and its files are not compared (its
	 * reading order is its database's). */
	bool oai = implicit_cache(agent) || (r->flags & REQ_OPENAI_RULES);
	int ittl = implicit_cache(agent) ? implicit_ttl(m, agent) : m->opts.codex_ttl_s;
	bool no_tier = agent_get(agent)->tier_unknown;
	struct file_state *fs = &m->fstate[file];
	if (chain_key) {
		ch = chain_get(&m->spriv[si], chain_key,
			       oai ? ittl : no_tier ? m->opts.default_ttl_s : chain_start_ttl(m, s, r->t));
		pred = ch->last;
		ttl = ch->ttl_s;
	} else {
		if (fs->pending_session == si && fs->pending_from != NO_SESSION) {
			from = fs->pending_from;
			pred = last_main_before(m, &m->sessions[from], r->t);
			ttl = m->sessions[from].ttl_s;
			after_resume = true;
			fs->pending_session = fs->pending_from = NO_SESSION;
		} else {
			pred = s->main_last;
			ttl = s->ttl_s;
			if (pred && !no_tier)
				mdl_order_check(m, file, REQ_FILE(m, pred - 1));
		}
		if (m->spriv[si].looked_up_at != INT64_MIN && r->t <= m->spriv[si].looked_up_at)
			m->order_broken = true;
		compaction = fs->compaction_session == si;
		if (compaction)
			fs->compaction_session = NO_SESSION;
	}
	if (ch) {
		/* chain numbers past 65,535 in one session share the last number: only the detail
		 * view's grouping could notice */
		size_t cn = (size_t)(ch - m->spriv[si].chains) + 1;
		r->chain = (uint16_t)(cn > UINT16_MAX ? UINT16_MAX : cn);
	}
	if (after_resume)
		r->flags |= REQ_AFTER_RESUME;
	if (compaction)
		r->flags |= REQ_AFTER_COMPACTION;

	const struct request *p = pred ? REQ(m, pred - 1) : NULL;
	uint64_t P = request_prompt(r);
	uint64_t E;
	double gap = -1;
	if (oai)
		ttl = ittl;
	if (p) {
		if (!oai)
			ttl = tier_ttl(p, ttl);
		E = oai ? request_prompt(p) : (uint64_t)p->cache_read + request_cc(p);
		gap = (double)(r->t - p->t) / 1000.0;
		r->pred = pred;
	} else {
		E = P;
	}
	bool cold = cause_is_cold(E, r->cache_read, m->opts.cold_min_prefix, m->opts.cold_ratio);
	/* Some accounts never get implicit cache hits (Gemini: cached stays 0). Until a session has
	 * read from the cache once, a request that reads nothing after a predecessor is no miss:
	 * there was no cache to lose. */
	bool unobserved = agent_get(agent)->cache_seen_first && p && !m->spriv[si].cache_seen && !r->cache_read;
	if (r->cache_read)
		m->spriv[si].cache_seen = true;

	struct cause_facts facts = {.has_pred = p != NULL, .cold = cold, .unobserved = unobserved,
				    .gap_s = gap, .ttl_s = p ? ttl : 0, .model_switch = p && p->model != r->model,
				    .compaction = compaction, .after_resume = after_resume};
	enum cause c = cause_of(&facts);
	r->cause = (uint8_t)c;

	/* lineage state: the TTL in force after this request is its own write tier, else the last */
	int next_ttl = oai ? ittl : tier_ttl(r, p ? ttl : (ch ? ch->ttl_s : s->ttl_s));
	if (ch) {
		ch->last = ri + 1;
		ch->ttl_s = next_ttl;
	} else {
		s->main_last = ri + 1;
		s->ttl_s = next_ttl;
	}
	if (after_resume && from != si && s->resumed_from == NO_SESSION) {
		s->resumed_from = from;
		s->resumed_at = r->t;
		s->resume_gap_s = gap;
	} else if (after_resume && from == si && s->resumed_at == CT_TIME_NONE) {
		s->resumed_at = r->t;
		s->resume_gap_s = gap;
	}

	if (c == CAUSE_NONE && !ch && (r->flags & REQ_COUNTED) &&
	    (s->last_warm_at == CT_TIME_NONE || r->t > s->last_warm_at))
		s->last_warm_at = r->t;
	if (c == CAUSE_NONE || !(r->flags & REQ_COUNTED))
		return 0;
	unsigned bits = MODEL_NEW_EVENT | (cause_expected(c) ? 0 : MODEL_NEW_UNEXPECTED);
	/* model.h: event costs are negative (null in reports, never $0) when the model has no price */
	double unpriced = m->model_prices[r->model] ? 0 : -1;
	struct cache_event ev = {.request = ri, .cause = (uint8_t)c, .gap_s = gap, .ttl_s = ttl,
				 .hit = request_hit(r), .prev_hit = p ? request_hit(p) : -1,
				 .expected_prefix = E, .cache_read = r->cache_read,
				 .cache_creation = request_cc(r), .wasted_usd = unpriced, .rebuild_usd = unpriced,
				 .resumed_from = after_resume ? from : NO_SESSION};
	if (c != CAUSE_RESUME_HIT) {
		uint64_t tok;
		double usd;
		miss_cost(m, r, oai, E, &tok, &usd);
		if (cause_expected(c)) {
			ev.rebuild_tokens = tok;
			ev.rebuild_usd = usd;
			if (usd > 0) {
				s->tot.rebuild_usd += usd;
				m->totals.rebuild_usd += usd;
			}
		} else {
			ev.wasted_tokens = tok;
			ev.wasted_usd = usd;
			s->tot.wasted_tokens += tok;
			m->totals.wasted_tokens += tok;
			s->tot.unexpected++;
			m->totals.unexpected++;
			if (usd > 0) {
				s->tot.wasted_usd += usd;
				m->totals.wasted_usd += usd;
			}
		}
	}
	push_event(m, &ev);
	r->event = (uint32_t)m->nevents;
	/* newest by time, not by reading order (a sub-agent's file is read after its parent's) */
	int32_t ei = (int32_t)m->nevents - 1;
	if (s->last_event < 0 || REQ(m, m->events[s->last_event].request)->t <= r->t)
		s->last_event = ei;
	if (!cause_expected(c) &&
	    (s->last_unexpected < 0 || REQ(m, m->events[s->last_unexpected].request)->t <= r->t))
		s->last_unexpected = ei;
	return bits;
}

/* The session's models, in the order of their first request (by time, then name index), so
 * the list is the same whatever order the files were read in. */
static void session_note_model(struct session *s, uint16_t model, int64_t t)
{
	if (!model)
		return;
	uint8_t i = 0;
	while (i < s->nmodels && s->models[i] != model)
		i++;
	if (i == s->nmodels) {
		if (s->nmodels == 8)
			return;
		s->nmodels++;
	} else if (s->model_at[i] <= t) {
		return;
	}
	s->models[i] = model;
	s->model_at[i] = t;
	/* one element moved earlier (or was added last): slide it into place */
	while (i > 0 && (s->model_at[i - 1] > t || (s->model_at[i - 1] == t && s->models[i - 1] > model))) {
		s->models[i] = s->models[i - 1];
		s->model_at[i] = s->model_at[i - 1];
		s->models[i - 1] = model;
		s->model_at[i - 1] = t;
		i--;
	}
}

/* Store a new request and classify it. */
unsigned mdl_add_request(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			    const struct usage *u, bool sidechain, uint32_t chain_key)
{
	return mdl_add_request_flags(m, si, file, t, model, u, sidechain, chain_key, 0);
}

unsigned mdl_add_request_flags(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			       const struct usage *u, bool sidechain, uint32_t chain_key, uint8_t flags)
{
	if (m->nreqs >= UINT32_MAX - 1)
		return 0;
	if (m->nreqs == m->nchunks * CHUNK) {
		m->chunks = xrealloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
		m->fchunks = xrealloc(m->fchunks, (m->nchunks + 1) * sizeof *m->fchunks);
		m->chunks[m->nchunks] = xmalloc(CHUNK * sizeof **m->chunks);
		m->fchunks[m->nchunks++] = xmalloc(CHUNK * sizeof **m->fchunks);
	}
	uint32_t ri = (uint32_t)m->nreqs++;
	REQ_FILE(m, ri) = file;
	struct request *r = REQ(m, ri);
	*r = (struct request){.t = t, .session = (uint32_t)si, .input = (uint32_t)u->input,
			      .cc5m = (uint32_t)u->cc5m, .cc1h = (uint32_t)u->cc1h,
			      .cache_read = (uint32_t)u->cache_read, .output = (uint32_t)u->output,
			      .model = model, .flags = flags};
	if (sidechain)
		r->flags |= REQ_SIDECHAIN;
	if (m->opts.since_ms == CT_TIME_NONE || t >= m->opts.since_ms)
		r->flags |= REQ_COUNTED;
	bool priced = m->model_prices[model] != NULL;
	if (priced)
		r->flags |= REQ_PRICED;
	r->chain = chain_key ? 1 : 0;

	struct session *s = &m->sessions[si];
	void *q = s->reqs;
	size_t cap = s->capreqs;
	ct_grow(&q, &cap, s->nreqs + 1u, sizeof *s->reqs);
	s->reqs = q;
	s->capreqs = (uint32_t)cap;
	s->reqs[s->nreqs++] = ri;
	m->files[file].requests++;

	unsigned changed = MODEL_NEW_REQUEST | classify(m, ri, file, chain_key);
	r = REQ(m, ri);
	if (r->flags & REQ_COUNTED) {
		double cost = priced ? model_request_cost(m, r) : 0;
		add_totals(&s->tot, r, cost, priced);
		if (sidechain)
			add_totals(&s->sub, r, cost, priced);
		add_totals(&m->totals, r, cost, priced);
		if (s->first_at == CT_TIME_NONE || t < s->first_at)
			s->first_at = t;
		if (s->last_at == CT_TIME_NONE || t > s->last_at)
			s->last_at = t;
		session_note_model(s, model, t);
	}
	return changed;
}

/* A later line of an already counted response: output_tokens is the maximum over the group. */
unsigned mdl_update_output(struct model *m, uint32_t ri, uint64_t output, int64_t at)
{
	struct request *r = REQ(m, ri);
	if (output <= r->output)
		return 0;
	agg_touch(m->agg, m, ri);
	if (at != CT_TIME_NONE && at > r->t) {
		int64_t dt = (at - r->t) / 100;
		r->out_dt = (uint16_t)(dt > UINT16_MAX ? UINT16_MAX : dt);
	}
	uint64_t delta = output - r->output;
	double before = (r->flags & REQ_PRICED) ? model_request_cost(m, r) : 0;
	r->output = (uint32_t)output;
	if (!(r->flags & REQ_COUNTED))
		return MODEL_UPDATED;
	double dc = (r->flags & REQ_PRICED) ? model_request_cost(m, r) - before : 0;
	struct session *s = &m->sessions[r->session];
	s->tot.output += delta;
	s->tot.cost_usd += dc;
	if (r->flags & REQ_SIDECHAIN) {
		s->sub.output += delta;
		s->sub.cost_usd += dc;
	}
	m->totals.output += delta;
	m->totals.cost_usd += dc;
	return MODEL_UPDATED;
}

/* A resume boundary in file fi on session si from session `from`. A boundary from another
 * session wins over one within the session (a replayed file also changes version). */
void mdl_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from)
{
	struct file_state *fs = &m->fstate[fi];
	if (fs->pending_session != si || fs->pending_from == NO_SESSION || fs->pending_from == si) {
		fs->pending_session = si;
		fs->pending_from = from;
	}
}

/* ---- entry points ---------------------------------------------------------------------- */

struct gemini_state **model_gemini_state(struct model *m) { return &m->gemini; }

unsigned model_apply(struct model *m, uint32_t file, const struct line *ln)
{
	m->generation++;
	if (file >= m->nfiles)
		return 0;
	m->stats.lines++;
	m->files[file].lines++;
	if (ln->ts != CT_TIME_NONE && !m->files[file].last_from_source)
		m->files[file].last_ts = ln->ts;
	if (ln->kind == LINE_MALFORMED) {
		m->stats.malformed++;
		if ((unsigned)ln->problem < 8)
			m->stats.by_problem[ln->problem]++;
		return 0;
	}
	if (ln->kind == LINE_SKIP) {
		m->stats.skipped++;
		return 0;
	}
	unsigned changed = agent_get(m->files[file].agent)->apply(m, file, ln);
	m->changes |= changed;
	return changed;
}

uint64_t model_event_edits(const struct model *m) { return m->event_edits; }

unsigned model_take_changes(struct model *m)
{
	unsigned c = m->changes;
	m->changes = 0;
	return c;
}

struct feed_ctx {
	struct model *m;
	uint32_t file;
	unsigned changed;
};

static void feed_emit(void *ctx, const struct line *ln)
{
	struct feed_ctx *c = ctx;
	c->changed |= model_apply(c->m, c->file, ln);
}

unsigned model_feed(struct model *m, uint32_t file, const char *line, size_t n)
{
	if (file >= m->nfiles)
		return 0;
	/* blank lines (a trailing newline, CRLF pairs) are not lines of the transcript */
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == n)
		return 0;
	struct feed_ctx c = {m, file, 0};
	line_parse_each(m->files[file].agent, line, n, &m->scratch, feed_emit, &c);
	return c.changed;
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
const struct codex_quota *model_codex_quota(const struct model *m) { return &m->codex; }
const struct codex_limits *model_codex_limits(const struct model *m) { return &m->limits; }
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
unsigned model_request_add(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			   const struct usage *u, bool sidechain, uint32_t chain_key)
{
	return mdl_add_request(m, si, file, t, model, u, sidechain, chain_key);
}
void model_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from) { mdl_boundary(m, fi, si, from); }
void model_compaction(struct model *m, uint32_t fi, int32_t si) { m->fstate[fi].compaction_session = si; }
void model_told_wrong(struct model *m) { m->order_broken = true; }
void model_copy_seen(struct model *m, uint32_t fi, uint32_t ri)
{
	if (ri < m->nreqs)
		mdl_order_check(m, fi, REQ_FILE(m, ri));
}
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

/* The inverse of add_totals. */
static void sub_totals(struct totals *t, const struct request *r, double cost, bool priced)
{
	t->requests--;
	t->input -= r->input;
	t->output -= r->output;
	t->cc5m -= r->cc5m;
	t->cc1h -= r->cc1h;
	t->cache_creation -= request_cc(r);
	t->cache_read -= r->cache_read;
	if (priced)
		t->cost_usd -= cost;
	else
		t->unpriced--;
}

/* The event of request r after its tokens changed: the same cause and expected prefix, its
 * figures (and what they add to the totals) from the new tokens. */
static void event_refresh(struct model *m, const struct request *r)
{
	struct cache_event *e = &m->events[r->event - 1];
	struct session *s = &m->sessions[r->session];
	m->event_edits++;
	e->hit = request_hit(r);
	e->cache_read = r->cache_read;
	e->cache_creation = request_cc(r);
	if (e->cause == CAUSE_RESUME_HIT)
		return;
	uint64_t tok;
	double usd;
	miss_cost(m, r, implicit_cache(s->agent) || (r->flags & REQ_OPENAI_RULES), e->expected_prefix, &tok, &usd);
	if (cause_expected(e->cause)) {
		if (e->rebuild_usd > 0) {
			s->tot.rebuild_usd -= e->rebuild_usd;
			m->totals.rebuild_usd -= e->rebuild_usd;
		}
		e->rebuild_tokens = tok;
		e->rebuild_usd = usd;
		if (usd > 0) {
			s->tot.rebuild_usd += usd;
			m->totals.rebuild_usd += usd;
		}
		return;
	}
	s->tot.wasted_tokens -= e->wasted_tokens;
	m->totals.wasted_tokens -= e->wasted_tokens;
	if (e->wasted_usd > 0) {
		s->tot.wasted_usd -= e->wasted_usd;
		m->totals.wasted_usd -= e->wasted_usd;
	}
	e->wasted_tokens = tok;
	e->wasted_usd = usd;
	s->tot.wasted_tokens += tok;
	m->totals.wasted_tokens += tok;
	if (usd > 0) {
		s->tot.wasted_usd += usd;
		m->totals.wasted_usd += usd;
	}
}

unsigned model_request_update(struct model *m, uint32_t ri, const struct usage *u, uint16_t model)
{
	m->generation++;
	if (ri >= m->nreqs)
		return 0;
	struct request *r = REQ(m, ri);
	if (!model)
		model = r->model;
	if (r->input == u->input && r->cc5m == u->cc5m && r->cc1h == u->cc1h && r->cache_read == u->cache_read &&
	    r->output == u->output && r->model == model)
		return 0;
	agg_touch(m->agg, m, ri);
	struct session *s = &m->sessions[r->session];
	bool counted = r->flags & REQ_COUNTED, side = r->flags & REQ_SIDECHAIN;
	bool priced = r->flags & REQ_PRICED;
	double cost = priced ? model_request_cost(m, r) : 0;
	if (counted) {
		sub_totals(&s->tot, r, cost, priced);
		if (side)
			sub_totals(&s->sub, r, cost, priced);
		sub_totals(&m->totals, r, cost, priced);
	}
	r->input = (uint32_t)u->input;
	r->cc5m = (uint32_t)u->cc5m;
	r->cc1h = (uint32_t)u->cc1h;
	r->cache_read = (uint32_t)u->cache_read;
	r->output = (uint32_t)u->output;
	r->model = model;
	priced = m->model_prices[model] != NULL;
	r->flags = (uint8_t)((r->flags & ~REQ_PRICED) | (priced ? REQ_PRICED : 0));
	cost = priced ? model_request_cost(m, r) : 0;
	if (counted) {
		add_totals(&s->tot, r, cost, priced);
		if (side)
			add_totals(&s->sub, r, cost, priced);
		add_totals(&m->totals, r, cost, priced);
		session_note_model(s, model, r->t);
	}
	if (r->cache_read)
		m->spriv[r->session].cache_seen = true;
	if (r->event)
		event_refresh(m, r);
	return MODEL_UPDATED;
}
