/* tui_data.c — what the screens derive from the model, kept between frames: the evidence behind
 * each event, each agent's 5-hour blocks, the detail's TTL-matched pairs, and which agents have
 * data. The blocks are the model's own (model_blocks, kept as lines arrive); the pairs are the
 * detail's project's only; the evidence is computed again only when the model or the ledgers
 * changed, so a frame that only moves `now` does no history work. The screens call these;
 * tui.c only draws them. */
#include "tui_private.h"

#include <stdint.h>
#include <stdlib.h>

#include "cachetop/util.h"

/* A cheap fingerprint of the ledgers: their sessions, newest readings and timed misses. */
static uint64_t ledgers_sig(const struct ledger_set *l)
{
	uint64_t h = 0;
	for (size_t i = 0; l && i < l->n; i++)
		h = h * 1000003u + (uint64_t)l->v[i].latest.observed_at + l->v[i].nmisses * 7919u + i;
	return h;
}

/* The words again of a session's events before `old` (its ledger's verdicts look at all of its
 * requests). */
static void evidence_session(struct tui *t, const struct session *s, size_t old)
{
	for (uint32_t k = 0; k < s->nreqs; k++) {
		const struct request *r = model_request(t->m, s->reqs[k]);
		if (r->event && r->event - 1 < old)
			evidence_of_event(t->m, t->o.ledgers, r->event - 1, &t->ev.ev[r->event - 1]);
	}
}

/* Event i's words, and again those of the events its arrival can change: the earlier ones whose
 * read recurs in its (messages_rewritten). An older event's other words do not move (they look
 * at requests before it), but for a ledger's verdicts (tui_evidence). */
static void evidence_add(struct tui *t, size_t i, size_t old)
{
	const struct model *m = t->m;
	struct event_evidence *ev = t->ev.ev;
	evidence_of_event(m, t->o.ledgers, i, &ev[i]);
	size_t stack[64], *p = stack;
	size_t np = evidence_floor_partners(m, i, stack, 64);
	if (np > 64) {
		p = xmalloc(np * sizeof *p);
		evidence_floor_partners(m, i, p, np);
	}
	for (size_t j = 0; j < np; j++)
		if (p[j] < old)
			evidence_of_event(m, t->o.ledgers, p[j], &ev[p[j]]);
	if (p != stack)
		free(p);
}

const struct evidence_set *tui_evidence(struct tui *t)
{
	uint64_t sig = ledgers_sig(t->o.ledgers);
	size_t ne = model_event_count(t->m), old = t->ev.n;
	uint64_t edits = model_event_edits(t->m);
	/* each new event costs a look at every event (its floor partners): a burst of them (the
	 * first frame, a file read whole) is cheaper to compute in one pass */
	if (t->ev_stale || sig != t->ev_sig || edits != t->ev_edits || old > ne || ne - old > 32) {
		evidence_free(&t->ev);
		evidence_compute(t->m, t->o.ledgers, &t->ev);
		t->ev_sig = sig;
		t->ev_edits = edits;
		t->ev_stale = false;
	} else if (old < ne || t->ev_reqs != model_request_count(t->m)) {
		/* what the new lines change, not the whole history again */
		t->ev.ev = xrealloc(t->ev.ev, (ne ? ne : 1) * sizeof *t->ev.ev);
		t->ev.n = ne;
		for (size_t i = old; i < ne; i++)
			evidence_add(t, i, old);
		/* a ledger's verdicts match its misses to the session's nearest requests: new ones
		 * can move them */
		for (size_t i = 0; t->o.ledgers && i < t->o.ledgers->n; i++) {
			int32_t si = model_session_find(t->m, t->o.ledgers->v[i].session_id);
			if (si >= 0)
				evidence_session(t, model_session(t->m, (size_t)si), old);
		}
	}
	t->ev_reqs = model_request_count(t->m);
	return &t->ev;
}

void tui_event_note(struct tui *t, size_t event, char *out, size_t cap)
{
	const struct evidence_set *es = tui_evidence(t);
	const struct cache_event *ev = model_event(t->m, event);
	out[0] = 0;
	if (!ev || event >= es->n)
		return;
	const struct request *r = model_request(t->m, ev->request);
	evidence_describe(&es->ev[event], ev, (r->flags & REQ_AFTER_RESUME) != 0, t->utf8, out, cap);
}

const struct blocks *tui_blocks(struct tui *t, enum agent a)
{
	/* the model keeps them as lines arrive (the loop settles it after reading) */
	const struct blocks *kept = model_blocks(t->m, a);
	if (kept)
		return kept;
	uint64_t g = model_generation(t->m);
	if (!t->blocks_ok || t->blocks_gen != g) {
		for (int i = 0; i < AGENT_COUNT; i++)
			blocks_compute(t->m, (enum agent)i, &t->blocks[i]);
		t->blocks_gen = g;
		t->blocks_ok = true;
	}
	return &t->blocks[a];
}

const struct pair_bucket *tui_pairs(struct tui *t, int32_t si,
				    bool (*filter)(const struct model *, uint32_t, void *), void *ctx)
{
	uint64_t g = model_generation(t->m);
	if (!t->pairs_ok || t->pairs_gen != g || t->pairs_session != si) {
		/* only the sessions shown (the project's), not the whole history */
		size_t ns = model_session_count(t->m), n = 0;
		uint32_t *v = xmalloc((ns ? ns : 1) * sizeof *v);
		for (size_t i = 0; i < ns; i++)
			if (filter(t->m, (uint32_t)i, ctx))
				v[n++] = (uint32_t)i;
		pairs_compute_sessions(t->m, v, n, t->pairs);
		free(v);
		t->pairs_gen = g;
		t->pairs_session = si;
		t->pairs_ok = true;
	}
	return t->pairs;
}

void tui_agents_with_data(const struct tui *t, bool have[AGENT_COUNT])
{
	for (int a = 0; a < AGENT_COUNT; a++)
		have[a] = false;
	size_t ns = model_session_count(t->m);
	for (size_t i = 0; i < ns; i++)
		if (model_session(t->m, i)->tot.requests)
			have[model_session(t->m, i)->agent] = true;
	const struct account_limits *cq = model_account_limits(t->m);
	for (int a = 0; a < AGENT_COUNT; a++)
		if ((agent_table[a].limits == AGENT_LIMITS_TRANSCRIPT && cq && cq->present) ||
		    (agent_table[a].limits == AGENT_LIMITS_STATUSLINE && t->o.official &&
		     t->o.official->present))
			have[a] = true;
}
