/* parse_claude.c — one Claude Code transcript line → struct line. Takes the envelope (uuid
 * chain, sessionId, version, sidechain, agentId, cwd), the usage of assistant lines (message.id,
 * requestId, model, the cache fields and their 5m/1h split), compact boundaries and titles.
 * Unknown line types are skipped; a line that is not a JSON object, or whose usage numbers are
 * not non-negative integers, is malformed. */
#include <string.h>

#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "parse_internal.h"

enum {
	K_TYPE, K_UUID, K_PARENT, K_SESSION, K_TS, K_VERSION, K_SIDECHAIN, K_AGENT, K_CWD, K_REQ,
	K_MESSAGE, K_APIERR, K_SUBTYPE, K_CUSTOM, K_AI, K_SUMMARY, K_LEAF, K_COUNT
};
static const char *const top_keys[K_COUNT] = {
	"type", "uuid", "parentUuid", "sessionId", "timestamp", "version", "isSidechain", "agentId",
	"cwd", "requestId", "message", "isApiErrorMessage", "subtype", "customTitle", "aiTitle",
	"summary", "leafUuid"};

/* The members taken in the line's single walk: the envelope, message.{id, model, usage}, the
 * usage numbers and usage.cache_creation's 5m/1h split, each in its slot of one array. */
static const char *const message_keys[] = {"id", "model", "usage"};
static const char *const usage_keys[] = {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
					 "cache_creation", "output_tokens"};
static const char *const cc_keys[] = {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"};
enum { M_ID = K_COUNT, M_MODEL, M_USAGE, U_IN, U_CC, U_CR, U_CCOBJ, U_OUT, C_5M, C_1H, SLOTS };
static const struct jscan_level cc_level = {cc_keys, 2, C_5M, NULL, 2};
static const struct jscan_level *const usage_sub[5] = {NULL, NULL, NULL, &cc_level, NULL};
static const struct jscan_level usage_level = {usage_keys, 5, U_IN, usage_sub, 7};
static const struct jscan_level *const message_sub[3] = {NULL, NULL, &usage_level};
static const struct jscan_level message_level = {message_keys, 3, M_ID, message_sub, 10};
static const struct jscan_level *const top_sub[K_COUNT] = {[K_MESSAGE] = &message_level};
static const struct jscan_level top_level = {top_keys, K_COUNT, 0, top_sub, SLOTS};
JSCAN_SUB_FITS(usage_sub, usage_keys);
JSCAN_SUB_FITS(message_sub, message_keys);
JSCAN_SUB_FITS(top_sub, top_keys);

/* v: the line's slots; message.usage is an object */
static void parse_usage(const struct jspan *v, struct line *out)
{
	out->has_usage = true;
	out->msg_id = span_hash(&v[M_ID]);
	span_copy(&v[M_MODEL], out->model, sizeof out->model);
	uint64_t in, cc, cr, o, c5 = 0, c1 = 0;
	if (span_tokens(&v[U_IN], &in) || span_tokens(&v[U_CC], &cc) || span_tokens(&v[U_CR], &cr) ||
	    span_tokens(&v[U_OUT], &o)) {
		line_bad(out, LP_BAD_NUMBER);
		return;
	}
	bool split = false;
	if (v[U_CCOBJ].type == '{') {
		if (span_tokens(&v[C_5M], &c5) || span_tokens(&v[C_1H], &c1)) {
			line_bad(out, LP_BAD_NUMBER);
			return;
		}
		split = c5 + c1 > 0;
	}
	/* ccusage counts writes as 5m + 1h when the split is present; without it (older lines,
	 * Bedrock) the total is all we have and the tier is unknown: take it as 5-minute, the
	 * API's default. */
	if (!split) {
		c5 = cc;
		c1 = 0;
	}
	out->usage = (struct usage){.input = in, .cache_creation = c5 + c1, .cc5m = c5, .cc1h = c1,
				    .cache_read = cr, .output = o};
	if (!strcmp(out->model, "<synthetic>"))
		out->synthetic = true;
}

void line_parse_claude(const char *s, size_t n, struct line *out)
{
	line_begin(&s, &n, out);
	struct jspan v[SLOTS];
	if (line_scan(s, n, &top_level, v, out))
		return;
	if (v[K_TYPE].type != '"') {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	const struct jspan *t = &v[K_TYPE];
	if (jspan_eq(t, "summary") || jspan_eq(t, "custom-title") || jspan_eq(t, "ai-title")) {
		const struct jspan *txt = jspan_eq(t, "summary") ? &v[K_SUMMARY]
					  : jspan_eq(t, "ai-title") ? &v[K_AI] : &v[K_CUSTOM];
		if (txt->type != '"')
			return; /* a title line without its text: nothing to use */
		out->kind = LINE_CLAUDE_TITLE;
		out->title_rank = jspan_eq(t, "summary") ? TITLE_SUMMARY
				  : jspan_eq(t, "ai-title") ? TITLE_AI : TITLE_CUSTOM;
		span_copy(txt, out->title, sizeof out->title);
		span_copy(&v[K_SESSION], out->session_id, sizeof out->session_id);
		out->leaf_uuid = span_hash(&v[K_LEAF]);
		if (line_take_ts(&v[K_TS], out))
			out->ts = CT_TIME_NONE; /* titles do not need a time */
		return;
	}
	/* Everything that is part of the conversation carries a uuid; the rest is bookkeeping —
	 * except a response's usage, which counts wherever it stands (ccusage counts such a line
	 * too): without a uuid it takes no part in lineage, but it is a request. */
	out->uuid = span_hash(&v[K_UUID]);
	bool usage_line = jspan_eq(t, "assistant") && v[K_MESSAGE].type == '{' && v[M_USAGE].type == '{';
	if (!out->uuid && !usage_line)
		return;
	if (line_take_ts(&v[K_TS], out)) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	out->kind = LINE_CLAUDE_ENTRY;
	out->parent_uuid = span_hash(&v[K_PARENT]);
	span_copy(&v[K_SESSION], out->session_id, sizeof out->session_id);
	out->version = span_hash(&v[K_VERSION]);
	out->agent_id = span_hash(&v[K_AGENT]);
	bool b;
	out->sidechain = jspan_bool(&v[K_SIDECHAIN], &b) == 0 && b;
	span_copy(&v[K_CWD], out->cwd, sizeof out->cwd);
	if (jspan_eq(t, "system") && jspan_eq(&v[K_SUBTYPE], "compact_boundary"))
		out->compact_boundary = true;
	if (usage_line) {
		/* a line that is nothing but its usage must carry the two counts every response has */
		if (!out->uuid && (v[U_IN].type == 0 || v[U_OUT].type == 0)) {
			line_bad(out, LP_MISSING_FIELD);
			return;
		}
		parse_usage(v, out);
		if (out->kind == LINE_MALFORMED)
			return;
		if (out->has_usage) {
			out->req_id = span_hash(&v[K_REQ]);
			if (jspan_bool(&v[K_APIERR], &b) == 0 && b)
				out->synthetic = true;
			if (out->ts == CT_TIME_NONE) {
				line_bad(out, LP_BAD_TIME);
				return;
			}
		}
	}
}
