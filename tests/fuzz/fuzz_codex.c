/* fuzz_codex.c — libFuzzer target: the whole input through line_parse_codex, then its lines
 * through one fresh model (Codex and Claude files alternating, Codex first). */
#include <stddef.h>
#include <stdint.h>

#include "cachetop/codex.h"
#include "cachetop/line.h"
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line ln;
	line_parse_codex((const char *)data, size, &ln);
	fuzz_pack_roundtrip(&ln);
	fuzz_model_lines(data, size, AGENT_CODEX);
	return 0;
}
