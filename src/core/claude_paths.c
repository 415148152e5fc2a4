/* claude_paths.c — Claude Code's rule for which files below projects/ are transcripts (its
 * table row's transcript_kind): the plain *.jsonl rule, plus its sub-agents' files. A pure
 * function of a relative path. */
#include <string.h>

#include "cachetop/agent.h"
#include "cachetop/claude.h"

/* A sub-agent's transcript is named agent-*.jsonl (2.0) or lies in a subagents/ folder (2.1). */
enum transcript_kind claude_transcript_kind(const char *rel)
{
	if (transcript_kind_jsonl(rel) == TRANSCRIPT_NONE)
		return TRANSCRIPT_NONE;
	const char *slash = strrchr(rel, '/');
	const char *base = slash ? slash + 1 : rel;
	if (strncmp(base, "agent-", 6) == 0 || strncmp(rel, "subagents/", 10) == 0 ||
	    strstr(rel, "/subagents/"))
		return TRANSCRIPT_SUBAGENT;
	return TRANSCRIPT_LINES;
}
