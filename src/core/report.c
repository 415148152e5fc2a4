/* report.c — `cachetop report --json` (report-schema.md): what the report holds and in what
 * order (sessions, events, pairs, blocks, quota), and the one-object-per-line events of
 * `watch --jsonl`. Reads the model; never changes it. Written with report_jw.c's pieces; the
 * text and CSV forms are report_text.c's. */
#include "cachetop/report.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/fmt.h"
#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/sanitize.h"
#include "cachetop/timefmt.h"
#include "report_private.h"

static void write_totals(struct jw *w, const struct totals *t)
{
	jw_u64(w, "requests", t->requests);
	jw_u64(w, "input_tokens", t->input);
	jw_u64(w, "output_tokens", t->output);
	jw_u64(w, "cache_creation_tokens", t->cache_creation);
	jw_u64(w, "cache_creation_5m_tokens", t->cc5m);
	jw_u64(w, "cache_creation_1h_tokens", t->cc1h);
	jw_u64(w, "cache_read_tokens", t->cache_read);
	jw_rate(w, "hit_rate", totals_hit(t));
	bool none_priced = t->requests && t->unpriced == t->requests;
	none_priced ? jw_null(w, "cost_usd") : jw_usd(w, "cost_usd", t->cost_usd);
	jw_u64(w, "wasted_tokens", t->wasted_tokens);
	none_priced ? jw_null(w, "wasted_usd") : jw_usd(w, "wasted_usd", t->wasted_usd);
	none_priced ? jw_null(w, "rebuild_usd") : jw_usd(w, "rebuild_usd", t->rebuild_usd);
	jw_u64(w, "unpriced_requests", t->unpriced);
	jw_u64(w, "unexpected_misses", t->unexpected);
}

const char *rep_sid(const struct model *m, int32_t i)
{
	const struct session *s = i >= 0 ? model_session(m, (size_t)i) : NULL;
	return s ? s->id : NULL;
}

static bool session_listed(const struct session *s) { return s->tot.requests > 0; }

