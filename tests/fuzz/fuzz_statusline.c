/* fuzz_statusline.c — libFuzzer target: the input as a statusLine stdin object and as a whole
 * state file; a reading that parses is written back as a state line and read again. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
	struct claude_official latest;
	statusline_state_read(s, size, &latest);
	if (latest.present)
		statusline_state_line(&latest, &b);
	if (b.len) {
		struct claude_official again;
		statusline_state_read(b.data, b.len, &again);
	}
	int64_t ms;
	if (rfc3339_parse(s, size, &ms) == 0) {
		char out[32];
		rfc3339_format(ms, out);
	}
	buf_free(&b);
	return 0;
}
