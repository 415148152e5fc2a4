/* fuzz_lines.h — shared by the line fuzzers: feed every '\n'-separated piece of an input to one
 * fresh model, alternating a Claude and a Codex file (fuzz_gemini feeds its own files), then
 * touch every read-side accessor and the reports so that whatever state the lines built is also
 * walked. */
#ifndef FUZZ_LINES_H
#define FUZZ_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/line.h"

#include "cachetop/evidence.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "cachetop/util.h"

/* The packed form (parse on workers, apply in order) must give back what was parsed. */
static void fuzz_pack_roundtrip(const struct line *ln)
{
	static struct line back;
	struct buf b = {0};
	line_pack(ln, &b);
	size_t used = line_unpack(b.data, b.len, &back);
	if (used != b.len || back.kind != ln->kind || back.problem != ln->problem)
		abort();
	if (ln->kind != LINE_SKIP && ln->kind != LINE_MALFORMED && back.ts != ln->ts)
		abort();
	if (ln->kind == LINE_ENTRY &&
	    (back.uuid != ln->uuid || strcmp(back.session_id, ln->session_id) ||
	     strcmp(back.version_str, ln->version_str) || back.tools.kind != ln->tools.kind ||
	     (ln->tools.kind && memcmp(&back.tools, &ln->tools, sizeof ln->tools)) ||
	     (ln->has_usage && memcmp(&back.usage, &ln->usage, sizeof ln->usage))))
		abort();
	if (ln->kind == LINE_TOKEN_COUNT &&
	    (strcmp(back.limit_id, ln->limit_id) || strcmp(back.limit_name, ln->limit_name) ||
	     memcmp(&back.rl, &ln->rl, sizeof ln->rl)))
		abort();
	/* and unpacking a cut copy fails cleanly instead of reading past it */
	if (b.len > 1)
		(void)line_unpack(b.data, b.len - 1, &back);
	buf_free(&b);
}

/* Walk what a model built: reports read every table. Frees the model. */
static void fuzz_walk_model(struct model *m)
{
	int64_t now = 1767225600000LL; /* 2026-01-01 */
	struct quota_opts qo = {.limit_auto = true, .unit = QUOTA_USD};
	struct report_root roots[3] = {{AGENT_CLAUDE, "/fuzz", 1, true}, {AGENT_CODEX, "/fuzz", 1, true},
				       {AGENT_GEMINI, "/fuzz", 1, true}};
	struct report_ctx c = {.now = now, .roots = roots, .nroots = 3, .quota = qo, .utf8 = true};
	struct buf b = {0};
	report_json(m, &c, &b);
	report_text(m, &c, &b);
	for (size_t e = 0; e < model_event_count(m); e++)
		report_event_line(m, e, now, &b);
	/* the evidence of every event, together and one by one, must agree */
	struct evidence_set es;
	evidence_compute(m, NULL, &es);
	for (size_t e = 0; e < es.n; e++) {
		struct event_evidence one;
		evidence_of_event(m, NULL, e, &one);
		if (one.words != es.ev[e].words || one.floor_tokens != es.ev[e].floor_tokens)
			abort();
	}
	evidence_free(&es);
	const struct limit_families *cl = model_limit_families(m);
	for (size_t li = 0; li < cl->n; li++) {
		struct limit_view v;
		limit_family_view(&cl->v[li], now, &v);
	}
	for (size_t si = 0; si < model_session_count(m); si++)
		(void)model_cache_left_s(m, model_session(m, si), now);
	buf_free(&b);
	model_free(m);
}

static inline void fuzz_model_lines(const uint8_t *data, size_t size, enum agent first)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t f[2];
	f[0] = model_file_add(m, AGENT_CLAUDE, "/fuzz/projects/p/s.jsonl", false);
	f[1] = model_file_add(m, AGENT_CODEX, "/fuzz/sessions/rollout-x.jsonl", false);
	const char *s = (const char *)data;
	size_t i = 0, k = first == AGENT_CODEX ? 1 : 0;
	while (i <= size) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : size - i;
		model_feed(m, f[k & 1], s + i, len);
		k++;
		i += len + 1;
	}
	fuzz_walk_model(m);
}

#endif
