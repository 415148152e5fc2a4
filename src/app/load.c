/* load.c — the app's state before any sub-command runs: config (a bad file keeps the
 * defaults), the price table, each agent's roots (options, else config, else the environment),
 * the model and quota options, and the clock — the only place outside the event loops that
 * reads the wall clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

int64_t app_now(const struct app *a)
{
	if (a->now_override != CT_TIME_NONE)
		return a->now_override;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void app_resolve_roots(struct app *a)
{
	source_roots_free(&a->roots);
	/* Naming roots of one agent on the command line means "these roots": the other agents'
	 * defaults are not added behind the user's back. */
	bool explicit = false;
	for (int ag = 0; ag < AGENT_COUNT; ag++)
		explicit = explicit || a->ndirs[ag];
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		char *const *v = a->dirs[ag];
		size_t n = a->ndirs[ag];
		if (!n)
			config_dirs(&a->cfg, (enum agent)ag, &v, &n);
		if (n)
			for (size_t i = 0; i < n; i++)
				source_roots_add(&a->roots, (enum agent)ag, v[i]);
		else if (!explicit)
			source_roots_default(&a->roots, (enum agent)ag);
	}
}

static char *data_file(const struct app *a, const char *name)
{
	char *p = conf_data_path(a->argv0, name);
	if (!p) {
		char rel[256];
		snprintf(rel, sizeof rel, "data/%s", name);
		p = conf_data_path(a->argv0, rel);
	}
	return p;
}

void app_load(struct app *a)
{
	struct conf_err err;
	config_defaults(&a->cfg);
	char *path = a->config_path ? xstrdup(a->config_path) : config_default_path();
	if (path && config_load(&a->cfg, path, a->config_path == NULL, &err) != 0)
		fprintf(stderr, "cachetop: %s (using defaults for the rest)\n", err.msg);
	free(path);
	if (a->bell)
		a->cfg.bell = true;
	if (a->no_color)
		a->cfg.no_color = true;

	/* The price file's bytes are its key (model_opts.prices_key): a saved image is matched
	 * without parsing them, and parsing waits for a model to be built (app_prices). */
	a->prices_path = a->cfg.prices ? xstrdup(a->cfg.prices) : data_file(a, "prices.yaml");
	if (a->prices_path && prices_read(a->prices_path, &a->prices_text, &a->prices_len, &err) != 0) {
		fprintf(stderr, "cachetop: %s (using the built-in price table)\n", err.msg);
		a->prices_text = NULL;
	}

	app_resolve_roots(a);
	model_opts_default(&a->mopts);
	/* no file: the built-in table, fixed by the build (the state's build key) */
	a->mopts.prices_key = ct_hash(a->prices_text ? a->prices_text : "built-in",
				      a->prices_text ? a->prices_len : 8) | 1;
	a->mopts.cold_min_prefix = a->cfg.cold_min_prefix;
	a->mopts.cold_ratio = a->cfg.cold_ratio;
	a->mopts.default_ttl_s = a->cfg.default_ttl_s;
	memcpy(a->mopts.ttl_s, a->cfg.ttl_s, sizeof a->mopts.ttl_s);
	a->mopts.since_ms = a->since_ms;
	a->qopts.limit_auto = a->cfg.quota_auto;
	a->qopts.limit = a->cfg.quota_limit;
	a->qopts.unit = a->cfg.quota_unit;
	if (!a->official_lazy)
		app_load_official(a);
	if (!a->prices_lazy)
		app_prices(a);
}

void app_prices(struct app *a)
{
	if (!a->prices_text)
		return; /* parsed already, or none: the built-in table */
	struct price_table *t = xcalloc(1, sizeof *t);
	struct conf_err err;
	if (prices_load_mem(t, a->prices_path, a->prices_text, a->prices_len, &err) == 0) {
		a->prices = t;
		a->mopts.prices = t;
	} else {
		fprintf(stderr, "cachetop: %s (using the built-in price table)\n", err.msg);
		price_table_free(t);
		free(t);
	}
	free(a->prices_text);
	a->prices_text = NULL;
}

void app_free(struct app *a)
{
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		for (size_t i = 0; i < a->ndirs[ag]; i++)
			free(a->dirs[ag][i]);
		free(a->dirs[ag]);
	}
	source_roots_free(&a->roots);
	ledger_set_free(&a->ledgers);
	config_free(&a->cfg);
	if (a->prices) {
		price_table_free(a->prices);
		free(a->prices);
	}
	free(a->prices_path);
	free(a->prices_text);
}
