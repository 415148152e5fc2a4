/* words.c — what the evidence, the statusline agent's ledger and the official limits say, in words for
 * the screen: "kept 21.5k of 111k — system and tools matched, messages rewritten", "resumed after
 * an update 2.1.116 → 2.1.117", "MCP tools changed (−3)", the ledger beside cachetop's counts
 * and where the two disagree, and the lines of the limits panel. Pure: text in, text out; every
 * string that came from a transcript or the statusline goes through sanitize_text. */
#include "cachetop/render.h"

#include <stdio.h>
#include <string.h>

#include "cachetop/sanitize.h"
#include "cachetop/timefmt.h"

/* 950, 21.5k, 111k, 1.2M: short enough to sit in a sentence */
static char *tok_short(uint64_t n, char *out, size_t cap)
{
	if (n >= 100000 && n < 999500)
		snprintf(out, cap, "%.0fk", (double)n / 1e3);
	else
		fmt_tokens(n, out, cap);
	return out;
}

/* The name people know the agent by whose official limits come from k ("" when none): the
 * ledger's words name the statusline agent. */
static const char *limits_label(enum agent_limits k)
{
	enum agent a = agent_limits_owner(k);
	return a < AGENT_COUNT ? agent_get(a)->label : "";
}

/* Append to out[*o..cap) with "; " between phrases. */
static void phrase(char *out, size_t cap, size_t *o, const char *text)
{
	if (*o >= cap)
		return;
	int n = snprintf(out + *o, cap - *o, "%s%s", *o ? "; " : "", text);
	*o = n < 0 ? cap : *o + (size_t)n;
}

static void tools_phrase(const struct tools_delta *d, bool utf8, char *out, size_t cap)
{
	const char *minus = utf8 ? "\xE2\x88\x92" : "-";
	char parts[96] = "";
	size_t o = 0;
	if (d->added)
		o += (size_t)snprintf(parts + o, sizeof parts - o, "+%u", (unsigned)d->added);
	if (d->removed && o < sizeof parts)
		o += (size_t)snprintf(parts + o, sizeof parts - o, "%s%s%u", o ? " " : "", minus, (unsigned)d->removed);
	if (d->pending && o < sizeof parts)
		o += (size_t)snprintf(parts + o, sizeof parts - o, "%s%u server%s pending", o ? "; " : "",
				      (unsigned)d->pending, d->pending == 1 ? "" : "s");
	if (d->failed && o < sizeof parts)
		snprintf(parts + o, sizeof parts - o, "%s%u server%s failed", o ? "; " : "", (unsigned)d->failed,
			 d->failed == 1 ? "" : "s");
	snprintf(out, cap, "%s changed (%s)", d->mcp ? "MCP tools" : "tools", parts);
}

void evidence_describe(const struct event_evidence *e, const struct cache_event *ev, bool resumed, bool utf8,
		       char *out, size_t cap)
{
	size_t o = 0;
	char buf[256], a[32], b[32];
	out[0] = 0;
	if (e->words & EV_MESSAGES_REWRITTEN) {
		snprintf(buf, sizeof buf, "kept %s of %s %s system and tools matched, messages rewritten",
			 tok_short(e->floor_tokens, a, sizeof a), tok_short(ev->expected_prefix, b, sizeof b),
			 utf8 ? "\xE2\x80\x94" : "-");
		phrase(out, cap, &o, buf);
	}
	if (e->words & EV_AGENT_UPDATED) {
		char from[32], to[32];
		sanitize_text(e->version_from ? e->version_from : "?", e->version_from ? strlen(e->version_from) : 1,
			      from, sizeof from, utf8);
		sanitize_text(e->version_to ? e->version_to : "?", e->version_to ? strlen(e->version_to) : 1, to,
			      sizeof to, utf8);
		snprintf(buf, sizeof buf, "%s an update %s %s %s", resumed ? "resumed after" : "after", from,
			 utf8 ? "\xE2\x86\x92" : "->", to);
		phrase(out, cap, &o, buf);
	}
	if (e->words & EV_TOOLS_CHANGED) {
		tools_phrase(&e->tools, utf8, buf, sizeof buf);
		phrase(out, cap, &o, buf);
	}
	if (e->words & EV_TTL_DOWNGRADED)
		phrase(out, cap, &o, "written at 5m after 1h writes");
	const char *owner = limits_label(AGENT_LIMITS_STATUSLINE);
	if (e->ledger == LEDGER_COUNTED) {
		if (e->ledger_causes[0]) {
			char causes[160];
			sanitize_text(e->ledger_causes, strlen(e->ledger_causes), causes, sizeof causes, utf8);
			snprintf(buf, sizeof buf, "%s counted it too (%s)", owner, causes);
		} else {
			snprintf(buf, sizeof buf, "%s counted it too", owner);
		}
		phrase(out, cap, &o, buf);
	} else if (e->ledger == LEDGER_NOT_COUNTED) {
		snprintf(buf, sizeof buf, "%s did not count this miss", owner);
		phrase(out, cap, &o, buf);
	}
}

