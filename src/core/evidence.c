/* evidence.c — the evidence words of cold requests (design.md rule 3): the rules that turn the
 * side record the model fills (evidence_log.c), the requests, the project's other cold requests
 * and the statusline agent's ledger into words. It reads the model and sits above it; nothing
 * here changes the model; the per-request record stays as it is. */
#include "cachetop/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

#define NO_REQ UINT32_MAX

static const char *const words[EVIDENCE_WORDS] = {"agent_updated", "tools_changed", "messages_rewritten",
						  "ttl_downgraded", "agent_reported"};

const char *evidence_word(unsigned index) { return index < EVIDENCE_WORDS ? words[index] : ""; }

bool evidence_same_floor(uint64_t a, uint64_t b)
{
	uint64_t hi = a > b ? a : b, d = a > b ? a - b : b - a;
	return d * 100 <= hi;
}

/* ---- the rules -------------------------------------------------------------------------------- */

static bool main_chain(const struct request *r) { return !r->chain && !(r->flags & REQ_SIDECHAIN); }
static bool cold_cause(unsigned c) { return cause_cold(c); }
static bool five_only(const struct request *r) { return r->cc5m && !r->cc1h; }
/* Causes the statusline agent's ledger counts as misses (first requests have no prefix to miss;
 * a compaction is an expected rebuild for it too). */
static bool ledger_comparable(unsigned c)
{
	return c == CAUSE_TTL_EXPIRY || c == CAUSE_MODEL_SWITCH || c == CAUSE_RESUME_MISS || c == CAUSE_UNEXPLAINED_MISS;
}

/* The first main-chain request of a session that wrote at 1 h; NO_REQ when none. */
static uint32_t first_1h_of(const struct model *m, uint32_t session)
{
	const struct session *s = model_session(m, session);
	uint32_t best = NO_REQ;
	for (uint32_t i = 0; s && i < s->nreqs; i++) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (main_chain(r) && r->cc1h && s->reqs[i] < best)
			best = s->reqs[i];
	}
	return best;
}

/* The words that need only the request, its predecessor and the side record. first1h: of the
 * request's session and of its predecessor's. */
static void pair_words(const struct model *m, const struct cache_event *e, uint32_t first1h_s,
		       uint32_t first1h_p, struct event_evidence *out)
{
	const struct request *r = model_request(m, e->request);
	const struct session *s = model_session(m, r->session);
	if (!cold_cause(e->cause) || !r->pred || !agent_limits_from(s->agent, AGENT_LIMITS_STATUSLINE))
		return;
	uint32_t pi = r->pred - 1;
	const struct request *p = model_request(m, pi);
	const struct evidence_log *log = model_evidence_log(m);
	const char *vr = evidence_log_version_of(log, r->session, e->request);
	const char *vp = evidence_log_version_of(log, p->session, pi);
	if (vr && vp && strcmp(vr, vp)) {
		out->words |= EV_AGENT_UPDATED;
		out->version_from = vp;
		out->version_to = vr;
	}
	bool tools = evidence_log_tools_between(log, r->session, pi, e->request, &out->tools);
	if (p->session != r->session)
		tools |= evidence_log_tools_between(log, p->session, pi, e->request, &out->tools);
	if (tools)
		out->words |= EV_TOOLS_CHANGED;
	if (main_chain(r) && (five_only(r) || five_only(p)) &&
	    ((first1h_s != NO_REQ && first1h_s < e->request) || (first1h_p != NO_REQ && first1h_p <= pi)))
		out->words |= EV_TTL_DOWNGRADED;
}

/* A cold event whose read can be a recurring prefix. */
static bool floor_candidate(const struct model *m, const struct cache_event *e)
{
	const struct request *r = model_request(m, e->request);
	return cold_cause(e->cause) && r->cache_read >= model_options(m)->cold_min_prefix &&
	       model_session(m, r->session)->project;
}

/* Same agent and project. */
static bool same_project(const struct model *m, const struct cache_event *a, const struct cache_event *b)
{
	const struct session *x = model_session(m, model_request(m, a->request)->session);
	const struct session *y = model_session(m, model_request(m, b->request)->session);
	return x->agent == y->agent && x->project && y->project && !strcmp(x->project, y->project);
}

/* The main-chain request of a session nearest to a ledger's miss time, within the window;
 * NO_REQ when none. */
