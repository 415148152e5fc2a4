/* parse_opencode.c — one opencode record → struct line. opencode (≥ 1.2) keeps sessions in SQLite
 * and (≤ 1.1) in a storage/ tree of JSON files; the opencode source (src/source/opencode.c) turns
 * each database row or JSON file into one record, an envelope around the stored JSON:
 *
 *   {"kind":"session","src":"db","id":…,"parent_id":…|null,"directory":…,"title":…,"time_created":N}
 *   {"kind":"session","src":"json","id":<file name>,"data":{<the session file>}}
 *   {"kind":"message","src":"db","id":…,"session_id":…,"time_created":N,"data":{<the data column>}}
 *   {"kind":"message","src":"json","id":<file name>,"session_id":<folder name>,"data":{<the file>}}
 *
 * Members the envelope lacks are taken from the stored JSON (a legacy file holds its own id,
 * sessionID, parentID, directory, title and time.created). An assistant message's tokens are
 * read as opencode reports them: input excludes cache reads and writes, output excludes
 * reasoning (added here, as it is billed as output). Pure: no state between records. */
#include <stdbool.h>
#include <string.h>

#include "cachetop/line.h"
#include "cachetop/opencode.h"
#include "cachetop/timefmt.h"
#include "parse_internal.h"

/* Times are epoch milliseconds; anything past 2^53 is not one. */
#define OC_TIME_MAX ((uint64_t)1 << 53)

static const char *const env_keys[] = {"kind", "src", "id", "session_id", "parent_id", "directory",
				       "title", "time_created", "data"};
static const char *const data_keys[] = {"role", "modelID", "providerID", "tokens", "summary", "error",
					"time", "id", "sessionID", "parentID", "directory", "title", "path"};
static const char *const token_keys[] = {"input", "output", "reasoning", "cache"};
static const char *const cache_keys[] = {"read", "write"};
static const char *const time_keys[] = {"created", "completed"};
static const char *const path_keys[] = {"cwd"};
enum { E_KIND, E_SRC, E_ID, E_SID, E_PARENT, E_DIR, E_TITLE, E_TC, E_DATA,
       D_ROLE, D_MODEL, D_PROVIDER, D_TOKENS, D_SUMMARY, D_ERROR, D_TIME, D_ID, D_SID, D_PARENT, D_DIR,
       D_TITLE, D_PATH, K_IN, K_OUT, K_REASON, K_CACHE, C_READ, C_WRITE, T_CREATED, T_COMPLETED, P_CWD,
       SLOTS };
static const struct jscan_level cache_level = {cache_keys, 2, C_READ, NULL, 2};
static const struct jscan_level *const token_sub[4] = {NULL, NULL, NULL, &cache_level};
static const struct jscan_level token_level = {token_keys, 4, K_IN, token_sub, 6};
static const struct jscan_level time_level = {time_keys, 2, T_CREATED, NULL, 2};
static const struct jscan_level path_level = {path_keys, 1, P_CWD, NULL, 1};
static const struct jscan_level *const data_sub[13] = {[3] = &token_level, [6] = &time_level,
						       [12] = &path_level};
static const struct jscan_level data_level = {data_keys, 13, D_ROLE, data_sub, 13 + 6 + 2 + 1};
static const struct jscan_level *const env_sub[9] = {[8] = &data_level};
static const struct jscan_level env_level = {env_keys, 9, E_KIND, env_sub, SLOTS};
JSCAN_SUB_FITS(token_sub, token_keys);
JSCAN_SUB_FITS(data_sub, data_keys);
JSCAN_SUB_FITS(env_sub, env_keys);
_Static_assert(E_DATA + 1 + 13 + 6 + 2 + 1 == SLOTS, "parse_opencode: slot count");

/* A time member: 0 and *ms; absent or null: 0 with *ms untouched; anything else: -1. */
static int take_time(const struct jspan *v, int64_t *ms)
{
	if (v->type == 0 || v->type == 'n')
		return 0;
	uint64_t x;
	if (jspan_u64(v, OC_TIME_MAX, &x))
		return -1;
	*ms = (int64_t)x;
	return 0;
}

/* The envelope's string member, else the stored JSON's. */
static const struct jspan *either(const struct jspan *env, const struct jspan *data)
{
	return env->type == '"' ? env : data;
}

/* opencode reports cache writes and Anthropic's cache rules apply only for Anthropic models:
 * the anthropic provider, or an Anthropic model through any other (Bedrock
 * "anthropic.claude-3-haiku-…", Vertex "claude-3-5-sonnet@…", OpenRouter "anthropic/claude-…"):
 * every id of the family holds "claude-". */
static bool anthropic(const struct jspan *provider, const char *model)
{
	return jspan_eq(provider, "anthropic") || strstr(model, "claude-") != NULL;
}