/* Session indices sorted by first_at (then id), listed ones only. */
static const struct model *sort_m;
static int by_first(const void *a, const void *b)
{
	const struct session *x = model_session(sort_m, *(const uint32_t *)a);
	const struct session *y = model_session(sort_m, *(const uint32_t *)b);
	if (x->first_at != y->first_at)
		return x->first_at < y->first_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* (time, index) pairs, so that a comparison reads two adjacent words */
struct timed_ev {
	int64_t t;
	uint32_t i;
};
static const struct model *ev_m;
static int by_event_time(const void *a, const void *b)
{
	const struct timed_ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* the same millisecond: by session, so the order does not depend on which file was read
	 * first */
	const struct request *rx = model_request(ev_m, model_event(ev_m, x->i)->request);
	const struct request *ry = model_request(ev_m, model_event(ev_m, y->i)->request);
	if (rx->session != ry->session) {
		int c = strcmp(model_session(ev_m, rx->session)->id, model_session(ev_m, ry->session)->id);
		if (c)
			return c;
	}
	return x->i < y->i ? -1 : x->i > y->i;
}

uint32_t *rep_sorted_sessions(const struct model *m, size_t *n)
{
	size_t total = model_session_count(m), k = 0;
	uint32_t *v = xmalloc((total ? total : 1) * sizeof *v);
	for (size_t i = 0; i < total; i++)
		if (session_listed(model_session(m, i)))
			v[k++] = (uint32_t)i;
	sort_m = m;
	qsort(v, k, sizeof *v, by_first);
	*n = k;
	return v;
}

uint32_t *rep_sorted_events(const struct model *m, size_t *n)
{
	size_t k = model_event_count(m);
	struct timed_ev *t = xmalloc((k ? k : 1) * sizeof *t);
	for (size_t i = 0; i < k; i++)
		t[i] = (struct timed_ev){model_request(m, model_event(m, i)->request)->t, (uint32_t)i};
	ev_m = m;
	qsort(t, k, sizeof *t, by_event_time);
	uint32_t *v = xmalloc((k ? k : 1) * sizeof *v);
	for (size_t i = 0; i < k; i++)
		v[i] = t[i].i;
	free(t);
	*n = k;
	return v;
}

/* "agent_ledger": the statusline agent's latest prompt_cache reading for the session, or null */
static void write_ledger(struct jw *w, const struct session_ledger *sl)
{
	if (!sl) {
		jw_null(w, "agent_ledger");
		return;
	}
	const struct agent_ledger *l = &sl->latest;
	jw_key(w, "agent_ledger");
	struct jw o = {w->b, false};
	buf_puts(w->b, "{");
	jw_time(&o, "observed_at", l->observed_at);
	jw_count(&o, "requests", l->requests);
	jw_count(&o, "misses", l->misses);
	jw_count(&o, "expected_rebuilds", l->expected_rebuilds);
	jw_rate(&o, "hit_ratio", l->hit_ratio);
	l->ttl[0] ? jw_str(&o, "ttl", l->ttl) : jw_null(&o, "ttl");
	jw_count(&o, "cache_write_tokens", l->cache_write_tokens);
	jw_count(&o, "miss_recache_tokens", l->miss_recache_tokens);
	jw_time(&o, "last_miss_at", l->last_miss_at);
	jw_key(&o, "last_miss_causes");
	buf_puts(w->b, "[");
	for (uint8_t i = 0; i < l->nlast; i++) {
		if (i)
			buf_puts(w->b, ",");
		report_json_string(w->b, l->last_miss_causes[i]);
	}
	buf_puts(w->b, "]");
	jw_key(&o, "miss_causes");
	struct jw mc = {w->b, false};
	buf_puts(w->b, "{");
	for (uint8_t i = 0; i < l->ncauses; i++)
		jw_u64(&mc, l->causes[i].name, l->causes[i].count); /* names are [a-z0-9_] */
	buf_puts(w->b, "}}");
}

static void write_session(struct buf *b, const struct model *m, const struct session *s,
			  const struct ledger_set *ledgers)
{
	struct jw w = {b, false};
	buf_puts(b, "{");
	jw_text(&w, "id", s->id);
	jw_str(&w, "agent", agent_name(s->agent));
	jw_text(&w, "project", s->project);
	jw_text(&w, "title", s->title);
	jw_key(&w, "files");
	buf_puts(b, "[");
	/* in reading order, whatever order they were met in */
	uint32_t *fv = xmalloc((s->nfiles ? s->nfiles : 1) * sizeof *fv);
	memcpy(fv, s->files, s->nfiles * sizeof *fv);
	for (uint32_t i = 1; i < s->nfiles; i++)
		for (uint32_t j = i; j > 0 && model_file_cmp(m, fv[j - 1], fv[j]) > 0; j--) {
			uint32_t x = fv[j];
			fv[j] = fv[j - 1];
			fv[j - 1] = x;
		}
	for (uint32_t i = 0; i < s->nfiles; i++) {
		if (i)
			buf_puts(b, ",");
		jput_text(b, model_file(m, fv[i])->path);
	}
	free(fv);
	buf_puts(b, "]");
	jw_time(&w, "first_at", s->first_at);
	jw_time(&w, "last_at", s->last_at);
	write_totals(&w, &s->tot);
	if (s->tot.output)
		jw_fixed(&w, "creation_output_ratio", (double)s->tot.cache_creation / (double)s->tot.output, 4);
	else
		jw_null(&w, "creation_output_ratio");
	jw_text(&w, "resumed_from", rep_sid(m, s->resumed_from));
	jw_key(&w, "models");
	buf_puts(b, "[");
	for (uint8_t i = 0; i < s->nmodels; i++) {
		if (i)
			buf_puts(b, ",");
		jput_text(b, model_model_name(m, s->models[i]));
	}
	buf_puts(b, "]");
	jw_key(&w, "subagents");
	struct jw sub = {b, false};
	buf_puts(b, "{");
	jw_u64(&sub, "requests", s->sub.requests);
	jw_u64(&sub, "cache_creation_tokens", s->sub.cache_creation);
	jw_u64(&sub, "cache_read_tokens", s->sub.cache_read);
	jw_usd(&sub, "cost_usd", s->sub.cost_usd);
	buf_puts(b, "}");
	write_ledger(&w, agent_limits_from(s->agent, AGENT_LIMITS_STATUSLINE) ? ledger_set_find(ledgers, s->id) : NULL);
	buf_puts(b, "}");
}

/* "evidence", "floor_tokens", and how the statusline agent's own ledger saw the miss */
static void write_evidence(struct jw *w, const struct event_evidence *ev)
{
	jw_key(w, "evidence");
	buf_puts(w->b, "[");
	for (unsigned i = 0, k = 0; i < EVIDENCE_WORDS; i++)
		if (ev->words & (1u << i)) {
			buf_puts(w->b, k++ ? ",\"" : "\"");
			buf_puts(w->b, evidence_word(i));
			buf_puts(w->b, "\"");
		}
	buf_puts(w->b, "]");
	if (ev->words & EV_MESSAGES_REWRITTEN)
		jw_u64(w, "floor_tokens", ev->floor_tokens);
	else
		jw_null(w, "floor_tokens");
	if (ev->ledger == LEDGER_UNKNOWN)
		jw_null(w, "agent_counted");
	else
		jw_bool(w, "agent_counted", ev->ledger == LEDGER_COUNTED);
	jw_key(w, "agent_causes");
	buf_puts(w->b, "[");
	/* the ledger's causes, ", "-joined names of [a-z0-9_] */
	for (const char *p = ev->ledger_causes; *p;) {
		size_t n = strcspn(p, ", ");
		if (n) {
			buf_puts(w->b, p == ev->ledger_causes ? "\"" : ",\"");
			buf_append(w->b, p, n);
			buf_puts(w->b, "\"");
		}
		p += n;
		p += strspn(p, ", ");
	}
	buf_puts(w->b, "]");
}

/* observed_at: CT_TIME_NONE in a report; the time seen, for a watch line */
static void write_event(struct buf *b, const struct model *m, const struct cache_event *e,
			const struct event_evidence *ev, int64_t observed_at)
{
	const struct request *r = model_request(m, e->request);
	const struct session *s = model_session(m, r->session);
	struct jw w = {b, false};
	buf_puts(b, "{");
	jw_time(&w, "at", r->t);
	jw_text(&w, "session", s->id);
	jw_str(&w, "agent", agent_name(s->agent));
	jw_str(&w, "kind", cause_name(e->cause));
	jw_bool(&w, "expected", cause_expected(e->cause));
	if (e->gap_s < 0)
		jw_null(&w, "gap_s");
	else
		jw_fixed(&w, "gap_s", e->gap_s, 3);
	jw_int(&w, "ttl_s", e->ttl_s);
	jw_rate(&w, "hit_rate", e->hit);
	jw_rate(&w, "previous_hit_rate", e->prev_hit);
	jw_u64(&w, "expected_prefix_tokens", e->expected_prefix);
	jw_u64(&w, "cache_read_tokens", e->cache_read);
	jw_u64(&w, "cache_creation_tokens", e->cache_creation);
	jw_u64(&w, "wasted_tokens", e->wasted_tokens);
	jw_usd(&w, "wasted_usd", e->wasted_usd);
	jw_u64(&w, "rebuild_tokens", e->rebuild_tokens);
	jw_usd(&w, "rebuild_usd", e->rebuild_usd);
	jw_text(&w, "resumed_from", rep_sid(m, e->resumed_from));
	jw_text(&w, "model", model_model_name(m, r->model));
	jw_bool(&w, "subagent", (r->flags & REQ_SIDECHAIN) != 0);
	jw_text(&w, "project", s->project);
	write_evidence(&w, ev);
	if (observed_at != CT_TIME_NONE)
		jw_time(&w, "observed_at", observed_at);
	buf_puts(b, "}");
}

static struct json_object *pairs_json(const struct model *m)
{
	struct pair_bucket pb[PAIR_BUCKETS];
	pairs_compute(m, NULL, NULL, pb);
	struct json_object *a = json_object_new_array();
	for (int i = 0; i < PAIR_BUCKETS; i++) {
		struct json_object *o = json_object_new_object();
		jadd(o, "gap_bucket", json_object_new_string(pb[i].name));
		jadd(o, "baseline_requests", ju64(pb[i].baseline_n));
		jadd(o, "baseline_hit_rate", jrate(pb[i].baseline_hit));
		jadd(o, "resume_requests", ju64(pb[i].resume_n));
		jadd(o, "resume_hit_rate", jrate(pb[i].resume_hit));
		bool both = pb[i].baseline_n && pb[i].resume_n;
		jadd(o, "delta_pp", both ? jround((pb[i].resume_hit - pb[i].baseline_hit) * 100, 3) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* b: every agent's blocks, merged by start time, as json-c would write the array (one line);
 * written straight out, as the sessions are: a json-c tree per block was ~2 ms of a warm report */
static void write_blocks(struct buf *out, const struct blocks *b)
{
	buf_puts(out, ",\n\"blocks\": [");
	size_t i[AGENT_COUNT] = {0};
	for (bool first = true;; first = false) {
		int pick = -1;
		for (int a = 0; a < AGENT_COUNT; a++)
			if (i[a] < b[a].n && (pick < 0 || b[a].v[i[a]].start < b[pick].v[i[pick]].start))
				pick = a;
		if (pick < 0)
			break;
		const struct block *x = &b[pick].v[i[pick]++];
		struct jw w = {out, false};
		buf_puts(out, first ? "{" : ",{");
		jw_str(&w, "agent", agent_name(x->agent));
		jw_time(&w, "start", x->start);
		jw_time(&w, "end", x->end);
		jw_time(&w, "first_at", x->first);
		jw_time(&w, "last_at", x->last);
		jw_u64(&w, "requests", x->requests);
		jw_u64(&w, "input_tokens", x->input);
		jw_u64(&w, "output_tokens", x->output);
		jw_u64(&w, "cache_creation_tokens", x->cache_creation);
		jw_u64(&w, "cache_read_tokens", x->cache_read);
		if (x->unpriced == x->requests)
			jw_null(&w, "cost_usd");
		else
			jw_usd(&w, "cost_usd", x->cost_usd);
		jw_usd(&w, "wasted_usd", x->wasted_usd);
		if (x->cost_usd > 0)
			jw_rate(&w, "wasted_share", x->wasted_usd / x->cost_usd);
		else
			jw_null(&w, "wasted_share");
		buf_puts(out, "}");
	}
	buf_puts(out, "]");
}

bool rep_agent_present(const struct model *m, enum agent a)
{
	for (size_t i = 0; i < model_session_count(m); i++)
		if (model_session(m, i)->agent == a && model_session(m, i)->tot.requests)
			return true;
	return false;
}

/* quota.<agent>.limits of the transcript-limits agent: every family, newest reading each
 * (report-schema.md) */
static struct json_object *limits_json(const struct model *m, int64_t now)
{
	const struct limit_families *ls = model_limit_families(m);
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < ls->n; i++) {
		const struct limit_family *l = &ls->v[i];
		struct limit_view v;
		limit_family_view(l, now, &v);
		struct json_object *o = json_object_new_object();
		jadd(o, "limit_id", jtext(l->id));
		jadd(o, "name", l->name[0] ? jtext(l->name) : NULL);
		jadd(o, "percent", v.percent >= 0 ? jnum(v.percent) : NULL);
		jadd(o, "window_minutes", v.window_minutes ? json_object_new_int(v.window_minutes) : NULL);
		jadd(o, "resets_at", jtime(v.resets_at));
		jadd(o, "weekly_percent", v.weekly_percent >= 0 ? jnum(v.weekly_percent) : NULL);
		jadd(o, "weekly_resets_at", jtime(v.weekly_resets_at));
		jadd(o, "observed_at", jtime(l->observed_at));
		jadd(o, "window_over", json_object_new_boolean(v.over));
		jadd(o, "weekly_over", json_object_new_boolean(v.weekly_over));
		jadd(o, "individual_percent", v.individual_percent >= 0 ? jnum(v.individual_percent) : NULL);
		jadd(o, "individual_resets_at", jtime(v.individual_resets_at));
		json_object_array_add(a, o);
	}
	return a;
}

/* bl: the agent's blocks */
static struct json_object *quota_json(const struct model *m, const struct report_ctx *c, enum agent a,
				      const struct blocks *bl)
{
	struct quota q;
	quota_compute_from(m, a, bl, c->now, &c->quota, c->official, &q);
	bool official = q.official_percent >= 0;
	if (!rep_agent_present(m, a) && !official &&
	    !(agent_limits_from(a, AGENT_LIMITS_TRANSCRIPT) &&
	      (model_account_limits(m)->present || model_limit_families(m)->n)))
		return NULL;
	struct json_object *o = json_object_new_object();
	const char *unit = q.unit == QUOTA_TOKENS ? "tokens" : "usd";
	if (agent_limits_from(a, AGENT_LIMITS_STATUSLINE)) {
		jadd(o, "block_start", jtime(q.block_start));
		jadd(o, "used", jround(q.used, 6));
		jadd(o, "limit", q.limit > 0 ? jround(q.limit, 6) : NULL);
		jadd(o, "unit", json_object_new_string(unit));
		jadd(o, "percent", q.percent >= 0 ? jround(q.percent, 3) : NULL);
		jadd(o, "official_percent", official ? jnum(q.official_percent) : NULL);
		jadd(o, "resets_at", jtime(q.resets_at));
		jadd(o, "burn_per_min", q.has_block ? jround(q.unit == QUOTA_TOKENS ? q.tokens_per_min_15
										 : q.usd_per_hour_15 / 60, 6) : NULL);
		jadd(o, "projected_percent", q.projected_percent >= 0 ? jround(q.projected_percent, 3) : NULL);
		jadd(o, "limit_at", jtime(q.limit_at));
		jadd(o, "weekly_percent", q.weekly_percent >= 0 ? jnum(q.weekly_percent) : NULL);
		jadd(o, "weekly_resets_at", jtime(q.weekly_resets_at));
		jadd(o, "observed_at", jtime(q.observed_at));
		jadd(o, "spend_limit_percent", q.spend_percent >= 0 ? jnum(q.spend_percent) : NULL);
	} else {
		jadd(o, "percent", official ? jnum(q.official_percent) : NULL);
		jadd(o, "window_minutes", q.window_minutes ? json_object_new_int(q.window_minutes) : NULL);
		jadd(o, "resets_at", jtime(q.official_resets_at));
		jadd(o, "weekly_percent", q.weekly_percent >= 0 ? jnum(q.weekly_percent) : NULL);
		jadd(o, "weekly_resets_at", jtime(q.weekly_resets_at));
		jadd(o, "observed_at", jtime(q.observed_at));
		jadd(o, "block_start", jtime(q.block_start));
		jadd(o, "used", jround(q.used, 6));
		jadd(o, "limit", q.limit > 0 ? jround(q.limit, 6) : NULL);
		jadd(o, "unit", json_object_new_string(unit));
		jadd(o, "estimated_percent", q.percent >= 0 ? jround(q.percent, 3) : NULL);
		jadd(o, "window_over", json_object_new_boolean(q.official_over));
		jadd(o, "weekly_over", json_object_new_boolean(q.weekly_over));
		jadd(o, "limits", limits_json(m, c->now));
	}
	jadd(o, "tokens_per_min", q.has_block ? jround(q.tokens_per_min_15, 3) : NULL);
	jadd(o, "usd_per_hour", q.has_block ? jround(q.usd_per_hour_15, 6) : NULL);
	jadd(o, "wasted_usd", q.has_block ? jround(q.wasted_usd, 9) : NULL);
	jadd(o, "wasted_share", q.has_block ? jrate(q.wasted_share) : NULL);
	return o;
}

/* one object per agent with official limits, by its name; bl: every agent's blocks */
static struct json_object *quotas_json(const struct model *m, const struct report_ctx *c, const struct blocks *bl)
{
	struct json_object *quota = json_object_new_object();
	for (int a = 0; a < AGENT_COUNT; a++)
		if (agent_table[a].limits != AGENT_LIMITS_NONE)
			jadd(quota, agent_table[a].name, quota_json(m, c, (enum agent)a, &bl[a]));
	return quota;
}

#define JFLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Append one value (NULL is JSON null) and release it. */
static void put(struct buf *out, struct json_object *v)
{
	buf_puts(out, v ? json_object_to_json_string_ext(v, JFLAGS) : "null");
	json_object_put(v);
}

static void put_key(struct buf *out, const char *key, struct json_object *v)
{
	buf_printf(out, ",\n\"%s\": ", key);
	put(out, v);
}

/* The report is written member by member, and sessions and events one object at a time (one per
 * line), so memory holds one small json-c tree at a time rather than the whole report's:
 * json-c spends ~100 bytes per value, which at millions of requests was most of the peak.
 * It is cut into pieces (the head and totals, runs of sessions, runs of events, the tail) that
 * each only read the model and the plan, so that a caller may write them on several threads. */
#define PLAN_RUN 128 /* sessions or events per piece */

struct report_json_plan {
	const struct model *m;
	const struct report_ctx *c;
	uint32_t *ss, *ev;      /* sessions and events in the report's order */
	size_t nss, nev;
	size_t sess_pieces, ev_pieces;
	struct evidence_set es;
};

struct report_json_plan *report_json_plan_new(const struct model *m, const struct report_ctx *c)
{
	struct report_json_plan *p = xcalloc(1, sizeof *p);
	p->m = m;
	p->c = c;
	p->ss = rep_sorted_sessions(m, &p->nss);
	p->ev = rep_sorted_events(m, &p->nev);
	evidence_compute(m, c->ledgers, &p->es);
	p->sess_pieces = (p->nss + PLAN_RUN - 1) / PLAN_RUN;
	p->ev_pieces = (p->nev + PLAN_RUN - 1) / PLAN_RUN;
	return p;
}

/* the head, the sessions' runs, the events' opening, their runs, their end */
size_t report_json_plan_pieces(const struct report_json_plan *p) { return 3 + p->sess_pieces + p->ev_pieces; }

static void piece_head(const struct report_json_plan *p, struct buf *out)
{
	const struct model *m = p->m;
	const struct report_ctx *c = p->c;
	buf_puts(out, "{\"version\": 1");
	put_key(out, "generated_at", jtime(c->now));
	struct json_object *roots = json_object_new_array();
	for (size_t i = 0; i < c->nroots; i++) {
		struct json_object *r = json_object_new_object();
		jadd(r, "kind", json_object_new_string(agent_name(c->roots[i].agent)));
		jadd(r, "path", jtext(c->roots[i].path));
		jadd(r, "files", ju64(c->roots[i].files));
		jadd(r, "exists", json_object_new_boolean(c->roots[i].exists));
		json_object_array_add(roots, r);
	}
	put_key(out, "roots", roots);
	const struct model_stats *st = model_stats(m);
	buf_puts(out, ",\n\"totals\": {");
	struct jw tw = {out, false};
	write_totals(&tw, model_totals(m));
	jw_u64(&tw, "duplicate_lines_dropped", st->duplicate_lines);
	jw_u64(&tw, "malformed_lines", st->malformed);
	jw_u64(&tw, "synthetic_lines", st->synthetic);
	jw_u64(&tw, "lines", st->lines);
	buf_puts(out, "}");
	buf_puts(out, ",\n\"sessions\": [");
}

void report_json_piece(const struct report_json_plan *p, size_t k, struct buf *out)
{
	const struct model *m = p->m;
	if (k == 0) {
		piece_head(p, out);
		return;
	}
	k--;
	if (k < p->sess_pieces) {
		for (size_t i = k * PLAN_RUN; i < p->nss && i < (k + 1) * PLAN_RUN; i++) {
			buf_puts(out, i ? ",\n  " : "\n  ");
			write_session(out, m, model_session(m, p->ss[i]), p->c->ledgers);
		}
		return;
	}
	k -= p->sess_pieces;
	if (k == 0) {
		buf_puts(out, p->nss ? "\n]" : "]");
		buf_puts(out, ",\n\"events\": [");
		return;
	}
	k--;
	if (k < p->ev_pieces) {
		for (size_t i = k * PLAN_RUN; i < p->nev && i < (k + 1) * PLAN_RUN; i++) {
			buf_puts(out, i ? ",\n  " : "\n  ");
			write_event(out, m, model_event(m, p->ev[i]), &p->es.ev[p->ev[i]], CT_TIME_NONE);
		}
		return;
	}
	buf_puts(out, p->nev ? "\n]" : "]");
}

void report_json_plan_free(struct report_json_plan *p)
{
	if (!p)
		return;
	evidence_free(&p->es);
	free(p->ss);
	free(p->ev);
	free(p);
}

void report_json_tail(const struct model *m, const struct report_ctx *c, const struct blocks *given,
		      struct buf *out)
{
	put_key(out, "pairs", pairs_json(m));
	struct blocks bl[AGENT_COUNT] = {{0}};
	if (!given)
		for (int a = 0; a < AGENT_COUNT; a++)
			blocks_compute(m, (enum agent)a, &bl[a]);
	write_blocks(out, given ? given : bl);
	put_key(out, "quota", quotas_json(m, c, given ? given : bl));
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&bl[a]);
	buf_puts(out, "\n}\n");
}

void report_json(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	struct report_json_plan *p = report_json_plan_new(m, c);
	for (size_t k = 0, n = report_json_plan_pieces(p); k < n; k++)
		report_json_piece(p, k, out);
	report_json_plan_free(p);
	report_json_tail(m, c, NULL, out);
}

void report_event_line_ledgers(const struct model *m, size_t event, int64_t observed_at,
			       const struct ledger_set *ledgers, struct buf *out)
{
	const struct cache_event *e = model_event(m, event);
	if (!e)
		return;
	struct event_evidence ev;
	evidence_of_event(m, ledgers, event, &ev);
	write_event(out, m, e, &ev, observed_at);
	buf_puts(out, "\n");
}

void report_event_line(const struct model *m, size_t event, int64_t observed_at, struct buf *out)
{
	report_event_line_ledgers(m, event, observed_at, NULL, out);
}

void report_retract_line(const char *event, size_t n, int64_t observed_at, struct buf *out)
{
	while (n && (event[n - 1] == '\n' || event[n - 1] == '\r'))
		n--;
	struct jw w = {out, false};
	buf_puts(out, "{");
	jw_str(&w, "kind", "retract");
	jw_time(&w, "observed_at", observed_at);
	jw_key(&w, "event");
	buf_append(out, event, n);
	buf_puts(out, "}\n");
}

void report_quota_line(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	struct json_object *o = json_object_new_object();
	jadd(o, "kind", json_object_new_string("quota"));
	jadd(o, "observed_at", jtime(c->now));
	struct blocks bl[AGENT_COUNT] = {{0}};
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_compute(m, (enum agent)a, &bl[a]);
	jadd(o, "quota", quotas_json(m, c, bl));
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&bl[a]);
	buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_puts(out, "\n");
	json_object_put(o);
}
