/* report.c — `cachetop report` in text, JSON (report-schema.md, built with json-c) and CSV, and
 * the one-object-per-line events of `watch --jsonl`. Reads the model; never changes it. Text
 * output sanitises everything that came from a transcript. */
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

/* ---- JSON helpers ---------------------------------------------------------------------- */

static struct json_object *jtime(int64_t ms)
{
	if (ms == CT_TIME_NONE)
		return NULL;
	char b[32];
	rfc3339_format(ms, b);
	return json_object_new_string(b);
}

/* Doubles printed with 15 significant digits: json-c's default %.17g shows binary noise
 * (0.95882199999999995 for a rate rounded to 0.958822). b holds >= 48 bytes. */
static void num_text(char *b, double v)
{
	snprintf(b, 48, "%.15g", v);
	if (!strpbrk(b, ".eEn")) /* keep it a JSON number that reads back as a double */
		strcat(b, ".0");
}
static struct json_object *jnum(double v)
{
	char b[48];
	num_text(b, v);
	return json_object_new_double_s(v, b);
}
/* A rounded double's text: costs to 1e-9 USD, rates to 1e-6, so output is stable across
 * platforms. The same text as num_text of the rounded value, mostly without printf. */
static void fixed_text(char *b, double v, int decimals)
{
	static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	int n = ct_fmt_fixed(b, v, decimals);
	if (n < 0) {
		double r = round(v * scale[decimals]) / scale[decimals];
		num_text(b, r == 0 ? 0 : r); /* no "-0" */
	} else if (!memchr(b, '.', (size_t)n)) {
		memcpy(b + n, ".0", 3);
	}
}
static struct json_object *jround(double v, int decimals)
{
	char b[48];
	fixed_text(b, v, decimals);
	return json_object_new_double_s(v, b);
}
static struct json_object *jrate(double v) { return v < 0 ? NULL : jround(v, 6); }
static struct json_object *jusd(double v) { return v < 0 ? NULL : jround(v, 9); }
/* An integer as json-c would print it, formatted here: json-c's printf per integer was a third
 * of a report. The double_s object prints exactly the text it is given. */
static struct json_object *ju64(uint64_t v)
{
	char b[24];
	ct_fmt_u64(b, v);
	return json_object_new_double_s((double)v, b);
}
/* Every key here is a literal added once per object: json-c need not copy it or look it up. */
static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add_ex(o, k, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

/* JSON text must be UTF-8 (RFC 8259); ids, paths and titles from transcripts need not be:
 * invalid sequences become U+FFFD (json-c escapes the controls). */
static struct json_object *jtext(const char *s)
{
	if (!s)
		return NULL;
	char *v = sanitize_utf8_dup(s);
	struct json_object *o = json_object_new_string(v);
	free(v);
	return o;
}

/* ---- a streaming writer for the report's many sessions and events ---------------------- */
/* A json-c tree per session and event (an allocation and a hash insert per member, a printf per
 * number) was most of a report's time: ~45 ms for 4,400 objects. These objects are written
 * straight into the output, byte for byte as json-c writes them (PLAIN, no slash escapes);
 * the unit tests compare the two. json-c still writes the rest. */
struct jw {
	struct buf *b;
	bool more; /* a member is already written in this object */
};

void report_json_string(struct buf *b, const char *s)
{
	/* the short escapes json-c writes, and \u00XX (lower-case hex) for the other controls */
	static const char plain[] = "\"\\\b\f\n\r\t", named[] = "\"\\bfnrt", hex[] = "0123456789abcdef";
	buf_reserve(b, strlen(s) + 2);
	buf_append(b, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		buf_append(b, run, (size_t)((const char *)p - run));
		const char *short_form = strchr(plain, *p);
		if (short_form) {
			char e[2] = {'\\', named[short_form - plain]};
			buf_append(b, e, 2);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, u, 6);
		}
		run = (const char *)p + 1;
	}
	buf_puts(b, run);
	buf_append(b, "\"", 1);
}

