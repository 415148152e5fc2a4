/* parse.c — what both line parsers share: record reset, member helpers, format dispatch, and
 * the timestamp peeks used to read files oldest-first. */
#include <string.h>

#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "parse_internal.h"

void line_reset(struct line *out)
{
	/* Only the small fields are cleared: the big text buffers are cleared by their first byte,
	 * which keeps parsing a 100-byte line from costing a 5 KB memset. */
	out->kind = LINE_SKIP;
	out->problem = LP_NONE;
	out->ts = CT_TIME_NONE;
	out->session_id[0] = 0;
	out->uuid = out->parent_uuid = out->version = out->agent_id = 0;
	out->sidechain = out->compact_boundary = false;
	out->cwd[0] = 0;
	out->has_usage = out->synthetic = false;
	out->msg_id = out->req_id = 0;
	out->model[0] = 0;
	memset(&out->usage, 0, sizeof out->usage);
	out->title_rank = TITLE_NONE;
	out->title[0] = 0;
	out->leaf_uuid = 0;
	out->parent_id[0] = 0;
	out->subagent = false;
	out->has_info = out->has_total = out->has_last = false;
	memset(&out->total, 0, sizeof out->total);
	memset(&out->last, 0, sizeof out->last);
	memset(&out->rl, 0, sizeof out->rl);
}

void line_bad(struct line *out, enum line_problem why)
{
	out->kind = LINE_MALFORMED;
	out->problem = why;
}

int line_take_ts(const struct jspan *v, struct line *out)
{
	if (v->type == 0 || v->type == 'n')
		return 0;
	int64_t ms;
	if (v->type != '"' || rfc3339_parse(v->p, v->n, &ms) != 0)
		return -1;
	out->ts = ms;
	return 0;
}

uint64_t span_hash(const struct jspan *v)
{
	if (v->type != '"' || v->n == 0)
		return 0;
	return ct_hash(v->p, v->n);
}

void span_copy(const struct jspan *v, char *dst, size_t cap)
{
	if (v->type != '"') {
		dst[0] = 0;
		return;
	}
	jspan_str(v, dst, cap);
}

int span_tokens(const struct jspan *v, uint64_t *out)
{
	*out = 0;
	if (v->type == 0 || v->type == 'n')
		return 0;
	return jspan_u64(v, TOKENS_MAX, out);
}

size_t line_trim_cr(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return n;
}

void line_parse(enum agent agent, const char *s, size_t n, struct line *out)
{
	if (agent == AGENT_CODEX)
		line_parse_codex(s, n, out);
	else
		line_parse_claude(s, n, out);
}

static int line_ts(const char *s, size_t n, int64_t *ms)
{
	static const char *const keys[] = {"timestamp"};
	struct jspan v[1];
	if (jscan_object(s, n, keys, 1, v) < 0 || v[0].type != '"')
		return -1;
	return rfc3339_parse(v[0].p, v[0].n, ms);
}

int line_peek_first_ts(const char *buf, size_t n, int64_t *ms)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		if (!nl)
			return -1; /* an incomplete line proves nothing */
		size_t len = (size_t)(nl - (buf + i));
		if (line_ts(buf + i, line_trim_cr(buf + i, len), ms) == 0)
			return 0;
		i += len + 1;
	}
	return -1;
}

int line_peek_last_ts(const char *buf, size_t n, int64_t *ms)
{
	/* walk complete lines backwards; the first bytes may be the tail of a cut line */
	size_t end = n;
	while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r'))
		end--;
	while (end > 0) {
		size_t start = end;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start == 0 && n > 0 && buf[0] != '{')
			return -1;
		if (line_ts(buf + start, line_trim_cr(buf + start, end - start), ms) == 0)
			return 0;
		if (start == 0)
			break;
		end = start - 1;
	}
	return -1;
}
