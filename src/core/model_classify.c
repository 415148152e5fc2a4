/* model_classify.c — a new request against its predecessor: which request that is (the
 * session's main chain, a sub-agent chain, or the session a resume came from), the TTL in force,
 * the prefix it should have read, and from those the facts for cause.c's rule; then the lineage
 * state after it and, for a cold request, its cache event with waste or rebuild cost. */
#include "cachetop/model.h"

#include "cachetop/cause.h"
#include "cachetop/price.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"

static int tier_ttl(const struct request *r, int fallback)
{
	if (r->cc1h)
		return 3600;
	if (r->cc5m)
		return 300;
	return fallback;
}

/* The last main-chain request of session x at or before t (usually its newest), looked up for a
 * request read in `file`. A whole-tree read would not have read a file that sorts after `file`
 * yet: an answer found there is one it would not give (model_order_broken). */
static uint32_t last_main_before(struct model *m, const struct session *x, int64_t t, uint32_t file)
{
	struct session_priv *sp = &m->spriv[x - m->sessions];
	if (t > sp->looked_up_at)
		sp->looked_up_at = t;
	uint32_t p = 0;
	if (!x->main_last)
		return 0;
	if (REQ(m, x->main_last - 1)->t <= t)
		p = x->main_last;
	else
		for (uint32_t i = x->nreqs; i-- > 0;) {
			const struct request *r = REQ(m, x->reqs[i]);
			if (r->chain == 0 && r->t <= t) {
				p = x->reqs[i] + 1;
				break;
			}
		}
	if (p && !agent_get(x->agent)->tier_unknown) /* its reading order is its database's */
		mdl_order_check(m, file, REQ_FILE(m, p - 1));
	return p;
}

/* Waste (or rebuild) of a cold request: the prefix that should have been read but was written
 * (explicit caching) or sent uncached (implicit), priced at what the miss added over a cache
 * read. */
void mdl_miss_cost(const struct model *m, const struct request *r, bool oai, uint64_t expected,
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
static int chain_start_ttl(struct model *m, const struct session *s, int64_t t, uint32_t file)
{
	uint32_t p = last_main_before(m, s, t, file);
	for (int steps = 0; p && steps < 64; steps++) {
		const struct request *r = REQ(m, p - 1);
		mdl_order_check(m, file, REQ_FILE(m, p - 1));
		if (r->cc1h || r->cc5m)
			return tier_ttl(r, m->opts.default_ttl_s);
		p = r->pred;
	}
	return m->opts.default_ttl_s;
}

/* Classify request ri (already stored) against its predecessor and update lineage state. */
unsigned mdl_classify(struct model *m, uint32_t ri, uint32_t file, uint32_t chain_key)
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

	/* No prompt tokens (a row whose last usage is zero but for its total): nothing was read or
	 * sent, so it is neither cold nor anyone's predecessor; pending boundaries wait for the next
	 * real request. */
	if (!request_prompt(r))
		return 0;
	/* Implicit caching (no write premium): the agent's, or one request's (REQ_OPENAI_RULES: an
	 * agent that talks to several vendors). An agent that never says which TTL tier it wrote
	 * starts its sub-agent chains at the configured TTL, and its files are not compared (its
	 * reading order is its database's). */
	bool oai = mdl_implicit_cache(agent) || (r->flags & REQ_OPENAI_RULES);
	int ittl = agent_request_ttl(agent, &m->opts);
	bool no_tier = agent_get(agent)->tier_unknown;
	struct file_state *fs = &m->fstate[file];
	if (chain_key) {
		ch = chain_get(&m->spriv[si], chain_key,
			       oai ? ittl : no_tier ? m->opts.default_ttl_s : chain_start_ttl(m, s, r->t, file));
		pred = ch->last;
		ttl = ch->ttl_s;
	} else {
		if (fs->pending_session == si && fs->pending_from != NO_SESSION) {
			from = fs->pending_from;
			pred = last_main_before(m, &m->sessions[from], r->t, file);
			ttl = m->sessions[from].ttl_s;
			after_resume = true;
			/* the session's own last request is not asked, but a whole-tree read would still
			 * have read this one before any of its requests in a file sorting later (they
			 * would take it as their predecessor) */
			if (s->main_last && !no_tier)
				mdl_order_check(m, file, REQ_FILE(m, s->main_last - 1));
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
	/* Some accounts never get implicit cache hits (cache_seen_first: cached stays 0). Until a
	 * session has read from the cache once, a request that reads nothing after a predecessor is
	 * no miss: there was no cache to lose. */
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
	/* model.h: event costs are negative (null in reports, never $0) when the model has no price */
	unsigned bits = MODEL_NEW_EVENT | (cause_expected(c) ? 0 : MODEL_NEW_UNEXPECTED);
	double unpriced = m->model_prices[r->model] ? 0 : -1;
	struct cache_event ev = {.request = ri, .cause = (uint8_t)c, .gap_s = gap, .ttl_s = ttl,
				 .hit = request_hit(r), .prev_hit = p ? request_hit(p) : -1,
				 .expected_prefix = E, .cache_read = r->cache_read,
				 .cache_creation = request_cc(r), .wasted_usd = unpriced, .rebuild_usd = unpriced,
				 .resumed_from = after_resume ? from : NO_SESSION};
	if (c != CAUSE_RESUME_HIT) {
		uint64_t tok;
		double usd;
		mdl_miss_cost(m, r, oai, E, &tok, &usd);
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
