/* yaml_walk.h — private to conf: a thin layer over libyaml's document API shared by the config,
 * theme and price loaders. It reads files safely (regular files only, size-capped), turns libyaml
 * errors and schema errors into "FILE:LINE:COL: what is wrong", converts scalars strictly, and
 * guards against alias bombs and cycles: a collection node may be entered once only. */
#ifndef CACHETOP_CONF_YAML_WALK_H
#define CACHETOP_CONF_YAML_WALK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "cachetop/config.h"
#include "cachetop/util.h"

/* Config, theme and price files are small; anything larger is refused rather than parsed. */
#define YW_MAX_FILE (4u << 20)
/* Flow nesting ([ and {) beyond this is refused before libyaml sees it (see yaml_walk.c). */
#define YW_MAX_FLOW_DEPTH 256

struct ywalk {
	yaml_document_t doc;
	bool have_doc;
	const char *name;          /* file name used in messages */
	struct conf_err *err;      /* first error lands here; may be NULL */
	int nerr;                  /* errors seen so far (all are counted, the first is kept) */
	unsigned char *entered;    /* per node id: collection already walked (alias guard) */
	size_t nnodes;
};

/* Read a whole regular file into *text (NUL-terminated, caller frees). On failure fills err with
 * "FILE: reason" and returns -1; errno-like reason ENOENT is reported through *missing. */
int yw_read_file(const char *path, char **text, size_t *n, bool *missing, struct conf_err *err);

/* Parse text (one document). Returns 0, or -1 with the libyaml error in err. An empty stream is
 * fine: yw_root() then returns NULL. Always call yw_close(). */
int yw_open(struct ywalk *w, const char *name, const char *text, size_t n, struct conf_err *err);
void yw_close(struct ywalk *w);
/* Final status: 0 when no error was recorded; else -1 and, if several, " (and N more)" appended. */
int yw_finish(struct ywalk *w);

yaml_node_t *yw_root(struct ywalk *w);
/* Resolve a child node id. Returns NULL (with an error recorded at `from`) when the id is bad or
 * the node is a collection that was already entered: aliases to collections are refused, which
 * bounds the work by the file size (no "billion laughs", no cycles). Aliases to scalars are fine. */
yaml_node_t *yw_child(struct ywalk *w, const yaml_node_t *from, int id);

/* Record an error located at node n (NULL: line/col 0). The message is prefixed FILE:LINE:COL. */
void yw_error(struct ywalk *w, const yaml_node_t *n, const char *fmt, ...) CT_PRINTF(3, 4);

/* Scalar helpers: each returns 0, or -1 after recording a type error at n naming `what`. */
const char *yw_kind(const yaml_node_t *n); /* "a mapping", "a list", "a scalar" */
int yw_str(struct ywalk *w, const yaml_node_t *n, const char *what, const char **out);
int yw_bool(struct ywalk *w, const yaml_node_t *n, const char *what, bool *out);
int yw_double(struct ywalk *w, const yaml_node_t *n, const char *what, double lo, double hi, double *out);
int yw_int(struct ywalk *w, const yaml_node_t *n, const char *what, long long lo, long long hi, long long *out);
/* A list of strings, or one string (a one-element list). *out is a fresh NULL-free array. */
int yw_strlist(struct ywalk *w, const yaml_node_t *n, const char *what, char ***out, size_t *count);

/* "~/x" → "$HOME/x" (fresh string); anything else is copied. */
char *yw_expand_home(const char *s);

#endif
