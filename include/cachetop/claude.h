/* claude.h — Claude Code's own entry points, which the agent table's code row (core's
 * agent_ops.c) names: its line parser (parse_claude.c), its transcript path rule
 * (claude_paths.c) and its model rules (model_claude.c). Nothing else calls these by name. */
#ifndef CACHETOP_CLAUDE_H
#define CACHETOP_CLAUDE_H

#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/line.h"

struct model;

void line_parse_claude(const char *s, size_t n, struct line *out);
/* *.jsonl below projects/; a sub-agent's file is agent-*.jsonl or lies in a subagents/ folder. */
enum transcript_kind claude_transcript_kind(const char *rel);
/* What one parsed line means for Claude Code's sessions and requests. */
unsigned model_apply_claude(struct model *m, uint32_t file, const struct line *ln);

#endif
