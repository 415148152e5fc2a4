/* agent.h — the agents cachetop reads, and their names as they appear in output. */
#ifndef CACHETOP_AGENT_H
#define CACHETOP_AGENT_H

enum agent { AGENT_CLAUDE = 0, AGENT_CODEX = 1, AGENT_GEMINI = 2, AGENT_COUNT = 3 };

static inline const char *agent_name(enum agent a)
{
	return a == AGENT_CODEX ? "codex" : a == AGENT_GEMINI ? "gemini" : "claude";
}

#endif
