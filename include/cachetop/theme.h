/* theme.h — screen roles and their abstract styles (colours as names/0-255/#rrggbb, attributes),
 * loaded from themes/NAME.yaml by the conf layer and mapped to curses pairs by the view. One role
 * list serves the enum, the YAML keys and the built-in fallback. */
#ifndef CACHETOP_THEME_H
#define CACHETOP_THEME_H

#include <stdbool.h>
#include <stdint.h>

#include "cachetop/config.h"

#define THEME_ROLES \
	R(DEFAULT, "default") R(HEADER, "header") R(STATUS, "status") R(SELECTED, "selected") \
	R(TITLE, "title") R(DIM, "dim") R(LABEL, "label") R(VALUE, "value") \
	R(SPARK_LOW, "spark_low") R(SPARK_MID, "spark_mid") R(SPARK_HIGH, "spark_high") \
	R(GAUGE_OK, "gauge_ok") R(GAUGE_WARN, "gauge_warn") R(GAUGE_CRIT, "gauge_crit") \
	R(GAUGE_EMPTY, "gauge_empty") R(RESUME, "resume") R(UNEXPLAINED, "unexplained") \
	R(EXPECTED, "expected") R(HIT, "hit") R(WARM, "warm") R(COLD, "cold") \
	R(BORDER, "border") R(ERROR, "error") R(OFFICIAL, "official")

enum theme_role {
#define R(id, key) ROLE_##id,
	THEME_ROLES
#undef R
	ROLE_COUNT
};
const char *theme_role_key(enum theme_role r);

/* A colour: -1 = terminal default; 0..255 = palette index; or rgb (0xRRGGBB) when is_rgb. */
struct theme_colour {
	int index;
	bool is_rgb;
	uint32_t rgb;
};

enum { THEME_BOLD = 1, THEME_DIM = 2, THEME_UNDERLINE = 4, THEME_REVERSE = 8, THEME_ITALIC = 16,
       THEME_BLINK = 32 };

struct theme_style {
	struct theme_colour fg, bg;
	unsigned attrs;
	bool set;
};

struct theme {
	char name[64];
	struct theme_style role[ROLE_COUNT];
};

/* Built-in "default" and "mono" (attributes only). */
void theme_builtin(struct theme *t, const char *name);
/* Load a theme file over the built-in default (missing roles inherit). Unknown roles or colours
 * are errors with file:line:col; *t then still holds a usable theme. */
int theme_load(struct theme *t, const char *path, struct conf_err *err);
int theme_load_mem(struct theme *t, const char *name, const char *text, size_t n, struct conf_err *err);
/* Resolve --theme NAME|FILE: a spec with a '/' or ending in ".yaml" is a file; otherwise
 * themes/NAME.yaml from the data folder (conf_data_path), else the built-in of that name
 * ("default", "mono"). Unknown names are an error and leave the built-in default in *t. */
int theme_load_named(struct theme *t, const char *argv0, const char *spec, struct conf_err *err);
/* Parse "red", "bright-blue", "default", "208", "#ff8700". */
int theme_parse_colour(const char *s, struct theme_colour *out);
/* Nearest palette index for a colour on a terminal with `colors` colours (8, 16, 256). */
int theme_colour_downgrade(const struct theme_colour *c, int colors);

#endif
