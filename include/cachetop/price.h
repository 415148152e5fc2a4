/* price.h — the price table (USD per million tokens by kind and cache tier, with a long-context
 * rule) and the cost of one request. The table itself is data: the conf layer loads it from
 * YAML; a built-in copy of the shipped table is the fallback. Model names are matched exactly,
 * then after normalisation (provider prefix "anthropic/", "openai/"… and a "-YYYYMMDD" date or
 * "@date" suffix removed, "[1m]" suffix removed), then by the longest matching prefix rule. */
#ifndef CACHETOP_PRICE_H
#define CACHETOP_PRICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/line.h"

struct price_rates {
	double input, output, cache_read, cache_write_5m, cache_write_1h;
};

struct price {
	char *name;                /* model name, or a prefix when prefix is true */
	bool prefix;
	struct price_rates base;
	uint64_t long_threshold;   /* 0: no long-context rule; else prompts above it use `longp` */
	struct price_rates longp;
};

struct price_table {
	struct price *v;
	size_t n, cap;
	char *source;              /* file it came from, or "built-in" */
};

/* The built-in table (a copy of themes-side data/prices.yaml); never NULL, shared, read-only. */
const struct price_table *price_table_builtin(void);
void price_table_add(struct price_table *t, const struct price *p); /* copies p (and its name) */
void price_table_free(struct price_table *t);

/* NULL when the model has no price (shown "no price", never $0). */
const struct price *price_lookup(const struct price_table *t, const char *model);
/* USD for one request's normalised usage (implicit caching: cache_creation is 0, cache_read at
 * the cached input rate). Applies the long-context rule to the whole request. */
double price_cost(const struct price *p, const struct usage *u);
/* The input-side rates that apply to a request of this prompt size (long-context aware). */
const struct price_rates *price_rates_for(const struct price *p, uint64_t prompt_tokens);

#endif