static void parse_tokens(const struct jspan *v, struct line *out)
{
	uint64_t in, o, r, rd = 0, wr = 0;
	if (span_tokens(&v[K_IN], &in) || span_tokens(&v[K_OUT], &o) || span_tokens(&v[K_REASON], &r) ||
	    (v[K_CACHE].type == '{' && (span_tokens(&v[C_READ], &rd) || span_tokens(&v[C_WRITE], &wr))) ||
	    o + r > TOKENS_MAX) {
		line_bad(out, LP_BAD_NUMBER);
		return;
	}
	out->has_usage = true;
	out->usage = (struct usage){.input = in, .cache_creation = wr, .cache_read = rd, .output = o + r};
}

static void parse_message(const struct jspan *v, struct line *out)
{
	const struct jspan *id = either(&v[E_ID], &v[D_ID]), *sid = either(&v[E_SID], &v[D_SID]);
	if (id->type != '"' || !id->n || sid->type != '"' || !sid->n) {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	int64_t ts = CT_TIME_NONE;
	if (take_time(v[E_TC].type ? &v[E_TC] : &v[T_CREATED], &ts) || ts == CT_TIME_NONE) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	out->kind = LINE_DB_MESSAGE;
	out->ts = ts;
	out->msg_id = span_hash(id);
	span_copy(sid, out->session_id, sizeof out->session_id);
	span_copy(&v[P_CWD], out->cwd, sizeof out->cwd);
	if (!jspan_eq(&v[D_ROLE], "assistant") || v[D_TOKENS].type != '{')
		return; /* a user message, or a reply that has no token record */
	span_copy(&v[D_MODEL], out->model, sizeof out->model);
	out->openai_rules = !anthropic(&v[D_PROVIDER], out->model);
	bool summary = false;
	out->compact_boundary = jspan_bool(&v[D_SUMMARY], &summary) == 0 && summary;
	parse_tokens(v, out);
}

static void parse_session(const struct jspan *v, struct line *out)
{
	const struct jspan *id = either(&v[E_ID], &v[D_ID]);
	if (id->type != '"' || !id->n) {
		line_bad(out, LP_MISSING_FIELD);
		return;
	}
	int64_t ts = CT_TIME_NONE;
	if (take_time(v[E_TC].type ? &v[E_TC] : &v[T_CREATED], &ts)) {
		line_bad(out, LP_BAD_TIME);
		return;
	}
	out->kind = LINE_DB_SESSION;
	out->ts = ts;
	span_copy(id, out->session_id, sizeof out->session_id);
	span_copy(either(&v[E_PARENT], &v[D_PARENT]), out->parent_id, sizeof out->parent_id);
	span_copy(either(&v[E_DIR], &v[D_DIR]), out->cwd, sizeof out->cwd);
	span_copy(either(&v[E_TITLE], &v[D_TITLE]), out->title, sizeof out->title);
}

void line_parse_opencode(const char *s, size_t n, struct line *out)
{
	line_reset(out);
	n = line_trim_cr(s, n);
	struct jspan v[SLOTS];
	if (jscan_tree(s, n, &env_level, v) < 0) {
		line_bad(out, LP_NOT_JSON);
		return;
	}
	/* a data member that is not an object carries nothing: as if absent */
	if (v[E_DATA].type != '{')
		memset(&v[E_DATA + 1], 0, (SLOTS - E_DATA - 1) * sizeof v[0]);
	out->legacy = jspan_eq(&v[E_SRC], "json");
	if (jspan_eq(&v[E_KIND], "message"))
		parse_message(v, out);
	else if (jspan_eq(&v[E_KIND], "session"))
		parse_session(v, out);
	else if (v[E_KIND].type != '"')
		line_bad(out, LP_MISSING_FIELD);
}

/* ---- for the source ---------------------------------------------------------------------- */

static const char *const stored_keys[] = {"time", "role", "error"};
enum { S_TIME, S_ROLE, S_ERROR, S_CREATED, S_COMPLETED, S_SLOTS };
static const struct jscan_level stored_time_level = {time_keys, 2, S_CREATED, NULL, 2};
static const struct jscan_level *const stored_sub[3] = {&stored_time_level};
static const struct jscan_level stored_level = {stored_keys, 3, S_TIME, stored_sub, S_SLOTS};
JSCAN_SUB_FITS(stored_sub, stored_keys);

int line_peek_opencode_created(const char *json, size_t n, int64_t *ms)
{
	struct jspan v[S_SLOTS];
	int64_t t = CT_TIME_NONE;
	if (jscan_tree(json, n, &stored_level, v) < 0 || v[S_TIME].type != '{' || take_time(&v[S_CREATED], &t) ||
	    t == CT_TIME_NONE)
		return -1;
	*ms = t;
	return 0;
}

bool line_opencode_open(const char *json, size_t n)
{
	struct jspan v[S_SLOTS];
	if (jscan_tree(json, n, &stored_level, v) < 0 || !jspan_eq(&v[S_ROLE], "assistant"))
		return false;
	if (v[S_ERROR].type != 0 && v[S_ERROR].type != 'n')
		return false;
	return v[S_TIME].type != '{' || v[S_COMPLETED].type == 0 || v[S_COMPLETED].type == 'n';
}
