/* price.c — price lookup and request cost. The built-in table mirrors data/prices.yaml (a conf
 * test checks they agree) so that cachetop prices correctly even when no table is installed.
 * Prefix rules match only at a component boundary ("gpt-5" covers "gpt-5-mini", not "gpt-5.9"),
 * so an unknown future model stays unpriced instead of silently inheriting a wrong price. */
#include "cachetop/price.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/util.h"

#define RATES(in, out, rd, w5, w1) {in, out, rd, w5, w1}
/* Anthropic: 5m write 1.25×, 1h write 2×, read 0.1× input. OpenAI and Google: no write premium
 * (writes are never reported; the input price stands in), cached input at the listed rate.
 * USD per 1M. */
static const struct {
	const char *name;
	bool prefix;
	struct price_rates base;
	uint64_t long_threshold;
	struct price_rates longp;
} builtin[] = {
	{"claude-opus-4-8", true, RATES(5, 25, 0.5, 6.25, 10), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-opus-4-7", true, RATES(5, 25, 0.5, 6.25, 10), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-opus-4-6", true, RATES(5, 25, 0.5, 6.25, 10), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-opus-4-5", true, RATES(5, 25, 0.5, 6.25, 10), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-opus-4-1", true, RATES(15, 75, 1.5, 18.75, 30), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-opus-4", true, RATES(15, 75, 1.5, 18.75, 30), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-sonnet-4-6", true, RATES(3, 15, 0.3, 3.75, 6), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-sonnet-4-5", true, RATES(3, 15, 0.3, 3.75, 6), 200000, RATES(6, 22.5, 0.6, 7.5, 12)},
	{"claude-sonnet-4", true, RATES(3, 15, 0.3, 3.75, 6), 200000, RATES(6, 22.5, 0.6, 7.5, 12)},
	{"claude-3-7-sonnet", true, RATES(3, 15, 0.3, 3.75, 6), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-3-5-sonnet", true, RATES(3, 15, 0.3, 3.75, 6), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-haiku-4-5", true, RATES(1, 5, 0.1, 1.25, 2), 0, RATES(0, 0, 0, 0, 0)},
	{"claude-3-5-haiku", true, RATES(0.8, 4, 0.08, 1, 1.6), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.5", true, RATES(5, 30, 0.5, 5, 5), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.4-mini", true, RATES(0.75, 4.5, 0.075, 0.75, 0.75), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.4", true, RATES(2.5, 15, 0.25, 2.5, 2.5), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.3", true, RATES(1.75, 14, 0.175, 1.75, 1.75), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.2", true, RATES(1.75, 14, 0.175, 1.75, 1.75), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5.1", true, RATES(1.25, 10, 0.125, 1.25, 1.25), 0, RATES(0, 0, 0, 0, 0)},
	{"gpt-5", true, RATES(1.25, 10, 0.125, 1.25, 1.25), 0, RATES(0, 0, 0, 0, 0)},
	/* Google: implicit caching, no write premium (writes at the input price) */
	{"gemini-2.5-pro", false, RATES(1.25, 10, 0.125, 1.25, 1.25), 200000, RATES(2.5, 15, 0.25, 2.5, 2.5)},
	{"gemini-2.5-flash", false, RATES(0.3, 2.5, 0.03, 0.3, 0.3), 0, RATES(0, 0, 0, 0, 0)},
	{"gemini-2.5-flash-lite", false, RATES(0.1, 0.4, 0.01, 0.1, 0.1), 0, RATES(0, 0, 0, 0, 0)},
	{"gemini-3-pro-preview", false, RATES(2, 12, 0.2, 2, 2), 200000, RATES(4, 18, 0.4, 4, 4)},
	{"gemini-3.1-pro-preview", false, RATES(2, 12, 0.2, 2, 2), 200000, RATES(4, 18, 0.4, 4, 4)},
	{"gemini-3.1-pro-preview-customtools", false, RATES(2, 12, 0.2, 2, 2), 200000, RATES(4, 18, 0.4, 4, 4)},
	{"gemini-3-flash-preview", false, RATES(0.5, 3, 0.05, 0.5, 0.5), 0, RATES(0, 0, 0, 0, 0)},
	{"gemini-3.1-flash-lite", false, RATES(0.25, 1.5, 0.025, 0.25, 0.25), 0, RATES(0, 0, 0, 0, 0)},
	{"gemini-3.1-flash-lite-preview", false, RATES(0.25, 1.5, 0.025, 0.25, 0.25), 0, RATES(0, 0, 0, 0, 0)},
	{"gemini-3.5-flash", false, RATES(1.5, 9, 0.15, 1.5, 1.5), 0, RATES(0, 0, 0, 0, 0)},
};

void price_table_add(struct price_table *t, const struct price *p)
{
	void *v = t->v;
	ct_grow(&v, &t->cap, t->n + 1, sizeof *t->v);
	t->v = v;
	t->v[t->n] = *p;
	t->v[t->n].name = xstrdup(p->name);
	t->n++;
}

void price_table_free(struct price_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->source);
	t->v = NULL;
	t->n = t->cap = 0;
	t->source = NULL;
}

