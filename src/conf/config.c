/* config.c — config.yaml into struct config, driven by the key table in config_table.c. Loading
 * never stops at the first problem: every key that is valid is applied, every bad or unknown key
 * is an error with FILE:LINE:COL; the first message is kept (with "(and N more)") and the call
 * returns -1, so the caller can warn while running with what loaded. */
#include "config_private.h"
#include "yaml_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->offset))

static void strlist_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < config_table_size; i++) {
		const struct config_key *k = &config_table[i];
		switch (k->type) {
		case CONFIG_BOOL: *FIELD(c, k, bool) = k->def != 0; break;
		case CONFIG_INT: *FIELD(c, k, int) = (int)k->def; break;
		case CONFIG_U64: *FIELD(c, k, uint64_t) = (uint64_t)k->def; break;
		case CONFIG_DOUBLE: *FIELD(c, k, double) = k->def; break;
		default: break; /* strings and lists start NULL/empty */
		}
	}
	c->quota_auto = true;
	c->quota_limit = 0;
	c->quota_unit = QUOTA_USD;
}

void config_dirs(const struct config *c, enum agent a, char *const **v, size_t *n)
{
	agent_get(a); /* a value outside the table stops here, with its message */
	*v = c->dirs[a];
	*n = c->ndirs[a];
}

void config_free(struct config *c)
{
	for (int a = 0; a < AGENT_COUNT; a++) {
		strlist_free(c->dirs[a], c->ndirs[a]);
		c->dirs[a] = NULL;
		c->ndirs[a] = 0;
	}
	free(c->theme);
	free(c->prices);
	free(c->quota_plan);
	c->theme = c->prices = c->quota_plan = NULL;
}

struct load_state {
	struct ywalk *w;
	struct config *c;
	unsigned char seen[64];    /* per table index: key already given (duplicate check) */
	bool limit_given, unit_tokens_given;
	const yaml_node_t *plan_node;
};

static void apply_key(struct load_state *st, const struct config_key *k, const yaml_node_t *v);

static void walk_map(struct load_state *st, const yaml_node_t *map, const char *prefix)
{
	struct ywalk *w = st->w;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yw_child(w, map, p->key), *vn = yw_child(w, map, p->value);
		const char *key;
		if (!kn || !vn)
			continue;
		if (kn->type != YAML_SCALAR_NODE) {
			yw_error(w, kn, "a key must be a plain name, found %s", yw_kind(kn));
			continue;
		}
		if (yw_str(w, kn, "key", &key) != 0)
			continue;
		char dotted[128];
		int len = snprintf(dotted, sizeof dotted, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
		const struct config_key *k = (len > 0 && (size_t)len < sizeof dotted) ? config_key_find(dotted) : NULL;
		if (!k) {
			yw_error(w, kn, "unknown key '%.60s%s%.60s'", prefix ? prefix : "", prefix ? "." : "", key);
			continue;
		}
		size_t idx = (size_t)(k - config_table);
		if (st->seen[idx]) {
			yw_error(w, kn, "duplicate key '%s' (the last one wins)", k->name);
		}
		st->seen[idx] = 1;
		if (k->type == CONFIG_SECTION) {
			if (vn->type != YAML_MAPPING_NODE) {
				yw_error(w, vn, "%s: expected a mapping, found %s", k->name, yw_kind(vn));
				continue;
			}
			walk_map(st, vn, k->name);
			continue;
		}
		apply_key(st, k, vn);
	}
}