void ledger_describe(const struct session_ledger *sl, const struct ledger_compare *c, bool utf8, char *line,
		     char *disagree, size_t cap)
{
	const struct agent_ledger *l = &sl->latest;
	char causes[256] = "", hit[16] = "-", n1[24] = "?", n2[24] = "?";
	size_t o = 0;
	for (uint8_t i = 0; i < l->ncauses && o < sizeof causes; i++)
		o += (size_t)snprintf(causes + o, sizeof causes - o, "%s%s %u", i ? ", " : "", l->causes[i].name,
				      (unsigned)l->causes[i].count);
	if (l->hit_ratio >= 0)
		fmt_pct(l->hit_ratio, 1, hit, sizeof hit);
	if (l->requests >= 0)
		snprintf(n1, sizeof n1, "%lld", (long long)l->requests);
	if (l->misses >= 0)
		snprintf(n2, sizeof n2, "%lld", (long long)l->misses);
	const char *owner = limits_label(AGENT_LIMITS_STATUSLINE);
	char raw[640];
	snprintf(raw, sizeof raw, "%s: %s req, %s miss%s%s%s%s, hit %s%%%s%s  %s  cachetop: %llu req, %llu cold, "
		 "%llu it would count", owner, n1, n2, l->misses == 1 ? "" : "es", causes[0] ? " (" : "", causes,
		 causes[0] ? ")" : "", hit, l->ttl[0] ? ", ttl " : "", l->ttl, utf8 ? "\xC2\xB7" : "|",
		 (unsigned long long)c->requests, (unsigned long long)c->cold, (unsigned long long)c->comparable);
	sanitize_text(raw, strlen(raw), line, cap, utf8);
	disagree[0] = 0;
	if (!c->ours_only && !c->theirs_only)
		return;
	char t1[32], t2[32];
	o = 0;
	o += (size_t)snprintf(raw, sizeof raw, "disagree:");
	if (c->ours_only)
		o += (size_t)snprintf(raw + o, sizeof raw - o,  " cachetop saw %zu miss%s %s did not count (last %s)",
				      c->ours_only, c->ours_only == 1 ? "" : "es", owner,
				      fmt_clock(c->ours_only_at, false, t1, sizeof t1));
	if (c->theirs_only && o < sizeof raw)
		snprintf(raw + o, sizeof raw - o, "%s %s counted %zu miss%s cachetop saw warm (last %s)",
			 c->ours_only ? ";" : "", owner, c->theirs_only, c->theirs_only == 1 ? "" : "es",
			 fmt_clock(c->theirs_only_at, false, t2, sizeof t2));
	sanitize_text(raw, strlen(raw), disagree, cap, utf8);
}

/* "38%", "over", "-" */
static void pct_text(double pct, bool over, char *out, size_t cap)
{
	if (pct >= 0)
		snprintf(out, cap, "%.0f%%", pct);
	else
		snprintf(out, cap, "%s", over ? "over" : "-");
}

static void reset_text(int64_t at, int64_t now, char *out, size_t cap)
{
	if (at == CT_TIME_NONE || at <= now)
		snprintf(out, cap, "-");
	else
		fmt_countdown((double)(at - now) / 1000.0, out, cap);
}

