/* test_prices.c — the price table loader: the shipped data/prices.yaml loads cleanly and its
 * lookups give the documented prices; malformed tables give FILE:LINE:COL and skip only the bad
 * entries (never a half-priced model). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/config.h"
#include "cachetop/price.h"

#define EPS 1e-9

static struct price_table shipped;

static void load_shipped(void)
{
	struct conf_err e;
	memset(&shipped, 0, sizeof shipped);
	cr_assert_eq(prices_load(&shipped, DATA_DIR "/prices.yaml", &e), 0, "%s", e.msg);
}

static void free_shipped(void) { price_table_free(&shipped); }

static const struct price *find(const char *model)
{
	const struct price *p = price_lookup(&shipped, model);
	cr_assert_not_null(p, "no price for %s", model);
	return p;
}

static void check(const char *model, double in, double out, double rd, double w5, double w1)
{
	const struct price *p = find(model);
	cr_assert_float_eq(p->base.input, in, EPS, "%s input", model);
	cr_assert_float_eq(p->base.output, out, EPS, "%s output", model);
	cr_assert_float_eq(p->base.cache_read, rd, EPS, "%s cache_read", model);
	cr_assert_float_eq(p->base.cache_write_5m, w5, EPS, "%s 5m", model);
	cr_assert_float_eq(p->base.cache_write_1h, w1, EPS, "%s 1h", model);
}

TestSuite(prices_shipped, .init = load_shipped, .fini = free_shipped);

Test(prices_shipped, anthropic_rows)
{
	cr_assert_geq(shipped.n, 30);
	check("claude-opus-4-20250514", 15, 75, 1.5, 18.75, 30);
	check("claude-opus-4-1-20250805", 15, 75, 1.5, 18.75, 30);
	check("claude-opus-4-5-20251101", 5, 25, 0.5, 6.25, 10);
	check("claude-opus-4-6", 5, 25, 0.5, 6.25, 10);
	check("claude-opus-4-8-20270101", 5, 25, 0.5, 6.25, 10);
	check("claude-sonnet-4-20250514", 3, 15, 0.3, 3.75, 6);
	check("claude-sonnet-4-5-20250929", 3, 15, 0.3, 3.75, 6);
	check("claude-sonnet-4-6", 3, 15, 0.3, 3.75, 6);
	check("claude-haiku-4-5-20251001", 1, 5, 0.1, 1.25, 2);
	check("claude-3-5-haiku-20241022", 0.8, 4, 0.08, 1, 1.6);
	/* Anthropic's multipliers hold on every Claude row: 5m 1.25x, 1h 2x, read 0.1x */
	for (size_t i = 0; i < shipped.n; i++) {
		const struct price *p = &shipped.v[i];
		if (strncmp(p->name, "claude", 6) != 0)
			continue;
		cr_assert_float_eq(p->base.cache_write_5m, 1.25 * p->base.input, EPS, "%s", p->name);
		cr_assert_float_eq(p->base.cache_write_1h, 2 * p->base.input, EPS, "%s", p->name);
		cr_assert_float_eq(p->base.cache_read, 0.1 * p->base.input, EPS, "%s", p->name);
	}
}

/* Google: implicit caching, so no write premium (writes at the input price); the Pro models
 * reprice above 200K prompt tokens; the built-in fallback table holds the same rows. */
Test(prices_shipped, google_rows)
{
	check("gemini-2.5-pro", 1.25, 10, 0.125, 1.25, 1.25);
	check("gemini-2.5-flash", 0.30, 2.50, 0.03, 0.30, 0.30);
	check("gemini-2.5-flash-lite", 0.10, 0.40, 0.01, 0.10, 0.10);
	check("gemini-3-pro-preview", 2, 12, 0.2, 2, 2);
	check("gemini-3.1-pro-preview", 2, 12, 0.2, 2, 2);
	check("gemini-3.1-pro-preview-customtools", 2, 12, 0.2, 2, 2);
	check("gemini-3-flash-preview", 0.5, 3, 0.05, 0.5, 0.5);
	check("gemini-3.1-flash-lite", 0.25, 1.5, 0.025, 0.25, 0.25);
	check("gemini-3.1-flash-lite-preview", 0.25, 1.5, 0.025, 0.25, 0.25);
	check("gemini-3.5-flash", 1.5, 9, 0.15, 1.5, 1.5);
	cr_assert_eq(find("gemini-2.5-pro")->long_threshold, 200000);
	cr_assert_float_eq(find("gemini-2.5-pro")->longp.input, 2.5, EPS);
	cr_assert_float_eq(find("gemini-3-pro-preview")->longp.output, 18, EPS);
	cr_assert_eq(find("gemini-2.5-flash")->long_threshold, 0);
	cr_assert_null(price_lookup(&shipped, "gemini-2.5-flash-preview-04-17"), "a dated preview had its own price");
	for (size_t i = 0; i < shipped.n; i++) {
		const struct price *p = &shipped.v[i], *b = price_lookup(price_table_builtin(), p->name);
		if (strncmp(p->name, "gemini", 6) != 0)
			continue;
		cr_assert_not_null(b, "%s is not built in", p->name);
		cr_expect(!memcmp(&p->base, &b->base, sizeof p->base) && p->long_threshold == b->long_threshold &&
			  (!p->long_threshold || !memcmp(&p->longp, &b->longp, sizeof p->longp)),
			  "%s: the built-in rates differ from the shipped table", p->name);
		cr_assert_float_eq(p->base.cache_write_5m, p->base.input, EPS, "%s: no write premium", p->name);
	}
}

