/* jscan.h — a non-allocating scanner over one JSON object: finds the spans of the members a
 * caller asks for and skips everything else (nested values, multi-megabyte strings) at memchr
 * speed, without building a tree. It checks structure (balanced brackets, terminated strings);
 * values it hands back are decoded by the jspan_* helpers, which are strict. Used by the line
 * parsers so that a 5 MB tool result costs a scan, not a DOM. */
#ifndef CACHETOP_JSCAN_H
#define CACHETOP_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>

/* A raw JSON value inside a line. type: '"' string, '{' object, '[' array, 'n' null, 't'/'f'
 * booleans, '0' number; 0 when the member was absent. For strings p/n exclude the quotes. */
struct jspan {
	const char *p;
	size_t n;
	char type;
};

/* Scan the object at s[0..n) (leading white space allowed). For each of the nkeys names, out[i]
 * receives the value of the last member with that name (JSON duplicate keys: last wins, as in
 * json-c), or type 0. Returns the number of bytes consumed (> 0), or -1 when s is not a
 * well-formed object. Nesting depth is unbounded (no recursion). The names are constant
 * strings (their lengths are kept per thread between calls). */
long jscan_object(const char *s, size_t n, const char *const *keys, size_t nkeys, struct jspan *out);
#define JSCAN_KEYS_MAX 32 /* names wanted from one object; more is a caller's bug (returns -1) */

/* A tree of wanted members, walked in one pass: at each level the names wanted, and for a
 * name whose value is an object, optionally the level to take from inside it. Each level
 * writes its names' values to out[base ..] (out[base + k] for keys[k]); `slots` counts the
 * slots of this level and every level below it, which sit in out[base, base + slots). Levels
 * are static tables (the recursion goes as deep as the table, never as deep as the input).
 * When a name repeats, the last one's value and members are kept. */
struct jscan_level {
	const char *const *keys;
	size_t nkeys;
	size_t base;
	const struct jscan_level *const *sub; /* NULL, or nkeys entries: a level or NULL */
	size_t slots;
};
/* For a level's table: its sub array must have one entry per name (checked at compile time). */
#define JSCAN_SUB_FITS(sub, keys) \
	_Static_assert(sizeof(sub) / sizeof(sub)[0] == sizeof(keys) / sizeof(keys)[0], #sub " has one entry per name of " #keys)

/* Scan the object at s[0..n) by the tree `top`: the bytes consumed (> 0), or -1 when s is not
 * a well-formed object; absent members have type 0. */
long jscan_tree(const char *s, size_t n, const struct jscan_level *top, struct jspan *out);

/* The first member named `key` of the object starting s[0..n), when it and the members before it
 * lie wholly within the n bytes: the object may be cut off after it (a peek at a file's first
 * 4 KB, whose first line is longer). Returns 0 and fills *out, or -1. */
int jscan_member_prefix(const char *s, size_t n, const char *key, struct jspan *out);

/* Skip one JSON value at s[0..n); returns bytes consumed or -1. */
long jscan_skip_value(const char *s, size_t n);

/* Decode a string span into out (cap bytes, always NUL-terminated, truncated if needed).
 * Escapes are decoded; \u0000 and invalid escapes become U+FFFD. Returns the decoded length,
 * or -1 if the span is not a string. */
long jspan_str(const struct jspan *v, char *out, size_t cap);
/* The same into a fresh heap string (NULL if not a string). */
char *jspan_strdup(const struct jspan *v);
/* True if the span is a string equal to lit (no escapes considered). */
static inline bool jspan_eq(const struct jspan *v, const char *lit)
{
	/* inline: the literal's length folds to a constant */
	size_t n = strlen(lit);
	return v->type == '"' && v->n == n && !memcmp(v->p, lit, n);
}
/* Strict non-negative integer ≤ max: no sign, fraction or exponent. 0 on success, -1 otherwise. */
int jspan_u64(const struct jspan *v, uint64_t max, uint64_t *out);
/* Any JSON number (or a null → -1). */
int jspan_double(const struct jspan *v, double *out);
/* true/false; -1 when not a boolean. */
int jspan_bool(const struct jspan *v, bool *out);

#endif
