/* parse.c — what the line parsers share: record reset, member helpers, format dispatch, and
 * the timestamp peeks used to read files oldest-first. */
#define _GNU_SOURCE /* memrchr */
#include <math.h>
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
	out->version_str[0] = 0;
	memset(&out->tools, 0, sizeof out->tools);
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
	out->limit_id[0] = out->limit_name[0] = 0;
	out->legacy = out->openai_rules = false;
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

size_t line_bom(const char *s, size_t n)
{
	return n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

void line_begin(const char **s, size_t *n, struct line *out)
{
	line_reset(out);
	*n = line_trim_cr(*s, *n);
	size_t bom = line_bom(*s, *n);
	*s += bom, *n -= bom;
}

int line_scan(const char *s, size_t n, const struct jscan_level *top, struct jspan *v, struct line *out)
{
	if (jscan_tree(s, n, top, v) >= 0)
		return 0;
	line_bad(out, LP_NOT_JSON);
	return -1;
}

static int line_ts(const char *s, size_t n, int64_t *ms)
{
	static const char *const keys[] = {"timestamp"};
	struct jspan v[1];
	size_t b = line_bom(s, n);
	if (jscan_object(s + b, n - b, keys, 1, v) < 0 || v[0].type != '"')
		return -1;
	return rfc3339_parse(v[0].p, v[0].n, ms);
}

int line_peek_first_ts(const char *buf, size_t n, int64_t *ms)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		/* Only the members up to "timestamp" need to be whole: some transcripts open
		 * with a session metadata line of tens of KB whose first member is its timestamp. */
		struct jspan v;
		size_t b = line_bom(buf + i, len);
		if (jscan_member_prefix(buf + i + b, len - b, "timestamp", &v) == 0 && v.type == '"' &&
		    rfc3339_parse(v.p, v.n, ms) == 0)
			return 0;
		if (!nl)
			return -1; /* an incomplete line proves nothing more */
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
		const char *nl = memrchr(buf, '\n', end);
		size_t start = nl ? (size_t)(nl - buf) + 1 : 0;
		if (start == 0 && n > 0 && buf[0] != '{' && !line_bom(buf, n))
			return -1;
		if (line_ts(buf + start, line_trim_cr(buf + start, end - start), ms) == 0)
			return 0;
		if (start == 0)
			break;
		end = start - 1;
	}
	return -1;
}

/* ---- packing --------------------------------------------------------------------------- */

enum { PK_SIDECHAIN = 1, PK_COMPACT = 2, PK_USAGE = 4, PK_SYNTHETIC = 8, PK_SUBAGENT = 16,
       PK_INFO = 32, PK_TOTAL = 64, PK_LAST = 128 };
/* database records' own flags (a second flag byte, written for LINE_DB_* only) */
enum { PK_LEGACY = 1, PK_OPENAI = 2 };

static void pk(struct buf *b, const void *p, size_t n) { buf_append(b, p, n); }

static void pk_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	uint16_t l = (uint16_t)(n > 0xFFFF ? 0xFFFF : n);
	pk(b, &l, sizeof l);
	pk(b, s, l);
}

