/* test_price.c — price lookup (exact, normalised provider/date/[1m] forms, prefix rules that stop
 * at a component boundary, unknown → no price) and request cost, with expected USD worked out
 * here from the published per-million rates, including the 5m/1h write tiers and the
 * long-context rule that reprices a whole sonnet-4 request above 200K prompt tokens. */
#include <criterion/criterion.h>
#include <string.h>

#include "cachetop/price.h"

/* Published USD per million tokens: input, output, cache read, 5m write, 1h write. */
static const struct price_rates SONNET4 = {3.00, 15.00, 0.30, 3.75, 6.00};
static const struct price_rates SONNET4_LONG = {6.00, 22.50, 0.60, 7.50, 12.00};
static const struct price_rates OPUS41 = {15.00, 75.00, 1.50, 18.75, 30.00};
static const struct price_rates OPUS45 = {5.00, 25.00, 0.50, 6.25, 10.00};
static const struct price_rates HAIKU45 = {1.00, 5.00, 0.10, 1.25, 2.00};
static const struct price_rates GPT53 = {1.75, 14.00, 0.175, 1.75, 1.75};
static const struct price_rates GPT5 = {1.25, 10.00, 0.125, 1.25, 1.25};

static const struct price *look(const char *name) { return price_lookup(NULL, name); }

static void expect_rates(const struct price *p, const struct price_rates *r, const char *name)
{
	cr_assert_not_null(p, "%s should have a price", name);
	cr_expect_float_eq(p->base.input, r->input, 1e-9, "%s input", name);
	cr_expect_float_eq(p->base.output, r->output, 1e-9, "%s output", name);
	cr_expect_float_eq(p->base.cache_read, r->cache_read, 1e-9, "%s read", name);
	cr_expect_float_eq(p->base.cache_write_5m, r->cache_write_5m, 1e-9, "%s 5m", name);
	cr_expect_float_eq(p->base.cache_write_1h, r->cache_write_1h, 1e-9, "%s 1h", name);
}

Test(price, exact_names)
{
	expect_rates(look("claude-sonnet-4"), &SONNET4, "claude-sonnet-4");
	expect_rates(look("claude-opus-4-1"), &OPUS41, "claude-opus-4-1");
	expect_rates(look("gpt-5"), &GPT5, "gpt-5");
	cr_expect_str_eq(price_table_builtin()->source, "built-in");
}

Test(price, normalised_names)
{
	expect_rates(look("anthropic/claude-sonnet-4-20250514"), &SONNET4, "provider + date");
	expect_rates(look("claude-sonnet-4-20250514"), &SONNET4, "date suffix");
	expect_rates(look("claude-opus-4-1-20250805"), &OPUS41, "opus 4.1 dated");
	expect_rates(look("claude-opus-4-20250514"), &OPUS41, "opus 4 dated");
	expect_rates(look("claude-opus-4-5-20251101"), &OPUS45, "opus 4.5 is not opus 4");
	expect_rates(look("claude-haiku-4-5@20251001"), &HAIKU45, "@date (Vertex)");
	expect_rates(look("claude-sonnet-4-20250514[1m]"), &SONNET4, "[1m] suffix");
	expect_rates(look("bedrock/anthropic/claude-sonnet-4-20250514"), &SONNET4, "nested provider");
	expect_rates(look("gpt-5.3-codex"), &GPT53, "gpt-5.3-codex");
	expect_rates(look("openai/gpt-5.3-codex"), &GPT53, "openai/ prefix");
	expect_rates(look("gpt-5-codex"), &GPT5, "gpt-5-codex");
	/* the longest prefix wins: gpt-5.4-mini is not gpt-5.4 */
	const struct price *mini = look("gpt-5.4-mini"), *full = look("gpt-5.4");
	cr_assert_not_null(mini);
	cr_assert_not_null(full);
	cr_expect_neq(mini, full);
	cr_expect_float_eq(mini->base.input, 0.75, 1e-9);
	cr_expect_float_eq(full->base.input, 2.50, 1e-9);
}

Test(price, prefix_stops_at_component_boundary)
{
	cr_expect_null(look("gpt-5.9"), "gpt-5 must not price gpt-5.9");
	cr_expect_null(look("gpt-50"));
	cr_expect_null(look("claude-sonnet-40"));
	cr_expect_null(look("claude-opus-4x"));
}

