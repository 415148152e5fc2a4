/* test_report_schema.c — `report --json` against report-schema.md: a model built from lines of
 * both agents (a warm request, a TTL expiry, a resumed session, Codex usage with an official
 * rate-limit reading) is reported, parsed back with json-c, and every field the schema names is
 * checked for presence and type, with null exactly where the schema allows or requires it, plus
 * the schema's rules (rates in [0,1], `expected`, sort orders, null quota for an absent agent). */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cachetop/fmt.h"
#include "cachetop/ledger.h"
#include "cachetop/model.h"
#include "cachetop/report.h"
#include "cachetop/statusline.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "fixture.h"

/* Field types. *_N: the value may also be null (the schema's "…|null", or a value that does not
 * apply, which the schema says is null, never missing). */
enum ft { T_INT, T_INTN, T_NUM, T_NUMN, T_RATEN, T_STR, T_STRN, T_TIME, T_TIMEN, T_BOOL, T_ARR, T_OBJ, T_OBJN };
struct field {
	const char *name;
	enum ft t;
	const char *const *oneof; /* allowed string values, NULL-terminated; NULL: any */
};

static const char *const AGENTS[] = {"claude", "codex", NULL};
static const char *const KINDS[] = {"resume_miss", "unexplained_miss", "resume_hit", "ttl_expiry",
				    "model_switch", "compaction", "first_request", NULL};
static const char *const BUCKETS[] = {"<5m", "5-15m", "15-30m", "30-60m", ">=60m", NULL};
static const char *const UNITS[] = {"usd", "tokens", NULL};

/* ---- the field lists, transcribed from report-schema.md -------------------------------- */
static const struct field TOP[] = {
	{"version", T_INT, NULL}, {"generated_at", T_TIME, NULL}, {"roots", T_ARR, NULL},
	{"totals", T_OBJ, NULL}, {"sessions", T_ARR, NULL}, {"events", T_ARR, NULL},
	{"pairs", T_ARR, NULL}, {"blocks", T_ARR, NULL}, {"quota", T_OBJ, NULL}};
static const struct field ROOT[] = {{"kind", T_STR, AGENTS}, {"path", T_STR, NULL}, {"files", T_INT, NULL}};
static const struct field TOTALS[] = {
	{"requests", T_INT, NULL}, {"input_tokens", T_INT, NULL}, {"output_tokens", T_INT, NULL},
	{"cache_creation_tokens", T_INT, NULL}, {"cache_creation_5m_tokens", T_INT, NULL},
	{"cache_creation_1h_tokens", T_INT, NULL}, {"cache_read_tokens", T_INT, NULL},
	{"hit_rate", T_RATEN, NULL}, {"cost_usd", T_NUMN, NULL}, {"wasted_tokens", T_INT, NULL},
	{"wasted_usd", T_NUMN, NULL}, {"duplicate_lines_dropped", T_INT, NULL}, {"malformed_lines", T_INT, NULL}};
static const struct field SESSION[] = {
	{"id", T_STR, NULL}, {"agent", T_STR, AGENTS}, {"project", T_STRN, NULL}, {"title", T_STRN, NULL},
	{"files", T_ARR, NULL}, {"first_at", T_TIME, NULL}, {"last_at", T_TIME, NULL},
	{"requests", T_INT, NULL}, {"input_tokens", T_INT, NULL}, {"output_tokens", T_INT, NULL},
	{"cache_creation_tokens", T_INT, NULL}, {"cache_creation_5m_tokens", T_INT, NULL},
	{"cache_creation_1h_tokens", T_INT, NULL}, {"cache_read_tokens", T_INT, NULL},
	{"hit_rate", T_RATEN, NULL}, {"cost_usd", T_NUMN, NULL}, {"wasted_tokens", T_INT, NULL},
	{"wasted_usd", T_NUMN, NULL}, {"creation_output_ratio", T_NUMN, NULL},
	{"resumed_from", T_STRN, NULL}, {"models", T_ARR, NULL},
	/* added in the evidence work */
	{"agent_ledger", T_OBJN, NULL}};
static const struct field EVENT[] = {
	{"at", T_TIME, NULL}, {"session", T_STR, NULL}, {"agent", T_STR, AGENTS}, {"kind", T_STR, KINDS},
	{"expected", T_BOOL, NULL}, {"gap_s", T_NUMN, NULL}, {"ttl_s", T_INT, NULL},
	{"hit_rate", T_RATEN, NULL}, {"previous_hit_rate", T_RATEN, NULL},
	{"expected_prefix_tokens", T_INT, NULL}, {"cache_read_tokens", T_INT, NULL},
	{"cache_creation_tokens", T_INT, NULL}, {"wasted_tokens", T_INT, NULL}, {"wasted_usd", T_NUMN, NULL},
	{"rebuild_usd", T_NUMN, NULL}, {"resumed_from", T_STRN, NULL},
	/* added in the evidence work */
	{"evidence", T_ARR, NULL}, {"floor_tokens", T_INTN, NULL}};
static const char *const WORDS[] = {"agent_updated", "tools_changed", "messages_rewritten", "ttl_downgraded",
				    "agent_reported", NULL};
static const struct field LEDGER[] = {
	{"observed_at", T_TIME, NULL}, {"requests", T_INTN, NULL}, {"misses", T_INTN, NULL},
	{"expected_rebuilds", T_INTN, NULL}, {"hit_ratio", T_RATEN, NULL}, {"ttl", T_STRN, NULL},
	{"cache_write_tokens", T_INTN, NULL}, {"miss_recache_tokens", T_INTN, NULL},
	{"last_miss_at", T_TIMEN, NULL}, {"last_miss_causes", T_ARR, NULL}, {"miss_causes", T_OBJ, NULL}};
