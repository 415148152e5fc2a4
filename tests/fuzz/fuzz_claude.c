/* fuzz_claude.c — libFuzzer target: the whole input through line_parse_claude, then its lines
 * through one fresh model (Claude and Codex files alternating, Claude first). */
#include <stddef.h>
#include <stdint.h>

#include "cachetop/claude.h"
#include "cachetop/line.h"
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line ln; /* 5 KB: keep it off the fuzzer's stack */
	line_parse_claude((const char *)data, size, &ln);
	fuzz_pack_roundtrip(&ln);
	int64_t ts;
	(void)line_peek_first_ts((const char *)data, size, &ts);
	(void)line_peek_last_ts((const char *)data, size, &ts);
	fuzz_model_lines(data, size, AGENT_CLAUDE);
	return 0;
}
