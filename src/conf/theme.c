/* theme.c — the built-in "default" and "mono" themes and theme YAML (name, optional inherit,
 * palette, roles) into struct theme. Roles come from the THEME_ROLES list only; a role may be a
 * mapping {fg, bg, attrs} or a tmux-style string "fg=red,bg=default,bold". Roles a file does not
 * name keep the base theme's style. Abstract colours only: the view maps them to curses pairs. */
#include "cachetop/theme.h"
#include "yaml_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_keys[ROLE_COUNT] = {
#define R(id, key) key,
	THEME_ROLES
#undef R
};

const char *theme_role_key(enum theme_role r)
{
	return (r >= 0 && r < ROLE_COUNT) ? role_keys[r] : NULL;
}

static int role_find(const char *key)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(role_keys[i], key) == 0)
			return i;
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_BOLD }, { "dim", THEME_DIM }, { "underline", THEME_UNDERLINE },
	{ "underscore", THEME_UNDERLINE }, { "reverse", THEME_REVERSE }, { "italic", THEME_ITALIC },
	{ "italics", THEME_ITALIC }, { "blink", THEME_BLINK },
};

static unsigned attr_find(const char *s)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (strcasecmp(attr_names[i].name, s) == 0)
			return attr_names[i].bit;
	return 0;
}

/* The built-ins, as style strings so that they read like the theme files (and are parsed by the
 * same code). default.yaml in themes/ is a copy of the first table; a test keeps them equal. */
static const char *const builtin_default[ROLE_COUNT] = {
	[ROLE_DEFAULT] = "fg=default,bg=default",
	[ROLE_HEADER] = "fg=cyan,bold",
	[ROLE_STATUS] = "fg=black,bg=cyan",
	[ROLE_SELECTED] = "fg=black,bg=cyan,bold",
	[ROLE_TITLE] = "fg=black,bg=green",
	[ROLE_DIM] = "dim",
	[ROLE_LABEL] = "fg=cyan",
	[ROLE_VALUE] = "bold",
	[ROLE_SPARK_LOW] = "fg=red",
	[ROLE_SPARK_MID] = "fg=yellow",
	[ROLE_SPARK_HIGH] = "fg=green",
	[ROLE_GAUGE_OK] = "fg=green",
	[ROLE_GAUGE_WARN] = "fg=yellow,bold",
	[ROLE_GAUGE_CRIT] = "fg=red,bold",
	[ROLE_GAUGE_EMPTY] = "fg=bright-black",
	[ROLE_RESUME] = "fg=red,bold",
	[ROLE_UNEXPLAINED] = "fg=yellow",
	[ROLE_EXPECTED] = "dim",
	[ROLE_HIT] = "fg=green",
	[ROLE_WARM] = "fg=green",
	[ROLE_COLD] = "fg=blue",
	[ROLE_BORDER] = "fg=blue",
	[ROLE_ERROR] = "fg=white,bg=red,bold",
	[ROLE_OFFICIAL] = "fg=magenta,bold",
};

/* Attributes only, never a colour: what NO_COLOR and --no-color use. */
static const char *const builtin_mono[ROLE_COUNT] = {
	[ROLE_DEFAULT] = "none",
	[ROLE_HEADER] = "bold",
	[ROLE_STATUS] = "reverse",
	[ROLE_SELECTED] = "reverse,bold",
	[ROLE_TITLE] = "bold,underline",
	[ROLE_DIM] = "dim",
	[ROLE_LABEL] = "none",
	[ROLE_VALUE] = "bold",
	[ROLE_SPARK_LOW] = "bold",
	[ROLE_SPARK_MID] = "none",
	[ROLE_SPARK_HIGH] = "none",
	[ROLE_GAUGE_OK] = "none",
	[ROLE_GAUGE_WARN] = "bold",
	[ROLE_GAUGE_CRIT] = "bold,reverse",
	[ROLE_GAUGE_EMPTY] = "dim",
	[ROLE_RESUME] = "bold,reverse",
	[ROLE_UNEXPLAINED] = "bold,underline",
	[ROLE_EXPECTED] = "dim",
	[ROLE_HIT] = "none",
	[ROLE_WARM] = "none",
	[ROLE_COLD] = "dim",
	[ROLE_BORDER] = "dim",
	[ROLE_ERROR] = "bold,reverse",
	[ROLE_OFFICIAL] = "bold",
};

/* Parse a tmux-style string into *st. Colour names go through the palette first. Returns 0, or
 * -1 with a description of the bad token in why[]. */
struct palette_entry {
	char name[32];
	struct theme_colour col;
};
struct palette {
	struct palette_entry *v;
	size_t n, cap;
};

