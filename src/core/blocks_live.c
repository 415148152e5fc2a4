/* blocks_live.c — what the dashboard reads from the history, kept by the model as requests
 * arrive (htop's updateValues/draw split) so that a frame walks and sorts none of it: each
 * agent's 5-hour blocks with their totals, cost and 15-minute burn, and the events by time.
 * Per agent the counted requests are kept sorted by (block time, index), as blocks_compute
 * sorts them; a request arriving in time order extends the last block, one arriving earlier (or
 * one whose time, tokens or price change: agg_touch) re-derives only the blocks from its place
 * on. Both add the same numbers in the same order, so they agree to the last bit. Built by the
 * first model_settle (one sort, as blocks_compute), so a one-shot report pays nothing, and
 * derived from the requests alone: a model loaded from elsewhere rebuilds them once. */
#include "blocks_live.h"

#include <stdlib.h>
#include <string.h>

#include "cachetop/util.h"
#include "model_private.h"

#define MIN_MS (60LL * 1000)
#define NONE SIZE_MAX

/* ---- sorted index arrays ---------------------------------------------------------------- */

/* An array of request (or event) indices sorted by (key, index), and what is waiting to go in. */
struct sorted {
	uint32_t *v;
	size_t n, cap;
	struct timed *pend;          /* to be merged in at the next settle */
	size_t npend, cappend;
};

typedef int64_t (*key_fn)(const struct model *m, uint32_t i);

static int64_t req_key(const struct model *m, uint32_t i) { return request_block_time(model_request(m, i)); }
static int64_t ev_key(const struct model *m, uint32_t i) { return model_request(m, model_event(m, i)->request)->t; }

static bool key_after(const struct model *m, key_fn key, uint32_t x, int64_t ty, uint32_t y)
{
	int64_t tx = key(m, x);
	return tx != ty ? tx > ty : x > y;
}

static void pend_push(struct sorted *s, int64_t t, uint32_t i)
{
	void *p = s->pend;
	ct_grow(&p, &s->cappend, s->npend + 1, sizeof *s->pend);
	s->pend = p;
	s->pend[s->npend++] = timed_of(t, i);
}

/* Merge what waits into place, from the back (live arrivals land at or near the end, so only
 * what lies after them moves). Returns the first position that changed (NONE: nothing). */
static size_t sorted_merge(struct sorted *s, const struct model *m, key_fn key)
{
	if (!s->npend)
		return NONE;
	timed_sort(s->pend, s->npend);
	void *p = s->v;
	ct_grow(&p, &s->cap, s->n + s->npend, sizeof *s->v);
	s->v = p;
	size_t i = s->n, j = s->npend, w = s->n + s->npend;
	while (j > 0) {
		const struct timed *y = &s->pend[j - 1];
		if (i > 0 && key_after(m, key, s->v[i - 1], timed_t(y), y->i))
			s->v[--w] = s->v[--i];
		else
			s->v[--w] = s->pend[--j].i;
	}
	s->n += s->npend;
	s->npend = 0;
	if (s->cappend > 4096) { /* the first build's pending list is the whole history: give it back */
		free(s->pend);
		s->pend = NULL;
		s->cappend = 0;
	}
	return w;
}

/* The position of (t, i) in s, or NONE. */
static size_t sorted_find(const struct sorted *s, const struct model *m, key_fn key, int64_t t, uint32_t i)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_after(m, key, s->v[mid], t, i) || s->v[mid] == i)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < s->n && s->v[lo] == i ? lo : NONE;
}

static void sorted_free(struct sorted *s)
{
	free(s->v);
	free(s->pend);
}

/* ---- per agent ---------------------------------------------------------------------------- */

struct agg_agent {
	struct sorted ord;           /* the agent's counted requests by (block time, index) */
	struct blocks bl;
	size_t *bfirst;              /* per block: the ord position of its first request */
	size_t bcap;
	size_t derived;              /* ord[0, derived) are in the blocks */
	size_t dirty;                /* the first ord position changed since; NONE */
	uint32_t *win;               /* scratch: the burn window's requests */
	size_t capwin;
};

struct model_agg {
	size_t seen;                 /* requests [0, seen) are placed or waiting */
	size_t ev_seen;
	struct sorted ev;            /* events by (request time, index) */
	struct agg_agent a[AGENT_COUNT];
};

struct model_agg *agg_new(void) { return xcalloc(1, sizeof(struct model_agg)); }

void agg_free(struct model_agg *g)
{
	if (!g)
		return;
	for (int a = 0; a < AGENT_COUNT; a++) {
		sorted_free(&g->a[a].ord);
		blocks_free(&g->a[a].bl);
		free(g->a[a].bfirst);
		free(g->a[a].win);
	}
	sorted_free(&g->ev);
	free(g);
}

static void note_dirty(struct agg_agent *x, size_t pos)
{
	if (pos != NONE && (x->dirty == NONE || pos < x->dirty))
		x->dirty = pos;
}

void agg_touch(struct model_agg *g, const struct model *m, uint32_t ri)
{
	if (!g || ri >= g->seen)
		return; /* not placed yet: it is read as it is at the next settle */
	const struct request *r = model_request(m, ri);
	if (!(r->flags & REQ_COUNTED))
		return;
	struct agg_agent *x = &g->a[model_session(m, r->session)->agent];
	/* not found: already waiting since an earlier change */
	size_t pos = sorted_find(&x->ord, m, req_key, request_block_time(r), ri);
	if (pos == NONE)
		return;
	memmove(x->ord.v + pos, x->ord.v + pos + 1, (x->ord.n - pos - 1) * sizeof *x->ord.v);
	x->ord.n--;
	note_dirty(x, pos);
	pend_push(&x->ord, 0, ri); /* its time is read again when it is placed */
}

