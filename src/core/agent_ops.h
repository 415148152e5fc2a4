/* agent_ops.h — the agent table's code half: each agent's line parser and model rules, by agent
 * (agent_ops.c). The table's data half (names, roots, economics: agents.c) depends on nothing;
 * this half sits above both the parsers and the model store, so neither calls back up. Not a
 * public header. */
#ifndef CACHETOP_AGENT_OPS_H
#define CACHETOP_AGENT_OPS_H

#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"

struct model;

struct agent_ops {
	void (*parse)(const char *s, size_t n, struct line *out);
	/* a record that embeds other records (every one through emit); NULL: a line is one record */
	void (*parse_each)(const char *s, size_t n, struct line *out, line_emit_fn emit, void *ctx);
	unsigned (*apply)(struct model *m, uint32_t file, const struct line *ln);
	/* the agent module's own per-file state: file read again from byte 0, model freed (NULL:
	 * it keeps none) */
	void (*file_reset)(struct model *m, uint32_t file);
	void (*state_free)(struct model *m);
};

/* The code of agent a (a value outside the table aborts, as agent_get). */
const struct agent_ops *agent_ops_get(enum agent a);

#endif
