/* paths_private.h — the agents' own transcript path rules, which the agent table points at
 * (agent_paths.c, gemini_files.c); everyone else asks the table. Internal to src/core. */
#ifndef CACHETOP_PATHS_PRIVATE_H
#define CACHETOP_PATHS_PRIVATE_H

#include "cachetop/agent.h"

enum transcript_kind claude_transcript_kind(const char *rel);
enum transcript_kind gemini_transcript_kind(const char *rel);

#endif
