/* agent_ops.c — the agent table's code half: for each agent, its line parser, its model rules
 * and its transcript path rules (its own files, declared in its own header), and the entry
 * points that dispatch to them by a file's agent: line_parse, line_parse_each, and the model's life around the store (model_file_add,
 * model_file_reset, model_free) and its per-line entry (model_apply, model_feed). It sits above
 * the parsers, the agents' modules and the model store, so none of them calls back up. */
#include "agent_ops.h"

#include "cachetop/claude.h"
#include "cachetop/codex.h"
#include "cachetop/gemini.h"
#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/opencode.h"
#include "cachetop/timefmt.h"
#include "model_private.h"

static const struct agent_ops ops[AGENT_COUNT] = {
	[AGENT_CLAUDE] = {.parse = line_parse_claude, .apply = model_apply_claude,
			  .transcript_kind = claude_transcript_kind},
	/* Codex marks sub-agents inside the file (session_meta), not by its path */
	[AGENT_CODEX] = {.parse = line_parse_codex, .apply = model_apply_codex,
			 .transcript_kind = transcript_kind_jsonl},
	[AGENT_GEMINI] = {.parse = line_parse_gemini, .parse_each = line_parse_each_gemini,
			  .apply = model_apply_gemini, .file_reset = model_gemini_file_reset,
			  .state_free = model_gemini_free, .transcript_kind = gemini_transcript_kind,
			  .transcript_dir = gemini_dir_wanted, .peek_first_ts = gemini_peek_first_ts,
			  .peek_last_ts = gemini_peek_last_ts},
	[AGENT_OPENCODE] = {.parse = line_parse_opencode, .apply = model_apply_opencode,
			    .state_free = model_opencode_free},
};

const struct agent_ops *agent_ops_get(enum agent a)
{
	agent_get(a); /* a value outside the table stops here, with its message */
	return &ops[a];
}

/* ---- the path rules ----------------------------------------------------------------------- */

enum transcript_kind agent_transcript_kind(enum agent a, const char *rel)
{
	enum transcript_kind (*rule)(const char *) = agent_ops_get(a)->transcript_kind;
	return rule ? rule(rel) : TRANSCRIPT_NONE;
}

bool agent_transcript_dir(enum agent a, const char *rel)
{
	bool (*rule)(const char *) = agent_ops_get(a)->transcript_dir;
	return !rule || rule(rel);
}

bool agent_has_transcripts(enum agent a) { return agent_ops_get(a)->transcript_kind != NULL; }

int agent_peek_ts(enum agent a, bool last, const char *buf, size_t n, int64_t *ms)
{
	const struct agent_ops *o = agent_ops_get(a);
	int (*peek)(const char *, size_t, int64_t *) = last ? o->peek_last_ts : o->peek_first_ts;
	if (!peek)
		peek = last ? line_peek_last_ts : line_peek_first_ts;
	return peek(buf, n, ms);
}

/* ---- the parsers -------------------------------------------------------------------------- */

void line_parse(enum agent agent, const char *s, size_t n, struct line *out)
{
	agent_ops_get(agent)->parse(s, n, out);
}

void line_parse_each(enum agent agent, const char *s, size_t n, struct line *out, line_emit_fn emit, void *ctx)
{
	const struct agent_ops *o = agent_ops_get(agent);
	if (o->parse_each) {
		o->parse_each(s, n, out, emit, ctx);
		return;
	}
	o->parse(s, n, out);
	emit(ctx, out);
}

/* ---- the model's life and its per-line entry ----------------------------------------------- */

uint32_t model_file_add(struct model *m, enum agent agent, const char *path, bool subagent)
{
	mdl_unsealed(m);
	bool again;
	uint32_t i = mdl_file_add(m, agent, path, subagent, &again);
	if (again)
		model_file_reset(m, i);
	return i;
}

void model_file_reset(struct model *m, uint32_t file)
{
	mdl_unsealed(m);
	if (!mdl_file_reset(m, file))
		return;
	for (int a = 0; a < AGENT_COUNT; a++)
		if (ops[a].file_reset)
			ops[a].file_reset(m, file);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (int a = 0; a < AGENT_COUNT; a++)
		if (ops[a].state_free)
			ops[a].state_free(m);
	mdl_free(m);
}

unsigned model_apply(struct model *m, uint32_t file, const struct line *ln)
{
	mdl_unsealed(m);
	m->generation++;
	if (file >= m->nfiles)
		return 0;
	m->stats.lines++;
	m->files[file].lines++;
	if (ln->ts != CT_TIME_NONE && !m->files[file].last_from_source)
		m->files[file].last_ts = ln->ts;
	if (ln->kind == LINE_MALFORMED) {
		m->stats.malformed++;
		if ((unsigned)ln->problem < 8)
			m->stats.by_problem[ln->problem]++;
		return 0;
	}
	if (ln->kind == LINE_SKIP) {
		m->stats.skipped++;
		return 0;
	}
	unsigned changed = agent_ops_get(m->files[file].agent)->apply(m, file, ln);
	m->changes |= changed;
	return changed;
}

struct feed_ctx {
	struct model *m;
	uint32_t file;
	unsigned changed;
};

static void feed_emit(void *ctx, const struct line *ln)
{
	struct feed_ctx *c = ctx;
	c->changed |= model_apply(c->m, c->file, ln);
}

unsigned model_feed(struct model *m, uint32_t file, const char *line, size_t n)
{
	if (file >= m->nfiles)
		return 0;
	/* blank lines (a trailing newline, CRLF pairs) are not lines of the transcript */
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == n)
		return 0;
	struct feed_ctx c = {m, file, 0};
	line_parse_each(m->files[file].agent, line, n, &m->scratch, feed_emit, &c);
	return c.changed;
}