static const struct field LIMIT[] = {
	{"limit_id", T_STR, NULL}, {"name", T_STRN, NULL}, {"percent", T_NUMN, NULL},
	{"window_minutes", T_INTN, NULL}, {"resets_at", T_TIMEN, NULL}, {"weekly_percent", T_NUMN, NULL},
	{"weekly_resets_at", T_TIMEN, NULL}, {"observed_at", T_TIMEN, NULL}};
static const struct field PAIR[] = {
	{"gap_bucket", T_STR, BUCKETS}, {"baseline_requests", T_INT, NULL}, {"baseline_hit_rate", T_RATEN, NULL},
	{"resume_requests", T_INT, NULL}, {"resume_hit_rate", T_RATEN, NULL}, {"delta_pp", T_NUMN, NULL}};
static const struct field BLOCK[] = {
	{"agent", T_STR, AGENTS}, {"start", T_TIME, NULL}, {"end", T_TIME, NULL}, {"requests", T_INT, NULL},
	{"input_tokens", T_INT, NULL}, {"output_tokens", T_INT, NULL}, {"cache_creation_tokens", T_INT, NULL},
	{"cache_read_tokens", T_INT, NULL}, {"cost_usd", T_NUMN, NULL}, {"wasted_usd", T_NUMN, NULL}};
static const struct field QUOTA[] = {{"claude", T_OBJN, NULL}, {"codex", T_OBJN, NULL}};
static const struct field QCLAUDE[] = {
	{"block_start", T_TIMEN, NULL}, {"used", T_NUM, NULL}, {"limit", T_NUMN, NULL}, {"unit", T_STR, UNITS},
	{"percent", T_NUMN, NULL}, {"official_percent", T_NUMN, NULL}, {"resets_at", T_TIMEN, NULL},
	{"burn_per_min", T_NUMN, NULL}, {"projected_percent", T_NUMN, NULL}, {"limit_at", T_TIMEN, NULL},
	/* added in the evidence work */
	{"weekly_percent", T_NUMN, NULL}, {"weekly_resets_at", T_TIMEN, NULL}, {"spend_limit_percent", T_NUMN, NULL}};
static const struct field QCODEX[] = {
	{"percent", T_NUMN, NULL}, {"window_minutes", T_INTN, NULL}, {"resets_at", T_TIMEN, NULL},
	{"weekly_percent", T_NUMN, NULL}, {"weekly_resets_at", T_TIMEN, NULL}, {"observed_at", T_TIMEN, NULL},
	{"limits", T_ARR, NULL}};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	cr_assert(json_object_object_get_ex(o, k, &v), "field \"%s\" missing", k);
	return v;
}

static void check_type(json_object *v, const struct field *f, const char *where)
{
	enum json_type t = json_object_get_type(v);
	bool nullable = f->t == T_INTN || f->t == T_NUMN || f->t == T_RATEN || f->t == T_STRN ||
			f->t == T_TIMEN || f->t == T_OBJN;
	if (t == json_type_null) {
		cr_assert(nullable, "%s.%s is null, the schema wants a value", where, f->name);
		return;
	}
	switch (f->t) {
	case T_INT: case T_INTN:
		cr_assert_eq(t, json_type_int, "%s.%s must be an integer", where, f->name);
		cr_assert_geq(json_object_get_int64(v), 0, "%s.%s", where, f->name);
		break;
	case T_NUM: case T_NUMN:
		cr_assert(t == json_type_double || t == json_type_int, "%s.%s must be a number", where, f->name);
		break;
	case T_RATEN: {
		cr_assert(t == json_type_double || t == json_type_int, "%s.%s must be a number", where, f->name);
		double d = json_object_get_double(v);
		cr_assert(d >= 0 && d <= 1, "%s.%s = %g is a rate: a fraction in [0,1]", where, f->name, d);
		break;
	}
	case T_STR: case T_STRN:
		cr_assert_eq(t, json_type_string, "%s.%s must be a string", where, f->name);
		if (f->oneof) {
			bool ok = false;
			for (const char *const *a = f->oneof; *a; a++)
				ok = ok || !strcmp(*a, json_object_get_string(v));
			cr_assert(ok, "%s.%s = \"%s\" is not an allowed value", where, f->name, json_object_get_string(v));
		}
		break;
	case T_TIME: case T_TIMEN: {
		cr_assert_eq(t, json_type_string, "%s.%s must be a time string", where, f->name);
		const char *s = json_object_get_string(v);
		int64_t ms;
		cr_assert_eq(strlen(s), 24, "%s.%s = \"%s\": RFC 3339 UTC with ms", where, f->name, s);
		cr_assert_eq(s[23], 'Z', "%s.%s = \"%s\" must be UTC", where, f->name, s);
		cr_assert_eq(rfc3339_parse(s, strlen(s), &ms), 0, "%s.%s = \"%s\"", where, f->name, s);
		break;
	}
	case T_BOOL:
		cr_assert_eq(t, json_type_boolean, "%s.%s must be a boolean", where, f->name);
		break;
	case T_ARR:
		cr_assert_eq(t, json_type_array, "%s.%s must be an array", where, f->name);
		break;
	case T_OBJ: case T_OBJN:
		cr_assert_eq(t, json_type_object, "%s.%s must be an object", where, f->name);
		break;
	}
}

