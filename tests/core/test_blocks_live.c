/* test_blocks_live.c — the model's own aggregates (model_settle) against the reference computed
 * from scratch: each agent's 5-hour blocks and burn equal blocks_compute's field for field, to the
 * last bit of every cost, and the events by time equal a sort of the events, whatever order the
 * files' lines arrive in and however often the model is settled on the way (after every line,
 * now and then, only at the end). The histories are random (seeded): gaps that open new blocks,
 * split Claude responses whose later line moves the request's block time, Gemini records
 * written again with other tokens and models, priced and unpriced models, misses. Also: the
 * detail's pairs over a project's sessions equal pairs_compute with the same filter. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "cachetop/gemini.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "lines.h"

#define SEC 1000LL
#define NFILES 7
#define GEMINI_ROOT "/h/.gemini/tmp/api/chats/"

static uint64_t rnd_state;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rnd_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

struct file_lines {
	char **v;
	size_t n, cap, next;
};

static void push(struct file_lines *f, const char *line)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = realloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n++] = strdup(line);
}

static int64_t gap(void)
{
	unsigned k = below(100);
	if (k < 70)
		return (int64_t)(5 + below(300)) * SEC;   /* a busy session */
	if (k < 90)
		return (int64_t)(5 + below(55)) * 60 * SEC; /* a pause */
	return (int64_t)(4 + below(5)) * 3600 * SEC;       /* across a block's end or a 5 h gap */
}

/* A Claude session: requests, some written as two lines (the output grows on the later one, so
 * the request's block time moves when it arrives). */
static void claude_file(struct file_lines *f, int k, int64_t t)
{
	char line[4096], sid[32], uuid[32], msg[32], req[32];
	snprintf(sid, sizeof sid, "cs-%d", k);
	int n = 10 + (int)below(40);
	for (int i = 0; i < n; i++) {
		t += gap();
		snprintf(uuid, sizeof uuid, "u-%d-%d", k, i);
		snprintf(msg, sizeof msg, "msg-%d-%d", k, i);
		snprintf(req, sizeof req, "req-%d-%d", k, i);
		struct cl c = {.sid = sid, .uuid = uuid, .msg = msg, .req = req, .t = t,
			       .model = below(5) ? "claude-sonnet-4-5-20250929" : "mystery-model-1",
			       .in = 3 + below(50), .c5 = below(3) ? below(2000) : 20000 + below(9000),
			       .cr = below(4) ? 20000 + below(9000) : below(300), .out = 1 + below(400)};
		cl_assistant(line, sizeof line, &c);
		push(f, line);
		if (below(2)) { /* the same response again, later, with its final output */
			snprintf(uuid, sizeof uuid, "u-%d-%d-b", k, i);
			c.uuid = uuid;
			c.t = t + (int64_t)(1 + below(90)) * SEC;
			c.out += 1 + below(3000);
			cl_assistant(line, sizeof line, &c);
			push(f, line);
		}
	}
}

/* A Gemini session: records, some written again with other tokens (model_request_update). */
static void gemini_file(struct file_lines *f, int k, int64_t t)
{
	char line[4096], ts[32];
	rfc3339_format(t, ts);
	snprintf(line, sizeof line,
		 "{\"sessionId\":\"gs-%d\",\"projectHash\":\"0f1e2d\",\"startTime\":\"%s\",\"lastUpdated\":\"%s\","
		 "\"kind\":\"main\"}", k, ts, ts);
	push(f, line);
	int n = 10 + (int)below(30);
	int64_t times[64];
	for (int i = 0; i < n; i++) {
		int id = i;
		if (i > 2 && below(4) == 0) {
			id = i - 1 - (int)below(2); /* written again */
		} else {
			t += gap();
			times[i] = t;
		}
		int64_t at = times[id];
		rfc3339_format(at, ts);
		unsigned in = 1000 + below(30000), cached = below(3) ? in / 2 + below(in / 2) : 0;
		snprintf(line, sizeof line,
			 "{\"id\":\"g-%d-%d\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"content\":\"done\","
			 "\"thoughts\":[],\"tokens\":{\"input\":%u,\"output\":%u,\"cached\":%u,\"thoughts\":0,"
			 "\"tool\":0,\"total\":%u},\"model\":\"%s\"}",
			 k, id, ts, in, 10 + below(500), cached, in + 600,
			 below(3) ? "gemini-2.5-pro" : below(2) ? "gemini-2.5-flash" : "gemini-unknown-x");
		push(f, line);
		if (id != i)
			times[i] = times[id];
	}
}

struct history {
	struct file_lines f[NFILES];
	enum agent agent[NFILES];
};

static void history_make(struct history *h, uint64_t seed)
{
	memset(h, 0, sizeof *h);
	rnd_state = seed;
	for (int k = 0; k < NFILES; k++) {
		int64_t start = T0 + (int64_t)below(3 * 24 * 3600) * SEC;
		h->agent[k] = k < 5 ? AGENT_CLAUDE : AGENT_GEMINI;
		if (h->agent[k] == AGENT_CLAUDE)
			claude_file(&h->f[k], k, start);
		else
			gemini_file(&h->f[k], k, start);
	}
}

