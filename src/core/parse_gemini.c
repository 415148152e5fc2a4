/* parse_gemini.c — Gemini CLI's chat recordings (transcript-formats.md E4) → struct line. One
 * record of either form: a JSONL line (a header, a message, a `$set` metadata update, a
 * `$rewindTo`), or a legacy whole-file JSON document (≤ 0.38), read as its header. Records are
 * told apart in the order Gemini CLI's own loader uses. line_parse_each_gemini also walks the
 * message arrays a record embeds — a legacy document's `messages`, a `$set` checkpoint's
 * `messages` — one record per element. Token counts are normalised here: Gemini's `input` includes `cached`
 * and its `output` excludes `thoughts`, which are billed as output; `tool` (tool-use prompt
 * tokens) and `total` are not part of that normalisation and are not read. */
#include <string.h>

#include "cachetop/gemini.h"
#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "parse_internal.h"

enum {
	K_REWIND, K_ID, K_SET, K_SESSION, K_PROJECT, K_START, K_KIND, K_SUMMARY, K_MESSAGES, K_TS, K_TYPE,
	K_MODEL, K_TOKENS, K_COUNT
};
static const char *const top_keys[K_COUNT] = {
	"$rewindTo", "id", "$set", "sessionId", "projectHash", "startTime", "kind", "summary", "messages",
	"timestamp", "type", "model", "tokens"};
static const char *const set_keys[] = {"sessionId", "summary", "messages"};
static const char *const token_keys[] = {"input", "output", "cached", "thoughts"};
enum { S_SESSION = K_COUNT, S_SUMMARY, S_MESSAGES, T_IN, T_OUT, T_CACHED, T_THOUGHTS, SLOTS };
static const struct jscan_level set_level = {set_keys, 3, S_SESSION, NULL, 3};
static const struct jscan_level token_level = {token_keys, 4, T_IN, NULL, 4};
static const struct jscan_level *const top_sub[K_COUNT] = {[K_SET] = &set_level, [K_TOKENS] = &token_level};
static const struct jscan_level top_level = {top_keys, K_COUNT, 0, top_sub, SLOTS};
JSCAN_SUB_FITS(top_sub, top_keys);

/* tokens: {input, output, cached, thoughts, tool, total}; v: the record's slots */
static void parse_tokens(const struct jspan *v, struct line *out)
{
	uint64_t in, o, cached, thoughts;
	if (span_tokens(&v[T_IN], &in) || span_tokens(&v[T_OUT], &o) || span_tokens(&v[T_CACHED], &cached) ||
	    span_tokens(&v[T_THOUGHTS], &thoughts) || cached > in || o + thoughts > TOKENS_MAX) {
		/* cached is part of input: anything else is corrupt, as is an output past 32 bits */
		line_bad(out, LP_BAD_NUMBER);
		return;
	}
	if (!in && !o && !thoughts)
		return; /* all zero: nothing was sent or billed (an aborted turn), not a request */
	out->has_usage = true;
	out->usage = (struct usage){.input = in - cached, .cache_read = cached, .output = o + thoughts};
}

static void parse_message(const struct jspan *v, struct line *out)
{
	out->msg_id = span_hash(&v[K_ID]);
	if (!out->msg_id) {
		line_bad(out, LP_MISSING_FIELD); /* an empty id names nothing */
		return;
	}
	if (line_take_ts(&v[K_TS], out)) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	out->kind = LINE_RECORD_MESSAGE;
	span_copy(&v[K_MODEL], out->model, sizeof out->model);
	/* only a model turn with token counts was a billed request; `tokens: null` is the same
	 * turn before its usage arrived */
	if (!jspan_eq(&v[K_TYPE], "gemini") || v[K_TOKENS].type != '{')
		return;
	parse_tokens(v, out);
	if (out->has_usage && out->ts == CT_TIME_NONE)
		line_bad(out, LP_BAD_TIME);
}

/* Parse one record; *msgs receives the span of the message array it embeds (type 0: none). */
static void parse_record(const char *s, size_t n, struct line *out, struct jspan *msgs)
{
	msgs->type = 0;
	line_begin(&s, &n, out);
	struct jspan v[SLOTS];
	if (line_scan(s, n, &top_level, v, out))
		return;
	if (v[K_REWIND].type == '"') {
		out->kind = LINE_RECORD_REWIND;
		return;
	}
	if (v[K_ID].type == '"') {
		parse_message(v, out);
		return;
	}
	if (v[K_SET].type == '{') {
		out->kind = LINE_RECORD_SET;
		span_copy(&v[S_SESSION], out->session_id, sizeof out->session_id);
		if (v[S_SUMMARY].type == '"') {
			span_copy(&v[S_SUMMARY], out->title, sizeof out->title);
			out->title_rank = TITLE_AI;
		}
		if (v[S_MESSAGES].type == '[') {
			out->compact_boundary = true; /* a checkpoint: the conversation view was rewritten */
			*msgs = v[S_MESSAGES];
		}
		return;
	}
	/* A header line has sessionId and projectHash; a legacy document has sessionId and its
	 * messages (Gemini CLI's fallback reader asks for no more). */
	if (v[K_SESSION].type != '"' || (v[K_PROJECT].type != '"' && v[K_MESSAGES].type != '['))
		return; /* an object of no known shape: skipped, as Gemini CLI does */
	span_copy(&v[K_SESSION], out->session_id, sizeof out->session_id);
	if (!out->session_id[0]) {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	out->kind = LINE_RECORD_HEADER;
	if (line_take_ts(&v[K_START], out))
		out->ts = CT_TIME_NONE; /* metadata: a bad start time costs nothing */
	out->subagent = jspan_eq(&v[K_KIND], "subagent");
	if (v[K_SUMMARY].type == '"') {
		span_copy(&v[K_SUMMARY], out->title, sizeof out->title);
		out->title_rank = TITLE_AI;
	}
	if (v[K_MESSAGES].type == '[')
		*msgs = v[K_MESSAGES];
}

void line_parse_gemini(const char *s, size_t n, struct line *out)
{
	struct jspan msgs;
	parse_record(s, n, out, &msgs);
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Each element of the array a (already scanned whole by jscan, so well formed) as one record. */
static void each_message(const struct jspan *a, struct line *out, line_emit_fn emit, void *ctx)
{
	const char *s = a->p;
	size_t n = a->n, i = skip_ws(s, 1, n);
	struct jspan none;
	while (i < n && s[i] != ']') {
		long len = jscan_skip_value(s + i, n - i);
		if (len <= 0)
			return;
		if (s[i] == '{') {
			parse_record(s + i, (size_t)len, out, &none);
			/* inside a message array only messages count (as Gemini CLI reads them) */
			if (out->kind != LINE_RECORD_MESSAGE && out->kind != LINE_MALFORMED)
				line_bad(out, LP_MISSING_FIELD);
		} else {
			line_reset(out);
			line_bad(out, LP_NOT_JSON);
		}
		emit(ctx, out);
		i = skip_ws(s, i + (size_t)len, n);
		if (i < n && s[i] == ',')
			i = skip_ws(s, i + 1, n);
	}
}

void line_parse_each_gemini(const char *s, size_t n, struct line *out, line_emit_fn emit, void *ctx)
{
	struct jspan msgs;
	parse_record(s, n, out, &msgs);
	emit(ctx, out);
	if (msgs.type == '[')
		each_message(&msgs, out, emit, ctx);
}