static void check(json_object *o, const struct field *fs, size_t n, const char *where)
{
	cr_assert_eq(json_object_get_type(o), json_type_object, "%s must be an object", where);
	for (size_t i = 0; i < n; i++)
		check_type(get(o, fs[i].name), &fs[i], where);
}

static bool is_null(json_object *o, const char *k) { return json_object_get_type(get(o, k)) == json_type_null; }

/* ---- the model ------------------------------------------------------------------------- */

static void feed(struct model *m, uint32_t f, const char *line) { model_feed(m, f, line, strlen(line)); }

#define CL_ASSIST(uuid, parent, sid, ts, msg, in, cc, cr, out)                                              \
	"{\"type\":\"assistant\",\"uuid\":\"" uuid "\",\"parentUuid\":\"" parent "\",\"sessionId\":\"" sid   \
	"\",\"timestamp\":\"" ts "\",\"cwd\":\"/home/dev/proj\",\"version\":\"2.1.0\",\"isSidechain\":false,"  \
	"\"requestId\":\"req_" msg "\",\"message\":{\"id\":\"msg_" msg "\",\"model\":\"claude-sonnet-4-20250514\"," \
	"\"usage\":{\"input_tokens\":" #in ",\"cache_creation_input_tokens\":" #cc ",\"cache_read_input_tokens\":" \
	#cr ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" #cc ",\"ephemeral_1h_input_tokens\":0},"    \
	"\"output_tokens\":" #out "}}}"

static struct model *build(bool with_codex)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t a = model_file_add(m, AGENT_CLAUDE, "/r/claude/projects/-home-dev-proj/sA.jsonl", false);
	feed(m, a, "{\"type\":\"user\",\"uuid\":\"a1\",\"parentUuid\":null,\"sessionId\":\"sA\",\"timestamp\":"
		   "\"2026-01-05T10:00:00.000Z\",\"cwd\":\"/home/dev/proj\",\"version\":\"2.1.0\",\"message\":"
		   "{\"role\":\"user\",\"content\":\"hi\"}}");
	feed(m, a, CL_ASSIST("a2", "a1", "sA", "2026-01-05T10:00:05.000Z", "1", 10, 20000, 0, 100));
	feed(m, a, CL_ASSIST("a3", "a2", "sA", "2026-01-05T10:02:00.000Z", "2", 10, 500, 20000, 50));
	feed(m, a, CL_ASSIST("a3b", "a3", "sA", "2026-01-05T10:02:01.000Z", "2", 10, 500, 20000, 80)); /* same response */
	feed(m, a, CL_ASSIST("a4", "a3b", "sA", "2026-01-05T11:00:00.000Z", "3", 10, 20600, 0, 40));
	feed(m, a, "{\"type\":\"custom-title\",\"customTitle\":\"My title\",\"sessionId\":\"sA\"}");
	feed(m, a, "this line is not JSON");
	uint32_t b = model_file_add(m, AGENT_CLAUDE, "/r/claude/projects/-home-dev-proj/sB.jsonl", false);
	feed(m, b, "{\"type\":\"user\",\"uuid\":\"b1\",\"parentUuid\":\"a4\",\"sessionId\":\"sB\",\"timestamp\":"
		   "\"2026-01-05T11:10:00.000Z\",\"cwd\":\"/home/dev/proj\",\"version\":\"2.1.0\",\"message\":"
		   "{\"role\":\"user\",\"content\":\"again\"}}");
	feed(m, b, CL_ASSIST("b2", "b1", "sB", "2026-01-05T11:10:05.000Z", "4", 10, 21000, 0, 30));
	if (with_codex) {
		uint32_t c = model_file_add(m, AGENT_CODEX,
					    "/r/codex/sessions/2026/01/05/rollout-2026-01-05T11-29-00-c1.jsonl", false);
		feed(m, c, "{\"timestamp\":\"2026-01-05T10:29:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":"
			   "\"c1\",\"cwd\":\"/home/dev/other\",\"source\":\"cli\"}}");
		feed(m, c, "{\"timestamp\":\"2026-01-05T10:29:01.000Z\",\"type\":\"turn_context\",\"payload\":"
			   "{\"model\":\"gpt-5.3-codex\"}}");
		feed(m, c, "{\"timestamp\":\"2026-01-05T10:30:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
			   "\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":5000,\"cached_input_tokens\":0,"
			   "\"output_tokens\":100,\"reasoning_output_tokens\":0,\"total_tokens\":5100},\"last_token_usage\":"
			   "{\"input_tokens\":5000,\"cached_input_tokens\":0,\"output_tokens\":100,\"reasoning_output_tokens\":"
			   "0,\"total_tokens\":5100}},\"rate_limits\":{\"primary\":{\"used_percent\":12.0,\"window_minutes\":"
			   "300,\"resets_at\":1767628800},\"secondary\":null}}}");
		feed(m, c, "{\"timestamp\":\"2026-01-05T10:31:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":"
			   "\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":11000,\"cached_input_tokens\":"
			   "4800,\"output_tokens\":150,\"reasoning_output_tokens\":0,\"total_tokens\":11150},"
			   "\"last_token_usage\":{\"input_tokens\":6000,\"cached_input_tokens\":4800,\"output_tokens\":50,"
			   "\"reasoning_output_tokens\":0,\"total_tokens\":6050}},\"rate_limits\":{\"primary\":{"
			   "\"used_percent\":13.0,\"window_minutes\":300,\"resets_at\":1767628800}}}}");
	}
	return m;
}

