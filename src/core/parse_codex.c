/* parse_codex.c — one Codex rollout line → struct line: session_meta (identity, cwd, fork and
 * sub-agent parents), turn_context (model), token_count (total/last usage and rate limits in
 * all three historical shapes) and compaction. response_item lines — most of a rollout's bytes
 * — are recognised from their first bytes and skipped without a scan. */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <string.h>

#include "cachetop/codex.h"
#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "parse_internal.h"

/* k: a usage object's five members (input, cached, output, reasoning, total) */
static int parse_tokens(const struct jspan *k, struct raw_tokens *t)
{
	if (span_tokens(&k[0], &t->input) || span_tokens(&k[1], &t->cached) ||
	    span_tokens(&k[2], &t->output) || span_tokens(&k[3], &t->reasoning) ||
	    span_tokens(&k[4], &t->total))
		return -1;
	if (t->cached > t->input)
		return -1; /* cached ⊂ input: anything else is corrupt */
	return 0;
}

/* A number member; false when absent, not a number, or not finite. */
static bool num(const struct jspan *v, double *out) { return jspan_double(v, out) == 0 && isfinite(*out); }

/* A number converted to int64 must fit, or the conversion is undefined: anything beyond `lim`
 * is corrupt input and is treated as absent. */
#define MINUTES_LIM 1e9
#define SECONDS_LIM 1e12 /* ~31,700 years */
static bool num_in(const struct jspan *v, double lim, double *out) { return num(v, out) && *out >= -lim && *out <= lim; }

/* {used_percent, window_minutes, resets_at | resets_in_seconds}; w: the window's span, k: its
 * four members */
static void window_nested(const struct jspan *w, const struct jspan *k, int64_t ts, struct rl_window *out)
{
	double used, v;
	if (w->type != '{' || !num(&k[0], &used))
		return;
	out->present = true;
	out->used_percent = used;
	out->window_minutes = num_in(&k[1], MINUTES_LIM, &v) ? (int64_t)v : -1;
	out->resets_at_ms = CT_TIME_NONE;
	if (num_in(&k[2], SECONDS_LIM, &v))
		out->resets_at_ms = (int64_t)v * 1000;
	else if (num_in(&k[3], SECONDS_LIM, &v) && ts != CT_TIME_NONE)
		out->resets_at_ms = ts + (int64_t)(v * 1000);
}

/* The flat 0.3x-0.4x shape: {primary_used_percent, primary_window_minutes,
 * primary_reset_after_seconds, secondary_…} */
static void window_flat(const struct jspan *k, int64_t ts, struct rl_window *out)
{
	double used, v;
	if (!num(&k[0], &used))
		return;
	out->present = true;
	out->used_percent = used;
	out->window_minutes = num_in(&k[1], MINUTES_LIM, &v) ? (int64_t)v : -1;
	out->resets_at_ms = CT_TIME_NONE;
	if (num_in(&k[2], SECONDS_LIM, &v) && ts != CT_TIME_NONE)
		out->resets_at_ms = ts + (int64_t)(v * 1000);
}

/* The members every kind of line needs, taken in the line's single walk, each in its slot:
 * the envelope, the payload's, info's two usages and rate_limits in any of its three
 * historical shapes (nested windows, or the flat 0.3x-0.4x members). Scanned, not parsed with
 * json-c: a json-c parse per token_count line (allocations, a locale copy per number) cost
 * more than all the rest of a Codex line together, and walking each nested object again from
 * its parent's span made a token_count line ~3 passes over its bytes. */
enum { T_TS, T_TYPE, T_PAYLOAD,
       P_TYPE, P_INFO, P_RATE, P_MODEL, P_ID, P_CWD, P_FORKED, P_PARENT, P_SOURCE,
       I_TOTAL, I_LAST, TOTAL_0, LAST_0 = TOTAL_0 + 5,
       R_PRIMARY = LAST_0 + 5, R_SECONDARY, R_FLAT_0, R_LIMIT_ID = R_FLAT_0 + 6, R_LIMIT_NAME, R_INDIVIDUAL,
       W1_0, W2_0 = W1_0 + 4, WI_0 = W2_0 + 4, SLOTS = WI_0 + 6 };