size_t limits_lines(const struct official_reading *c, const struct limit_families *l, int64_t now, bool utf8,
		    char (*lines)[LIMITS_LINE], size_t max)
{
	size_t n = 0;
	char p5[16], r5[16], p7[16], r7[16], seen[32], name[LIMITS_LINE], safe[LIMITS_LINE];
	if (n < max)
		snprintf(lines[n++], LIMITS_LINE, "%-7s %-28s %5s %7s %5s %7s  %s", "AGENT", "LIMIT", "5H", "RESET", "7D",
			 "RESET", "SEEN");
	/* each row names the agent whose account the limit is */
	const char *sl_agent = agent_name(agent_limits_owner(AGENT_LIMITS_STATUSLINE));
	const char *tr_agent = agent_name(agent_limits_owner(AGENT_LIMITS_TRANSCRIPT));
	if (c && c->present && n < max) {
		bool over5 = c->five_hour_pct >= 0 && c->five_hour_resets_at != CT_TIME_NONE && c->five_hour_resets_at <= now;
		bool over7 = c->seven_day_pct >= 0 && c->seven_day_resets_at != CT_TIME_NONE && c->seven_day_resets_at <= now;
		pct_text(over5 ? -1 : c->five_hour_pct, over5, p5, sizeof p5);
		pct_text(over7 ? -1 : c->seven_day_pct, over7, p7, sizeof p7);
		reset_text(c->five_hour_resets_at, now, r5, sizeof r5);
		reset_text(c->seven_day_resets_at, now, r7, sizeof r7);
		fmt_clock(c->observed_at, false, seen, sizeof seen);
		snprintf(lines[n++], LIMITS_LINE, "%-7.7s %-28s %5s %7s %5s %7s  %s", sl_agent, "account (statusline)", p5, r5,
			 p7, r7, seen);
		if (c->has_spend && c->spend_pct >= 0 && n < max) {
			bool over = c->spend_resets_at != CT_TIME_NONE && c->spend_resets_at <= now;
			pct_text(over ? -1 : c->spend_pct, over, p5, sizeof p5);
			reset_text(c->spend_resets_at, now, r5, sizeof r5);
			snprintf(lines[n++], LIMITS_LINE, "%-7.7s %-28s %5s %7s %5s %7s  %s", sl_agent, "spend limit", p5, r5, "",
				 "", seen);
		}
	}
	for (size_t i = 0; l && i < l->n && n < max; i++) {
		const struct limit_family *x = &l->v[i];
		struct limit_view v;
		limit_family_view(x, now, &v);
		bool account = limit_family_is_account(x->id);
		/* the name people know first ("<limit_name> (<limit_id>)") */
		if (x->name[0])
			snprintf(name, sizeof name, "%s (%s)", x->name, x->id);
		else
			snprintf(name, sizeof name, "%s%s", x->id, account ? " (account)" : "");
		sanitize_text(name, strlen(name), safe, sizeof safe, utf8);
		text_fit(safe, 28, utf8, name, sizeof name);
		/* pad by display width: a name may hold multi-byte characters */
		int pad = 28 - text_width(name);
		pct_text(v.percent, v.over, p5, sizeof p5);
		pct_text(v.weekly_percent, v.weekly_over, p7, sizeof p7);
		reset_text(v.over ? CT_TIME_NONE : v.resets_at, now, r5, sizeof r5);
		reset_text(v.weekly_over ? CT_TIME_NONE : v.weekly_resets_at, now, r7, sizeof r7);
		fmt_clock(x->observed_at, false, seen, sizeof seen);
		/* a long row is cut at LIMITS_LINE, as the screen would cut it anyway */
		if (snprintf(lines[n], LIMITS_LINE, "%-7.7s %s%*s %5s %7s %5s %7s  %s", tr_agent, name,
			     pad > 0 ? pad : 0, "", p5, r5, p7, r7, seen) < 0)
			lines[n][0] = 0;
		n++;
	}
	if (n == 1 && n < max) {
		/* where each agent's readings would come from, in the table's order */
		size_t o = (size_t)snprintf(lines[n], LIMITS_LINE, "no reading yet (");
		const char *sep = "";
		for (int a = 0; a < AGENT_COUNT && o < LIMITS_LINE; a++) {
			enum agent_limits k = agent_table[a].limits;
			if (k == AGENT_LIMITS_NONE)
				continue;
			o += (size_t)snprintf(lines[n] + o, LIMITS_LINE - o, "%s%s: %s", sep, agent_table[a].label,
					      k == AGENT_LIMITS_STATUSLINE ? "cachetop statusline" : "transcripts");
			sep = "; ";
		}
		if (o < LIMITS_LINE)
			snprintf(lines[n] + o, LIMITS_LINE - o, ")");
		n++;
	}
	return n;
}

void limit_families_summary(const struct limit_families *l, int64_t now, bool utf8, char *out, size_t cap)
{
	size_t o = (size_t)snprintf(out, cap, "limits:");
	for (size_t i = 0; l && i < l->n && o < cap; i++) {
		const struct limit_family *x = &l->v[i];
		struct limit_view v;
		limit_family_view(x, now, &v);
		char p5[16], p7[16], label[LINE_LIMIT_MAX * 2], safe[LINE_LIMIT_MAX * 2];
		pct_text(v.percent, v.over, p5, sizeof p5);
		pct_text(v.weekly_percent, v.weekly_over, p7, sizeof p7);
		snprintf(label, sizeof label, "%s", x->name[0] ? x->name : x->id);
		sanitize_text(label, strlen(label), safe, sizeof safe, utf8);
		o += (size_t)snprintf(out + o, cap - o, "%s %s 5h %s, 7d %s", i ? (utf8 ? " \xC2\xB7" : " |") : "", safe,
				      p5, p7);
	}
	if (!l || !l->n)
		snprintf(out, cap, "limits: no official reading yet");
}