void line_pack(const struct line *ln, struct buf *out)
{
	uint8_t head[2] = {(uint8_t)ln->kind, (uint8_t)ln->problem};
	pk(out, head, 2);
	if (ln->kind == LINE_SKIP || ln->kind == LINE_MALFORMED)
		return;
	pk(out, &ln->ts, sizeof ln->ts);
	uint8_t flags = (uint8_t)((ln->sidechain ? PK_SIDECHAIN : 0) | (ln->compact_boundary ? PK_COMPACT : 0) |
				  (ln->has_usage ? PK_USAGE : 0) | (ln->synthetic ? PK_SYNTHETIC : 0) |
				  (ln->subagent ? PK_SUBAGENT : 0) | (ln->has_info ? PK_INFO : 0) |
				  (ln->has_total ? PK_TOTAL : 0) | (ln->has_last ? PK_LAST : 0));
	pk(out, &flags, 1);
	switch (ln->kind) {
	case LINE_ENTRY:
		pk(out, &ln->uuid, 8), pk(out, &ln->parent_uuid, 8), pk(out, &ln->version, 8);
		pk(out, &ln->agent_id, 8);
		pk_str(out, ln->session_id);
		pk_str(out, ln->cwd);
		pk_str(out, ln->version_str);
		pk(out, &ln->tools.kind, 1);
		if (ln->tools.kind)
			pk(out, &ln->tools, sizeof ln->tools);
		if (ln->has_usage) {
			pk(out, &ln->msg_id, 8), pk(out, &ln->req_id, 8);
			pk(out, &ln->usage, sizeof ln->usage);
			pk_str(out, ln->model);
		}
		break;
	case LINE_TITLE: {
		uint8_t r = (uint8_t)ln->title_rank;
		pk(out, &r, 1);
		pk(out, &ln->leaf_uuid, 8);
		pk_str(out, ln->title);
		pk_str(out, ln->session_id);
		break;
	}
	case LINE_SESSION_META:
		pk_str(out, ln->session_id);
		pk_str(out, ln->cwd);
		pk_str(out, ln->parent_id);
		break;
	case LINE_TURN_CONTEXT:
		pk_str(out, ln->model);
		break;
	case LINE_TOKEN_COUNT:
		pk(out, &ln->total, sizeof ln->total);
		pk(out, &ln->last, sizeof ln->last);
		pk(out, &ln->rl, sizeof ln->rl);
		pk_str(out, ln->limit_id);
		pk_str(out, ln->limit_name);
		break;
	case LINE_RECORD_HEADER:
	case LINE_RECORD_SET: {
		uint8_t r = (uint8_t)ln->title_rank;
		pk(out, &r, 1);
		pk_str(out, ln->title);
		pk_str(out, ln->session_id);
		break;
	}
	case LINE_RECORD_MESSAGE:
		pk(out, &ln->msg_id, 8);
		pk_str(out, ln->model);
		if (ln->has_usage)
			pk(out, &ln->usage, sizeof ln->usage);
		break;
	case LINE_DB_SESSION:
	case LINE_DB_MESSAGE: {
		uint8_t f2 = (uint8_t)((ln->legacy ? PK_LEGACY : 0) | (ln->openai_rules ? PK_OPENAI : 0));
		pk(out, &f2, 1);
		pk_str(out, ln->session_id);
		pk_str(out, ln->cwd);
		if (ln->kind == LINE_DB_SESSION) {
			pk_str(out, ln->parent_id);
			pk_str(out, ln->title);
			break;
		}
		pk(out, &ln->msg_id, 8);
		if (ln->has_usage) {
			pk(out, &ln->usage, sizeof ln->usage);
			pk_str(out, ln->model);
		}
		break;
	}
	default:
		break;
	}
}

struct unpacker {
	const char *p;
	size_t n;
	bool bad;
};

static void up(struct unpacker *u, void *dst, size_t n)
{
	if (u->bad || u->n < n) {
		u->bad = true;
		return;
	}
	memcpy(dst, u->p, n);
	u->p += n;
	u->n -= n;
}

static void up_str(struct unpacker *u, char *dst, size_t cap)
{
	uint16_t l = 0;
	up(u, &l, sizeof l);
	if (u->bad || u->n < l) {
		u->bad = true;
		dst[0] = 0;
		return;
	}
	size_t c = l < cap ? l : cap - 1;
	memcpy(dst, u->p, c);
	dst[c] = 0;
	u->p += l;
	u->n -= l;
}

/* The rate-limit snapshot is copied whole; records can come back from a file (the warm-start
 * state), so its flags are checked to be 0 or 1 before anything reads them as bools. */
static bool flag_ok(const bool *b)
{
	unsigned char c;
	memcpy(&c, b, 1);
	return c <= 1;
}

static void up_rl(struct unpacker *u, struct rate_limits *rl)
{
	up(u, rl, sizeof *rl);
	if (!u->bad && (!flag_ok(&rl->present) || !flag_ok(&rl->primary.present) || !flag_ok(&rl->secondary.present) ||
			!flag_ok(&rl->individual.present))) {
		u->bad = true;
		memset(rl, 0, sizeof *rl);
	}
}

/* What a parser can produce, so that a record read back from a file is no wider: times within
 * four-digit years (the model subtracts them), token counts as span_tokens bounds them, the
 * rate-limit numbers as the token count parser bounds them, kinds and title ranks that exist. */
#define UNPACK_TIME_LIM 1000000000000000LL /* ms, ~31,700 years */
static bool time_ok(int64_t t) { return t == CT_TIME_NONE || (t > -UNPACK_TIME_LIM && t < UNPACK_TIME_LIM); }
static bool window_ok(const struct rl_window *w)
{
	return isfinite(w->used_percent) && w->window_minutes >= -1 && w->window_minutes <= 1000000000 &&
	       (w->resets_at_ms == CT_TIME_NONE ||
		(w->resets_at_ms > -2 * UNPACK_TIME_LIM && w->resets_at_ms < 2 * UNPACK_TIME_LIM));
}
static bool tokens_ok(const struct raw_tokens *t)
{
	return t->input <= TOKENS_MAX && t->cached <= TOKENS_MAX && t->output <= TOKENS_MAX &&
	       t->reasoning <= TOKENS_MAX && t->total <= TOKENS_MAX;
}
static bool unpacked_ok(const struct line *ln)
{
	const struct usage *u = &ln->usage;
	return ln->kind < LINE_KIND_COUNT && ln->title_rank <= TITLE_CUSTOM && time_ok(ln->ts) &&
	       u->input <= TOKENS_MAX && u->cc5m <= TOKENS_MAX && u->cc1h <= TOKENS_MAX &&
	       u->cache_creation <= 2 * TOKENS_MAX && u->cache_read <= TOKENS_MAX && u->output <= TOKENS_MAX &&
	       tokens_ok(&ln->total) && tokens_ok(&ln->last) && window_ok(&ln->rl.primary) &&
	       window_ok(&ln->rl.secondary) && window_ok(&ln->rl.individual);
}