static uint32_t nearest_request(const struct model *m, const struct session *s, int64_t at)
{
	uint32_t best = NO_REQ;
	int64_t bestd = LEDGER_MATCH_MS + 1;
	for (uint32_t i = 0; i < s->nreqs; i++) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (!main_chain(r))
			continue;
		int64_t d = r->t > at ? r->t - at : at - r->t;
		if (d < bestd) {
			bestd = d;
			best = s->reqs[i];
		}
	}
	return best;
}

/* The agent's ledger against the session's events: `set` gets each event's verdict (one
 * session at a time; only the events of this session are touched). */
static void ledger_session(const struct model *m, const struct session_ledger *l, uint32_t session,
			   struct event_evidence *set, size_t only_event)
{
	const struct session *s = model_session(m, session);
	if (!s || !agent_limits_from(s->agent, AGENT_LIMITS_STATUSLINE))
		return;
	for (size_t k = 0; k < l->nmisses; k++) {
		uint32_t ri = nearest_request(m, s, l->misses[k].at);
		const struct request *r = ri == NO_REQ ? NULL : model_request(m, ri);
		if (!r || !r->event || !cold_cause(r->cause))
			continue;
		size_t ei = r->event - 1;
		if (only_event != SIZE_MAX && ei != only_event)
			continue;
		struct event_evidence *e = &set[only_event != SIZE_MAX ? 0 : ei];
		e->ledger = LEDGER_COUNTED;
		e->words |= EV_AGENT_REPORTED;
		snprintf(e->ledger_causes, sizeof e->ledger_causes, "%s", l->misses[k].causes);
	}
	if (!session_ledger_complete(l))
		return;
	for (uint32_t i = 0; i < s->nreqs; i++) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (!main_chain(r) || !r->event || !ledger_comparable(r->cause) ||
		    r->t > l->latest.observed_at + LEDGER_MATCH_MS)
			continue;
		size_t ei = r->event - 1;
		if (only_event != SIZE_MAX && ei != only_event)
			continue;
		struct event_evidence *e = &set[only_event != SIZE_MAX ? 0 : ei];
		if (e->ledger != LEDGER_COUNTED)
			e->ledger = LEDGER_NOT_COUNTED;
	}
}

struct floor_item {
	uint32_t event;
	uint64_t read;
};
static const struct model *sort_model;
static int by_project_read(const void *a, const void *b)
{
	const struct floor_item *x = a, *y = b;
	const struct session *sx = model_session(sort_model, model_request(sort_model, model_event(sort_model, x->event)->request)->session);
	const struct session *sy = model_session(sort_model, model_request(sort_model, model_event(sort_model, y->event)->request)->session);
	if (sx->agent != sy->agent)
		return sx->agent < sy->agent ? -1 : 1;
	int c = strcmp(sx->project, sy->project);
	if (c)
		return c;
	if (x->read != y->read)
		return x->read < y->read ? -1 : 1;
	return x->event < y->event ? -1 : x->event > y->event;
}

void evidence_compute(const struct model *m, const struct ledger_set *ledgers, struct evidence_set *out)
{
	size_t ne = model_event_count(m), ns = model_session_count(m), nr = model_request_count(m);
	out->n = ne;
	out->ev = xcalloc(ne ? ne : 1, sizeof *out->ev);
	uint32_t *first1h = xmalloc((ns ? ns : 1) * sizeof *first1h);
	for (size_t i = 0; i < ns; i++)
		first1h[i] = NO_REQ;
	for (size_t i = 0; i < nr; i++) {
		const struct request *r = model_request(m, i);
		if (r->cc1h && main_chain(r) && first1h[r->session] == NO_REQ)
			first1h[r->session] = (uint32_t)i;
	}
	struct floor_item *fl = xmalloc((ne ? ne : 1) * sizeof *fl);
	size_t nf = 0;
	for (size_t i = 0; i < ne; i++) {
		const struct cache_event *e = model_event(m, i);
		const struct request *r = model_request(m, e->request);
		const struct request *p = r->pred ? model_request(m, r->pred - 1) : NULL;
		pair_words(m, e, first1h[r->session], p ? first1h[p->session] : NO_REQ, &out->ev[i]);
		if (floor_candidate(m, e))
			fl[nf++] = (struct floor_item){(uint32_t)i, r->cache_read};
	}
	free(first1h);
	/* messages_rewritten: sorted by project and read, a recurring read has a neighbour within 1 % */
	sort_model = m;
	qsort(fl, nf, sizeof *fl, by_project_read);
	for (size_t i = 0; i + 1 < nf; i++) {
		if (!evidence_same_floor(fl[i].read, fl[i + 1].read) ||
		    !same_project(m, model_event(m, fl[i].event), model_event(m, fl[i + 1].event)))
			continue;
		for (size_t k = i; k <= i + 1; k++) {
			out->ev[fl[k].event].words |= EV_MESSAGES_REWRITTEN;
			out->ev[fl[k].event].floor_tokens = fl[k].read;
		}
	}
	free(fl);
	for (size_t i = 0; ledgers && i < ledgers->n; i++) {
		int32_t si = model_session_find(m, ledgers->v[i].session_id);
		if (si >= 0)
			ledger_session(m, &ledgers->v[i], (uint32_t)si, out->ev, SIZE_MAX);
	}
}