static void jw_key(struct jw *w, const char *k)
{
	buf_append(w->b, w->more ? ",\"" : "\"", w->more ? 2 : 1);
	buf_puts(w->b, k);
	buf_append(w->b, "\":", 2);
	w->more = true;
}
static void jw_null(struct jw *w, const char *k) { jw_key(w, k), buf_append(w->b, "null", 4); }
static void jw_str(struct jw *w, const char *k, const char *v) { jw_key(w, k), report_json_string(w->b, v); }
/* text from a transcript: made valid UTF-8 first, as jtext (ASCII, the usual case, is) */
static void put_text(struct buf *b, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	while (*p && *p < 0x80)
		p++;
	if (!*p) {
		report_json_string(b, v);
		return;
	}
	char *clean = sanitize_utf8_dup(v);
	report_json_string(b, clean);
	free(clean);
}
/* the same as a member; NULL is null */
static void jw_text(struct jw *w, const char *k, const char *v)
{
	if (!v) {
		jw_null(w, k);
		return;
	}
	jw_key(w, k);
	put_text(w->b, v);
}
static void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	char b[24];
	size_t n = ct_fmt_u64(b, v);
	jw_key(w, k);
	buf_append(w->b, b, n);
}
static void jw_int(struct jw *w, const char *k, int v)
{
	char b[24];
	size_t n = 0;
	if (v < 0)
		b[n++] = '-';
	n += ct_fmt_u64(b + n, v < 0 ? (uint64_t)0 - (uint64_t)(int64_t)v : (uint64_t)v);
	jw_key(w, k);
	buf_append(w->b, b, n);
}
static void jw_bool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	buf_puts(w->b, v ? "true" : "false");
}
static void jw_fixed(struct jw *w, const char *k, double v, int decimals)
{
	char b[48];
	fixed_text(b, v, decimals);
	jw_key(w, k);
	buf_puts(w->b, b);
}
static void jw_rate(struct jw *w, const char *k, double v) { v < 0 ? jw_null(w, k) : jw_fixed(w, k, v, 6); }
static void jw_usd(struct jw *w, const char *k, double v) { v < 0 ? jw_null(w, k) : jw_fixed(w, k, v, 9); }
static void jw_time(struct jw *w, const char *k, int64_t ms)
{
	if (ms == CT_TIME_NONE) {
		jw_null(w, k);
		return;
	}
	char b[32];
	rfc3339_format(ms, b);
	jw_str(w, k, b);
}

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

static const char *sid(const struct model *m, int32_t i)
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

static uint32_t *sorted_sessions(const struct model *m, size_t *n)
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

static uint32_t *sorted_events(const struct model *m, size_t *n)
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

static void jw_count(struct jw *w, const char *k, int64_t v) { v < 0 ? jw_null(w, k) : jw_u64(w, k, (uint64_t)v); }

