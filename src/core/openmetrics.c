/* openmetrics.c — `report --openmetrics`: the model's counters per agent and project (a session's
 * working directory) and the 5-hour gauges per agent, in the Prometheus text exposition format
 * that promtool and node_exporter's textfile collector parse (counter TYPE lines name the
 * `_total` series), closed by OpenMetrics' `# EOF`. Series are sorted, so equal models give equal
 * text. Only the public model and quota API is used. */
#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "cachetop/sanitize.h"

/* The unexpected causes always get a series (zero included) so that rate() works from the
 * first scrape; other causes only appear once seen. */
static const enum cause om_unexpected[] = { CAUSE_RESUME_MISS, CAUSE_UNEXPLAINED_MISS };

struct om_group {
	enum agent agent;
	const char *project;         /* the session's cwd; "" when unknown */
	char *label;                 /* escaped `agent="…",project="…"` */
	struct totals tot;
	uint64_t events[CAUSE_COUNT];
};

struct om_sort {
	enum agent agent;
	const char *project;
	uint32_t session;
};

static int om_sort_cmp(const void *a, const void *b)
{
	const struct om_sort *x = a, *y = b;
	if (x->agent != y->agent)
		return x->agent < y->agent ? -1 : 1;
	int c = strcmp(x->project, y->project);
	if (c)
		return c;
	return x->session < y->session ? -1 : x->session > y->session;
}

/* A label value: valid UTF-8 without controls (transcript text is untrusted), then the three
 * escapes the format defines. */
static void om_label_value(struct buf *out, const char *s)
{
	size_t n = strlen(s), cap = n * 3 + 4;
	char *clean = xmalloc(cap);
	sanitize_text(s, n, clean, cap, true);
	for (const char *p = clean; *p; p++) {
		if (*p == '\\')
			buf_puts(out, "\\\\");
		else if (*p == '"')
			buf_puts(out, "\\\"");
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else
			buf_append(out, p, 1);
	}
	free(clean);
}

static void om_family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Values: integers exactly, floats with enough digits for money and ratios, never NaN/Inf. */
static void om_u64(struct buf *out, const char *name, const char *labels, uint64_t v)
{
	buf_printf(out, "%s{%s} %" PRIu64 "\n", name, labels, v);
}

static void om_double(struct buf *out, const char *name, const char *labels, double v)
{
	if (!isfinite(v))
		return;
	buf_printf(out, "%s{%s} %.10g\n", name, labels, v == 0 ? 0.0 : v);
}

static void om_tokens(struct buf *out, const struct om_group *g)
{
	static const char *const kinds[] = { "input", "output", "cache_read", "cache_creation_5m",
					     "cache_creation_1h" };
	const uint64_t v[] = { g->tot.input, g->tot.output, g->tot.cache_read, g->tot.cc5m,
			       g->tot.cc1h };
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
		buf_printf(out, "cachetop_tokens_total{%s,kind=\"%s\"} %" PRIu64 "\n", g->label, kinds[k],
			   v[k]);
}

static void om_add_totals(struct totals *a, const struct totals *b)
{
	a->requests += b->requests;
	a->input += b->input;
	a->output += b->output;
	a->cache_creation += b->cache_creation;
	a->cc5m += b->cc5m;
	a->cc1h += b->cc1h;
	a->cache_read += b->cache_read;
	a->cost_usd += b->cost_usd;
	a->unpriced += b->unpriced;
	a->wasted_tokens += b->wasted_tokens;
	a->wasted_usd += b->wasted_usd;
	a->rebuild_usd += b->rebuild_usd;
	a->unexpected += b->unexpected;
}

/* Groups of sessions with the same (agent, project), sorted; sess_group maps a session to its
 * group index, or SIZE_MAX for sessions with no counted request. */
static size_t om_groups(const struct model *m, struct om_group **groups_out, size_t **sess_group_out)
{
	size_t ns = model_session_count(m), nsort = 0, ngroups = 0;
	struct om_sort *order = xcalloc(ns, sizeof *order);
	size_t *sess_group = xcalloc(ns, sizeof *sess_group);
	struct om_group *groups = xcalloc(ns, sizeof *groups);

	for (size_t i = 0; i < ns; i++) {
		const struct session *s = model_session(m, i);
		sess_group[i] = SIZE_MAX;
		if (s->tot.requests == 0)
			continue;
		order[nsort++] = (struct om_sort){ s->agent, s->project ? s->project : "", (uint32_t)i };
	}
	qsort(order, nsort, sizeof *order, om_sort_cmp);

	for (size_t i = 0; i < nsort; i++) {
		if (!ngroups || groups[ngroups - 1].agent != order[i].agent ||
		    strcmp(groups[ngroups - 1].project, order[i].project) != 0) {
			struct om_group *g = &groups[ngroups++];
			g->agent = order[i].agent;
			g->project = order[i].project;
			struct buf lb = { 0 };
			buf_printf(&lb, "agent=\"%s\",project=\"", agent_name(g->agent));
			om_label_value(&lb, g->project);
			buf_puts(&lb, "\"");
			g->label = xstrdup(buf_cstr(&lb));
			buf_free(&lb);
		}
		struct om_group *g = &groups[ngroups - 1];
		om_add_totals(&g->tot, &model_session(m, order[i].session)->tot);
		sess_group[order[i].session] = ngroups - 1;
	}
	free(order);

	/* Events of counted requests, by cause, into their session's group. */
	for (size_t e = 0, ne = model_event_count(m); e < ne; e++) {
		const struct cache_event *ev = model_event(m, e);
		const struct request *r = model_request(m, ev->request);
		if (!(r->flags & REQ_COUNTED) || ev->cause >= CAUSE_COUNT)
			continue;
		size_t gi = sess_group[r->session];
		if (gi != SIZE_MAX)
			groups[gi].events[ev->cause]++;
	}

	*groups_out = groups;
	*sess_group_out = sess_group;
	return ngroups;
}

