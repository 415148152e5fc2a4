/* agent_paths.c — the agents' rules for which files below a transcript folder are transcripts
 * (the table's transcript_kind): the plain rule, *.jsonl by name, and Claude Code's, which adds
 * its sub-agents' files. Gemini CLI's is in gemini_files.c. Pure functions of a relative path. */
#include <stdbool.h>
#include <string.h>

#include "cachetop/agent.h"
#include "paths_private.h"

static const char *base_of(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return slash ? slash + 1 : rel;
}

enum transcript_kind transcript_kind_jsonl(const char *rel)
{
	const char *base = base_of(rel);
	size_t n = strlen(base);
	return n > 6 && strcmp(base + n - 6, ".jsonl") == 0 ? TRANSCRIPT_LINES : TRANSCRIPT_NONE;
}

/* A sub-agent's transcript is named agent-*.jsonl (2.0) or lies in a subagents/ folder (2.1). */
enum transcript_kind claude_transcript_kind(const char *rel)
{
	if (transcript_kind_jsonl(rel) == TRANSCRIPT_NONE)
		return TRANSCRIPT_NONE;
	if (strncmp(base_of(rel), "agent-", 6) == 0 || strncmp(rel, "subagents/", 10) == 0 ||
	    strstr(rel, "/subagents/"))
		return TRANSCRIPT_SUBAGENT;
	return TRANSCRIPT_LINES;
}