static json_object *report(struct model *m, int64_t now, size_t nroots)
{
	static const struct report_root roots[2] = {{AGENT_CLAUDE, "/r/claude", 2, true},
						    {AGENT_CODEX, "/r/codex", 1, true}};
	struct report_ctx c = {.now = now, .roots = roots, .nroots = nroots,
			       .quota = {.limit_auto = true, .unit = QUOTA_USD}, .utf8 = true};
	struct buf b = {0};
	report_json(m, &c, &b);
	cr_assert_gt(b.len, 0);
	enum json_tokener_error err;
	json_object *o = json_tokener_parse_verbose(buf_cstr(&b), &err);
	cr_assert_not_null(o, "report_json is not JSON: %s", json_tokener_error_desc(err));
	buf_free(&b);
	return o;
}

static int64_t t_of(json_object *o, const char *k)
{
	json_object *v = get(o, k);
	int64_t ms;
	cr_assert_eq(rfc3339_parse(json_object_get_string(v), strlen(json_object_get_string(v)), &ms), 0);
	return ms;
}

static void check_all(json_object *r)
{
	check(r, TOP, N(TOP), "report");
	cr_expect_eq(json_object_get_int(get(r, "version")), 1);
	json_object *roots = get(r, "roots");
	for (size_t i = 0; i < json_object_array_length(roots); i++)
		check(json_object_array_get_idx(roots, i), ROOT, N(ROOT), "roots[]");
	check(get(r, "totals"), TOTALS, N(TOTALS), "totals");

	json_object *ss = get(r, "sessions");
	int64_t prev = INT64_MIN;
	for (size_t i = 0; i < json_object_array_length(ss); i++) {
		json_object *s = json_object_array_get_idx(ss, i);
		check(s, SESSION, N(SESSION), "sessions[]");
		json_object *files = get(s, "files"), *models = get(s, "models");
		cr_expect_gt(json_object_array_length(files), 0);
		for (size_t k = 0; k < json_object_array_length(files); k++)
			cr_expect_eq(json_object_get_type(json_object_array_get_idx(files, k)), json_type_string);
		for (size_t k = 0; k < json_object_array_length(models); k++)
			cr_expect_eq(json_object_get_type(json_object_array_get_idx(models, k)), json_type_string);
		if (!is_null(s, "agent_ledger")) {
			json_object *l = get(s, "agent_ledger");
			check(l, LEDGER, N(LEDGER), "sessions[].agent_ledger");
			json_object *lc = get(l, "last_miss_causes");
			for (size_t k = 0; k < json_object_array_length(lc); k++)
				cr_expect_eq(json_object_get_type(json_object_array_get_idx(lc, k)), json_type_string);
			json_object_object_foreach(get(l, "miss_causes"), cause, count)
			{
				cr_expect_eq(json_object_get_type(count), json_type_int, "miss_causes.%s", cause);
			}
		}
		int64_t t = t_of(s, "first_at");
		cr_expect_geq(t, prev, "sessions sorted by first_at");
		cr_expect_leq(t, t_of(s, "last_at"));
		prev = t;
	}
	json_object *ev = get(r, "events");
	prev = INT64_MIN;
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		check(e, EVENT, N(EVENT), "events[]");
		const char *kind = json_object_get_string(get(e, "kind"));
		bool unexpected = !strcmp(kind, "resume_miss") || !strcmp(kind, "unexplained_miss");
		cr_expect_eq(json_object_get_boolean(get(e, "expected")), !unexpected, "expected for %s", kind);
		/* evidence: words of the closed vocabulary, each once; floor_tokens with messages_rewritten */
		json_object *words = get(e, "evidence");
		bool rewritten = false;
		for (size_t k = 0; k < json_object_array_length(words); k++) {
			json_object *w = json_object_array_get_idx(words, k);
			const struct field wf = {"evidence[]", T_STR, WORDS};
			check_type(w, &wf, "events[]");
			rewritten = rewritten || !strcmp(json_object_get_string(w), "messages_rewritten");
			for (size_t j = 0; j < k; j++)
				cr_expect_str_neq(json_object_get_string(json_object_array_get_idx(words, j)),
						  json_object_get_string(w), "a word appears once");
		}
		cr_expect_eq(is_null(e, "floor_tokens"), !rewritten, "floor_tokens exactly with messages_rewritten");
		if (!strcmp(kind, "resume_hit"))
			cr_expect_eq(json_object_array_length(words), 0, "a warm request has no evidence of a miss");
		int64_t t = t_of(e, "at");
		cr_expect_geq(t, prev, "events sorted by at");
		prev = t;
	}
	json_object *pairs = get(r, "pairs");
	cr_expect_eq(json_object_array_length(pairs), 5);
	for (size_t i = 0; i < json_object_array_length(pairs); i++) {
		json_object *p = json_object_array_get_idx(pairs, i);
		check(p, PAIR, N(PAIR), "pairs[]");
		bool nb = json_object_get_int64(get(p, "baseline_requests")) == 0;
		bool nr = json_object_get_int64(get(p, "resume_requests")) == 0;
		cr_expect_eq(is_null(p, "baseline_hit_rate"), nb, "a side with no requests has a null rate");
		cr_expect_eq(is_null(p, "resume_hit_rate"), nr);
		cr_expect_eq(is_null(p, "delta_pp"), nb || nr);
	}
	json_object *bl = get(r, "blocks");
	int64_t prev_start[2] = {INT64_MIN, INT64_MIN};
	for (size_t i = 0; i < json_object_array_length(bl); i++) {
		json_object *b = json_object_array_get_idx(bl, i);
		check(b, BLOCK, N(BLOCK), "blocks[]");
		int a = !strcmp(json_object_get_string(get(b, "agent")), "codex");
		int64_t st = t_of(b, "start");
		cr_expect_geq(st, prev_start[a], "blocks sorted by start");
		cr_expect_eq(t_of(b, "end") - st, 5 * 3600 * 1000LL);
		prev_start[a] = st;
	}
	json_object *q = get(r, "quota");
	check(q, QUOTA, N(QUOTA), "quota");
	if (!is_null(q, "claude"))
		check(get(q, "claude"), QCLAUDE, N(QCLAUDE), "quota.claude");
	if (!is_null(q, "codex")) {
		check(get(q, "codex"), QCODEX, N(QCODEX), "quota.codex");
		json_object *ls = get(get(q, "codex"), "limits");
		for (size_t i = 0; i < json_object_array_length(ls); i++)
			check(json_object_array_get_idx(ls, i), LIMIT, N(LIMIT), "quota.codex.limits[]");
	}
}