static int by_index_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x > y ? -1 : x < y;
}

/* The last block's burn: requests at block times in [max(last - 15 min, start), last], summed
 * newest index first as blocks_compute does. They are the tail of ord. */
static void burn(struct agg_agent *x, const struct model *m)
{
	struct block *b = &x->bl.v[x->bl.n - 1];
	int64_t from = b->last - 15 * MIN_MS;
	if (from < b->start)
		from = b->start;
	size_t k = 0;
	for (size_t j = x->ord.n; j-- > 0 && req_key(m, x->ord.v[j]) >= from;) {
		void *p = x->win;
		ct_grow(&p, &x->capwin, k + 1, sizeof *x->win);
		x->win = p;
		x->win[k++] = x->ord.v[j];
	}
	qsort(x->win, k, sizeof *x->win, by_index_desc);
	b->tokens_15 = 0;
	b->usd_15 = 0;
	for (size_t i = 0; i < k; i++) {
		const struct request *r = model_request(m, x->win[i]);
		b->tokens_15 += request_prompt(r) + r->output;
		double c = model_request_cost(m, r);
		if (c > 0)
			b->usd_15 += c;
	}
}

/* Blocks again from the one holding ord[dirty - 1] (or only the new tail when nothing before
 * it changed): the blocks before it saw the same requests in the same order. */
static void derive(struct agg_agent *x, const struct model *m, enum agent a)
{
	if (x->dirty == NONE)
		return;
	size_t pos = x->dirty;
	x->dirty = NONE;
	if (pos != x->derived || !x->bl.n) {
		size_t k = 0; /* the first block to derive again */
		if (pos > 0 && x->bl.n) {
			size_t lo = 0, hi = x->bl.n; /* the last block starting at or before pos - 1 */
			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;
				if (x->bfirst[mid] <= pos - 1)
					lo = mid;
				else
					hi = mid;
			}
			k = lo;
		}
		x->bl.n = k;
		pos = k ? x->bfirst[k] : 0;
	} else {
		/* the last block goes on: its burn is computed again below, and belongs to the
		 * last block only */
		x->bl.v[x->bl.n - 1].tokens_15 = 0;
		x->bl.v[x->bl.n - 1].usd_15 = 0;
	}
	for (; pos < x->ord.n; pos++) {
		const struct request *r = model_request(m, x->ord.v[pos]);
		size_t before = x->bl.n;
		block_take(&x->bl, a, m, r, request_block_time(r));
		if (x->bl.n != before) {
			if (x->bcap < x->bl.cap) {
				x->bcap = x->bl.cap;
				x->bfirst = xrealloc(x->bfirst, x->bcap * sizeof *x->bfirst);
			}
			x->bfirst[x->bl.n - 1] = pos;
		}
	}
	x->derived = x->ord.n;
	if (x->bl.n)
		burn(x, m);
}

void model_settle(struct model *m)
{
	if (!m->agg) {
		static const struct model_agg_hooks hooks = {.touch = agg_touch, .free = agg_free};
		m->agg = agg_new();
		m->agg_hooks = &hooks;
		for (int a = 0; a < AGENT_COUNT; a++)
			m->agg->a[a].dirty = NONE;
	}
	struct model_agg *g = m->agg;
	size_t n = model_request_count(m);
	for (size_t i = g->seen; i < n; i++) {
		const struct request *r = model_request(m, i);
		if (r->flags & REQ_COUNTED)
			pend_push(&g->a[model_session(m, r->session)->agent].ord, 0, (uint32_t)i);
	}
	g->seen = n;
	for (int a = 0; a < AGENT_COUNT; a++) {
		struct agg_agent *x = &g->a[a];
		/* times are read now: a request taken out for a change waits with its new one */
		for (size_t j = 0; j < x->ord.npend; j++)
			x->ord.pend[j] = timed_of(req_key(m, x->ord.pend[j].i), x->ord.pend[j].i);
		note_dirty(x, sorted_merge(&x->ord, m, req_key));
		derive(x, m, (enum agent)a);
	}
	size_t ne = model_event_count(m);
	for (size_t i = g->ev_seen; i < ne; i++)
		pend_push(&g->ev, ev_key(m, (uint32_t)i), (uint32_t)i);
	g->ev_seen = ne;
	sorted_merge(&g->ev, m, ev_key);
}

bool model_settled(const struct model *m)
{
	if (!m->agg || m->agg->seen != model_request_count(m) || m->agg->ev_seen != model_event_count(m))
		return false;
	for (int a = 0; a < AGENT_COUNT; a++)
		if (m->agg->a[a].ord.npend)
			return false;
	return true;
}

const struct blocks *model_blocks(const struct model *m, enum agent a)
{
	return model_settled(m) && (unsigned)a < AGENT_COUNT ? &m->agg->a[a].bl : NULL;
}

size_t model_events_by_time(const struct model *m, const uint32_t **v)
{
	if (!model_settled(m)) {
		*v = NULL;
		return 0;
	}
	*v = m->agg->ev.v;
	return m->agg->ev.n;
}
