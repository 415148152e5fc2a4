/* test_agents.c — the agent table: every row is complete and sits at its own index, names are
 * unique and found again by name, the implicit-cache TTL comes from the row's option, and an agent
 * outside the table stops with a message instead of being read as another agent's. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "agent_ops.h"

Test(agents, rows_complete_and_named_once)
{
	for (int a = 0; a < AGENT_COUNT; a++) {
		const struct agent_desc *d = agent_get((enum agent)a);
		cr_assert_eq(d, &agent_table[a]);
		cr_assert_eq((int)d->id, a, "row %d holds agent %d", a, (int)d->id);
		cr_assert(d->name && d->label && d->option && d->dirs_key && d->root_sub, "row %d", a);
		const struct agent_ops *o = agent_ops_get((enum agent)a);
		cr_assert(o->parse && o->apply, "row %d has no parser or model rules", a);
		cr_assert_eq(agent_by_name(d->name), (enum agent)a);
		/* the option and config key are the name's: --NAME-dir, NAME_dirs */
		char want[64];
		snprintf(want, sizeof want, "--%s-dir", d->name);
		cr_assert_str_eq(d->option, want);
		snprintf(want, sizeof want, "%s_dirs", d->name);
		cr_assert_str_eq(d->dirs_key, want);
		cr_assert(!d->implicit_cache || (d->ttl_key && d->ttl_default > 0),
			  "an implicit cache needs an assumed TTL and its default (row %d)", a);
		/* a row whose requests may take OpenAI's rules borrows an implicit agent's TTL */
		if (d->tier_unknown) {
			const struct agent_desc *b = agent_get(d->openai_rules_ttl);
			cr_assert(b->implicit_cache && b->ttl_key, "row %d borrows no implicit TTL", a);
		}
		for (int b = 0; b < a; b++)
			cr_assert_str_neq(agent_table[b].name, d->name);
	}
	cr_assert_eq(agent_by_name("nosuch"), AGENT_COUNT);
	cr_assert_eq(agent_by_name(NULL), AGENT_COUNT);
}

Test(agents, ttl_from_the_rows_option)
{
	struct model_opts o;
	model_opts_default(&o);
	for (int a = 0; a < AGENT_COUNT; a++) /* the defaults are the rows' */
		cr_assert_eq(o.ttl_s[a], agent_table[a].ttl_default, "agent %s", agent_table[a].name);
	o.ttl_s[AGENT_CODEX] = 111;
	o.ttl_s[AGENT_GEMINI] = 222;
	o.ttl_s[AGENT_CLAUDE] = 333; /* an explicit agent's slot is never read */
	for (int a = 0; a < AGENT_COUNT; a++) {
		int ttl = agent_ttl((enum agent)a, &o);
		if (!agent_table[a].implicit_cache)
			cr_assert_eq(ttl, 0);
		else
			cr_assert(ttl == 111 || ttl == 222, "agent %s: ttl %d", agent_table[a].name, ttl);
	}
	cr_assert_eq(agent_ttl(agent_by_name("codex"), &o), 111);
	cr_assert_eq(agent_ttl(agent_by_name("gemini"), &o), 222);
	/* one request's TTL: an implicit agent's own; opencode's OpenAI-rules requests borrow Codex's */
	cr_assert_eq(agent_request_ttl(AGENT_GEMINI, &o), 222);
	cr_assert_eq(agent_request_ttl(AGENT_OPENCODE, &o), 111);
}

Test(agents, limits_owners)
{
	enum agent s = agent_limits_owner(AGENT_LIMITS_STATUSLINE);
	enum agent t = agent_limits_owner(AGENT_LIMITS_TRANSCRIPT);
	cr_assert_neq(s, AGENT_COUNT);
	cr_assert_neq(t, AGENT_COUNT);
	cr_assert(agent_limits_from(s, AGENT_LIMITS_STATUSLINE));
	cr_assert(!agent_limits_from(s, AGENT_LIMITS_TRANSCRIPT));
}

/* a column of agent names fits the longest name present, and keeps its old width of 6 */
Test(agents, names_width)
{
	bool present[AGENT_COUNT] = {0};
	cr_assert_eq(agent_names_width(present), 6);
	size_t widest = 0;
	for (int a = 0; a < AGENT_COUNT; a++) {
		bool one[AGENT_COUNT] = {0};
		one[a] = present[a] = true;
		size_t n = strlen(agent_table[a].name);
		cr_assert_eq(agent_names_width(one), n > 6 ? (int)n : 6, "agent %s", agent_table[a].name);
		widest = n > widest ? n : widest;
	}
	cr_assert_eq(agent_names_width(present), widest > 6 ? (int)widest : 6);
	cr_assert_eq(agent_names_width(present), 8); /* "opencode", the widest today */
}

/* nothing is parsed as some agent's by default: a value outside the table is refused */
Test(agents, unknown_agent_aborts, .signal = SIGABRT)
{
	struct line ln;
	line_parse((enum agent)AGENT_COUNT, "{}", 2, &ln);
}