Test(price, unknown_is_null)
{
	cr_expect_null(look("llama-3-70b"));
	cr_expect_null(look("<synthetic>"));
	cr_expect_null(look(""));
	cr_expect_null(look(NULL));
	cr_expect_null(look("claude"));
	cr_expect_null(look("anthropic/"));
	/* a very long name is truncated safely, not overflowed */
	char big[1000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	cr_expect_null(look(big));
}

static double by_hand(const struct price_rates *r, const struct usage *u)
{
	return ((double)u->input * r->input + (double)u->cc5m * r->cache_write_5m +
		(double)u->cc1h * r->cache_write_1h + (double)u->cache_read * r->cache_read +
		(double)u->output * r->output) / 1e6;
}

Test(price, cost_of_a_request)
{
	const struct price *p = look("claude-sonnet-4-20250514");
	cr_assert_not_null(p);
	struct usage u = {.input = 1000, .cc5m = 2000, .cc1h = 3000, .cache_creation = 5000,
			  .cache_read = 10000, .output = 500};
	/* 1000×3 + 2000×3.75 + 3000×6 + 10000×0.30 + 500×15 = 39,000 µ$ */
	cr_expect_float_eq(price_cost(p, &u), 0.039, 1e-12);
	cr_expect_float_eq(price_cost(p, &u), by_hand(&SONNET4, &u), 1e-12);
}

Test(price, write_tiers_priced_apart)
{
	const struct price *p = look("claude-sonnet-4");
	/* 100K tokens (under the long-context threshold): 100,000 × 3.75 vs × 6 */
	struct usage w5 = {.cc5m = 100000, .cache_creation = 100000};
	struct usage w1 = {.cc1h = 100000, .cache_creation = 100000};
	cr_expect_float_eq(price_cost(p, &w5), 0.375, 1e-12);
	cr_expect_float_eq(price_cost(p, &w1), 0.600, 1e-12);
	const struct price *o = look("claude-opus-4-1-20250805");
	struct usage m5 = {.cc5m = 1000000, .cache_creation = 1000000};
	struct usage m1 = {.cc1h = 1000000, .cache_creation = 1000000};
	cr_expect_float_eq(price_cost(o, &m5), 18.75, 1e-9);
	cr_expect_float_eq(price_cost(o, &m1), 30.00, 1e-9);
}

Test(price, long_context_reprices_the_whole_request)
{
	const struct price *p = look("claude-sonnet-4-20250514");
	cr_assert_not_null(p);
	cr_expect_eq(p->long_threshold, 200000);
	/* exactly 200,000 prompt tokens: base rates. 200,000×0.30 + 1,000×15 = 75,000 µ$ */
	struct usage at = {.input = 0, .cache_read = 200000, .output = 1000};
	cr_expect_float_eq(price_cost(p, &at), 0.075, 1e-12);
	/* one more: everything, output included, at the long rates.
	 * 1×6 + 200,000×0.60 + 1,000×22.50 = 142,506 µ$ */
	struct usage over = {.input = 1, .cache_read = 200000, .output = 1000};
	cr_expect_float_eq(price_cost(p, &over), 0.142506, 1e-12);
	cr_expect_float_eq(price_cost(p, &over), by_hand(&SONNET4_LONG, &over), 1e-12);
	/* the prompt counts writes too: 150K read + 60K 1h write → long */
	struct usage mix = {.input = 10, .cc1h = 60000, .cache_creation = 60000, .cache_read = 150000, .output = 10};
	/* 10×6 + 60,000×12 + 150,000×0.60 + 10×22.50 = 810,285 µ$ */
	cr_expect_float_eq(price_cost(p, &mix), 0.810285, 1e-12);
	cr_expect_eq(price_rates_for(p, 200000), &p->base);
	cr_expect_eq(price_rates_for(p, 200001), &p->longp);
	/* a model without the rule never switches */
	const struct price *o = look("claude-opus-4-1");
	cr_expect_eq(price_rates_for(o, 900000), &o->base);
	struct usage huge = {.input = 1000000, .output = 0};
	cr_expect_float_eq(price_cost(o, &huge), 15.0, 1e-9);
}

Test(price, codex_usage)
{
	const struct price *p = look("gpt-5.3-codex");
	cr_assert_not_null(p);
	/* Codex: input = uncached, cache_read = cached, no writes.
	 * 1,000×1.75 + 9,000×0.175 + 100×14 = 4,725 µ$ */
	struct usage u = {.input = 1000, .cache_read = 9000, .output = 100};
	cr_expect_float_eq(price_cost(p, &u), 0.004725, 1e-12);
}

Test(price, custom_table)
{
	struct price_table t = {0};
	struct price exact = {.name = "my-model", .prefix = false, .base = {1, 2, 0.1, 1.25, 2}};
	struct price pre = {.name = "my", .prefix = true, .base = {9, 9, 9, 9, 9}};
	price_table_add(&t, &pre);
	price_table_add(&t, &exact);
	cr_expect_neq(t.v[1].name, exact.name, "the table owns a copy of the name");
	const struct price *p = price_lookup(&t, "my-model");
	cr_assert_not_null(p);
	cr_expect_float_eq(p->base.input, 1, 1e-9, "an exact entry beats a prefix");
	p = price_lookup(&t, "my-model-2");
	cr_assert_not_null(p);
	cr_expect_float_eq(p->base.input, 9, 1e-9);
	cr_expect_null(price_lookup(&t, "claude-sonnet-4"), "a loaded table replaces the built-in one");
	price_table_free(&t);
	cr_expect_eq(t.n, 0);
	price_table_free(NULL);
}