static json_object *session_by_id(json_object *r, const char *id)
{
	json_object *ss = get(r, "sessions");
	for (size_t i = 0; i < json_object_array_length(ss); i++) {
		json_object *s = json_object_array_get_idx(ss, i);
		if (!strcmp(json_object_get_string(get(s, "id")), id))
			return s;
	}
	cr_assert_fail("session %s not in the report", id);
	return NULL;
}

#define NOW_1130 1767612600000LL /* 2026-01-05T11:30:00Z */

Test(report_schema, both_agents_every_field)
{
	struct model *m = build(true);
	json_object *r = report(m, NOW_1130, 2);
	check_all(r);
	cr_expect_str_eq(json_object_get_string(get(r, "generated_at")), "2026-01-05T11:30:00.000Z");
	cr_expect_eq(json_object_array_length(get(r, "roots")), 2);

	json_object *t = get(r, "totals");
	cr_expect_eq(json_object_get_int64(get(t, "requests")), 6, "4 Claude responses (one seen twice) + 2 Codex");
	cr_expect_eq(json_object_get_int64(get(t, "duplicate_lines_dropped")), 1);
	cr_expect_eq(json_object_get_int64(get(t, "malformed_lines")), 1);
	cr_expect_not(is_null(t, "hit_rate"));
	cr_expect_not(is_null(t, "cost_usd"));
	/* Claude input 4×10, Codex uncached 5000 + 1200 */
	cr_expect_eq(json_object_get_int64(get(t, "input_tokens")), 40 + 5000 + 1200);
	cr_expect_eq(json_object_get_int64(get(t, "cache_read_tokens")), 20000 + 4800);
	cr_expect_eq(json_object_get_int64(get(t, "cache_creation_tokens")), 20000 + 500 + 20600 + 21000);
	cr_expect_eq(json_object_get_int64(get(t, "cache_creation_5m_tokens")), 20000 + 500 + 20600 + 21000);
	cr_expect_eq(json_object_get_int64(get(t, "cache_creation_1h_tokens")), 0);
	cr_expect_eq(json_object_get_int64(get(t, "output_tokens")), 100 + 80 + 40 + 30 + 100 + 50,
		     "output is the maximum over a response's lines");

	cr_expect_eq(json_object_array_length(get(r, "sessions")), 3);
	json_object *sa = session_by_id(r, "sA"), *sb = session_by_id(r, "sB"), *c1 = session_by_id(r, "c1");
	cr_expect_str_eq(json_object_get_string(get(sa, "title")), "My title");
	cr_expect(is_null(c1, "title"), "no title: null");
	cr_expect(is_null(sa, "resumed_from"), "not resumed: null");
	cr_expect_str_eq(json_object_get_string(get(sa, "project")), "/home/dev/proj");
	cr_expect_str_eq(json_object_get_string(get(c1, "project")), "/home/dev/other");
	cr_expect_str_eq(json_object_get_string(get(c1, "agent")), "codex");
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(get(c1, "models"), 0)), "gpt-5.3-codex");
	cr_expect_eq(json_object_get_int64(get(c1, "cache_creation_tokens")), 0, "Codex has no cache writes");
	if (!is_null(sb, "resumed_from"))
		cr_expect_str_eq(json_object_get_string(get(sb, "resumed_from")), "sA");

	cr_expect_gt(json_object_array_length(get(r, "events")), 0);
	cr_expect_gt(json_object_array_length(get(r, "blocks")), 1, "one block per agent");

	json_object *q = get(r, "quota");
	cr_assert_not(is_null(q, "claude"));
	cr_assert_not(is_null(q, "codex"));
	json_object *qc = get(q, "claude");
	cr_expect_str_eq(json_object_get_string(get(qc, "unit")), "usd");
	cr_expect_str_eq(json_object_get_string(get(qc, "block_start")), "2026-01-05T10:00:00.000Z");
	cr_expect(is_null(qc, "official_percent"), "no statusline reading: null");
	cr_expect(is_null(qc, "limit"), "auto limit with no completed block: unknown");
	cr_expect(is_null(qc, "percent"));
	cr_expect(is_null(qc, "limit_at"));
	cr_expect_not(is_null(qc, "burn_per_min"));
	json_object *qx = get(q, "codex");
	cr_expect_float_eq(json_object_get_double(get(qx, "percent")), 13.0, 1e-9);
	cr_expect_eq(json_object_get_int(get(qx, "window_minutes")), 300);
	cr_expect_str_eq(json_object_get_string(get(qx, "resets_at")), "2026-01-05T16:00:00.000Z");
	cr_expect_str_eq(json_object_get_string(get(qx, "observed_at")), "2026-01-05T10:31:00.000Z");
	cr_expect(is_null(qx, "weekly_percent"), "secondary was null");
	cr_expect(is_null(qx, "weekly_resets_at"));
	json_object_put(r);
	model_free(m);
}

