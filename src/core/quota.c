/* quota.c — 5-hour blocks (ccusage's rule, so both tools agree on the same data), the current
 * block's burn, projection and limit, and the official readings. blocks_compute recomputes blocks
 * from the time-sorted requests of one agent: O(n log n), cheap next to reading the files, and
 * exact whatever order files were read in; the model keeps the same blocks as requests arrive
 * (blocks_live.c, the same rule in block_take). */
#include "cachetop/quota.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "blocks_live.h"

#define MIN_MS (60LL * 1000)

static uint64_t req_tokens(const struct request *r) { return request_prompt(r) + r->output; }

void blocks_compute(const struct model *m, enum agent a, struct blocks *out)
{
	out->n = 0;
	size_t n = model_request_count(m), k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct request *r = model_request(m, i);
		k += (r->flags & REQ_COUNTED) && model_session(m, r->session)->agent == a;
	}
	struct timed *idx = xmalloc((k ? k : 1) * sizeof *idx);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct request *r = model_request(m, i);
		if ((r->flags & REQ_COUNTED) && model_session(m, r->session)->agent == a)
			idx[k++] = timed_of(request_block_time(r), (uint32_t)i);
	}
	timed_sort(idx, k);
	struct block *b = NULL;
	for (size_t i = 0; i < k; i++)
		b = block_take(out, a, m, model_request(m, idx[i].i), timed_t(&idx[i]));
	free(idx);
	if (b) {
		int64_t from = b->last - 15 * MIN_MS;
		for (size_t i = n; i-- > 0;) {
			const struct request *r = model_request(m, i);
			if (!(r->flags & REQ_COUNTED) || model_session(m, r->session)->agent != a)
				continue;
			int64_t t = request_block_time(r);
			if (t < from || t > b->last || t < b->start)
				continue;
			b->tokens_15 += req_tokens(r);
			double c = model_request_cost(m, r);
			if (c > 0)
				b->usd_15 += c;
		}
	}
}

static double block_used(const struct block *b, enum quota_unit u)
{
	return u == QUOTA_TOKENS ? (double)(b->input + b->output + b->cache_creation + b->cache_read) : b->cost_usd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double quota_auto_limit(const struct blocks *b, int64_t now, enum quota_unit unit)
{
	size_t n = 0;
	double *v = xmalloc((b->n ? b->n : 1) * sizeof *v);
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].end <= now)
			v[n++] = block_used(&b->v[i], unit);
	double lim = 0;
	if (n) {
		qsort(v, n, sizeof *v, cmp_double);
		if (n < 5) {
			lim = v[n - 1];
		} else {
			/* nearest-rank 90th percentile */
			size_t rank = (size_t)ceil(0.9 * (double)n);
			lim = v[rank - 1];
		}
	}
	free(v);
	return lim;
}

void quota_compute(const struct model *m, enum agent a, int64_t now, const struct quota_opts *o,
		   const struct official_reading *sr, struct quota *q)
{
	struct blocks bl = {0};
	blocks_compute(m, a, &bl);
	quota_compute_from(m, a, &bl, now, o, sr, q);
	blocks_free(&bl);
}

void quota_compute_from(const struct model *m, enum agent a, const struct blocks *blocks, int64_t now,
			const struct quota_opts *o, const struct official_reading *sr, struct quota *q)
{
	quota_compute_acct(a, blocks, model_account_limits(m), now, o, sr, q);
}

