/* fuzz_gemini.c — libFuzzer target for Gemini CLI recordings: the whole input as one record and
 * as one delivered unit (every record it embeds packed and unpacked again), the start/end peeks
 * and the path rules on it (every agent's, through the table); then one fresh model reads it whole as a legacy document and line by
 * line into a main recording and a sub-agent recording of that session, alternating. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/gemini.h"
#include "cachetop/line.h"
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(void *ctx, const struct line *ln)
{
	(void)ctx;
	fuzz_pack_roundtrip(ln);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line ln; /* 5 KB: keep it off the fuzzer's stack */
	const char *s = (const char *)data;
	line_parse_gemini(s, size, &ln);
	fuzz_pack_roundtrip(&ln);
	line_parse_each(AGENT_GEMINI, s, size, &ln, roundtrip, NULL);
	int64_t ts;
	(void)gemini_peek_first_ts(s, size, &ts);
	(void)gemini_peek_last_ts(s, size, &ts);
	char *path = malloc(size + 1);
	memcpy(path, data, size);
	path[size] = 0;
	char out[64];
	(void)gemini_path_kind(path);
	(void)gemini_dir_wanted(path);
	gemini_path_project(path, out, sizeof out);
	gemini_path_parent(path, out, sizeof out);
	/* every agent's path rules, as the source asks them through the table */
	for (int a = 0; a < AGENT_COUNT; a++) {
		const struct agent_desc *d = agent_get((enum agent)a);
		if (d->transcript_kind)
			(void)d->transcript_kind(path);
		if (d->transcript_dir)
			(void)d->transcript_dir(path);
	}
	free(path);

	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t legacy = model_file_add(m, AGENT_GEMINI, "/fuzz/.gemini/tmp/p/chats/session-x.json", false);
	uint32_t f[2] = {model_file_add(m, AGENT_GEMINI, "/fuzz/.gemini/tmp/p/chats/session-x.jsonl", false),
			 model_file_add(m, AGENT_GEMINI, "/fuzz/.gemini/tmp/p/chats/s1/agent-1.jsonl", true)};
	model_feed(m, legacy, s, size);
	size_t i = 0, k = 0;
	while (i <= size) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : size - i;
		model_feed(m, f[k++ & 1], s + i, len);
		i += len + 1;
	}
	model_file_reset(m, legacy);
	model_feed(m, legacy, s, size); /* a rewrite read again */
	fuzz_walk_model(m);
	return 0;
}