static int colour_lookup(const struct palette *pal, const char *s, struct theme_colour *out)
{
	for (size_t i = 0; pal && i < pal->n; i++) {
		if (strcmp(pal->v[i].name, s) == 0) {
			*out = pal->v[i].col;
			return 0;
		}
	}
	return theme_parse_colour(s, out);
}

static int style_parse(const char *s, const struct palette *pal, struct theme_style *st, char *why, size_t whylen)
{
	struct theme_style out = { .fg = { .index = -1 }, .bg = { .index = -1 }, .set = true };
	char tok[96];
	const char *p = s;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, ", \t");
		if (len >= sizeof tok) {
			snprintf(why, whylen, "token too long");
			return -1;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		unsigned bit;
		if (strncasecmp(tok, "fg=", 3) == 0 || strncasecmp(tok, "bg=", 3) == 0) {
			struct theme_colour *dst = (tok[0] == 'f' || tok[0] == 'F') ? &out.fg : &out.bg;
			if (colour_lookup(pal, tok + 3, dst) != 0) {
				snprintf(why, whylen, "unknown colour \"%.40s\"", tok + 3);
				return -1;
			}
		} else if (strcasecmp(tok, "none") == 0 || strcasecmp(tok, "default") == 0) {
			out.attrs = 0;
		} else if ((bit = attr_find(tok)) != 0) {
			out.attrs |= bit;
		} else {
			snprintf(why, whylen, "unknown style word \"%.40s\" (fg=, bg=, bold, dim, underline, reverse, italic, blink, none)", tok);
			return -1;
		}
	}
	*st = out;
	return 0;
}

void theme_builtin(struct theme *t, const char *name)
{
	bool mono = name && strcmp(name, "mono") == 0;
	const char *const *src = mono ? builtin_mono : builtin_default;
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", mono ? "mono" : "default");
	for (int i = 0; i < ROLE_COUNT; i++) {
		char why[160];
		if (style_parse(src[i], NULL, &t->role[i], why, sizeof why) != 0)
			ct_fatal("built-in theme: role %s: %s", role_keys[i], why); /* a programming error */
	}
}

static void palette_free(struct palette *pal)
{
	free(pal->v);
}

static void load_palette(struct ywalk *w, const yaml_node_t *map, struct palette *pal)
{
	if (map->type != YAML_MAPPING_NODE) {
		yw_error(w, map, "palette: expected a mapping of name: colour, found %s", yw_kind(map));
		return;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yw_child(w, map, p->key), *vn = yw_child(w, map, p->value);
		const char *k, *v;
		if (!kn || !vn || yw_str(w, kn, "palette name", &k) != 0 || yw_str(w, vn, "palette colour", &v) != 0)
			continue;
		if (!*k || strlen(k) >= sizeof pal->v[0].name || strpbrk(k, "=, \t#")) {
			yw_error(w, kn, "palette: bad name \"%.40s\" (up to 31 characters, no '=', ',', '#' or blanks)", k);
			continue;
		}
		struct theme_colour c;
		if (colour_lookup(pal, v, &c) != 0) {
			yw_error(w, vn, "palette %s: unknown colour \"%.40s\"", k, v);
			continue;
		}
		size_t i;
		for (i = 0; i < pal->n; i++)
			if (strcmp(pal->v[i].name, k) == 0)
				break;
		if (i == pal->n && pal->n >= 256) {
			yw_error(w, kn, "palette: more than 256 names");
			return;
		}
		if (i == pal->n) {
			ct_grow((void **)&pal->v, &pal->cap, pal->n + 1, sizeof pal->v[0]);
			pal->n++;
		}
		snprintf(pal->v[i].name, sizeof pal->v[i].name, "%s", k);
		pal->v[i].col = c;
	}
}

static int role_colour(struct ywalk *w, const yaml_node_t *n, const struct palette *pal, const char *role,
		       const char *which, struct theme_colour *out)
{
	const char *s;
	if (yw_str(w, n, which, &s) != 0)
		return -1;
	if (colour_lookup(pal, s, out) != 0) {
		yw_error(w, n, "%s.%s: unknown colour \"%.40s\" (a name, bright-NAME, 0-255, #rrggbb, default or a palette name)",
			 role, which, s);
		return -1;
	}
	return 0;
}