Test(report_schema, absent_agent_quota_is_null)
{
	struct model *m = build(false);
	json_object *r = report(m, NOW_1130, 1);
	check_all(r);
	json_object *q = get(r, "quota");
	cr_expect(is_null(q, "codex"), "no Codex data: quota.codex is null, not missing");
	cr_expect_not(is_null(q, "claude"));
	json_object_put(r);
	model_free(m);
}

Test(report_schema, empty_model)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	json_object *r = report(m, NOW_1130, 0);
	check_all(r);
	json_object *t = get(r, "totals");
	cr_expect(is_null(t, "hit_rate"), "hit_rate is null when P is 0");
	cr_expect_eq(json_object_get_int64(get(t, "requests")), 0);
	cr_expect_eq(json_object_array_length(get(r, "sessions")), 0);
	cr_expect_eq(json_object_array_length(get(r, "events")), 0);
	cr_expect_eq(json_object_array_length(get(r, "blocks")), 0);
	json_object *pairs = get(r, "pairs");
	for (size_t i = 0; i < 5; i++) {
		json_object *p = json_object_array_get_idx(pairs, i);
		cr_expect(is_null(p, "baseline_hit_rate"));
		cr_expect(is_null(p, "resume_hit_rate"));
		cr_expect(is_null(p, "delta_pp"));
	}
	cr_expect(is_null(get(r, "quota"), "claude"));
	cr_expect(is_null(get(r, "quota"), "codex"));
	json_object_put(r);
	model_free(m);
}

Test(report_schema, unpriced_model_costs_are_null)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/r/claude/projects/p/u.jsonl", false);
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"x1\",\"sessionId\":\"u\",\"timestamp\":\"2026-01-05T11:00:00Z\","
		   "\"requestId\":\"req_x\",\"message\":{\"id\":\"msg_x\",\"model\":\"some-future-model\",\"usage\":"
		   "{\"input_tokens\":10,\"cache_creation_input_tokens\":5000,\"cache_read_input_tokens\":0,"
		   "\"output_tokens\":5}}}");
	json_object *r = report(m, NOW_1130, 0);
	check_all(r);
	cr_expect(is_null(get(r, "totals"), "cost_usd"), "no price: null, never $0");
	json_object *s = json_object_array_get_idx(get(r, "sessions"), 0);
	cr_expect(is_null(s, "cost_usd"));
	json_object *ev = get(r, "events");
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		cr_expect(is_null(json_object_array_get_idx(ev, i), "wasted_usd"));
		cr_expect(is_null(json_object_array_get_idx(ev, i), "rebuild_usd"));
	}
	json_object *bl = json_object_array_get_idx(get(r, "blocks"), 0);
	cr_expect(is_null(bl, "cost_usd"));
	json_object_put(r);
	model_free(m);
}

Test(report_schema, event_lines_carry_observed_at)
{
	struct model *m = build(true);
	cr_assert_gt(model_event_count(m), 0);
	for (size_t i = 0; i < model_event_count(m); i++) {
		struct buf b = {0};
		report_event_line(m, i, NOW_1130, &b);
		cr_assert_gt(b.len, 1);
		cr_expect_eq(b.data[b.len - 1], '\n');
		cr_expect_eq(memchr(b.data, '\n', b.len - 1), NULL, "one line per event");
		json_object *e = json_tokener_parse(buf_cstr(&b));
		cr_assert_not_null(e);
		check(e, EVENT, N(EVENT), "watch event");
		const struct field obs = {"observed_at", T_TIME, NULL};
		check_type(get(e, "observed_at"), &obs, "watch event");
		json_object_put(e);
		buf_free(&b);
	}
	model_free(m);
}

/* A byte string is valid UTF-8 (RFC 8259 requires it of JSON text). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!len || i + len > n)
			return false;
		uint32_t v = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			v = (v << 6) | (s[i + k] & 0x3F);
		}
		static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

Test(report_schema, invalid_utf8_in_transcripts_gives_valid_utf8_json)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/r/claude/projects/p/s\xff\xfe.jsonl", false);
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"u\",\"sessionId\":\"s\xc0\xaf\",\"cwd\":\"/x\xed\xa0\x80\","
		   "\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"m\",\"model\":\"claude-\xff\","
		   "\"usage\":{\"input_tokens\":1}}}");
	feed(m, f, "{\"type\":\"custom-title\",\"customTitle\":\"t\xf8\x88\x80\x80\x80\",\"sessionId\":\"s\xc0\xaf\"}");
	static const struct report_root roots[1] = {{AGENT_CLAUDE, "/r/\xff", 1, true}};
	struct report_ctx c = {.now = NOW_1130, .roots = roots, .nroots = 1, .quota = {.limit_auto = true}};
	struct buf b = {0};
	report_json(m, &c, &b);
	cr_expect(valid_utf8((const unsigned char *)b.data, b.len), "report --json must be UTF-8");
	json_object *r = json_tokener_parse(buf_cstr(&b));
	cr_assert_not_null(r);
	json_object *s = json_object_array_get_idx(get(r, "sessions"), 0);
	cr_expect_str_eq(json_object_get_string(get(s, "id")), "s\xef\xbf\xbd\xef\xbf\xbd");
	json_object_put(r);
	buf_free(&b);
	for (size_t i = 0; i < model_event_count(m); i++) {
		report_event_line(m, i, NOW_1130, &b);
		cr_expect(valid_utf8((const unsigned char *)b.data, b.len), "watch --jsonl must be UTF-8");
		buf_free(&b);
	}
	model_free(m);
}

/* Sessions and events are written without json-c: the string escaping must be json-c's, byte
 * for byte (PLAIN, no slash escapes), for every byte value and for ordinary text. */
