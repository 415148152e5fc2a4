/* pairs.c — TTL-matched control pairs (design.md): within each idle-gap bucket, the mean hit rate
 * of ordinary requests (predecessor in the same session; no resume, model switch or compaction
 * in between) against that of first requests after a resume (same model as the predecessor).
 * Same gap, only the resume differs — so a gap in the means is the resume's doing, not the TTL's. */
#include "cachetop/model.h"
#include "cachetop/report.h"

static const char *const bucket_names[PAIR_BUCKETS] = {"<5m", "5-15m", "15-30m", "30-60m", ">=60m"};

static int bucket_of(double gap_s)
{
	double min = gap_s / 60.0;
	return min < 5 ? 0 : min < 15 ? 1 : min < 30 ? 2 : min < 60 ? 3 : 4;
}

void pairs_compute(const struct model *m, bool (*filter)(const struct model *, uint32_t, void *), void *ctx,
		   struct pair_bucket out[PAIR_BUCKETS])
{
	double bsum[PAIR_BUCKETS] = {0}, rsum[PAIR_BUCKETS] = {0};
	for (int b = 0; b < PAIR_BUCKETS; b++)
		out[b] = (struct pair_bucket){.name = bucket_names[b], .baseline_hit = -1, .resume_hit = -1};
	size_t n = model_request_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct request *r = model_request(m, i);
		if (!r->pred || !(r->flags & REQ_COUNTED))
			continue;
		if (filter && !filter(m, r->session, ctx))
			continue;
		const struct request *p = model_request(m, r->pred - 1);
		double h = request_hit(r);
		if (h < 0)
			continue;
		int b = bucket_of((double)(r->t - p->t) / 1000.0);
		if (r->flags & REQ_AFTER_RESUME) {
			if (p->model != r->model)
				continue;
			rsum[b] += h;
			out[b].resume_n++;
		} else if (p->session == r->session && p->model == r->model &&
			   !(r->flags & REQ_AFTER_COMPACTION)) {
			bsum[b] += h;
			out[b].baseline_n++;
		}
	}
	for (int b = 0; b < PAIR_BUCKETS; b++) {
		if (out[b].baseline_n)
			out[b].baseline_hit = bsum[b] / (double)out[b].baseline_n;
		if (out[b].resume_n)
			out[b].resume_hit = rsum[b] / (double)out[b].resume_n;
	}
}