static const char *const top_keys[] = {"timestamp", "type", "payload"};
static const char *const payload_keys[] = {"type", "info", "rate_limits", "model", "id", "cwd",
					   "forked_from_id", "parent_thread_id", "source"};
static const char *const info_keys[] = {"total_token_usage", "last_token_usage"};
static const char *const token_keys[] = {"input_tokens", "cached_input_tokens", "output_tokens",
					 "reasoning_output_tokens", "total_tokens"};
static const char *const rate_keys[] = {"primary", "secondary", "primary_used_percent", "primary_window_minutes",
					"primary_reset_after_seconds", "secondary_used_percent",
					"secondary_window_minutes", "secondary_reset_after_seconds", "limit_id",
					"limit_name", "individual_limit"};
static const char *const window_keys[] = {"used_percent", "window_minutes", "resets_at", "resets_in_seconds"};
/* individual_limit: a window, or a spend control ({remaining_percent, reset_at}) */
static const char *const individual_keys[] = {"used_percent", "window_minutes", "resets_at", "resets_in_seconds",
					      "remaining_percent", "reset_at"};
static const struct jscan_level total_level = {token_keys, 5, TOTAL_0, NULL, 5};
static const struct jscan_level last_level = {token_keys, 5, LAST_0, NULL, 5};
static const struct jscan_level *const info_sub[2] = {&total_level, &last_level};
static const struct jscan_level info_level = {info_keys, 2, I_TOTAL, info_sub, 12};
static const struct jscan_level w1_level = {window_keys, 4, W1_0, NULL, 4};
static const struct jscan_level w2_level = {window_keys, 4, W2_0, NULL, 4};
static const struct jscan_level wi_level = {individual_keys, 6, WI_0, NULL, 6};
static const struct jscan_level *const rate_sub[11] = {&w1_level, &w2_level, [10] = &wi_level}; /* one per name */
static const struct jscan_level rate_level = {rate_keys, 11, R_PRIMARY, rate_sub, 25};
static const struct jscan_level *const payload_sub[9] = {NULL, &info_level, &rate_level};
static const struct jscan_level payload_level = {payload_keys, 9, P_TYPE, payload_sub, 46};
static const struct jscan_level *const top_sub[3] = {NULL, NULL, &payload_level};
static const struct jscan_level top_level = {top_keys, 3, T_TS, top_sub, SLOTS};
JSCAN_SUB_FITS(info_sub, info_keys);
JSCAN_SUB_FITS(rate_sub, rate_keys);
JSCAN_SUB_FITS(payload_sub, payload_keys);
JSCAN_SUB_FITS(top_sub, top_keys);

static void parse_rate_limits(const struct jspan *v, int64_t ts, struct rate_limits *rl)
{
	if (v[P_RATE].type != '{')
		return;
	window_nested(&v[R_PRIMARY], &v[W1_0], ts, &rl->primary);
	window_nested(&v[R_SECONDARY], &v[W2_0], ts, &rl->secondary);
	if (!rl->primary.present)
		window_flat(&v[R_FLAT_0], ts, &rl->primary);
	if (!rl->secondary.present)
		window_flat(&v[R_FLAT_0 + 3], ts, &rl->secondary);
	window_nested(&v[R_INDIVIDUAL], &v[WI_0], ts, &rl->individual);
	double v2;
	if (!rl->individual.present && v[R_INDIVIDUAL].type == '{' && num(&v[WI_0 + 4], &v2)) {
		/* a spend control says what is left */
		rl->individual = (struct rl_window){.present = true, .used_percent = 100 - v2,
						    .window_minutes = -1, .resets_at_ms = CT_TIME_NONE};
	}
	if (rl->individual.present && rl->individual.resets_at_ms == CT_TIME_NONE &&
	    num_in(&v[WI_0 + 5], SECONDS_LIM, &v2))
		rl->individual.resets_at_ms = (int64_t)v2 * 1000;
	rl->present = rl->primary.present || rl->secondary.present || rl->individual.present;
}

