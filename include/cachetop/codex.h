/* codex.h — Codex CLI's own entry points, which the agent table's code row (core's
 * agent_ops.c) names: its line parser (parse_codex.c) and its model rules (model_codex.c).
 * Nothing else calls these by name. */
#ifndef CACHETOP_CODEX_H
#define CACHETOP_CODEX_H

#include <stddef.h>
#include <stdint.h>

#include "cachetop/line.h"

struct model;

void line_parse_codex(const char *s, size_t n, struct line *out);
/* What one parsed line means for Codex CLI's sessions and requests. */
unsigned model_apply_codex(struct model *m, uint32_t file, const struct line *ln);

#endif
