/* test_price_rules.c — every rule of a loaded price table is reachable by its own name, however
 * the name is written (a fuzzer found prefix rules named like "x/y" or "a-20250101" that the
 * name normalisation made unreachable); checked on the shipped table and the saved input. */
#include <criterion/criterion.h>

#include "cachetop/config.h"
#include "cachetop/price.h"

static void all_rules_reachable(const char *path)
{
	struct price_table t = {0};
	struct conf_err e;
	prices_load(&t, path, &e); /* a partly bad file still loads its good rules */
	for (size_t i = 0; i < t.n; i++)
		cr_expect_not_null(price_lookup(&t, t.v[i].name), "%s: rule \"%s\" unreachable", path, t.v[i].name);
	price_table_free(&t);
}

Test(price_rules, shipped_table) { all_rules_reachable(DATA_DIR "/prices.yaml"); }
Test(price_rules, fuzzer_input) { all_rules_reachable(REGRESS_DIR "/prices-rule-unreachable-by-own-name.yaml"); }

Test(price_rules, names_with_provider_and_date_still_match_a_prefix_rule)
{
	struct price_table t = {0};
	struct price p = {.name = "vendor/model-x", .prefix = true, .base = {1, 2, 0.1, 1.25, 2}};
	price_table_add(&t, &p);
	cr_expect_not_null(price_lookup(&t, "vendor/model-x-20250101"));
	cr_expect_null(price_lookup(&t, "model-y"));
	price_table_free(&t);
}
