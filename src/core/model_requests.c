/* model_requests.c — storing a request (in chunks, with its file), adding it to its session's
 * and the model's totals, and changing one later (a grown output, a record written again):
 * every total moves by the difference, and its event's figures follow. Classifying it is
 * model_classify.c's. */
#include "cachetop/model.h"

#include <stdlib.h>

#include "cachetop/cause.h"
#include "cachetop/price.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"

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

	unsigned changed = MODEL_NEW_REQUEST | mdl_classify(m, ri, file, chain_key);
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
	if (m->agg)
		m->agg_hooks->touch(m->agg, m, ri);
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

unsigned model_request_add(struct model *m, int32_t si, uint32_t file, int64_t t, uint16_t model,
			   const struct usage *u, bool sidechain, uint32_t chain_key)
{
	return mdl_add_request(m, si, file, t, model, u, sidechain, chain_key);
}

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
	mdl_miss_cost(m, r, mdl_implicit_cache(s->agent) || (r->flags & REQ_OPENAI_RULES), e->expected_prefix, &tok, &usd);
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
	if (m->agg)
		m->agg_hooks->touch(m->agg, m, ri);
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
