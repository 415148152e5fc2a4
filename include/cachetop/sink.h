/* sink.h — the one interface between the source layer (which finds, watches and tails files)
 * and whoever consumes complete lines (the app binds it to the model). The source knows nothing
 * of sessions; the consumer knows nothing of inotify. */
#ifndef CACHETOP_SINK_H
#define CACHETOP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"

struct line_sink {
	void *ctx;
	/* A transcript was found (start-up scan, a new file, or a new inode at a known path).
	 * Returns the consumer's handle for it, passed back in the calls below. */
	uint32_t (*file_open)(void *ctx, enum agent agent, const char *path, bool subagent);
	/* One complete line, without its '\n' (a trailing '\r' may remain). */
	void (*line)(void *ctx, uint32_t file, const char *line, size_t n);
	/* The file was truncated or rewritten: its lines will come again from byte 0. */
	void (*file_reset)(void *ctx, uint32_t file);
	/* The file was deleted or replaced; no more lines will come for this handle. */
	void (*file_gone)(void *ctx, uint32_t file);
};

#endif