Test(report_schema, direct_strings_escape_as_json_c)
{
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = 0;
	const char *cases[] = {"", "plain ascii", "quote \" backslash \\ slash / done", "tab\there\nnew\rret\bbs\ffeed",
			       "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", all};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf mine = {0};
		report_json_string(&mine, cases[i]);
		struct json_object *o = json_object_new_string(cases[i]);
		const char *theirs = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		cr_expect_str_eq(mine.data, theirs, "case %zu", i);
		json_object_put(o);
		buf_free(&mine);
	}
}

/* The printf-free number text equals what printf gives: integers as %llu, rounded doubles as
 * "%.15g" of the rounded value (or a -1 where that text would differ in form). */
Test(report_schema, number_text_equals_printf)
{
	char mine[48], ref[64];
	uint64_t ints[] = {0, 1, 9, 10, 99, 12345, 4294967296ull, 18446744073709551615ull};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		ct_fmt_u64(mine, ints[i]);
		snprintf(ref, sizeof ref, "%llu", (unsigned long long)ints[i]);
		cr_expect_str_eq(mine, ref);
	}
	static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	uint64_t x = 88172645463325252ull;
	int checked = 0;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: values over many magnitudes */
		double mag = pow(10, (double)(x % 24) - 8);
		double v = (double)(x >> 11) / 9007199254740992.0 * mag * ((x & 1) ? -1 : 1);
		int d = (int)(x % 10);
		if (ct_fmt_fixed(mine, v, d) < 0)
			continue;
		double r = round(v * scale[d]) / scale[d];
		snprintf(ref, sizeof ref, "%.15g", r == 0 ? 0 : r);
		cr_assert_str_eq(mine, ref, "v=%.17g decimals=%d", v, d);
		checked++;
	}
	cr_expect_gt(checked, 100000, "the fast path should cover most values (%d)", checked);
	cr_expect_eq(ct_fmt_fixed(mine, 1e16, 2), -1);
	cr_expect_eq(ct_fmt_fixed(mine, 0.00001, 9), -1);
	cr_expect_eq(ct_fmt_fixed(mine, -0.0000000001, 9), 1);
	cr_expect_str_eq(mine, "0", "no -0");
}

/* ---- the evidence work: words, Claude Code's ledger, limit families ------------------------ */

static json_object *event_at_time(json_object *r, const char *at)
{
	json_object *ev = get(r, "events");
	for (size_t i = 0; i < json_object_array_length(ev); i++)
		if (!strcmp(json_object_get_string(get(json_object_array_get_idx(ev, i), "at")), at))
			return json_object_array_get_idx(ev, i);
	cr_assert_fail("no event at %s", at);
	return NULL;
}

static bool has_word(json_object *e, const char *w)
{
	json_object *words = get(e, "evidence");
	for (size_t i = 0; i < json_object_array_length(words); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(words, i)), w))
			return true;
	return false;
}

