/* pairs.c — TTL-matched control pairs (design.md): within each idle-gap bucket, the mean hit rate
 * of ordinary requests (predecessor in the same session; no resume, model switch or compaction
 * in between) against that of first requests after a resume (same model as the predecessor).
 * Same gap, only the resume differs — so a gap in the means is the resume's doing, not the TTL's. */
#include "cachetop/model.h"
#include "cachetop/report.h"

#include <stdlib.h>

#include "cachetop/util.h"

static const char *const bucket_names[PAIR_BUCKETS] = {"<5m", "5-15m", "15-30m", "30-60m", ">=60m"};

static int bucket_of(double gap_s)
{
	double min = gap_s / 60.0;
	return min < 5 ? 0 : min < 15 ? 1 : min < 30 ? 2 : min < 60 ? 3 : 4;
}

struct pair_sums {
	double bsum[PAIR_BUCKETS], rsum[PAIR_BUCKETS];
};

static void pairs_init(struct pair_sums *ps, struct pair_bucket out[PAIR_BUCKETS])
{
	*ps = (struct pair_sums){{0}, {0}};
	for (int b = 0; b < PAIR_BUCKETS; b++)
		out[b] = (struct pair_bucket){.name = bucket_names[b], .baseline_hit = -1, .resume_hit = -1};
}

/* Request r's share, if it is one side of a pair (r has a predecessor and counts). */
static void pairs_take(const struct model *m, const struct request *r, struct pair_sums *ps,
		       struct pair_bucket out[PAIR_BUCKETS])
{
	const struct request *p = model_request(m, r->pred - 1);
	double h = request_hit(r);
	if (h < 0)
		return;
	int b = bucket_of((double)(r->t - p->t) / 1000.0);
	if (r->flags & REQ_AFTER_RESUME) {
		if (p->model != r->model)
			return;
		ps->rsum[b] += h;
		out[b].resume_n++;
	} else if (p->session == r->session && p->model == r->model && !(r->flags & REQ_AFTER_COMPACTION)) {
		ps->bsum[b] += h;
		out[b].baseline_n++;
	}
}

static void pairs_finish(const struct pair_sums *ps, struct pair_bucket out[PAIR_BUCKETS])
{
	for (int b = 0; b < PAIR_BUCKETS; b++) {
		if (out[b].baseline_n)
			out[b].baseline_hit = ps->bsum[b] / (double)out[b].baseline_n;
		if (out[b].resume_n)
			out[b].resume_hit = ps->rsum[b] / (double)out[b].resume_n;
	}
}

void pairs_compute(const struct model *m, bool (*filter)(const struct model *, uint32_t, void *), void *ctx,
		   struct pair_bucket out[PAIR_BUCKETS])
{
	struct pair_sums ps;
	pairs_init(&ps, out);
	size_t n = model_request_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct request *r = model_request(m, i);
		if (!r->pred || !(r->flags & REQ_COUNTED))
			continue;
		if (filter && !filter(m, r->session, ctx))
			continue;
		pairs_take(m, r, &ps, out);
	}
	pairs_finish(&ps, out);
}

/* A session's next request in the merge: (request index, session, position in its list). */
struct cursor {
	uint32_t req, session, at;
};

static void sift_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && h[l].req < h[m].req)
			m = l;
		if (l + 1 < n && h[l + 1].req < h[m].req)
			m = l + 1;
		if (m == i)
			return;
		struct cursor tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

void pairs_compute_sessions(const struct model *m, const uint32_t *sessions, size_t ns,
			    struct pair_bucket out[PAIR_BUCKETS])
{
	struct pair_sums ps;
	pairs_init(&ps, out);
	/* each session's requests are in index order already: a heap merges them into the order
	 * pairs_compute adds them in, so the sums are the same to the last bit */
	struct cursor *h = xmalloc((ns ? ns : 1) * sizeof *h);
	size_t n = 0;
	for (size_t i = 0; i < ns; i++) {
		const struct session *s = model_session(m, sessions[i]);
		if (s && s->nreqs)
			h[n++] = (struct cursor){s->reqs[0], sessions[i], 0};
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(h, n, i);
	while (n) {
		const struct request *r = model_request(m, h[0].req);
		if (r->pred && (r->flags & REQ_COUNTED))
			pairs_take(m, r, &ps, out);
		const struct session *s = model_session(m, h[0].session);
		if (++h[0].at < s->nreqs)
			h[0].req = s->reqs[h[0].at];
		else
			h[0] = h[--n];
		sift_down(h, n, 0);
	}
	free(h);
	pairs_finish(&ps, out);
}