void evidence_free(struct evidence_set *e)
{
	free(e->ev);
	e->ev = NULL;
	e->n = 0;
}

void evidence_of_event(const struct model *m, const struct ledger_set *ledgers, size_t event,
		       struct event_evidence *out)
{
	memset(out, 0, sizeof *out);
	const struct cache_event *e = model_event(m, event);
	if (!e)
		return;
	const struct request *r = model_request(m, e->request);
	const struct request *p = r->pred ? model_request(m, r->pred - 1) : NULL;
	pair_words(m, e, first_1h_of(m, r->session), p ? first_1h_of(m, p->session) : NO_REQ, out);
	if (floor_candidate(m, e)) {
		for (size_t i = 0, ne = model_event_count(m); i < ne; i++) {
			const struct cache_event *o = model_event(m, i);
			if (i != event && floor_candidate(m, o) && same_project(m, e, o) &&
			    evidence_same_floor(r->cache_read, model_request(m, o->request)->cache_read)) {
				out->words |= EV_MESSAGES_REWRITTEN;
				out->floor_tokens = r->cache_read;
				break;
			}
		}
	}
	const struct session *s = model_session(m, r->session);
	const struct session_ledger *l = ledgers ? ledger_set_find(ledgers, s->id) : NULL;
	if (l)
		ledger_session(m, l, r->session, out, event);
}

size_t evidence_floor_partners(const struct model *m, size_t event, size_t *out, size_t cap)
{
	const struct cache_event *e = model_event(m, event);
	if (!e || !floor_candidate(m, e))
		return 0;
	uint64_t read = model_request(m, e->request)->cache_read;
	size_t n = 0;
	for (size_t i = 0, ne = model_event_count(m); i < ne; i++) {
		const struct cache_event *o = model_event(m, i);
		if (i == event || !floor_candidate(m, o) || !same_project(m, e, o) ||
		    !evidence_same_floor(read, model_request(m, o->request)->cache_read))
			continue;
		if (n < cap)
			out[n] = i;
		n++;
	}
	return n;
}

void evidence_ledger_compare(const struct model *m, const struct session_ledger *l, uint32_t session,
			     const struct evidence_set *es, struct ledger_compare *out)
{
	memset(out, 0, sizeof *out);
	out->ours_only_at = out->theirs_only_at = CT_TIME_NONE;
	const struct session *s = model_session(m, session);
	if (!l || !s)
		return;
	out->present = true;
	for (uint32_t i = 0; i < s->nreqs; i++) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (!main_chain(r) || !(r->flags & REQ_COUNTED))
			continue;
		out->requests++;
		if (!r->event || !cold_cause(r->cause))
			continue;
		out->cold++;
		out->comparable += ledger_comparable(r->cause);
		const struct event_evidence *e = es && r->event - 1 < es->n ? &es->ev[r->event - 1] : NULL;
		if (e && e->ledger == LEDGER_COUNTED)
			out->counted++;
		if (e && e->ledger == LEDGER_NOT_COUNTED) {
			out->ours_only++;
			if (out->ours_only_at == CT_TIME_NONE || r->t > out->ours_only_at)
				out->ours_only_at = r->t;
		}
	}
	for (size_t k = 0; k < l->nmisses; k++) {
		uint32_t ri = nearest_request(m, s, l->misses[k].at);
		const struct request *r = ri == NO_REQ ? NULL : model_request(m, ri);
		if (r && r->event && cold_cause(r->cause))
			continue;
		out->theirs_only++;
		if (out->theirs_only_at == CT_TIME_NONE || l->misses[k].at > out->theirs_only_at)
			out->theirs_only_at = l->misses[k].at;
	}
}