static void history_free(struct history *h)
{
	for (int k = 0; k < NFILES; k++) {
		for (size_t i = 0; i < h->f[k].n; i++)
			free(h->f[k].v[i]);
		free(h->f[k].v);
	}
}

static struct model *model_for(const struct history *h, uint32_t ids[NFILES])
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	for (int k = 0; k < NFILES; k++) {
		char path[128];
		if (h->agent[k] == AGENT_CLAUDE)
			snprintf(path, sizeof path, "/h/.claude/projects/-api/cs-%d.jsonl", k);
		else
			snprintf(path, sizeof path, GEMINI_ROOT "session-2026-01-0%dT10-00-%08d.jsonl", k, k);
		ids[k] = model_file_add(m, h->agent[k], path, false);
	}
	return m;
}

static size_t compared_blocks;

static void same_blocks(const struct model *m)
{
	for (int a = 0; a < AGENT_COUNT; a++) {
		const struct blocks *live = model_blocks(m, (enum agent)a);
		cr_assert_not_null(live, "settled, the blocks are readable");
		struct blocks ref = {0};
		blocks_compute(m, (enum agent)a, &ref);
		cr_assert_eq(live->n, ref.n, "agent %d: %zu blocks kept, %zu computed", a, live->n, ref.n);
		for (size_t i = 0; i < ref.n; i++) {
			const struct block *x = &live->v[i], *y = &ref.v[i];
			cr_assert(x->agent == y->agent && x->start == y->start && x->end == y->end &&
				  x->first == y->first && x->last == y->last, "block %zu: bounds", i);
			cr_assert(x->requests == y->requests && x->input == y->input && x->output == y->output &&
				  x->cache_creation == y->cache_creation && x->cache_read == y->cache_read &&
				  x->unpriced == y->unpriced, "block %zu: tokens (%llu vs %llu requests)", i,
				  (unsigned long long)x->requests, (unsigned long long)y->requests);
			cr_assert(x->cost_usd == y->cost_usd && x->wasted_usd == y->wasted_usd,
				  "block %zu: cost %.17g vs %.17g, waste %.17g vs %.17g", i, x->cost_usd, y->cost_usd,
				  x->wasted_usd, y->wasted_usd);
			cr_assert(x->tokens_15 == y->tokens_15 && x->usd_15 == y->usd_15,
				  "block %zu of %zu: burn %llu/%.17g vs %llu/%.17g", i, ref.n,
				  (unsigned long long)x->tokens_15, x->usd_15, (unsigned long long)y->tokens_15, y->usd_15);
		}
		compared_blocks += ref.n;
		blocks_free(&ref);
	}
}

static const struct model *sort_m;
static int by_event_time(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t tx = model_request(sort_m, model_event(sort_m, x)->request)->t;
	int64_t ty = model_request(sort_m, model_event(sort_m, y)->request)->t;
	return tx != ty ? (tx < ty ? -1 : 1) : (x > y) - (x < y);
}

static void same_events(const struct model *m)
{
	const uint32_t *v;
	size_t n = model_events_by_time(m, &v), ne = model_event_count(m);
	cr_assert_eq(n, ne);
	uint32_t *ref = malloc((ne ? ne : 1) * sizeof *ref);
	for (size_t i = 0; i < ne; i++)
		ref[i] = (uint32_t)i;
	sort_m = m;
	qsort(ref, ne, sizeof *ref, by_event_time);
	for (size_t i = 0; i < ne; i++)
		cr_assert_eq(v[i], ref[i], "event %zu by time", i);
	free(ref);
}

/* Feed the history's lines, files interleaved at random; settle with probability every/1000 after
 * each line (and at the end), checking each time. */
static void run(uint64_t seed, unsigned every)
{
	struct history h;
	history_make(&h, seed);
	uint32_t ids[NFILES];
	struct model *m = model_for(&h, ids);
	rnd_state = seed ^ 0xA5A5A5A5u;
	size_t left = 0;
	for (int k = 0; k < NFILES; k++)
		left += h.f[k].n;
	while (left) {
		int k = (int)below(NFILES);
		if (h.f[k].next == h.f[k].n)
			continue;
		const char *line = h.f[k].v[h.f[k].next++];
		model_feed(m, ids[k], line, strlen(line));
		left--;
		if (below(1000) < every) {
			model_settle(m);
			same_blocks(m);
			same_events(m);
		}
	}
	model_settle(m);
	same_blocks(m);
	same_events(m);
	model_free(m);
	history_free(&h);
}

Test(blocks_live, equal_to_blocks_compute_settled_after_every_line)
{
	compared_blocks = 0;
	for (uint64_t seed = 1; seed <= 12; seed++)
		run(seed, 1000);
	cr_assert_gt(compared_blocks, 1000, "the histories have blocks to compare (%zu)", compared_blocks);
}

