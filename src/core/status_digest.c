/* status_digest.c — the status digest (status_digest.h): the fields the one-line status reads
 * of a model, taken from it (the same calls the status made of a model before), written as they
 * lie in memory (the state file is for the same build only) after a head with its own magic,
 * version, the image's hash, its length and hash; read back with every count bounded, every
 * time in the range the parsers give and every bool and cause checked. */
#include "cachetop/status_digest.h"

#include <stdlib.h>
#include <string.h>

#include "cachetop/cause.h"
#include "cachetop/statefile.h"
#include "cachetop/timefmt.h"
#include "image_io.h"

static const char magic[8] = {'C', 'T', 'S', 'T', 'A', 'T', 'U', 'S'};
enum { DIGEST_VERSION = 1, HEAD = IMG_HEAD }; /* its tag: the image's body hash */

void status_digest_of(const struct model *m, struct status_digest *d)
{
	memset(d, 0, sizeof *d);
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_compute(m, (enum agent)a, &d->bl[a]);
	d->acct = *model_account_limits(m);
	/* as the status reads it: the newest event, skipping the expected ones */
	for (size_t i = model_event_count(m); i-- > 0;) {
		const struct cache_event *e = model_event(m, i);
		if (cause_expected(e->cause))
			continue;
		d->miss = true;
		d->miss_t = model_request(m, e->request)->t;
		d->miss_cause = e->cause;
		break;
	}
}

void status_digest_free(struct status_digest *d)
{
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&d->bl[a]);
	memset(d, 0, sizeof *d);
}

void status_digest_put(const struct status_digest *d, uint64_t image_hash, struct buf *out)
{
	size_t at = out->len;
	unsigned char head[HEAD] = {0};
	buf_append(out, head, sizeof head);
	for (int a = 0; a < AGENT_COUNT; a++) {
		img_u64(out, d->bl[a].n);
		img_put(out, d->bl[a].v, d->bl[a].n * sizeof *d->bl[a].v);
	}
	img_put(out, &d->acct, sizeof d->acct);
	img_u64(out, d->miss);
	img_u64(out, (uint64_t)d->miss_t);
	img_u64(out, d->miss_cause);
	unsigned char *h = (unsigned char *)out->data + at;
	uint64_t len = out->len - at - HEAD;
	img_head_put(h, magic, DIGEST_VERSION, image_hash, len, statefile_hash(h + HEAD, (size_t)len));
}

/* A time as the parsers give them (four-digit years), or none: the status subtracts them. */
#define TIME_LIMIT 253402300800000LL
static bool ts_ok(int64_t t) { return t == CT_TIME_NONE || (t > -TIME_LIMIT && t < TIME_LIMIT); }

static bool window_ok(struct rl_window *w)
{
	img_bool(&w->present);
	return ts_ok(w->resets_at_ms);
}

/* A block as block_take makes them: every time a real one (the quota subtracts them), its
 * requests inside it. */
static bool real_ts(int64_t t) { return t != CT_TIME_NONE && ts_ok(t); }
static bool blocks_ok(const struct blocks *b, enum agent a)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct block *x = &b->v[i];
		if (x->agent != a || !real_ts(x->start) || !real_ts(x->end) || !real_ts(x->first) ||
		    !real_ts(x->last) || x->end < x->start || x->first < x->start || x->last < x->first)
			return false;
	}
	return true;
}

bool status_digest_get(const void *p, size_t n, uint64_t image_hash, struct status_digest *d)
{
	memset(d, 0, sizeof *d);
	const unsigned char *b = p;
	uint64_t img, len, hash;
	if (!img_head_get(b, n, magic, DIGEST_VERSION, &img, &len, &hash) || img != image_hash ||
	    len != n - HEAD || statefile_hash(b + HEAD, (size_t)len) != hash)
		return false;
	struct img_r r = {.p = b + HEAD, .n = (size_t)len, .base = HEAD};
	bool ok = true;
	for (int a = 0; a < AGENT_COUNT && ok; a++) {
		struct blocks *x = &d->bl[a];
		size_t k = img_count(&r, (r.n - r.at) / sizeof *x->v);
		if (k) {
			x->v = xmalloc(k * sizeof *x->v);
			x->n = x->cap = k;
		}
		ok = img_get(&r, x->v, k, sizeof *x->v) && blocks_ok(x, (enum agent)a);
	}
	ok = ok && img_get(&r, &d->acct, 1, sizeof d->acct);
	uint64_t miss = img_get_u64(&r), t = img_get_u64(&r), cause = img_get_u64(&r);
	if (ok) {
		img_bool(&d->acct.present);
		img_bool(&d->acct.rl.present);
		ok = ts_ok(d->acct.observed_at) && window_ok(&d->acct.rl.primary) &&
		     window_ok(&d->acct.rl.secondary) && window_ok(&d->acct.rl.individual);
	}
	d->miss = miss == 1;
	d->miss_t = (int64_t)t;
	d->miss_cause = (uint8_t)cause;
	ok = ok && !r.bad && r.at == r.n && miss <= 1 && cause < CAUSE_COUNT && (!d->miss || real_ts(d->miss_t));
	if (!ok)
		status_digest_free(d);
	return ok;
}
