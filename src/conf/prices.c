/* prices.c — a price table YAML (schema in config.h) into struct price_table through core's
 * price_table_add. An entry is added only when it is complete and valid: a bad entry is skipped
 * with a FILE:LINE:COL error (never half-priced), the others still load, and the call returns -1
 * so the caller can decide to fall back to the built-in table. */
#include "yaml_walk.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* USD per million tokens: the dearest real rate is ~$150; 10,000 catches a misplaced decimal
 * point without refusing any plausible future price. */
#define PRICE_MAX 10000.0

struct seen_name {
	UT_hash_handle hh;
	char key[]; /* "n:NAME" or "p:PREFIX" */
};

static const char *const rate_keys[5] = { "input", "output", "cache_read", "cache_write_5m", "cache_write_1h" };

static double *rate_field(struct price_rates *r, int i)
{
	switch (i) {
	case 0: return &r->input;
	case 1: return &r->output;
	case 2: return &r->cache_read;
	case 3: return &r->cache_write_5m;
	default: return &r->cache_write_1h;
	}
}

static int rate_index(const char *k)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(rate_keys[i], k) == 0)
			return i;
	return -1;
}

/* The five rates (all required) plus, for long_context, threshold. Returns 0 when complete. */
static int load_rates(struct ywalk *w, const yaml_node_t *map, const char *who, struct price_rates *r,
		      uint64_t *threshold)
{
	bool have[5] = { false }, have_thr = false;
	int bad = 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k;
		yaml_node_t *kn = yaml_document_get_node(&w->doc, p->key), *vn;
		if (!kn || kn->type != YAML_SCALAR_NODE) {
			yw_error(w, kn ? kn : map, "%s: a key must be a plain name", who);
			bad++;
			continue;
		}
		if (yw_str(w, kn, "key", &k) != 0) {
			bad++;
			continue;
		}
		if (!threshold && (strcmp(k, "name") == 0 || strcmp(k, "prefix") == 0 || strcmp(k, "long_context") == 0))
			continue; /* handled by load_model */
		if (!(vn = yw_child(w, map, p->value))) {
			bad++;
			continue;
		}
		int i = rate_index(k);
		if (i >= 0) {
			double v;
			char what[160];
			snprintf(what, sizeof what, "%s: %s", who, k);
			if (yw_double(w, vn, what, 0, PRICE_MAX, &v) != 0) {
				bad++;
				continue;
			}
			*rate_field(r, i) = v;
			have[i] = true;
		} else if (threshold && strcmp(k, "threshold") == 0) {
			long long v;
			char what[160];
			snprintf(what, sizeof what, "%s: threshold", who);
			if (yw_int(w, vn, what, 1, 100000000000LL, &v) != 0) {
				bad++;
				continue;
			}
			*threshold = (uint64_t)v;
			have_thr = true;
		} else {
			yw_error(w, kn, "%s: unknown key '%.40s' (%s%s)", who, k,
				 "input, output, cache_read, cache_write_5m, cache_write_1h",
				 threshold ? ", threshold" : ", name, prefix, long_context");
			bad++;
		}
	}
	for (int i = 0; i < 5; i++) {
		if (!have[i]) {
			yw_error(w, map, "%s: missing %s", who, rate_keys[i]);
			bad++;
		}
	}
	if (threshold && !have_thr) {
		yw_error(w, map, "%s: long_context needs a threshold (prompt tokens)", who);
		bad++;
	}
	return bad ? -1 : 0;
}

/* price_lookup normalises an id (drops "provider/", "@…", "[…]" and a -YYYYMMDD suffix) before
 * trying prefixes, so a prefix holding any of those could never match anything. */