Test(prices_shipped, sonnet_long_context)
{
	const struct price *p = find("claude-sonnet-4-20250514");
	cr_assert_eq(p->long_threshold, 200000);
	cr_assert_float_eq(p->longp.input, 6, EPS);
	cr_assert_float_eq(p->longp.output, 22.5, EPS);
	cr_assert_float_eq(p->longp.cache_read, 0.6, EPS);
	cr_assert_float_eq(p->longp.cache_write_5m, 7.5, EPS);
	cr_assert_float_eq(p->longp.cache_write_1h, 12, EPS);
	cr_assert_eq(find("claude-sonnet-4-5-20250929")->long_threshold, 200000);
	cr_assert_eq(find("claude-opus-4-1-20250805")->long_threshold, 0, "Opus has no long-context rule");
	cr_assert_eq(find("gpt-5.3-codex")->long_threshold, 0);
}

Test(prices_shipped, openai_rows)
{
	/* cached input is the read price; writes cost the plain input price (OpenAI writes are free) */
	check("gpt-5", 1.25, 10, 0.125, 1.25, 1.25);
	check("gpt-5-codex", 1.25, 10, 0.125, 1.25, 1.25);
	check("gpt-5.1-codex", 1.25, 10, 0.125, 1.25, 1.25);
	check("gpt-5.1-codex-max", 1.25, 10, 0.125, 1.25, 1.25);
	check("gpt-5.2", 1.75, 14, 0.175, 1.75, 1.75);
	check("gpt-5.2-codex", 1.75, 14, 0.175, 1.75, 1.75);
	check("gpt-5.3-codex", 1.75, 14, 0.175, 1.75, 1.75);
	check("gpt-5.4", 2.5, 15, 0.25, 2.5, 2.5);
	check("gpt-5.4-mini", 0.75, 4.5, 0.075, 0.75, 0.75);
	check("gpt-5.5", 5, 30, 0.5, 5, 5);
	check("gpt-5.3-codex-spark", 1.75, 14, 0.175, 1.75, 1.75); /* prefix gpt-5.3 */
	cr_assert_null(price_lookup(&shipped, "llama-3-70b"), "unknown models have no price");
	cr_assert_null(price_lookup(&shipped, "<synthetic>"));
}

static int load(struct price_table *t, const char *text, struct conf_err *e)
{
	memset(t, 0, sizeof *t);
	return prices_load_mem(t, "p.yaml", text, strlen(text), e);
}

Test(prices, minimal_and_prefix)
{
	struct price_table t;
	struct conf_err e;
	const char *y = "models:\n"
			"  - prefix: m-\n"
			"    input: 1\n    output: 2\n    cache_read: 0.1\n    cache_write_5m: 1.25\n    cache_write_1h: 2\n"
			"    long_context: {threshold: 1000, input: 2, output: 4, cache_read: 0.2, cache_write_5m: 2.5, cache_write_1h: 4}\n";
	cr_assert_eq(load(&t, y, &e), 0, "%s", e.msg);
	cr_assert_eq(t.n, 1);
	cr_assert(t.v[0].prefix);
	cr_assert_str_eq(t.v[0].name, "m-");
	cr_assert_eq(t.v[0].long_threshold, 1000);
	cr_assert_float_eq(t.v[0].longp.cache_write_1h, 4, EPS);
	price_table_free(&t);
}

#define RATES "input: 1, output: 2, cache_read: 0.1, cache_write_5m: 1.25, cache_write_1h: 2"