static void load_role(struct ywalk *w, const yaml_node_t *kn, const yaml_node_t *vn, const struct palette *pal,
		      struct theme *t, unsigned char *given)
{
	const char *key;
	if (yw_str(w, kn, "role", &key) != 0)
		return;
	int r = role_find(key);
	if (r < 0) {
		yw_error(w, kn, "unknown role '%.40s'", key);
		return;
	}
	if (given[r])
		yw_error(w, kn, "role '%s' given twice (the last one wins)", key);
	given[r] = 1;
	struct theme_style st = { .fg = { .index = -1 }, .bg = { .index = -1 }, .set = true };
	if (vn->type == YAML_SCALAR_NODE) {
		const char *s;
		char why[200];
		if (yw_str(w, vn, key, &s) != 0)
			return;
		if (style_parse(s, pal, &st, why, sizeof why) != 0) {
			yw_error(w, vn, "%s: %s", key, why);
			return;
		}
		t->role[r] = st;
		return;
	}
	if (vn->type != YAML_MAPPING_NODE) {
		yw_error(w, vn, "%s: expected {fg, bg, attrs} or a style string, found %s", key, yw_kind(vn));
		return;
	}
	bool ok = true;
	for (yaml_node_pair_t *p = vn->data.mapping.pairs.start; p < vn->data.mapping.pairs.top; p++) {
		yaml_node_t *k2 = yw_child(w, vn, p->key), *v2 = yw_child(w, vn, p->value);
		const char *f;
		if (!k2 || !v2 || yw_str(w, k2, "field", &f) != 0) {
			ok = false;
			continue;
		}
		if (strcmp(f, "fg") == 0) {
			ok &= role_colour(w, v2, pal, key, "fg", &st.fg) == 0;
		} else if (strcmp(f, "bg") == 0) {
			ok &= role_colour(w, v2, pal, key, "bg", &st.bg) == 0;
		} else if (strcmp(f, "attrs") == 0) {
			/* a list [bold, dim], or one word, or "bold,dim" */
			if (v2->type == YAML_SCALAR_NODE) {
				const char *s;
				char why[200];
				struct theme_style tmp;
				if (yw_str(w, v2, "attrs", &s) != 0) {
					ok = false;
				} else if (style_parse(s, NULL, &tmp, why, sizeof why) != 0 || tmp.fg.index != -1 ||
					   tmp.bg.index != -1 || tmp.fg.is_rgb || tmp.bg.is_rgb) {
					yw_error(w, v2, "%s.attrs: expected attribute names (bold, dim, underline, reverse, italic, blink)", key);
					ok = false;
				} else {
					st.attrs = tmp.attrs;
				}
			} else if (v2->type == YAML_SEQUENCE_NODE) {
				for (yaml_node_item_t *it = v2->data.sequence.items.start; it < v2->data.sequence.items.top; it++) {
					yaml_node_t *a = yw_child(w, v2, *it);
					const char *s;
					unsigned bit;
					if (!a || yw_str(w, a, "attribute", &s) != 0) {
						ok = false;
					} else if (strcasecmp(s, "none") == 0) {
						st.attrs = 0;
					} else if ((bit = attr_find(s)) != 0) {
						st.attrs |= bit;
					} else {
						yw_error(w, a, "%s.attrs: unknown attribute \"%.40s\" (bold, dim, underline, reverse, italic, blink)", key, s);
						ok = false;
					}
				}
			} else {
				yw_error(w, v2, "%s.attrs: expected a list, found %s", key, yw_kind(v2));
				ok = false;
			}
		} else {
			yw_error(w, k2, "%s: unknown field '%.40s' (fg, bg, attrs)", key, f);
			ok = false;
		}
	}
	/* A role with a bad field keeps its inherited style rather than half of the new one. */
	if (ok)
		t->role[r] = st;
}

/* "path/to/nord.yaml" → "nord", for themes without a name: key. */
static void name_from_file(char *dst, size_t n, const char *file)
{
	const char *b = strrchr(file, '/');
	b = b ? b + 1 : file;
	size_t len = strlen(b);
	if (len > 5 && strcmp(b + len - 5, ".yaml") == 0)
		len -= 5;
	else if (len > 4 && strcmp(b + len - 4, ".yml") == 0)
		len -= 4;
	if (len >= n)
		len = n - 1;
	memcpy(dst, b, len);
	dst[len] = '\0';
}

