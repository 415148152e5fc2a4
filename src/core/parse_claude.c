/* parse_claude.c — one Claude Code transcript line → struct line. Takes the envelope (uuid
 * chain, sessionId, version, sidechain, agentId, cwd), the usage of assistant lines (message.id,
 * requestId, model, the cache fields and their 5m/1h split), compact boundaries and titles.
 * Unknown line types are skipped; a line that is not a JSON object, or whose usage numbers are
 * not non-negative integers, is malformed. */
#include <string.h>

#include "cachetop/claude.h"
#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "parse_internal.h"

enum {
	K_TYPE, K_UUID, K_PARENT, K_SESSION, K_TS, K_VERSION, K_SIDECHAIN, K_AGENT, K_CWD, K_REQ,
	K_MESSAGE, K_APIERR, K_SUBTYPE, K_CUSTOM, K_AI, K_SUMMARY, K_LEAF, K_ATTACH, K_COUNT
};
static const char *const top_keys[K_COUNT] = {
	"type", "uuid", "parentUuid", "sessionId", "timestamp", "version", "isSidechain", "agentId",
	"cwd", "requestId", "message", "isApiErrorMessage", "subtype", "customTitle", "aiTitle",
	"summary", "leafUuid", "attachment"};

/* The members taken in the line's single walk: the envelope, message.{id, model, usage}, the
 * usage numbers and usage.cache_creation's 5m/1h split, each in its slot of one array. */
static const char *const message_keys[] = {"id", "model", "usage"};
static const char *const usage_keys[] = {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
					 "cache_creation", "output_tokens"};
static const char *const cc_keys[] = {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"};
/* attachment lines that change the tool or MCP set (transcript-formats.md E2) */
static const char *const attach_keys[] = {"type", "addedNames", "removedNames", "pendingMcpServers",
					  "needsAuthMcpServers", "failedMcpServers"};
enum { M_ID = K_COUNT, M_MODEL, M_USAGE, U_IN, U_CC, U_CR, U_CCOBJ, U_OUT, C_5M, C_1H,
       A_TYPE, A_ADDED, A_REMOVED, A_PENDING, A_AUTH, A_FAILED, SLOTS };
static const struct jscan_level cc_level = {cc_keys, 2, C_5M, NULL, 2};
static const struct jscan_level attach_level = {attach_keys, 6, A_TYPE, NULL, 6};
static const struct jscan_level *const usage_sub[5] = {NULL, NULL, NULL, &cc_level, NULL};
static const struct jscan_level usage_level = {usage_keys, 5, U_IN, usage_sub, 7};
static const struct jscan_level *const message_sub[3] = {NULL, NULL, &usage_level};
static const struct jscan_level message_level = {message_keys, 3, M_ID, message_sub, 10};
static const struct jscan_level *const top_sub[K_COUNT] = {[K_MESSAGE] = &message_level,
							   [K_ATTACH] = &attach_level};
static const struct jscan_level top_level = {top_keys, K_COUNT, 0, top_sub, SLOTS};
JSCAN_SUB_FITS(usage_sub, usage_keys);
JSCAN_SUB_FITS(message_sub, message_keys);
JSCAN_SUB_FITS(top_sub, top_keys);

/* Elements of an array member (0 when it is not an array); *mcp counts the strings that name an
 * MCP tool ("mcp__server__tool"). The walk already checked the array's structure. */
static uint16_t array_count(const struct jspan *v, unsigned *mcp)
{
	if (v->type != '[')
		return 0;
	unsigned n = 0;
	size_t i = 1;
	while (i < v->n) {
		while (i < v->n && (v->p[i] == ' ' || v->p[i] == '\t' || v->p[i] == '\n' || v->p[i] == '\r' ||
				    v->p[i] == ','))
			i++;
		if (i >= v->n || v->p[i] == ']')
			break;
		if (v->p[i] == '"' && v->n - i > 6 && !memcmp(v->p + i + 1, "mcp__", 5))
			(*mcp)++;
		long len = jscan_skip_value(v->p + i, v->n - i);
		if (len <= 0)
			break;
		i += (size_t)len;
		n++;
	}
	return (uint16_t)(n > 0xFFFF ? 0xFFFF : n);
}

/* v: the line's slots; attachment is an object */
static void parse_tools(const struct jspan *v, struct tools_delta *t)
{
	bool deferred = jspan_eq(&v[A_TYPE], "deferred_tools_delta");
	if (!deferred && !jspan_eq(&v[A_TYPE], "mcp_instructions_delta"))
		return;
	unsigned mcp = 0;
	t->added = array_count(&v[A_ADDED], &mcp);
	t->removed = array_count(&v[A_REMOVED], &mcp);
	t->pending = (uint16_t)(array_count(&v[A_PENDING], &mcp) + array_count(&v[A_AUTH], &mcp));
	t->failed = array_count(&v[A_FAILED], &mcp);
	if (!t->added && !t->removed && !t->pending && !t->failed)
		return; /* announces nothing that changed */
	t->kind = deferred ? TOOLS_DEFERRED : TOOLS_MCP_INSTRUCTIONS;
	t->mcp = !deferred || mcp > 0 || t->pending || t->failed;
}

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
		out->kind = LINE_TITLE;
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
	out->kind = LINE_ENTRY;
	out->parent_uuid = span_hash(&v[K_PARENT]);
	span_copy(&v[K_SESSION], out->session_id, sizeof out->session_id);
	out->version = span_hash(&v[K_VERSION]);
	span_copy(&v[K_VERSION], out->version_str, sizeof out->version_str);
	out->agent_id = span_hash(&v[K_AGENT]);
	bool b;
	out->sidechain = jspan_bool(&v[K_SIDECHAIN], &b) == 0 && b;
	span_copy(&v[K_CWD], out->cwd, sizeof out->cwd);
	if (jspan_eq(t, "system") && jspan_eq(&v[K_SUBTYPE], "compact_boundary"))
		out->compact_boundary = true;
	if (jspan_eq(t, "attachment") && v[K_ATTACH].type == '{')
		parse_tools(v, &out->tools);
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
