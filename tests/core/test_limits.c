/* test_limits.c — Codex official limits read per family (transcript-formats.md E3) on the fixture
 * rollouts in tests/data/evidence: an account reading of 38 % followed by per-model
 * (GPT-5.3-Codex-Spark) readings of 4–5 % leaves the 5-hour gauge at 38 %, every family is kept
 * with its newest reading; a reading whose reset is already past — at its own time or at `now` —
 * is "window over", not its stale percentage; and a token_count whose last usage is zero but for
 * total_tokens counts as a request with no tokens, never cold and never a predecessor. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "fixture.h"

#define FAMILIES TEST_DATA "/evidence/codex-families/sessions/2026/03/02/rollout-2026-03-02T12-00-00-0199a5e0-7a1b-7c2d-8e3f-000000000005.jsonl"
#define STALE TEST_DATA "/evidence/codex-stale/sessions/2026/03/02/rollout-2026-03-02T16-00-00-0199a5e0-7a1b-7c2d-8e3f-000000000006.jsonl"

static struct model *load(const char *a, const char *b)
{
	const char *files[] = {a, b, NULL};
	return fixture_load(AGENT_CODEX, files);
}

static const struct limit_family *family(const struct model *m, const char *id)
{
	const struct limit_families *l = model_limit_families(m);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id))
			return &l->v[i];
	return NULL;
}

Test(limits, account_family_drives_the_gauges)
{
	struct model *m = load(FAMILIES, NULL);
	struct quota q;
	struct quota_opts qo = {.limit_auto = true};
	quota_compute(m, AGENT_CODEX, fixture_at("11:30:00"), &qo, NULL, &q);
	cr_expect_float_eq(q.official_percent, 38.0, 1e-9, "the Spark readings (written later) are not the account's");
	cr_expect_float_eq(q.weekly_percent, 12.0, 1e-9);
	cr_expect_eq(q.window_minutes, 300);
	cr_expect_eq(q.observed_at, fixture_at("11:00:10"));
	cr_expect_not(q.official_over);
	model_free(m);
}

Test(limits, every_family_newest_reading)
{
	struct model *m = load(FAMILIES, NULL);
	cr_assert_eq(model_limit_families(m)->n, 2);
	const struct limit_family *acc = family(m, "codex"), *spark = family(m, "codex_bengalfox");
	cr_assert_not_null(acc);
	cr_assert_not_null(spark);
	cr_expect_str_eq(acc->name, "");
	cr_expect_str_eq(spark->name, "GPT-5.3-Codex-Spark");
	struct limit_view v;
	limit_family_view(spark, fixture_at("11:30:00"), &v);
	cr_expect_float_eq(v.percent, 5.0, 1e-9, "the newest Spark reading, not the first (4%%)");
	cr_expect_float_eq(v.weekly_percent, 1.0, 1e-9);
	cr_expect_eq(spark->observed_at, fixture_at("11:01:40"));
	limit_family_view(acc, fixture_at("11:30:00"), &v);
	cr_expect_float_eq(v.percent, 38.0, 1e-9);
	model_free(m);
}

Test(limits, stale_reading_is_window_over)
{
	/* the account's newest reading (15:00:10) still says 61 % of a window that reset at 14:30 */
	struct model *m = load(FAMILIES, STALE);
	struct quota_opts qo = {.limit_auto = true};
	struct quota q;
	/* even at a `now` before that reset, the reading's own time shows the window is over */
	quota_compute(m, AGENT_CODEX, fixture_at("14:00:00"), &qo, NULL, &q);
	cr_expect_lt(q.official_percent, 0, "not its stale 61 %%, nor the older 38 %%");
	cr_expect(q.official_over);
	cr_expect_float_eq(q.weekly_percent, 20.0, 1e-9, "its weekly window is still running");
	cr_expect_not(q.weekly_over);
	quota_compute(m, AGENT_CODEX, fixture_at("15:05:00"), &qo, NULL, &q);
	cr_expect_lt(q.official_percent, 0);
	cr_expect(q.official_over);
	struct limit_view v;
	limit_family_view(family(m, "codex"), fixture_at("15:05:00"), &v);
	cr_expect(v.over);
	cr_expect_lt(v.percent, 0);
	cr_expect_eq(v.resets_at, fixture_at("14:30:00"), "the reset is kept as read");
	model_free(m);
}