Test(prices, malformed_entries_are_skipped_with_line_col)
{
	struct price_table t;
	struct conf_err e;
	const char *y = "models:\n"
			"  - {name: good, " RATES "}\n"
			"  - {name: nooutput, input: 1, cache_read: 0.1, cache_write_5m: 1, cache_write_1h: 2}\n"
			"  - {name: alsogood, " RATES "}\n";
	cr_assert_eq(load(&t, y, &e), -1);
	cr_assert_str_eq(e.msg, "p.yaml:3:5: model nooutput: missing output");
	cr_assert_eq(e.line, 3);
	cr_assert_eq(e.col, 5);
	cr_assert_eq(t.n, 2, "only the bad entry is skipped");
	price_table_free(&t);

	cr_assert_eq(load(&t, "models:\n  - {name: x, input: cheap, output: 2, cache_read: 0.1, cache_write_5m: 1, cache_write_1h: 2}\n", &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 22);
	cr_assert(strstr(e.msg, "model x: input: expected a number, found \"cheap\""), "%s", e.msg);
	cr_assert_eq(t.n, 0);
	price_table_free(&t);

	cr_assert_eq(load(&t, "models:\n  - {name: x, " RATES ", color: 1}\n", &e), -1);
	cr_assert(strstr(e.msg, "unknown key 'color'"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, prefix: y, " RATES "}\n", &e), -1);
	cr_assert(strstr(e.msg, "either one name or one prefix"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {" RATES "}\n", &e), -1);
	cr_assert(strstr(e.msg, "needs a name or a prefix"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, " RATES "}\n  - {name: x, " RATES "}\n", &e), -1);
	cr_assert(strstr(e.msg, "p.yaml:3:") && strstr(e.msg, "listed twice"), "%s", e.msg);
	cr_assert_eq(t.n, 1);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, input: -1, output: 2, cache_read: 0.1, cache_write_5m: 1, cache_write_1h: 2}\n", &e), -1);
	cr_assert(strstr(e.msg, "out of range"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, " RATES ", long_context: {input: 1, output: 2, cache_read: 0.1, cache_write_5m: 1, cache_write_1h: 2}}\n", &e), -1);
	cr_assert(strstr(e.msg, "threshold"), "%s", e.msg);
	cr_assert_eq(t.n, 0, "a bad long_context rule drops the model, never half-prices it");
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, " RATES ", long_context: 5}\n", &e), -1);
	price_table_free(&t);
	/* found by fuzz_prices: prefixes that lookups normalise away can never match */
	static const char *unmatchable[] = { "claude-3-5-haiku@x", "anthropic/claude", "m[1m]", "claude-x-20250101" };
	for (size_t i = 0; i < 4; i++) {
		char yy[300];
		snprintf(yy, sizeof yy, "models:\n  - {prefix: '%s', " RATES "}\n", unmatchable[i]);
		cr_assert_eq(load(&t, yy, &e), -1, "%s", unmatchable[i]);
		cr_assert(strstr(e.msg, "p.yaml:2:") && strstr(e.msg, "can never match"), "%s", e.msg);
		cr_assert_eq(t.n, 0);
		price_table_free(&t);
	}
	cr_assert_eq(load(&t, "models:\n  - {name: 'anthropic/claude-x@2025', " RATES "}\n", &e), 0, "exact names may hold them");
	cr_assert_not_null(price_lookup(&t, "anthropic/claude-x@2025"));
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - just-a-name\n", &e), -1);
	cr_assert_str_eq(e.msg, "p.yaml:2:5: models: each entry must be a mapping, found a scalar");
	price_table_free(&t);
}

Test(prices, bad_shapes)
{
	struct price_table t;
	struct conf_err e;
	cr_assert_eq(load(&t, "", &e), -1);
	cr_assert(strstr(e.msg, "empty"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models: 3\n", &e), -1);
	cr_assert_str_eq(e.msg, "p.yaml:1:9: models: expected a list, found a scalar");
	price_table_free(&t);
	cr_assert_eq(load(&t, "model:\n  - {name: x}\n", &e), -1);
	cr_assert(strstr(e.msg, "p.yaml:1:1: unknown key 'model'"), "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(load(&t, "- a\n", &e), -1);
	price_table_free(&t);
	cr_assert_eq(load(&t, "models:\n  - {name: x, " RATES "\n", &e), -1, "a YAML syntax error");
	cr_assert(strncmp(e.msg, "p.yaml:", 7) == 0 && e.line >= 2, "%s", e.msg);
	price_table_free(&t);
	cr_assert_eq(prices_load(&t, DATA_DIR, &e), -1, "a directory");
	cr_assert(strstr(e.msg, "not a regular file"), "%s", e.msg);
	price_table_free(&t);
}
