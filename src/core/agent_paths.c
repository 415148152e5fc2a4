/* agent_paths.c — the plain rule for which files below a transcript folder are transcripts (the
 * table's transcript_kind): *.jsonl by name, with no sub-agent files. Agents with rules of their
 * own keep them in their own files. A pure function of a relative path. */
#include <stdbool.h>
#include <string.h>

#include "cachetop/agent.h"

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