/* "agent_ledger": Claude Code's latest prompt_cache reading for the session, or null */
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
		put_text(b, model_file(m, fv[i])->path);
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
	jw_text(&w, "resumed_from", sid(m, s->resumed_from));
	jw_key(&w, "models");
	buf_puts(b, "[");
	for (uint8_t i = 0; i < s->nmodels; i++) {
		if (i)
			buf_puts(b, ",");
		put_text(b, model_model_name(m, s->models[i]));
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

/* "evidence", "floor_tokens", and how Claude Code's own ledger saw the miss */
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
	jw_text(&w, "resumed_from", sid(m, e->resumed_from));
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
		add(o, "gap_bucket", json_object_new_string(pb[i].name));
		add(o, "baseline_requests", ju64(pb[i].baseline_n));
		add(o, "baseline_hit_rate", jrate(pb[i].baseline_hit));
		add(o, "resume_requests", ju64(pb[i].resume_n));
		add(o, "resume_hit_rate", jrate(pb[i].resume_hit));
		bool both = pb[i].baseline_n && pb[i].resume_n;
		add(o, "delta_pp", both ? jround((pb[i].resume_hit - pb[i].baseline_hit) * 100, 3) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* b: every agent's blocks */
static struct json_object *blocks_json(const struct blocks *b)
{
	struct json_object *arr = json_object_new_array();
	size_t i[AGENT_COUNT] = {0};
	for (;;) {
		/* merge the agents' lists by start time */
		int pick = -1;
		for (int a = 0; a < AGENT_COUNT; a++)
			if (i[a] < b[a].n && (pick < 0 || b[a].v[i[a]].start < b[pick].v[i[pick]].start))
				pick = a;
		if (pick < 0)
			break;
		const struct block *x = &b[pick].v[i[pick]++];
		struct json_object *o = json_object_new_object();
		add(o, "agent", json_object_new_string(agent_name(x->agent)));
		add(o, "start", jtime(x->start));
		add(o, "end", jtime(x->end));
		add(o, "first_at", jtime(x->first));
		add(o, "last_at", jtime(x->last));
		add(o, "requests", ju64(x->requests));
		add(o, "input_tokens", ju64(x->input));
		add(o, "output_tokens", ju64(x->output));
		add(o, "cache_creation_tokens", ju64(x->cache_creation));
		add(o, "cache_read_tokens", ju64(x->cache_read));
		add(o, "cost_usd", x->unpriced == x->requests ? NULL : jusd(x->cost_usd));
		add(o, "wasted_usd", jusd(x->wasted_usd));
		add(o, "wasted_share", x->cost_usd > 0 ? jrate(x->wasted_usd / x->cost_usd) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

static bool agent_present(const struct model *m, enum agent a)
{
	for (size_t i = 0; i < model_session_count(m); i++)
		if (model_session(m, i)->agent == a && model_session(m, i)->tot.requests)
			return true;
	return false;
}

/* codex.limits: every family, newest reading each (report-schema.md) */
static struct json_object *limits_json(const struct model *m, int64_t now)
{
	const struct codex_limits *ls = model_codex_limits(m);
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < ls->n; i++) {
		const struct codex_limit *l = &ls->v[i];
		struct limit_view v;
		codex_limit_view(l, now, &v);
		struct json_object *o = json_object_new_object();
		add(o, "limit_id", jtext(l->id));
		add(o, "name", l->name[0] ? jtext(l->name) : NULL);
		add(o, "percent", v.percent >= 0 ? jnum(v.percent) : NULL);
		add(o, "window_minutes", v.window_minutes ? json_object_new_int(v.window_minutes) : NULL);
		add(o, "resets_at", jtime(v.resets_at));
		add(o, "weekly_percent", v.weekly_percent >= 0 ? jnum(v.weekly_percent) : NULL);
		add(o, "weekly_resets_at", jtime(v.weekly_resets_at));
		add(o, "observed_at", jtime(l->observed_at));
		add(o, "window_over", json_object_new_boolean(v.over));
		add(o, "weekly_over", json_object_new_boolean(v.weekly_over));
		add(o, "individual_percent", v.individual_percent >= 0 ? jnum(v.individual_percent) : NULL);
		add(o, "individual_resets_at", jtime(v.individual_resets_at));
		json_object_array_add(a, o);
	}
	return a;
}

/* bl: the agent's blocks */
static struct json_object *quota_json(const struct model *m, const struct report_ctx *c, enum agent a,
				      const struct blocks *bl)
{
	struct quota q;
	quota_compute_from(m, a, bl, c->now, &c->quota, c->claude_official, &q);
	bool official = q.official_percent >= 0;
	if (!agent_present(m, a) && !official &&
	    !(agent_limits_from(a, AGENT_LIMITS_TRANSCRIPT) && (model_codex_quota(m)->present || model_codex_limits(m)->n)))
		return NULL;
	struct json_object *o = json_object_new_object();
	const char *unit = q.unit == QUOTA_TOKENS ? "tokens" : "usd";
	if (agent_limits_from(a, AGENT_LIMITS_STATUSLINE)) {
		add(o, "block_start", jtime(q.block_start));
		add(o, "used", jround(q.used, 6));
		add(o, "limit", q.limit > 0 ? jround(q.limit, 6) : NULL);
		add(o, "unit", json_object_new_string(unit));
		add(o, "percent", q.percent >= 0 ? jround(q.percent, 3) : NULL);
		add(o, "official_percent", official ? jnum(q.official_percent) : NULL);
		add(o, "resets_at", jtime(q.resets_at));
		add(o, "burn_per_min", q.has_block ? jround(q.unit == QUOTA_TOKENS ? q.tokens_per_min_15
										 : q.usd_per_hour_15 / 60, 6) : NULL);
		add(o, "projected_percent", q.projected_percent >= 0 ? jround(q.projected_percent, 3) : NULL);
		add(o, "limit_at", jtime(q.limit_at));
		add(o, "weekly_percent", q.weekly_percent >= 0 ? jnum(q.weekly_percent) : NULL);
		add(o, "weekly_resets_at", jtime(q.weekly_resets_at));
		add(o, "observed_at", jtime(q.observed_at));
		add(o, "spend_limit_percent", q.spend_percent >= 0 ? jnum(q.spend_percent) : NULL);
	} else {
		add(o, "percent", official ? jnum(q.official_percent) : NULL);
		add(o, "window_minutes", q.window_minutes ? json_object_new_int(q.window_minutes) : NULL);
		add(o, "resets_at", jtime(q.official_resets_at));
		add(o, "weekly_percent", q.weekly_percent >= 0 ? jnum(q.weekly_percent) : NULL);
		add(o, "weekly_resets_at", jtime(q.weekly_resets_at));
		add(o, "observed_at", jtime(q.observed_at));
		add(o, "block_start", jtime(q.block_start));
		add(o, "used", jround(q.used, 6));
		add(o, "limit", q.limit > 0 ? jround(q.limit, 6) : NULL);
		add(o, "unit", json_object_new_string(unit));
		add(o, "estimated_percent", q.percent >= 0 ? jround(q.percent, 3) : NULL);
		add(o, "window_over", json_object_new_boolean(q.official_over));
		add(o, "weekly_over", json_object_new_boolean(q.weekly_over));
		add(o, "limits", limits_json(m, c->now));
	}
	add(o, "tokens_per_min", q.has_block ? jround(q.tokens_per_min_15, 3) : NULL);
	add(o, "usd_per_hour", q.has_block ? jround(q.usd_per_hour_15, 6) : NULL);
	add(o, "wasted_usd", q.has_block ? jround(q.wasted_usd, 9) : NULL);
	add(o, "wasted_share", q.has_block ? jrate(q.wasted_share) : NULL);
	return o;
}

/* one object per agent with official limits, by its name; bl: every agent's blocks */
static struct json_object *quotas_json(const struct model *m, const struct report_ctx *c, const struct blocks *bl)
{
	struct json_object *quota = json_object_new_object();
	for (int a = 0; a < AGENT_COUNT; a++)
		if (agent_table[a].limits != AGENT_LIMITS_NONE)
			add(quota, agent_table[a].name, quota_json(m, c, (enum agent)a, &bl[a]));
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
 * json-c spends ~100 bytes per value, which at millions of requests was most of the peak. */
void report_json(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	buf_puts(out, "{\"version\": 1");
	put_key(out, "generated_at", jtime(c->now));
	struct json_object *roots = json_object_new_array();
	for (size_t i = 0; i < c->nroots; i++) {
		struct json_object *r = json_object_new_object();
		add(r, "kind", json_object_new_string(agent_name(c->roots[i].agent)));
		add(r, "path", jtext(c->roots[i].path));
		add(r, "files", ju64(c->roots[i].files));
		add(r, "exists", json_object_new_boolean(c->roots[i].exists));
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

	size_t n;
	uint32_t *ss = sorted_sessions(m, &n);
	buf_puts(out, ",\n\"sessions\": [");
	for (size_t i = 0; i < n; i++) {
		buf_puts(out, i ? ",\n  " : "\n  ");
		write_session(out, m, model_session(m, ss[i]), c->ledgers);
	}
	buf_puts(out, n ? "\n]" : "]");
	free(ss);

	uint32_t *ev = sorted_events(m, &n);
	struct evidence_set es;
	evidence_compute(m, c->ledgers, &es);
	buf_puts(out, ",\n\"events\": [");
	for (size_t i = 0; i < n; i++) {
		buf_puts(out, i ? ",\n  " : "\n  ");
		write_event(out, m, model_event(m, ev[i]), &es.ev[ev[i]], CT_TIME_NONE);
	}
	buf_puts(out, n ? "\n]" : "]");
	evidence_free(&es);
	free(ev);
	put_key(out, "pairs", pairs_json(m));
	struct blocks bl[AGENT_COUNT] = {{0}};
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_compute(m, (enum agent)a, &bl[a]);
	put_key(out, "blocks", blocks_json(bl));
	put_key(out, "quota", quotas_json(m, c, bl));
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&bl[a]);
	buf_puts(out, "\n}\n");
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
	add(o, "kind", json_object_new_string("quota"));
	add(o, "observed_at", jtime(c->now));
	struct blocks bl[AGENT_COUNT] = {{0}};
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_compute(m, (enum agent)a, &bl[a]);
	add(o, "quota", quotas_json(m, c, bl));
	for (int a = 0; a < AGENT_COUNT; a++)
		blocks_free(&bl[a]);
	buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_puts(out, "\n");
	json_object_put(o);
}

/* ---- text ------------------------------------------------------------------------------ */

/* numbers as on the screen (fmt.h); an unknown price is "no price", never $0 */
static void usd_text(char *b, size_t cap, double v, bool known)
{
	if (!known)
		v = -1;
	fmt_usd(v, b, cap);
}

static void clean(char *dst, size_t cap, const char *s, bool utf8)
{
	sanitize_text(s ? s : "", s ? strlen(s) : 0, dst, cap, utf8);
}

/* The last path component of a project, sanitised and cut to width. */
static void project_name(char *dst, size_t cap, const char *project, bool utf8)
{
	const char *p = project ? strrchr(project, '/') : NULL;
	clean(dst, cap, p && p[1] ? p + 1 : project ? project : "-", utf8);
}

void report_text(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	bool u = c->utf8;
	char a[64], b[64], d[64], e[160], f[64], g[64], h[64];
	buf_puts(out, "cachetop report\n");
	for (size_t i = 0; i < c->nroots; i++) {
		char p[512];
		clean(p, sizeof p, c->roots[i].path, u);
		buf_printf(out, "  %-6s %s  (%s, %llu files)\n", agent_name(c->roots[i].agent), p,
			   c->roots[i].exists ? "read" : "missing", (unsigned long long)c->roots[i].files);
	}
	const struct totals *t = model_totals(m);
	const struct model_stats *st = model_stats(m);
	fmt_pct(totals_hit(t), 1, a, sizeof a);
	usd_text(b, sizeof b, t->cost_usd, t->unpriced < t->requests || !t->requests);
	usd_text(d, sizeof d, t->wasted_usd, true);
	buf_printf(out, "\n%llu requests  hit %s%%  cost %s  wasted by unexpected misses %s (%llu misses)\n",
		   (unsigned long long)t->requests, a, b, d, (unsigned long long)t->unexpected);
	buf_printf(out, "%llu lines read, %llu duplicate lines dropped, %llu malformed, %llu synthetic\n",
		   (unsigned long long)st->lines, (unsigned long long)st->duplicate_lines,
		   (unsigned long long)st->malformed, (unsigned long long)st->synthetic);

	size_t n;
	uint32_t *ss = sorted_sessions(m, &n);
	bool present[AGENT_COUNT];
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		present[ag] = agent_present(m, (enum agent)ag);
	int aw = agent_names_width(present);
	buf_printf(out, "\nSESSIONS\n%-10s %-*s %-16s %5s %9s %9s %9s %9s %9s %6s %6s %9s\n", "SESSION", aw, "AGENT",
		   "PROJECT", "REQ", "INPUT", "WRITE5M", "WRITE1H", "READ", "OUTPUT", "HIT%", "CC/OUT", "COST");
	for (size_t i = 0; i < n; i++) {
		const struct session *s = model_session(m, ss[i]);
		char id[16], proj[64], cc5[16], cc1[16], rd[16], in[16], o[16], ratio[16];
		clean(id, 9, s->id, false); /* ids are ASCII; anything else pads by bytes */
		project_name(proj, 17, s->project, u);
		fmt_tokens(s->tot.input, in, sizeof in);
		fmt_tokens(s->tot.cc5m, cc5, sizeof cc5);
		fmt_tokens(s->tot.cc1h, cc1, sizeof cc1);
		fmt_tokens(s->tot.cache_read, rd, sizeof rd);
		fmt_tokens(s->tot.output, o, sizeof o);
		fmt_pct(totals_hit(&s->tot), 1, a, sizeof a);
		if (s->tot.output)
			snprintf(ratio, sizeof ratio, "%.2f%s", (double)s->tot.cache_creation / (double)s->tot.output,
				 (double)s->tot.cache_creation > 2.0 * (double)s->tot.output ? "!" : "");
		else
			snprintf(ratio, sizeof ratio, "-");
		usd_text(b, sizeof b, s->tot.cost_usd, s->tot.unpriced < s->tot.requests);
		buf_printf(out, "%-10s %-6s %-16s %5llu %9s %9s %9s %9s %9s %6s %6s %9s\n", id, agent_name(s->agent),
			   proj, (unsigned long long)s->tot.requests, in, cc5, cc1, rd, o, a, ratio, b);
	}
	free(ss);

	uint32_t *ev = sorted_events(m, &n);
	struct evidence_set es;
	evidence_compute(m, c->ledgers, &es);
	buf_printf(out, "\nCACHE EVENTS (%zu)\n%-19s %-10s %-16s %8s %15s %10s %10s\n", n, "TIME", "SESSION", "CAUSE",
		   "GAP", "HIT BEFORE>AFTER", "REWRITTEN", "COST");
	for (size_t i = 0; i < n; i++) {
		const struct cache_event *x = model_event(m, ev[i]);
		const struct request *r = model_request(m, x->request);
		char ts[32], id[16];
		rfc3339_format(r->t, ts);
		ts[19] = 0;
		ts[10] = ' ';
		clean(id, 9, model_session(m, r->session)->id, false);
		fmt_gap(x->gap_s, a, sizeof a);
		fmt_pct(x->prev_hit, 1, b, sizeof b);
		fmt_pct(x->hit, 1, d, sizeof d);
		snprintf(e, sizeof e, "%s%%>%s%%", b, d);
		fmt_tokens(cause_expected(x->cause) ? x->rebuild_tokens : x->wasted_tokens, f, sizeof f);
		double usd = cause_expected(x->cause) ? x->rebuild_usd : x->wasted_usd;
		if (x->cause == CAUSE_RESUME_HIT)
			snprintf(g, sizeof g, "-");
		else if (usd < 0)
			snprintf(g, sizeof g, "no price");
		else
			snprintf(g, sizeof g, "%s$%.3f", cause_expected(x->cause) ? "" : "-", usd);
		snprintf(h, sizeof h, "%s%s", cause_name(x->cause), cause_expected(x->cause) ? "" : " !");
		buf_printf(out, "%-19s %-10s %-16s %8s %15s %10s %10s", ts, id, h, a, e, f, g);
		for (unsigned w = 0, k = 0; w < EVIDENCE_WORDS; w++) /* the evidence words, when any */
			if (es.ev[ev[i]].words & (1u << w))
				buf_printf(out, "%s%s", k++ ? "," : "  ", evidence_word(w));
		buf_puts(out, "\n");
	}
	evidence_free(&es);
	free(ev);

	struct pair_bucket pb[PAIR_BUCKETS];
	pairs_compute(m, NULL, NULL, pb);
	buf_printf(out, "\nTTL-MATCHED PAIRS (same idle gap: ordinary request vs first request after a resume)\n"
			"%-7s %9s %9s %9s %9s %9s\n", "GAP", "BASE N", "BASE HIT", "RESUME N", "RES. HIT", "DELTA");
	for (int i = 0; i < PAIR_BUCKETS; i++) {
		fmt_pct(pb[i].baseline_hit, 1, a, sizeof a);
		fmt_pct(pb[i].resume_hit, 1, b, sizeof b);
		if (pb[i].baseline_n && pb[i].resume_n)
			snprintf(d, sizeof d, "%+.1f pp", (pb[i].resume_hit - pb[i].baseline_hit) * 100);
		else
			snprintf(d, sizeof d, "-");
		buf_printf(out, "%-7s %9llu %8s%% %9llu %8s%% %9s\n", pb[i].name, (unsigned long long)pb[i].baseline_n, a,
			   (unsigned long long)pb[i].resume_n, b, d);
	}

	buf_puts(out, "\n5-HOUR WINDOW\n");
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		struct quota q;
		quota_compute(m, (enum agent)ag, c->now, &c->quota, c->claude_official, &q);
		if (!agent_present(m, (enum agent)ag) && q.official_percent < 0)
			continue;
		buf_printf(out, "  %-6s ", agent_name((enum agent)ag));
		if (q.has_block) {
			char rs[32];
			rfc3339_format(q.resets_at, rs);
			rs[16] = 0;
			rs[10] = ' ';
			if (q.percent >= 0)
				buf_printf(out, "%.0f%% est (%.2f of %.2f %s)  ", q.percent, q.used, q.limit,
					   q.unit == QUOTA_TOKENS ? "tokens" : "USD");
			else
				buf_printf(out, "%s %.2f used  ", q.unit == QUOTA_TOKENS ? "tokens" : "USD", q.used);
			buf_printf(out, "burn $%.2f/h  resets %s UTC", q.usd_per_hour_15, rs);
		} else {
			buf_puts(out, "no active block");
		}
		if (q.official_percent >= 0)
			buf_printf(out, "  official %.0f%%", q.official_percent);
		else if (q.official_over)
			buf_puts(out, "  official: window over");
		if (q.weekly_percent >= 0)
			buf_printf(out, "  7d %.0f%%", q.weekly_percent);
		if (q.spend_percent >= 0)
			buf_printf(out, "  spend limit %.0f%%", q.spend_percent);
		buf_puts(out, "\n");
	}
}

void report_csv(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	(void)c;
	buf_puts(out, "session,agent,project,first_at,last_at,requests,input_tokens,output_tokens,"
		      "cache_creation_5m_tokens,cache_creation_1h_tokens,cache_read_tokens,hit_rate,cost_usd,"
		      "wasted_tokens,wasted_usd,resumed_from\n");
	size_t n;
	uint32_t *ss = sorted_sessions(m, &n);
	for (size_t i = 0; i < n; i++) {
		const struct session *s = model_session(m, ss[i]);
		char f[32], l[32], proj[1024];
		rfc3339_format(s->first_at, f);
		rfc3339_format(s->last_at, l);
		/* CSV quoting: double every quote; the field is always quoted */
		size_t k = 0;
		const char *p = s->project ? s->project : "";
		for (; *p && k + 2 < sizeof proj; p++) {
			if (*p == '"')
				proj[k++] = '"';
			proj[k++] = *p;
		}
		proj[k] = 0;
		double hit = totals_hit(&s->tot);
		buf_printf(out, "%s,%s,\"%s\",%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,", s->id, agent_name(s->agent), proj, f, l,
			   (unsigned long long)s->tot.requests, (unsigned long long)s->tot.input,
			   (unsigned long long)s->tot.output, (unsigned long long)s->tot.cc5m,
			   (unsigned long long)s->tot.cc1h, (unsigned long long)s->tot.cache_read);
		if (hit >= 0)
			buf_printf(out, "%.6f", hit);
		buf_puts(out, ",");
		if (s->tot.unpriced < s->tot.requests)
			buf_printf(out, "%.6f", s->tot.cost_usd);
		buf_printf(out, ",%llu,%.6f,%s\n", (unsigned long long)s->tot.wasted_tokens, s->tot.wasted_usd,
			   s->resumed_from >= 0 ? sid(m, s->resumed_from) : "");
	}
	free(ss);
}