static void apply_key(struct load_state *st, const struct config_key *k, const yaml_node_t *v)
{
	struct ywalk *w = st->w;
	struct config *c = st->c;
	const char *s;
	switch (k->type) {
	case CONFIG_SECTION:
		break;
	case CONFIG_STRLIST: {
		char **list;
		size_t n;
		int rc = yw_strlist(w, v, k->name, &list, &n);
		if (rc != 0 && n == 0) {
			strlist_free(list, n);
			break;
		}
		char ***dst = FIELD(c, k, char **);
		size_t *cnt = (size_t *)(void *)((char *)c + k->count_offset);
		strlist_free(*dst, *cnt);
		*dst = list;
		*cnt = n;
		break;
	}
	case CONFIG_STRING:
		if (yw_str(w, v, k->name, &s) != 0)
			break;
		if (!*s) {
			yw_error(w, v, "%s: must not be empty", k->name);
			break;
		}
		free(*FIELD(c, k, char *));
		*FIELD(c, k, char *) = yw_expand_home(s);
		break;
	case CONFIG_BOOL: {
		bool b;
		if (yw_bool(w, v, k->name, &b) == 0)
			*FIELD(c, k, bool) = b;
		break;
	}
	case CONFIG_INT: {
		long long x;
		if (yw_int(w, v, k->name, (long long)k->min, (long long)k->max, &x) == 0)
			*FIELD(c, k, int) = (int)x;
		break;
	}
	case CONFIG_U64: {
		long long x;
		if (yw_int(w, v, k->name, (long long)k->min, (long long)k->max, &x) == 0)
			*FIELD(c, k, uint64_t) = (uint64_t)x;
		break;
	}
	case CONFIG_DOUBLE: {
		double x;
		if (yw_double(w, v, k->name, k->min, k->max, &x) == 0)
			*FIELD(c, k, double) = x;
		break;
	}
	case CONFIG_QLIMIT: {
		double x;
		if (v->type == YAML_SCALAR_NODE && strcasecmp((const char *)v->data.scalar.value, "auto") == 0) {
			c->quota_auto = true;
			st->limit_given = true;
		} else if (yw_double(w, v, "quota.limit (auto or a number)", k->min, k->max, &x) == 0) {
			c->quota_auto = false;
			c->quota_limit = x;
			st->limit_given = true;
		}
		break;
	}
	case CONFIG_QUNIT:
		if (yw_str(w, v, k->name, &s) != 0)
			break;
		if (strcasecmp(s, "usd") == 0) {
			c->quota_unit = QUOTA_USD;
		} else if (strcasecmp(s, "tokens") == 0) {
			c->quota_unit = QUOTA_TOKENS;
			st->unit_tokens_given = true;
		} else {
			yw_error(w, v, "quota.unit: expected usd or tokens, found \"%.40s\"", s);
		}
		break;
	case CONFIG_PLAN: {
		if (yw_str(w, v, k->name, &s) != 0)
			break;
		const struct config_plan *p = config_plan_find(s);
		if (!p) {
			char names[128] = "";
			for (const struct config_plan *q = config_plans; q->name; q++) {
				size_t len = strlen(names);
				snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", q->name);
			}
			yw_error(w, v, "quota.plan: unknown plan \"%.40s\" (known: %s)", s, names);
			break;
		}
		free(c->quota_plan);
		c->quota_plan = xstrdup(p->name);
		st->plan_node = v;
		break;
	}
	}
}

int config_load_mem(struct config *c, const char *name, const char *text, size_t n, struct conf_err *err)
{
	struct ywalk w;
	if (yw_open(&w, name, text, n, err) != 0) {
		yw_close(&w);
		return -1;
	}
	struct load_state st = { .w = &w, .c = c };
	yaml_node_t *root = yw_root(&w);
	if (root) {
		if (root->type == YAML_MAPPING_NODE)
			walk_map(&st, root, NULL);
		else if (!(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
			yw_error(&w, root, "the config must be a mapping of keys, found %s", yw_kind(root));
	}
	/* A plan is a limit in USD unless the file set the limit itself. */
	if (st.plan_node && !st.limit_given) {
		if (st.unit_tokens_given) {
			yw_error(&w, st.plan_node, "quota.plan: presets are in USD; with unit tokens set quota.limit");
		} else {
			const struct config_plan *p = config_plan_find(c->quota_plan);
			c->quota_auto = false;
			c->quota_limit = p->usd_per_5h;
			c->quota_unit = QUOTA_USD;
		}
	}
	int rc = yw_finish(&w);
	yw_close(&w);
	return rc;
}

int config_load(struct config *c, const char *path, bool optional, struct conf_err *err)
{
	char *text;
	size_t n;
	bool missing;
	if (yw_read_file(path, &text, &n, &missing, err) != 0) {
		if (missing && optional) {
			if (err)
				err->msg[0] = '\0';
			return 0;
		}
		return -1;
	}
	int rc = config_load_mem(c, path, text, n, err);
	free(text);
	return rc;
}

char *config_xdg_path(const char *env, const char *home_sub, const char *tail)
{
	const char *x = getenv(env), *home = getenv("HOME");
	struct buf b = { 0 };
	/* The XDG spec says a relative XDG_*_HOME is invalid and must be ignored. */
	if (x && x[0] == '/')
		buf_printf(&b, "%s/%s", x, tail);
	else if (home && *home)
		buf_printf(&b, "%s/%s/%s", home, home_sub, tail);
	else
		return NULL;
	return b.data;
}

char *config_default_path(void) { return config_xdg_path("XDG_CONFIG_HOME", ".config", "cachetop/config.yaml"); }
