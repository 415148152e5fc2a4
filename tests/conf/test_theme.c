/* test_theme.c — themes: the role list, the built-ins (mono has no colour), inheritance of
 * missing roles, both role forms, palettes, errors with line:col, and every file in themes/
 * loading cleanly with the loud/dim roles the product needs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/theme.h"

static int load(struct theme *t, const char *text, struct conf_err *e)
{
	return theme_load_mem(t, "t.yaml", text, strlen(text), e);
}

static bool same_style(const struct theme_style *a, const struct theme_style *b)
{
	return a->fg.index == b->fg.index && a->fg.is_rgb == b->fg.is_rgb && a->fg.rgb == b->fg.rgb &&
	       a->bg.index == b->bg.index && a->bg.is_rgb == b->bg.is_rgb && a->bg.rgb == b->bg.rgb &&
	       a->attrs == b->attrs && a->set == b->set;
}

static bool has_colour(const struct theme_style *s)
{
	return s->fg.index != -1 || s->bg.index != -1 || s->fg.is_rgb || s->bg.is_rgb;
}

Test(theme, role_keys_unique_and_complete)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		const char *k = theme_role_key((enum theme_role)i);
		cr_assert_not_null(k);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(k, theme_role_key((enum theme_role)j));
	}
	cr_assert_str_eq(theme_role_key(ROLE_RESUME), "resume");
	cr_assert_null(theme_role_key(ROLE_COUNT));
}

Test(theme, builtins)
{
	struct theme t;
	theme_builtin(&t, "default");
	cr_assert_str_eq(t.name, "default");
	for (int i = 0; i < ROLE_COUNT; i++)
		cr_assert(t.role[i].set, "role %s", theme_role_key((enum theme_role)i));
	cr_assert_eq(t.role[ROLE_RESUME].fg.index, 1);
	cr_assert(t.role[ROLE_RESUME].attrs & THEME_BOLD);
	cr_assert_eq(t.role[ROLE_UNEXPLAINED].fg.index, 3);
	cr_assert(t.role[ROLE_EXPECTED].attrs & THEME_DIM);
	cr_assert(t.role[ROLE_DIM].attrs & THEME_DIM);
	cr_assert_eq(t.role[ROLE_DEFAULT].fg.index, -1);

	theme_builtin(&t, "mono");
	cr_assert_str_eq(t.name, "mono");
	for (int i = 0; i < ROLE_COUNT; i++)
		cr_assert_not(has_colour(&t.role[i]), "mono role %s has a colour", theme_role_key((enum theme_role)i));
	cr_assert(t.role[ROLE_RESUME].attrs & (THEME_BOLD | THEME_REVERSE));
	cr_assert(t.role[ROLE_SELECTED].attrs & THEME_REVERSE);

	theme_builtin(&t, "no-such");
	cr_assert_str_eq(t.name, "default", "an unknown built-in name gives the default");
}

Test(theme, missing_roles_inherit)
{
	struct theme t, def;
	struct conf_err e;
	theme_builtin(&def, "default");
	cr_assert_eq(load(&t, "name: mine\nroles:\n  header: { fg: magenta }\n", &e), 0, "%s", e.msg);
	cr_assert_str_eq(t.name, "mine");
	cr_assert_eq(t.role[ROLE_HEADER].fg.index, 5);
	cr_assert_eq(t.role[ROLE_HEADER].attrs, 0, "a given role is exactly what the file says");
	for (int i = 0; i < ROLE_COUNT; i++)
		if (i != ROLE_HEADER)
			cr_assert(same_style(&t.role[i], &def.role[i]), "role %s", theme_role_key((enum theme_role)i));

	/* inherit: mono → unnamed roles come from mono */
	struct theme mono;
	theme_builtin(&mono, "mono");
	cr_assert_eq(load(&t, "inherit: mono\nroles: {resume: 'fg=red,bold'}\n", &e), 0, "%s", e.msg);
	cr_assert_str_eq(t.name, "t", "no name: the file name");
	cr_assert_eq(t.role[ROLE_RESUME].fg.index, 1);
	cr_assert(same_style(&t.role[ROLE_HEADER], &mono.role[ROLE_HEADER]));
}