Test(report_schema, evidence_ledger_and_limit_families)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	static const char *const claude[] = {
		"-home-dev-api/aaaaaaaa-1111-4111-8111-000000000001.jsonl",
		"-home-dev-api/bbbbbbbb-2222-4222-8222-000000000002.jsonl",
		"-home-dev-web/cccccccc-3333-4333-8333-000000000003.jsonl",
		"-home-dev-cli/dddddddd-4444-4444-8444-000000000004.jsonl"};
	char path[1024];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/evidence/claude/projects/%s", TEST_DATA, claude[i]);
		fixture_feed(m, AGENT_CLAUDE, path);
	}
	fixture_feed(m, AGENT_CODEX, TEST_DATA "/evidence/codex-families/sessions/2026/03/02/"
				  "rollout-2026-03-02T12-00-00-0199a5e0-7a1b-7c2d-8e3f-000000000005.jsonl");
	FILE *f = fopen(TEST_DATA "/evidence/statusline.jsonl", "rb");
	cr_assert_not_null(f);
	char state[8192];
	size_t n = fread(state, 1, sizeof state, f);
	fclose(f);
	struct official_reading official;
	struct ledger_set ls = {0};
	statusline_state_fold(state, n, &official, &ls);

	static const struct report_root roots[2] = {{AGENT_CLAUDE, "/r/claude", 4, true},
						    {AGENT_CODEX, "/r/codex", 1, true}};
	int64_t now;
	cr_assert_eq(rfc3339_parse("2026-03-02T11:30:00Z", 20, &now), 0);
	struct report_ctx c = {.now = now, .roots = roots, .nroots = 2, .quota = {.limit_auto = true},
			       .official = &official, .ledgers = &ls, .utf8 = true};
	struct buf b = {0};
	report_json(m, &c, &b);
	json_object *r = json_tokener_parse(buf_cstr(&b));
	cr_assert_not_null(r);
	check_all(r);

	json_object *e = event_at_time(r, "2026-03-02T10:05:02.000Z");
	cr_expect(has_word(e, "messages_rewritten"));
	cr_expect(has_word(e, "agent_reported"));
	cr_expect_eq(json_object_get_int64(get(e, "floor_tokens")), 21460);
	e = event_at_time(r, "2026-03-02T10:20:03.000Z");
	cr_expect(has_word(e, "messages_rewritten"));
	cr_expect_not(has_word(e, "agent_reported"));
	cr_expect_not(json_object_get_boolean(get(e, "agent_counted")), "Claude Code did not count it");
	cr_expect(has_word(event_at_time(r, "2026-03-02T10:25:04.000Z"), "agent_updated"));
	cr_expect(has_word(event_at_time(r, "2026-03-02T10:32:05.000Z"), "tools_changed"));
	cr_expect(has_word(event_at_time(r, "2026-03-02T11:02:00.000Z"), "ttl_downgraded"));
	cr_expect_eq(json_object_array_length(get(event_at_time(r, "2026-03-02T10:00:06.000Z"), "evidence")), 0);

	json_object *sa = session_by_id(r, "aaaaaaaa-1111-4111-8111-000000000001");
	json_object *l = get(sa, "agent_ledger");
	cr_assert_eq(json_object_get_type(l), json_type_object);
	cr_expect_eq(json_object_get_int64(get(l, "requests")), 7);
	cr_expect_eq(json_object_get_int64(get(l, "misses")), 2);
	cr_expect_str_eq(json_object_get_string(get(l, "ttl")), "1h");
	cr_expect_str_eq(json_object_get_string(get(l, "last_miss_at")), "2026-03-02T10:06:00.000Z");
	cr_expect_eq(json_object_get_int64(get(get(l, "miss_causes"), "messages_rewritten")), 1);
	cr_expect(is_null(session_by_id(r, "cccccccc-3333-4333-8333-000000000003"), "agent_ledger"));

	json_object *qc = get(get(r, "quota"), "claude");
	cr_expect_float_eq(json_object_get_double(get(qc, "weekly_percent")), 17.0, 1e-9);
	cr_expect_float_eq(json_object_get_double(get(qc, "spend_limit_percent")), 8.0, 1e-9);
	json_object *qx = get(get(r, "quota"), "codex");
	cr_expect_float_eq(json_object_get_double(get(qx, "percent")), 38.0, 1e-9, "the account's family");
	json_object *lim = get(qx, "limits");
	cr_assert_eq(json_object_array_length(lim), 2);
	json_object *spark = json_object_array_get_idx(lim, 1);
	cr_expect_str_eq(json_object_get_string(get(spark, "limit_id")), "codex_bengalfox");
	cr_expect_str_eq(json_object_get_string(get(spark, "name")), "GPT-5.3-Codex-Spark");
	cr_expect_float_eq(json_object_get_double(get(spark, "percent")), 5.0, 1e-9);
	cr_expect(is_null(json_object_array_get_idx(lim, 0), "name"));

	/* a watch line is the same event object */
	for (size_t i = 0; i < model_event_count(m); i++) {
		struct buf w = {0};
		report_event_line_ledgers(m, i, now, &ls, &w);
		json_object *we = json_tokener_parse(buf_cstr(&w));
		cr_assert_not_null(we);
		check(we, EVENT, N(EVENT), "watch event");
		json_object *same = event_at_time(r, json_object_get_string(get(we, "at")));
		cr_expect_str_eq(json_object_to_json_string(get(we, "evidence")),
				 json_object_to_json_string(get(same, "evidence")));
		json_object_put(we);
		buf_free(&w);
	}
	json_object_put(r);
	buf_free(&b);
	ledger_set_free(&ls);
	model_free(m);
}

/* The text report and the screen share one formatting module: a gap of 2 h 19 min reads "2h19m"
 * in the report's event line, as on the screen (fmt_gap), not a second spelling. */
Test(report_schema, text_report_gap_as_on_screen)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t f = model_file_add(m, AGENT_CLAUDE, "/r/claude/projects/p/s.jsonl", false);
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"u1\",\"sessionId\":\"s\",\"cwd\":\"/x\","
		   "\"timestamp\":\"2026-01-05T10:00:00Z\",\"message\":{\"id\":\"m1\",\"model\":\"claude-sonnet-4\","
		   "\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":20000,\"cache_read_input_tokens\":0,"
		   "\"output_tokens\":10}}}");
	feed(m, f, "{\"type\":\"assistant\",\"uuid\":\"u2\",\"parentUuid\":\"u1\",\"sessionId\":\"s\",\"cwd\":\"/x\","
		   "\"timestamp\":\"2026-01-05T12:19:30Z\",\"message\":{\"id\":\"m2\",\"model\":\"claude-sonnet-4\","
		   "\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":20100,\"cache_read_input_tokens\":0,"
		   "\"output_tokens\":10}}}");
	cr_assert_eq(model_event_count(m), 2, "first request and a TTL expiry");
	static const struct report_root roots[1] = {{AGENT_CLAUDE, "/r/claude", 1, true}};
	struct report_ctx c = {.now = NOW_1130, .roots = roots, .nroots = 1, .quota = {.limit_auto = true}};
	struct buf b = {0};
	report_text(m, &c, &b);
	char gap[32];
	fmt_gap(2 * 3600 + 19 * 60 + 30, gap, sizeof gap);
	cr_assert_str_eq(gap, "2h19m");
	const char *line = strstr(buf_cstr(&b), "ttl_expiry");
	cr_assert_not_null(line, "%s", buf_cstr(&b));
	cr_assert(strstr(line, " 2h19m ") != NULL, "%s", line);
	buf_free(&b);
	model_free(m);
}
