/* fuzz_statusline.c — libFuzzer target: the input as a statusLine stdin object and as a whole
 * state file; a reading (rate limits, prompt_cache ledger) that parses is written back as a state
 * line and folded again. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cachetop/ledger.h"
#include "cachetop/quota.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct statusline_input in;
	const char *s = (const char *)data;
	int64_t now = 1767225600000LL;
	struct buf b = {0};
	if (statusline_parse(s, size, now, &in) == 0 && in.rl.present)
		statusline_state_line(&in.rl, &b);
	if (statusline_parse(s, size, now, &in) == 0 && in.ledger.present)
		statusline_record(in.session_id[0] ? in.session_id : "s", now, &in.rl, &in.ledger, &b);
	struct official_reading latest;
	struct ledger_set ls = {0};
	statusline_state_fold(s, size, &latest, &ls);
	if (latest.present)
		statusline_state_line(&latest, &b);
	for (size_t i = 0; i < ls.n; i++) /* a folded ledger written back reads back */
		statusline_record(ls.v[i].session_id, ls.v[i].latest.observed_at, NULL, &ls.v[i].latest, &b);
	ledger_set_free(&ls);
	if (b.len) {
		struct official_reading again;
		statusline_state_fold(b.data, b.len, &again, &ls);
		ledger_set_free(&ls);
	}
	int64_t ms;
	if (rfc3339_parse(s, size, &ms) == 0) {
		char out[32];
		rfc3339_format(ms, out);
	}
	buf_free(&b);
	return 0;
}