Test(theme, role_forms_and_palette)
{
	struct theme t;
	struct conf_err e;
	const char *y =
		"palette: { accent: '#5fafff', bad: bright-red, red: 52 }\n"
		"roles:\n"
		"  header: { fg: black, bg: accent, attrs: [bold, underline] }\n"
		"  resume: { fg: bad, attrs: bold }\n"
		"  gauge_crit: \"fg=bad,bg=default,bold,reverse\"\n"
		"  error: fg=red\n"
		"  title: { attrs: 'italic,blink' }\n"
		"  status: { fg: 200, bg: '#000000', attrs: [none, dim] }\n";
	cr_assert_eq(load(&t, y, &e), 0, "%s", e.msg);
	cr_assert_eq(t.role[ROLE_HEADER].fg.index, 0);
	cr_assert(t.role[ROLE_HEADER].bg.is_rgb);
	cr_assert_eq(t.role[ROLE_HEADER].bg.rgb, 0x5fafffu);
	cr_assert_eq(t.role[ROLE_HEADER].attrs, THEME_BOLD | THEME_UNDERLINE);
	cr_assert_eq(t.role[ROLE_RESUME].fg.index, 9);
	cr_assert_eq(t.role[ROLE_RESUME].attrs, THEME_BOLD);
	cr_assert_eq(t.role[ROLE_GAUGE_CRIT].fg.index, 9);
	cr_assert_eq(t.role[ROLE_GAUGE_CRIT].bg.index, -1);
	cr_assert_eq(t.role[ROLE_GAUGE_CRIT].attrs, THEME_BOLD | THEME_REVERSE);
	cr_assert_eq(t.role[ROLE_ERROR].fg.index, 52, "palette names shadow colour names");
	cr_assert_eq(t.role[ROLE_TITLE].attrs, THEME_ITALIC | THEME_BLINK);
	cr_assert_eq(t.role[ROLE_STATUS].fg.index, 200);
	cr_assert_eq(t.role[ROLE_STATUS].attrs, THEME_DIM);
}