int theme_load_mem(struct theme *t, const char *name, const char *text, size_t n, struct conf_err *err)
{
	theme_builtin(t, "default");
	if (name)
		name_from_file(t->name, sizeof t->name, name);
	struct ywalk w;
	if (yw_open(&w, name, text, n, err) != 0) {
		yw_close(&w);
		return -1;
	}
	yaml_node_t *root = yw_root(&w);
	if (root && root->type != YAML_MAPPING_NODE) {
		if (!(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
			yw_error(&w, root, "a theme must be a mapping (name, palette, roles), found %s", yw_kind(root));
		root = NULL;
	}
	/* Two passes: inherit and palette must be known before roles, whatever their order. */
	struct palette pal = { 0 };
	const yaml_node_t *roles = NULL;
	for (int pass = 0; root && pass < 2; pass++) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yaml_document_get_node(&w.doc, p->key);
			const char *k;
			if (!kn || kn->type != YAML_SCALAR_NODE) {
				if (pass == 0)
					yw_error(&w, kn, "a key must be a plain name");
				continue;
			}
			k = (const char *)kn->data.scalar.value;
			bool first = pass == 0;
			if (strcmp(k, "name") == 0 && first) {
				yaml_node_t *vn = yw_child(&w, root, p->value);
				const char *s;
				if (vn && yw_str(&w, vn, "name", &s) == 0) {
					if (!*s || strlen(s) >= sizeof t->name)
						yw_error(&w, vn, "name: must be 1 to %zu characters", sizeof t->name - 1);
					else
						snprintf(t->name, sizeof t->name, "%s", s);
				}
			} else if (strcmp(k, "inherit") == 0 && first) {
				yaml_node_t *vn = yw_child(&w, root, p->value);
				const char *s;
				if (vn && yw_str(&w, vn, "inherit", &s) == 0) {
					if (strcmp(s, "default") != 0 && strcmp(s, "mono") != 0) {
						yw_error(&w, vn, "inherit: expected default or mono, found \"%.40s\"", s);
					} else {
						char keep[sizeof t->name];
						memcpy(keep, t->name, sizeof keep);
						theme_builtin(t, s);
						memcpy(t->name, keep, sizeof keep);
					}
				}
			} else if (strcmp(k, "palette") == 0 && first) {
				yaml_node_t *vn = yw_child(&w, root, p->value);
				if (vn)
					load_palette(&w, vn, &pal);
			} else if (strcmp(k, "roles") == 0 && !first) {
				yaml_node_t *vn = yw_child(&w, root, p->value);
				if (vn)
					roles = vn;
			} else if (first && strcmp(k, "name") != 0 && strcmp(k, "inherit") != 0 &&
				   strcmp(k, "palette") != 0 && strcmp(k, "roles") != 0) {
				yw_error(&w, kn, "unknown key '%.40s' (name, inherit, palette, roles)", k);
			}
			if (roles) {
				if (roles->type != YAML_MAPPING_NODE) {
					yw_error(&w, roles, "roles: expected a mapping of role: style, found %s", yw_kind(roles));
				} else {
					unsigned char given[ROLE_COUNT] = { 0 };
					for (yaml_node_pair_t *q = roles->data.mapping.pairs.start; q < roles->data.mapping.pairs.top; q++) {
						yaml_node_t *k2 = yw_child(&w, roles, q->key), *v2 = yw_child(&w, roles, q->value);
						if (k2 && v2)
							load_role(&w, k2, v2, &pal, t, given);
					}
				}
				roles = NULL;
			}
		}
	}
	palette_free(&pal);
	int rc = yw_finish(&w);
	yw_close(&w);
	return rc;
}

int theme_load(struct theme *t, const char *path, struct conf_err *err)
{
	char *text;
	size_t n;
	if (yw_read_file(path, &text, &n, NULL, err) != 0) {
		theme_builtin(t, "default");
		return -1;
	}
	int rc = theme_load_mem(t, path, text, n, err);
	free(text);
	return rc;
}

int theme_load_named(struct theme *t, const char *argv0, const char *spec, struct conf_err *err)
{
	if (err) {
		err->msg[0] = '\0';
		err->line = err->col = 0;
	}
	if (!spec || !*spec) {
		theme_builtin(t, "default");
		return 0;
	}
	size_t len = strlen(spec);
	if (strchr(spec, '/') || (len > 5 && strcmp(spec + len - 5, ".yaml") == 0) ||
	    (len > 4 && strcmp(spec + len - 4, ".yml") == 0))
		return theme_load(t, spec, err);
	/* Names are plain words: nothing that could climb out of the themes folder. */
	bool plain = len < 48;
	for (const char *p = spec; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
	if (plain) {
		char rel[80];
		snprintf(rel, sizeof rel, "themes/%s.yaml", spec);
		char *path = conf_data_path(argv0, rel);
		if (path) {
			int rc = theme_load(t, path, err);
			free(path);
			return rc;
		}
	}
	if (strcmp(spec, "default") == 0 || strcmp(spec, "mono") == 0) {
		theme_builtin(t, spec);
		return 0;
	}
	theme_builtin(t, "default");
	if (err)
		snprintf(err->msg, sizeof err->msg, "unknown theme \"%.64s\" (a name from the themes folder, or a path)", spec);
	return -1;
}