void report_openmetrics(const struct model *m, const struct report_ctx *c, struct buf *out)
{
	struct om_group *g;
	size_t *sess_group;
	size_t ng = om_groups(m, &g, &sess_group);

	om_family(out, "cachetop_requests_total", "counter", "API requests read from the transcripts.");
	for (size_t i = 0; i < ng; i++)
		om_u64(out, "cachetop_requests_total", g[i].label, g[i].tot.requests);

	om_family(out, "cachetop_tokens_total", "counter",
		  "Tokens by kind (input is uncached input; cache_creation is split by cache lifetime).");
	for (size_t i = 0; i < ng; i++)
		om_tokens(out, &g[i]);

	om_family(out, "cachetop_cache_hit_ratio", "gauge",
		  "Cache read tokens over prompt tokens (input + cache creation + cache read).");
	for (size_t i = 0; i < ng; i++) {
		double h = totals_hit(&g[i].tot);
		if (h >= 0)
			om_double(out, "cachetop_cache_hit_ratio", g[i].label, h);
	}

	om_family(out, "cachetop_cache_events_total", "counter",
		  "Cold requests and warm first requests after a resume, by cause.");
	for (size_t i = 0; i < ng; i++)
		for (int k = CAUSE_NONE + 1; k < CAUSE_COUNT; k++)
			if (g[i].events[k])
				buf_printf(out, "cachetop_cache_events_total{%s,cause=\"%s\"} %" PRIu64 "\n",
					   g[i].label, cause_name((enum cause)k), g[i].events[k]);

	om_family(out, "cachetop_unexpected_misses_total", "counter",
		  "Cache misses inside the cache lifetime: after a resume, or unexplained.");
	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < sizeof om_unexpected / sizeof om_unexpected[0]; k++)
			buf_printf(out, "cachetop_unexpected_misses_total{%s,cause=\"%s\"} %" PRIu64 "\n",
				   g[i].label, cause_name(om_unexpected[k]), g[i].events[om_unexpected[k]]);

	/* counters that are one field of the group's totals */
	static const struct {
		const char *name, *help;
		size_t offset;
		bool usd;
	} plain[] = {
		{"cachetop_wasted_tokens_total", "Tokens written to the cache again because of unexpected misses.",
		 offsetof(struct totals, wasted_tokens), false},
		{"cachetop_wasted_usd_total", "US dollars spent on cache rewrites caused by unexpected misses.",
		 offsetof(struct totals, wasted_usd), true},
		{"cachetop_cost_usd_total", "US dollars of the requests whose model has a price.",
		 offsetof(struct totals, cost_usd), true},
		{"cachetop_unpriced_requests_total", "Requests whose model has no price (not included in the cost).",
		 offsetof(struct totals, unpriced), false},
	};
	for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
		om_family(out, plain[k].name, "counter", plain[k].help);
		for (size_t i = 0; i < ng; i++) {
			const char *field = (const char *)&g[i].tot + plain[k].offset;
			if (plain[k].usd)
				om_double(out, plain[k].name, g[i].label, *(const double *)(const void *)field);
			else
				om_u64(out, plain[k].name, g[i].label, *(const uint64_t *)(const void *)field);
		}
	}

	om_family(out, "cachetop_five_hour_used_percent", "gauge",
		  "Use of the current 5-hour quota window, estimated from the transcripts or official.");
	for (int a = 0; a < AGENT_COUNT; a++) {
		struct quota q;
		quota_compute(m, (enum agent)a, c->now, &c->quota,
			      agent_limits_from((enum agent)a, AGENT_LIMITS_STATUSLINE) ? c->official : NULL, &q);
		char labels[96];
		if (q.percent >= 0) {
			snprintf(labels, sizeof labels, "agent=\"%s\",source=\"estimated\"",
				 agent_name((enum agent)a));
			om_double(out, "cachetop_five_hour_used_percent", labels, q.percent);
		}
		if (q.official_percent >= 0) {
			snprintf(labels, sizeof labels, "agent=\"%s\",source=\"official\"",
				 agent_name((enum agent)a));
			om_double(out, "cachetop_five_hour_used_percent", labels, q.official_percent);
		}
	}

	buf_puts(out, "# EOF\n");

	for (size_t i = 0; i < ng; i++)
		free(g[i].label);
	free(g);
	free(sess_group);
}
