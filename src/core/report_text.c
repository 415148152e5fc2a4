/* report_text.c — `cachetop report` as text (for people: tables, sanitised) and as CSV (one
 * row per cold request). It lists what report.c lists, in the same order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/fmt.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "cachetop/sanitize.h"
#include "cachetop/timefmt.h"
#include "report_private.h"

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
	uint32_t *ss = rep_sorted_sessions(m, &n);
	bool present[AGENT_COUNT];
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		present[ag] = rep_agent_present(m, (enum agent)ag);
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

	uint32_t *ev = rep_sorted_events(m, &n);
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
		quota_compute(m, (enum agent)ag, c->now, &c->quota, c->official, &q);
		if (!rep_agent_present(m, (enum agent)ag) && q.official_percent < 0)
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
	uint32_t *ss = rep_sorted_sessions(m, &n);
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
			   s->resumed_from >= 0 ? rep_sid(m, s->resumed_from) : "");
	}
	free(ss);
}
