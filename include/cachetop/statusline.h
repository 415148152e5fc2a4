/* statusline.h — `cachetop statusline`, the pure part: read the JSON the statusline agent (the
 * table's row whose limits are AGENT_LIMITS_STATUSLINE) passes on a statusLine command's stdin
 * (model, session id, transcript path, and — for subscribers — rate_limits.five_hour/seven_day/
 * spend_limit; in newer versions its own prompt_cache ledger), and the state-file lines in
 * which cachetop keeps those readings (one JSON object per line, appended; the latest rate-limit
 * reading by observed_at wins; ledgers fold per session). The parser is in that agent's own
 * file in core. */
#ifndef CACHETOP_STATUSLINE_H
#define CACHETOP_STATUSLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/ledger.h"
#include "cachetop/quota.h"
#include "cachetop/util.h"

struct statusline_input {
	char session_id[96];
	char model[128];             /* display name or id */
	char transcript_path[4096];
	char cwd[4096];
	struct official_reading rl;   /* present=false when stdin had no rate_limits */
	struct agent_ledger ledger;  /* present=false when stdin had no prompt_cache */
};

/* Parse stdin's JSON. Returns 0, or -1 when it is not a JSON object (fields are optional). */
int statusline_parse(const char *s, size_t n, int64_t now, struct statusline_input *out);
/* The state-file line for a reading (newline-terminated JSON). */
void statusline_state_line(const struct official_reading *r, struct buf *out);
/* The same with the session and its prompt_cache ledger (either reading may be absent). */
void statusline_record(const char *session_id, int64_t observed_at, const struct official_reading *r,
		       const struct agent_ledger *ledger, struct buf *out);
/* Fold a whole state file: the latest reading (by observed_at) wins. Bad lines are skipped. */
void statusline_state_read(const char *s, size_t n, struct official_reading *latest);
/* The same, and every line's ledger folded into *ledgers per session (NULL: not wanted). */
void statusline_state_fold(const char *s, size_t n, struct official_reading *latest,
			   struct ledger_set *ledgers);

#endif