/* session_meta; k: its payload members id, cwd, forked_from_id, parent_thread_id, source */
static void parse_meta(const struct jspan *k, struct line *out)
{
	if (k[0].type != '"') {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	out->kind = LINE_SESSION_META;
	span_copy(&k[0], out->session_id, sizeof out->session_id);
	span_copy(&k[1], out->cwd, sizeof out->cwd);
	if (k[2].type == '"')
		span_copy(&k[2], out->parent_id, sizeof out->parent_id);
	else if (k[3].type == '"')
		span_copy(&k[3], out->parent_id, sizeof out->parent_id);
	if (k[4].type == '{') {
		/* source: {"subagent":{"thread_spawn":{"parent_thread_id":…}}} */
		static const char *const sk[] = {"subagent"};
		static const char *const tk[] = {"thread_spawn"};
		static const char *const pk[] = {"parent_thread_id"};
		struct jspan a, b, c;
		if (jscan_object(k[4].p, k[4].n, sk, 1, &a) > 0 && a.type != 0) {
			out->subagent = true;
			if (a.type == '{' && jscan_object(a.p, a.n, tk, 1, &b) > 0 && b.type == '{' &&
			    jscan_object(b.p, b.n, pk, 1, &c) > 0 && c.type == '"')
				span_copy(&c, out->parent_id, sizeof out->parent_id);
		}
	}
}

void line_parse_codex(const char *s, size_t n, struct line *out)
{
	line_begin(&s, &n, out);
	/* Fast path: Codex writes {"timestamp":"…","type":"response_item",… — nothing to take. */
	size_t head = n < 96 ? n : 96;
	const char *ty = memmem(s, head, "\"type\":\"", 8);
	size_t tyleft = ty ? (size_t)(s + n - (ty + 8)) : 0;
	if (tyleft >= 14 && !memcmp(ty + 8, "response_item\"", 14))
		return;
	/* event_msg payloads are tagged first ({"type":"agent_reasoning",…}): only two matter */
	if (tyleft >= 10 && !memcmp(ty + 8, "event_msg\"", 10)) {
		size_t h2 = n < 160 ? n : 160;
		const char *p = memmem(s, h2, "\"payload\":{\"type\":\"", 20);
		/* the line need not be NUL-terminated: compare only bytes that exist */
		size_t left = p ? (size_t)(s + n - (p + 20)) : 0;
		if (p && !(left >= 12 && !memcmp(p + 20, "token_count\"", 12)) &&
		    !(left >= 18 && !memcmp(p + 20, "context_compacted\"", 18)))
			return;
	}
	struct jspan v[SLOTS];
	if (line_scan(s, n, &top_level, v, out))
		return;
	if (v[T_TYPE].type != '"') {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	if (line_take_ts(&v[T_TS], out)) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	const struct jspan *t = &v[T_TYPE];
	if (jspan_eq(t, "compacted")) {
		out->kind = LINE_COMPACTED;
		return;
	}
	if (v[T_PAYLOAD].type != '{')
		return;
	if (jspan_eq(t, "session_meta")) {
		parse_meta(&v[P_ID], out);
		return;
	}
	if (jspan_eq(t, "turn_context")) {
		if (v[P_MODEL].type == '"') {
			out->kind = LINE_TURN_CONTEXT;
			span_copy(&v[P_MODEL], out->model, sizeof out->model);
		}
		return;
	}
	if (!jspan_eq(t, "event_msg"))
		return;
	if (jspan_eq(&v[P_TYPE], "context_compacted")) {
		out->kind = LINE_COMPACTED;
		return;
	}
	if (!jspan_eq(&v[P_TYPE], "token_count"))
		return;
	if (out->ts == CT_TIME_NONE) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	out->kind = LINE_TOKEN_COUNT;
	if (v[P_INFO].type == '{') {
		if (v[I_TOTAL].type == '{') {
			if (parse_tokens(&v[TOTAL_0], &out->total)) {
				line_bad(out, LP_BAD_NUMBER);
				return;
			}
			out->has_total = true;
		}
		if (v[I_LAST].type == '{') {
			if (parse_tokens(&v[LAST_0], &out->last)) {
				line_bad(out, LP_BAD_NUMBER);
				return;
			}
			out->has_last = true;
		}
		out->has_info = out->has_total || out->has_last;
	}
	parse_rate_limits(v, out->ts, &out->rl);
	if (out->rl.present) {
		span_copy(&v[R_LIMIT_ID], out->limit_id, sizeof out->limit_id);
		span_copy(&v[R_LIMIT_NAME], out->limit_name, sizeof out->limit_name);
	}
}