void quota_compute_acct(enum agent a, const struct blocks *blocks, const struct account_limits *acct, int64_t now,
			const struct quota_opts *o, const struct official_reading *sr, struct quota *q)
{
	const struct blocks bl = *blocks;
	memset(q, 0, sizeof *q);
	q->agent = a;
	q->unit = o ? o->unit : QUOTA_USD;
	q->percent = q->official_percent = q->weekly_percent = q->projected_percent = -1;
	q->block_start = q->resets_at = q->official_resets_at = q->weekly_resets_at = CT_TIME_NONE;
	q->limit_at = q->observed_at = CT_TIME_NONE;
	q->spend_percent = -1;
	q->spend_resets_at = CT_TIME_NONE;

	q->limit = o ? (o->limit_auto ? quota_auto_limit(&bl, now, q->unit) : o->limit) : 0;
	const struct block *b = bl.n ? &bl.v[bl.n - 1] : NULL;
	if (b && now >= b->start && now < b->end && now - b->last <= BLOCK_MS) {
		q->has_block = true;
		q->block_start = b->start;
		q->resets_at = b->end;
		q->used = block_used(b, q->unit);
		q->block_tokens = b->input + b->output + b->cache_creation + b->cache_read;
		q->wasted_usd = b->wasted_usd;
		q->wasted_share = b->cost_usd > 0 ? b->wasted_usd / b->cost_usd : 0;
		/* burn over the block's active span (first → last request, as ccusage) */
		double span_min = (double)(b->last - b->first) / MIN_MS;
		if (span_min < 1)
			span_min = 1;
		q->tokens_per_min_block = (double)q->block_tokens / span_min;
		q->usd_per_hour_block = b->cost_usd / span_min * 60;
		/* and over the last 15 minutes of activity (ending at the latest request) */
		int64_t from = b->last - 15 * MIN_MS;
		uint64_t tok = b->tokens_15;
		double usd = b->usd_15;
		double win_min = (double)(b->last - (from > b->first ? from : b->first)) / MIN_MS;
		if (win_min < 1)
			win_min = 1;
		q->tokens_per_min_15 = (double)tok / win_min;
		q->usd_per_hour_15 = usd / win_min * 60;
		double rate_per_ms = (q->unit == QUOTA_TOKENS ? q->tokens_per_min_15 : q->usd_per_hour_15 / 60) / MIN_MS;
		int64_t left = b->end - now;
		q->projected_used = q->used + rate_per_ms * (double)left;
		if (q->limit > 0) {
			q->percent = q->used / q->limit * 100;
			q->projected_percent = q->projected_used / q->limit * 100;
			if (q->used >= q->limit)
				q->limit_at = now;
			else if (rate_per_ms > 0) {
				/* compare before converting: a tiny rate gives a time past int64 */
				double dt = (q->limit - q->used) / rate_per_ms;
				if (dt < (double)(b->end - now))
					q->limit_at = now + (int64_t)dt;
			}
		}
	}

	/* official readings: valid until their window resets */
	if (agent_limits_from(a, AGENT_LIMITS_STATUSLINE) && sr && sr->present) {
		if (sr->five_hour_pct >= 0 &&
		    (sr->five_hour_resets_at == CT_TIME_NONE || sr->five_hour_resets_at > now)) {
			q->official_percent = sr->five_hour_pct;
			q->official_resets_at = sr->five_hour_resets_at;
			q->window_minutes = 300;
		}
		if (sr->seven_day_pct >= 0 &&
		    (sr->seven_day_resets_at == CT_TIME_NONE || sr->seven_day_resets_at > now)) {
			q->weekly_percent = sr->seven_day_pct;
			q->weekly_resets_at = sr->seven_day_resets_at;
		}
		/* a reading whose window has reset since: over, not its percentage */
		q->official_over = sr->five_hour_pct >= 0 && sr->five_hour_resets_at != CT_TIME_NONE &&
				   sr->five_hour_resets_at <= now;
		q->weekly_over = sr->seven_day_pct >= 0 && sr->seven_day_resets_at != CT_TIME_NONE &&
				 sr->seven_day_resets_at <= now;
		if (sr->has_spend && sr->spend_pct >= 0 &&
		    (sr->spend_resets_at == CT_TIME_NONE || sr->spend_resets_at > now)) {
			q->spend_percent = sr->spend_pct;
			q->spend_resets_at = sr->spend_resets_at;
		}
		q->observed_at = sr->observed_at;
	}
	if (agent_limits_from(a, AGENT_LIMITS_TRANSCRIPT)) {
		const struct account_limits *cq = acct;
		if (cq && cq->present) {
			/* the account family's newest reading (the agent's model rules keep per-model ones apart) */
			struct limit_family acc = {.observed_at = cq->observed_at, .rl = cq->rl};
			struct limit_view v;
			limit_family_view(&acc, now, &v);
			if (v.percent >= 0) {
				q->official_percent = v.percent;
				q->official_resets_at = v.resets_at;
				q->window_minutes = v.window_minutes;
			}
			if (v.weekly_percent >= 0) {
				q->weekly_percent = v.weekly_percent;
				q->weekly_resets_at = v.weekly_resets_at;
			}
			q->official_over = v.over;
			q->weekly_over = v.weekly_over;
			q->observed_at = cq->observed_at;
		}
	}
	if (q->official_percent >= 0 && q->official_resets_at != CT_TIME_NONE) {
		/* the provider's window is the truth: anchor the reset to it */
		q->resets_at = q->official_resets_at;
		q->block_start = q->official_resets_at - BLOCK_MS;
	}
}
