/* statusline.h — `cachetop statusline`, the pure part: read the JSON Claude Code passes on a
 * statusLine command's stdin (model, session id, transcript path, and — for subscribers —
 * rate_limits.five_hour/seven_day), and the state-file lines in which cachetop keeps those
 * readings (one JSON object per line, appended; the latest by observed_at wins). */
#ifndef CACHETOP_STATUSLINE_H
#define CACHETOP_STATUSLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/quota.h"
#include "cachetop/util.h"

struct statusline_input {
	char session_id[96];
	char model[128];             /* display name or id */
	char transcript_path[4096];
	char cwd[4096];
	struct claude_official rl;   /* present=false when stdin had no rate_limits */
};

/* Parse stdin's JSON. Returns 0, or -1 when it is not a JSON object (fields are optional). */
int statusline_parse(const char *s, size_t n, int64_t now, struct statusline_input *out);
/* The state-file line for a reading (newline-terminated JSON). */
void statusline_state_line(const struct claude_official *r, struct buf *out);
/* Fold a whole state file: the latest reading (by observed_at) wins. Bad lines are skipped. */
void statusline_state_read(const char *s, size_t n, struct claude_official *latest);

#endif
