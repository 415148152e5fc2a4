/* fuzz_opencode.c — libFuzzer target: the whole input through line_parse_opencode (the records
 * the opencode source builds around stored message and session JSON) and the two helpers the
 * source calls on stored JSON, then its lines through one fresh model, alternating the database's
 * file and the legacy tree's, and the reports over what they built. */
#include <stddef.h>
#include <stdint.h>

#include "cachetop/line.h"
#include "cachetop/opencode.h"
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line ln;
	const char *s = (const char *)data;
	line_parse_opencode(s, size, &ln);
	fuzz_pack_roundtrip(&ln);
	int64_t t;
	(void)line_peek_opencode_created(s, size, &t);
	(void)line_opencode_open(s, size);

	struct model *m = model_new(NULL);
	uint32_t f[2] = {model_file_add(m, AGENT_OPENCODE, "/fuzz/opencode/opencode.db", false),
			 model_file_add(m, AGENT_OPENCODE, "/fuzz/opencode/storage", false)};
	size_t i = 0, k = 0;
	while (i <= size) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : size - i;
		model_feed(m, f[k++ & 1], s + i, len);
		i += len + 1;
	}
	int64_t now = 1767225600000LL; /* 2026-01-01 */
	struct report_root roots[1] = {{AGENT_OPENCODE, "/fuzz/opencode", 2, true}};
	struct report_ctx c = {.now = now, .roots = roots, .nroots = 1,
			       .quota = {.limit_auto = true, .unit = QUOTA_USD}, .utf8 = true};
	struct buf b = {0};
	report_json(m, &c, &b);
	report_text(m, &c, &b);
	for (size_t e = 0; e < model_event_count(m); e++)
		report_event_line(m, e, now, &b);
	buf_free(&b);
	model_free(m);
	return 0;
}