Test(theme, errors_have_line_col_and_keep_a_usable_theme)
{
	struct theme t, def;
	struct conf_err e;
	theme_builtin(&def, "default");
	cr_assert_eq(load(&t, "roles:\n  resumee: { fg: red }\n", &e), -1);
	cr_assert_str_eq(e.msg, "t.yaml:2:3: unknown role 'resumee'");
	cr_assert_eq(load(&t, "roles:\n  resume: { fg: rouge }\n", &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 17);
	cr_assert(strstr(e.msg, "unknown colour \"rouge\""), "%s", e.msg);
	cr_assert(same_style(&t.role[ROLE_RESUME], &def.role[ROLE_RESUME]), "a bad role keeps its inherited style");
	cr_assert_eq(load(&t, "roles:\n  resume: { fg: red, attrs: [loud] }\n", &e), -1);
	cr_assert(strstr(e.msg, "unknown attribute \"loud\""), "%s", e.msg);
	cr_assert_eq(e.col, 30);
	cr_assert_eq(load(&t, "roles:\n  resume: 'fg=red,shout'\n", &e), -1);
	cr_assert(strstr(e.msg, "shout"), "%s", e.msg);
	cr_assert_eq(load(&t, "roles:\n  resume: { colour: red }\n", &e), -1);
	cr_assert(strstr(e.msg, "unknown field 'colour'"), "%s", e.msg);
	cr_assert_eq(load(&t, "roles: [a]\n", &e), -1);
	cr_assert_eq(load(&t, "name: x\nfoo: 1\nroles: {hit: fg=blue}\n", &e), -1);
	cr_assert_str_eq(e.msg, "t.yaml:2:1: unknown key 'foo' (name, inherit, palette, roles)");
	cr_assert_eq(t.role[ROLE_HIT].fg.index, 4, "valid roles still load after an error");
	cr_assert_eq(load(&t, "palette: { 'a b': red }\n", &e), -1);
	cr_assert_eq(load(&t, "palette: { x: nocolour }\n", &e), -1);
	cr_assert_eq(load(&t, "inherit: fancy\n", &e), -1);
	cr_assert_eq(load(&t, "roles:\n  hit: fg=red\n  hit: fg=blue\n", &e), -1);
	cr_assert(strstr(e.msg, "given twice"), "%s", e.msg);
	cr_assert_eq(t.role[ROLE_HIT].fg.index, 4);
	cr_assert_eq(load(&t, "name: 'this name is far too long for the sixty-four byte name field of a theme'\n", &e), -1);
}

Test(theme, empty_file_is_the_default)
{
	struct theme t, def;
	struct conf_err e;
	theme_builtin(&def, "default");
	cr_assert_eq(theme_load_mem(&t, "empty.yaml", "", 0, &e), 0);
	cr_assert_str_eq(t.name, "empty");
	for (int i = 0; i < ROLE_COUNT; i++)
		cr_assert(same_style(&t.role[i], &def.role[i]));
}

/* Every file in themes/ loads with zero errors, and keeps the product's meaning: resume loud
 * (red + bold) in colour themes, unexplained yellow, expected/dim dim; mono has no colour. */
Test(theme, every_shipped_theme_loads_cleanly)
{
	DIR *d = opendir(THEMES_DIR);
	cr_assert_not_null(d, "cannot open %s", THEMES_DIR);
	int n = 0;
	bool saw_mono = false, saw_default = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", THEMES_DIR, de->d_name);
		struct theme t;
		struct conf_err e;
		cr_assert_eq(theme_load(&t, path, &e), 0, "%s: %s", de->d_name, e.msg);
		n++;
		for (int i = 0; i < ROLE_COUNT; i++)
			cr_assert(t.role[i].set);
		const struct theme_style *r = t.role;
		cr_assert(r[ROLE_EXPECTED].attrs & THEME_DIM, "%s: expected is dim", de->d_name);
		cr_assert(r[ROLE_DIM].attrs & THEME_DIM, "%s: dim is dim", de->d_name);
		if (strcmp(de->d_name, "mono.yaml") == 0) {
			struct theme m;
			theme_builtin(&m, "mono");
			saw_mono = true;
			for (int i = 0; i < ROLE_COUNT; i++) {
				cr_assert_not(has_colour(&r[i]), "mono.yaml %s", theme_role_key((enum theme_role)i));
				cr_assert(same_style(&r[i], &m.role[i]), "mono.yaml = built-in mono: %s", theme_role_key((enum theme_role)i));
			}
			continue;
		}
		if (strcmp(de->d_name, "default.yaml") == 0) {
			struct theme b;
			theme_builtin(&b, "default");
			saw_default = true;
			for (int i = 0; i < ROLE_COUNT; i++)
				cr_assert(same_style(&r[i], &b.role[i]), "default.yaml = built-in: %s", theme_role_key((enum theme_role)i));
		}
		for (int colors = 8; colors <= 256; colors *= 2) {
			if (colors == 32 || colors == 64 || colors == 128)
				continue;
			int fg = theme_colour_downgrade(&r[ROLE_RESUME].fg, colors);
			int fg8 = theme_colour_downgrade(&r[ROLE_RESUME].fg, 8);
			cr_assert(fg >= 0, "%s: resume has a colour", de->d_name);
			cr_assert_eq(fg8, 1, "%s: resume is red on 8 colours", de->d_name);
			cr_assert_eq(theme_colour_downgrade(&r[ROLE_UNEXPLAINED].fg, 8), 3, "%s: unexplained is yellow", de->d_name);
		}
		cr_assert(r[ROLE_RESUME].attrs & THEME_BOLD, "%s: resume is bold", de->d_name);
	}
	closedir(d);
	cr_assert_geq(n, 4);
	cr_assert(saw_mono && saw_default);
}

Test(theme, load_named)
{
	struct theme t;
	struct conf_err e;
	/* the test binary runs from the build tree, so the source tree's themes/ are found */
	cr_assert_eq(theme_load_named(&t, NULL, "nord", &e), 0, "%s", e.msg);
	cr_assert_str_eq(t.name, "nord");
	cr_assert(t.role[ROLE_HEADER].fg.is_rgb);
	cr_assert_eq(theme_load_named(&t, NULL, "mono", &e), 0);
	cr_assert_str_eq(t.name, "mono");
	cr_assert_eq(theme_load_named(&t, NULL, THEMES_DIR "/light.yaml", &e), 0, "%s", e.msg);
	cr_assert_str_eq(t.name, "light");
	cr_assert_eq(theme_load_named(&t, NULL, "no-such-theme", &e), -1);
	cr_assert(strstr(e.msg, "unknown theme"), "%s", e.msg);
	cr_assert_str_eq(t.name, "default");
	cr_assert_eq(theme_load_named(&t, NULL, "../no-such-dir/x", &e), -1, "a path that does not exist");
	cr_assert_eq(theme_load_named(&t, NULL, "missing.yaml", &e), -1);
	cr_assert(strstr(e.msg, "cannot open"), "%s", e.msg);
	cr_assert_eq(theme_load_named(&t, NULL, NULL, &e), 0);
	cr_assert_str_eq(t.name, "default");
}