Test(limits, reset_past_at_now_is_window_over)
{
	struct model *m = load(FAMILIES, NULL);
	struct quota_opts qo = {.limit_auto = true};
	struct quota q;
	quota_compute(m, AGENT_CODEX, fixture_at("14:45:00"), &qo, NULL, &q);
	cr_expect_lt(q.official_percent, 0);
	cr_expect(q.official_over);
	cr_expect_float_eq(q.weekly_percent, 12.0, 1e-9);
	model_free(m);
}

Test(limits, zero_row_is_a_request_but_never_cold)
{
	struct model *m = load(FAMILIES, NULL);
	int32_t si = model_session_find(m, "0199a5e0-7a1b-7c2d-8e3f-000000000005");
	cr_assert_geq(si, 0);
	const struct session *s = model_session(m, (size_t)si);
	cr_expect_eq(s->tot.requests, 4, "the zero row counts, as before");
	cr_expect_eq(s->tot.input, 20000 + (22000 - 19968) + 23000, "with no tokens of its own");
	const struct request *zero = NULL;
	for (uint32_t i = 0; i < s->nreqs; i++) {
		const struct request *r = model_request(m, s->reqs[i]);
		if (r->t == fixture_at("11:01:10"))
			zero = r;
	}
	cr_assert_not_null(zero);
	cr_expect_eq(zero->event, 0, "never an event");
	cr_expect_eq(zero->cause, CAUSE_NONE);
	/* the next request is compared with the last real one (22,000 prompt), not with the row */
	const struct cache_event *e = NULL;
	for (size_t i = 0; i < model_event_count(m); i++)
		if (model_request(m, model_event(m, i)->request)->t == fixture_at("11:01:40"))
			e = model_event(m, i);
	cr_assert_not_null(e, "a real miss after the zero row is still seen");
	cr_expect_eq(e->cause, CAUSE_UNEXPLAINED_MISS);
	cr_expect_eq(e->expected_prefix, 22000);
	cr_expect_float_eq(e->gap_s, 60.0, 1e-9);
	model_free(m);
}

Test(limits, family_table_is_bounded_and_placeholders_ignored)
{
	struct limit_families l = {0};
	struct rate_limits rl = {.present = true,
				 .primary = {.present = true, .used_percent = 10, .window_minutes = 300,
					     .resets_at_ms = 2000000}};
	char id[32];
	for (int i = 0; i < LIMIT_FAMILIES_MAX + 5; i++) {
		snprintf(id, sizeof id, "codex_m%d", i);
		limit_families_note(&l, 1000, id, NULL, &rl);
	}
	cr_expect_eq(l.n, LIMIT_FAMILIES_MAX);
	struct rate_limits zero = {.present = true, .primary = {.present = true, .used_percent = 0,
							       .window_minutes = 300, .resets_at_ms = CT_TIME_NONE}};
	cr_expect_not(limit_families_note(&l, 5000, "codex_m0", NULL, &zero), "a placeholder after a real reading");
	cr_expect_float_eq(l.v[0].rl.primary.used_percent, 10, 1e-9);
	cr_expect_not(limit_families_note(&l, 500, "codex_m0", NULL, &rl), "an older reading");
	cr_expect(limit_family_is_account(NULL));
	cr_expect(limit_family_is_account(""));
	cr_expect(limit_family_is_account("codex"));
	cr_expect_not(limit_family_is_account("codex_bengalfox"));
}

/* The account family's id is the table's (the row whose limits the transcripts hold): a reading
 * naming none is stored under it, and it is the one family that counts as the account's. */
Test(limits, account_id_comes_from_the_table)
{
	enum agent owner = agent_limits_owner(AGENT_LIMITS_TRANSCRIPT);
	cr_assert_lt(owner, AGENT_COUNT);
	const char *acc = agent_get(owner)->account_limit_id;
	cr_assert_not_null(acc);
	cr_expect_str_eq(acc, "codex");
	struct limit_families l = {0};
	struct rate_limits rl = {.present = true,
				 .primary = {.present = true, .used_percent = 7, .window_minutes = 300,
					     .resets_at_ms = 2000000}};
	cr_expect(limit_families_note(&l, 1000, NULL, NULL, &rl));
	cr_expect(limit_families_note(&l, 1000, "other_family", NULL, &rl));
	cr_assert_eq(l.n, 2);
	cr_expect_str_eq(l.v[0].id, acc, "no id: the account's");
	cr_expect(limit_family_is_account(l.v[0].id));
	cr_expect_not(limit_family_is_account(l.v[1].id));
	cr_expect_not(limit_families_note(&l, 2000, acc, NULL, &rl), "the same reading again under its id");
	cr_expect_eq(l.n, 2, "an explicit account id joins the family a nameless reading started");
}