size_t line_unpack(const char *p, size_t n, struct line *out)
{
	struct unpacker u = {p, n, false};
	line_reset(out);
	uint8_t head[2], flags = 0, r = 0;
	up(&u, head, 2);
	if (u.bad)
		return 0;
	out->kind = (enum line_kind)head[0];
	out->problem = (enum line_problem)head[1];
	if (out->kind == LINE_SKIP || out->kind == LINE_MALFORMED)
		return (size_t)(u.p - p);
	up(&u, &out->ts, sizeof out->ts);
	up(&u, &flags, 1);
	out->sidechain = flags & PK_SIDECHAIN;
	out->compact_boundary = flags & PK_COMPACT;
	out->has_usage = flags & PK_USAGE;
	out->synthetic = flags & PK_SYNTHETIC;
	out->subagent = flags & PK_SUBAGENT;
	out->has_info = flags & PK_INFO;
	out->has_total = flags & PK_TOTAL;
	out->has_last = flags & PK_LAST;
	switch (out->kind) {
	case LINE_ENTRY:
		up(&u, &out->uuid, 8), up(&u, &out->parent_uuid, 8), up(&u, &out->version, 8);
		up(&u, &out->agent_id, 8);
		up_str(&u, out->session_id, sizeof out->session_id);
		up_str(&u, out->cwd, sizeof out->cwd);
		up_str(&u, out->version_str, sizeof out->version_str);
		up(&u, &out->tools.kind, 1);
		if (out->tools.kind)
			up(&u, &out->tools, sizeof out->tools);
		if (!u.bad && (out->tools.kind > TOOLS_MCP_INSTRUCTIONS || !flag_ok(&out->tools.mcp))) {
			u.bad = true; /* read back from a file: no parser writes these */
			memset(&out->tools, 0, sizeof out->tools);
		}
		if (out->has_usage) {
			up(&u, &out->msg_id, 8), up(&u, &out->req_id, 8);
			up(&u, &out->usage, sizeof out->usage);
			up_str(&u, out->model, sizeof out->model);
		}
		break;
	case LINE_TITLE:
		up(&u, &r, 1);
		out->title_rank = (enum title_rank)r;
		up(&u, &out->leaf_uuid, 8);
		up_str(&u, out->title, sizeof out->title);
		up_str(&u, out->session_id, sizeof out->session_id);
		break;
	case LINE_SESSION_META:
		up_str(&u, out->session_id, sizeof out->session_id);
		up_str(&u, out->cwd, sizeof out->cwd);
		up_str(&u, out->parent_id, sizeof out->parent_id);
		break;
	case LINE_TURN_CONTEXT:
		up_str(&u, out->model, sizeof out->model);
		break;
	case LINE_TOKEN_COUNT:
		up(&u, &out->total, sizeof out->total);
		up(&u, &out->last, sizeof out->last);
		up_rl(&u, &out->rl);
		up_str(&u, out->limit_id, sizeof out->limit_id);
		up_str(&u, out->limit_name, sizeof out->limit_name);
		break;
	case LINE_RECORD_HEADER:
	case LINE_RECORD_SET:
		up(&u, &r, 1);
		out->title_rank = (enum title_rank)r;
		up_str(&u, out->title, sizeof out->title);
		up_str(&u, out->session_id, sizeof out->session_id);
		break;
	case LINE_RECORD_MESSAGE:
		up(&u, &out->msg_id, 8);
		up_str(&u, out->model, sizeof out->model);
		if (out->has_usage)
			up(&u, &out->usage, sizeof out->usage);
		break;
	case LINE_DB_SESSION:
	case LINE_DB_MESSAGE:
		up(&u, &r, 1);
		out->legacy = r & PK_LEGACY;
		out->openai_rules = r & PK_OPENAI;
		up_str(&u, out->session_id, sizeof out->session_id);
		up_str(&u, out->cwd, sizeof out->cwd);
		if (out->kind == LINE_DB_SESSION) {
			up_str(&u, out->parent_id, sizeof out->parent_id);
			up_str(&u, out->title, sizeof out->title);
			break;
		}
		up(&u, &out->msg_id, 8);
		if (out->has_usage) {
			up(&u, &out->usage, sizeof out->usage);
			up_str(&u, out->model, sizeof out->model);
		}
		break;
	default:
		break;
	}
	return u.bad || !unpacked_ok(out) ? 0 : (size_t)(u.p - p);
}