static bool prefix_matchable(const char *s)
{
	if (strpbrk(s, "/@["))
		return false;
	size_t n = strlen(s);
	if (n > 9 && s[n - 9] == '-') {
		for (size_t i = n - 8; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return true;
		return false;
	}
	return true;
}

static void load_model(struct ywalk *w, const yaml_node_t *m, struct price_table *t, struct seen_name **seen)
{
	if (m->type != YAML_MAPPING_NODE) {
		yw_error(w, m, "models: each entry must be a mapping, found %s", yw_kind(m));
		return;
	}
	const char *name = NULL, *prefix = NULL;
	const yaml_node_t *lc = NULL, *name_node = m;
	int bad = 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&w->doc, p->key);
		const char *k;
		if (!kn || kn->type != YAML_SCALAR_NODE)
			continue; /* reported by load_rates */
		k = (const char *)kn->data.scalar.value;
		if (strcmp(k, "name") == 0 || strcmp(k, "prefix") == 0) {
			yaml_node_t *vn = yw_child(w, m, p->value);
			const char *s;
			if (!vn || yw_str(w, vn, k, &s) != 0) {
				bad++;
				continue;
			}
			if (!*s || strlen(s) > 200) {
				yw_error(w, vn, "%s: must be 1 to 200 characters", k);
				bad++;
				continue;
			}
			if (k[0] == 'p' && !prefix_matchable(s)) {
				yw_error(w, vn, "prefix \"%.60s\" can never match: model ids lose any \"provider/\", \"@…\", \"[…]\" and -YYYYMMDD date suffix before prefixes are tried", s);
				bad++;
				continue;
			}
			if (name || prefix) {
				yw_error(w, kn, "a model has either one name or one prefix");
				bad++;
				continue;
			}
			*(k[0] == 'n' ? &name : &prefix) = s;
			name_node = vn;
		} else if (strcmp(k, "long_context") == 0) {
			if (lc) {
				yw_error(w, kn, "long_context: given twice");
				bad++;
				continue;
			}
			if (!(lc = yw_child(w, m, p->value))) {
				bad++;
			} else if (lc->type != YAML_MAPPING_NODE) {
				yw_error(w, lc, "long_context: expected a mapping, found %s", yw_kind(lc));
				bad++;
				lc = NULL;
			}
		}
	}
	if (!name && !prefix) {
		yw_error(w, m, "a model needs a name or a prefix");
		bad++;
	}
	char who[240];
	snprintf(who, sizeof who, "%s %s", name ? "model" : "prefix", name ? name : prefix ? prefix : "?");
	struct price pr = { 0 };
	if (load_rates(w, m, who, &pr.base, NULL) != 0)
		bad++;
	if (lc && load_rates(w, lc, who, &pr.longp, &pr.long_threshold) != 0)
		bad++;
	if (bad)
		return;
	size_t klen = strlen(name ? name : prefix) + 3;
	struct seen_name *sn;
	char key[208];
	snprintf(key, sizeof key, "%c:%s", name ? 'n' : 'p', name ? name : prefix);
	HASH_FIND(hh, *seen, key, klen - 1, sn);
	if (sn) {
		yw_error(w, name_node, "%s is listed twice", who);
		return;
	}
	sn = xmalloc(sizeof *sn + klen);
	memcpy(sn->key, key, klen);
	HASH_ADD(hh, *seen, key, klen - 1, sn);
	pr.name = (char *)(name ? name : prefix);
	pr.prefix = prefix != NULL;
	price_table_add(t, &pr);
}

int prices_load_mem(struct price_table *t, const char *name, const char *text, size_t n, struct conf_err *err)
{
	struct ywalk w;
	if (!t->source)
		t->source = xstrdup(name ? name : "(memory)");
	if (yw_open(&w, name, text, n, err) != 0) {
		yw_close(&w);
		return -1;
	}
	yaml_node_t *root = yw_root(&w);
	const yaml_node_t *models = NULL;
	if (!root || root->type != YAML_MAPPING_NODE) {
		yw_error(&w, root, "a price table is a mapping with a models: list%s", root ? "" : " (the file is empty)");
	} else {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yw_child(&w, root, p->key), *vn = yw_child(&w, root, p->value);
			const char *k;
			if (!kn || !vn || yw_str(&w, kn, "key", &k) != 0)
				continue;
			if (strcmp(k, "models") != 0) {
				yw_error(&w, kn, "unknown key '%.40s' (a price table has models:)", k);
			} else if (vn->type != YAML_SEQUENCE_NODE) {
				yw_error(&w, vn, "models: expected a list, found %s", yw_kind(vn));
			} else if (models) {
				yw_error(&w, kn, "models: given twice");
			} else {
				models = vn;
			}
		}
		if (!models && w.nerr == 0)
			yw_error(&w, root, "no models: list");
	}
	struct seen_name *seen = NULL, *s, *tmp;
	if (models) {
		for (yaml_node_item_t *it = models->data.sequence.items.start; it < models->data.sequence.items.top; it++) {
			yaml_node_t *m = yw_child(&w, models, *it);
			if (m)
				load_model(&w, m, t, &seen);
		}
	}
	HASH_ITER(hh, seen, s, tmp) {
		HASH_DEL(seen, s);
		free(s);
	}
	int rc = yw_finish(&w);
	yw_close(&w);
	return rc;
}

int prices_read(const char *path, char **text, size_t *n, struct conf_err *err)
{
	return yw_read_file(path, text, n, NULL, err);
}

int prices_load(struct price_table *t, const char *path, struct conf_err *err)
{
	char *text;
	size_t n;
	if (yw_read_file(path, &text, &n, NULL, err) != 0)
		return -1;
	int rc = prices_load_mem(t, path, text, n, err);
	free(text);
	return rc;
}