Test(blocks_live, equal_to_blocks_compute_settled_now_and_then)
{
	compared_blocks = 0;
	for (uint64_t seed = 100; seed <= 160; seed++)
		run(seed, 1 + seed % 200);
	cr_assert_gt(compared_blocks, 1000);
}

Test(blocks_live, equal_to_blocks_compute_settled_once)
{
	for (uint64_t seed = 500; seed <= 540; seed++)
		run(seed, 0);
}

/* Feeding after a settle leaves the aggregates unreadable until the next one (never stale). */
Test(blocks_live, unsettled_reads_nothing)
{
	struct history h;
	history_make(&h, 7);
	uint32_t ids[NFILES];
	struct model *m = model_for(&h, ids);
	cr_assert_null(model_blocks(m, AGENT_CLAUDE), "never settled");
	model_feed(m, ids[0], h.f[0].v[0], strlen(h.f[0].v[0]));
	model_settle(m);
	cr_assert_not_null(model_blocks(m, AGENT_CLAUDE));
	cr_assert_eq(model_blocks(m, AGENT_CLAUDE)->n, 1);
	model_feed(m, ids[0], h.f[0].v[1], strlen(h.f[0].v[1]));
	cr_assert_null(model_blocks(m, AGENT_CLAUDE), "fed since: not settled");
	const uint32_t *v;
	cr_assert_eq(model_events_by_time(m, &v), 0);
	model_free(m);
	history_free(&h);
}

static bool odd_session(const struct model *m, uint32_t s, void *ctx)
{
	(void)m;
	(void)ctx;
	return s % 2 == 1;
}

/* The detail's pairs over its sessions only equal the whole walk with the same filter. */
Test(blocks_live, pairs_of_sessions_equal_pairs_compute)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct history h;
		history_make(&h, seed);
		uint32_t ids[NFILES];
		struct model *m = model_for(&h, ids);
		rnd_state = seed;
		for (size_t left = 1; left;) {
			left = 0;
			for (int k = 0; k < NFILES; k++)
				if (h.f[k].next < h.f[k].n && below(2)) {
					const char *line = h.f[k].v[h.f[k].next++];
					model_feed(m, ids[k], line, strlen(line));
				}
			for (int k = 0; k < NFILES; k++)
				left += h.f[k].n - h.f[k].next;
		}
		struct pair_bucket a[PAIR_BUCKETS], b[PAIR_BUCKETS];
		pairs_compute(m, odd_session, NULL, a);
		uint32_t s[NFILES];
		size_t n = 0;
		for (size_t i = 0; i < model_session_count(m); i++)
			if (odd_session(m, (uint32_t)i, NULL))
				s[n++] = (uint32_t)i;
		pairs_compute_sessions(m, s, n, b);
		uint64_t pairs = 0;
		for (int i = 0; i < PAIR_BUCKETS; i++) {
			cr_assert(a[i].baseline_n == b[i].baseline_n && a[i].resume_n == b[i].resume_n, "bucket %d", i);
			cr_assert(a[i].baseline_hit == b[i].baseline_hit && a[i].resume_hit == b[i].resume_hit,
				  "bucket %d: %.17g vs %.17g", i, a[i].baseline_hit, b[i].baseline_hit);
			pairs += a[i].baseline_n;
		}
		cr_assert_gt(pairs, 0, "seed %llu: pairs to compare", (unsigned long long)seed);
		model_free(m);
		history_free(&h);
	}
}

/* The change bits: a new unexpected miss says so (the dashboard's bell), an expected one does
 * not, and the model keeps what it returned until taken, whichever path fed the line. */
Test(blocks_live, change_bits_name_the_unexpected_miss)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/h/.claude/projects/-api/s.jsonl", false);
	char line[4096];
	struct cl c = {.sid = "s", .uuid = "u1", .msg = "m1", .req = "r1", .t = T0, .in = 5, .c5 = 30000, .out = 9};
	cl_assistant(line, sizeof line, &c);
	unsigned first = model_feed(m, f, line, strlen(line));
	cr_assert(first & MODEL_NEW_REQUEST);
	cr_assert_not(first & MODEL_NEW_UNEXPECTED, "a session's first request is an expected miss");
	cr_assert_eq(model_take_changes(m), first);
	cr_assert_eq(model_take_changes(m), 0, "taken: nothing left");
	/* a minute later, inside the TTL, the prefix is written again: an unexplained miss */
	c = (struct cl){.sid = "s", .uuid = "u2", .parent = "u1", .msg = "m2", .req = "r2", .t = T0 + MIN(1),
			.in = 5, .c5 = 31000, .cr = 0, .out = 9};
	cl_assistant(line, sizeof line, &c);
	unsigned second = model_feed(m, f, line, strlen(line));
	cr_assert(second & MODEL_NEW_EVENT);
	cr_assert(second & MODEL_NEW_UNEXPECTED, "bits %#x", second);
	cr_assert(cause_expected((enum cause)model_event(m, model_event_count(m) - 1)->cause) == false);
	cr_assert_eq(model_take_changes(m), second);
	model_free(m);
}
