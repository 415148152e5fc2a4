/* config_private.h — private to conf: the config key table (tmux options-table style), the one
 * place that lists every config.yaml key with its type, default, range and help text. */
#ifndef CACHETOP_CONF_CONFIG_PRIVATE_H
#define CACHETOP_CONF_CONFIG_PRIVATE_H

#include <stddef.h>

#include "cachetop/config.h"

enum config_type {
	CONFIG_SECTION,   /* a mapping holding the keys named "<section>.*" */
	CONFIG_STRLIST,   /* list of paths, or one path; char ** + size_t count */
	CONFIG_STRING,    /* char *, "~/" expanded when CONFIG_F_PATH */
	CONFIG_BOOL,
	CONFIG_INT,       /* int */
	CONFIG_U64,       /* uint64_t */
	CONFIG_DOUBLE,
	CONFIG_QLIMIT,    /* "auto" or a number > 0: quota_auto + quota_limit */
	CONFIG_QUNIT,     /* usd | tokens */
	CONFIG_PLAN,      /* a preset name from config_plans */
};

enum { CONFIG_F_PATH = 1 };

struct config_key {
	const char *name;          /* dotted: "thresholds.cold_ratio" */
	enum config_type type;
	size_t offset;             /* of the value in struct config */
	size_t count_offset;       /* CONFIG_STRLIST: of its size_t count */
	double min, max;           /* numeric range, inclusive */
	double def;                /* numeric / bool default */
	unsigned flags;
	const char *help;
};

extern const struct config_key config_table[];
extern const size_t config_table_size;

const struct config_key *config_key_find(const char *dotted);

#endif
