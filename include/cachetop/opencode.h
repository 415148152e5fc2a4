/* opencode.h — opencode's own entry points: its record parser (parse_opencode.c) and model
 * rules (model_opencode.c), which the agent table's code row (core's agent_ops.c) names, and
 * the peeks its database reader (source/opencode*.c) makes into stored JSON. */
#ifndef CACHETOP_OPENCODE_H
#define CACHETOP_OPENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/line.h"

struct model;

/* One record the database reader built from a row or a legacy storage/ file. */
void line_parse_opencode(const char *s, size_t n, struct line *out);
/* The time a legacy storage/ file (a message's or a session's JSON) was created, for reading
 * them in time order: 0 and *ms, or -1. */
int line_peek_opencode_created(const char *json, size_t n, int64_t *ms);
/* True when a message's JSON may still change: an assistant reply neither completed nor failed
 * (its tokens arrive when it completes). */
bool line_opencode_open(const char *json, size_t n);

/* What one record means for opencode's sessions and requests; its maps, freed with the model. */
unsigned model_apply_opencode(struct model *m, uint32_t file, const struct line *ln);
void model_opencode_free(struct model *m);

#endif