static struct price_table builtin_table;

const struct price_table *price_table_builtin(void)
{
	/* Built once; the model reads it from one thread, and a static table needs no teardown. */
	if (!builtin_table.n) {
		for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
			struct price p = {.name = (char *)builtin[i].name, .prefix = builtin[i].prefix,
					  .base = builtin[i].base, .long_threshold = builtin[i].long_threshold,
					  .longp = builtin[i].longp};
			price_table_add(&builtin_table, &p);
		}
		builtin_table.source = xstrdup("built-in");
	}
	return &builtin_table;
}

/* "anthropic/claude-sonnet-4-20250514[1m]" → "claude-sonnet-4". */
static void normalise(const char *model, char *out, size_t cap)
{
	const char *slash = strrchr(model, '/');
	if (slash)
		model = slash + 1;
	size_t n = strlen(model);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, model, n);
	out[n] = 0;
	char *at = strchr(out, '@');
	if (at)
		*at = 0, n = (size_t)(at - out);
	char *br = strchr(out, '[');
	if (br)
		*br = 0, n = (size_t)(br - out);
	/* a trailing -YYYYMMDD date */
	if (n > 9 && out[n - 9] == '-') {
		bool digits = true;
		for (size_t i = n - 8; i < n; i++)
			digits = digits && isdigit((unsigned char)out[i]);
		if (digits)
			out[n - 9] = 0;
	}
}

static const struct price *find(const struct price_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!t->v[i].prefix && !strcmp(t->v[i].name, name))
			return &t->v[i];
	const struct price *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i].prefix)
			continue;
		size_t len = strlen(t->v[i].name);
		if (len > best_len && !strncmp(name, t->v[i].name, len) &&
		    (name[len] == 0 || name[len] == '-')) {
			best = &t->v[i];
			best_len = len;
		}
	}
	return best;
}

const struct price *price_lookup(const struct price_table *t, const char *model)
{
	if (!model || !*model)
		return NULL;
	if (!t)
		t = price_table_builtin();
	/* the name as written first (so every rule matches its own name), then normalised */
	const struct price *p = find(t, model);
	if (p)
		return p;
	char norm[256];
	normalise(model, norm, sizeof norm);
	return strcmp(norm, model) ? find(t, norm) : NULL;
}

const struct price_rates *price_rates_for(const struct price *p, uint64_t prompt_tokens)
{
	if (p->long_threshold && prompt_tokens > p->long_threshold)
		return &p->longp;
	return &p->base;
}

double price_cost(const struct price *p, const struct usage *u)
{
	const struct price_rates *r = price_rates_for(p, u->input + u->cache_creation + u->cache_read);
	return ((double)u->input * r->input + (double)u->cc5m * r->cache_write_5m +
		(double)u->cc1h * r->cache_write_1h + (double)u->cache_read * r->cache_read +
		(double)u->output * r->output) / 1e6;
}
