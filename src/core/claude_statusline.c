/* claude_statusline.c — Claude Code's statusLine stdin (json-c; the table's statusline agent),
 * and the state-file lines that carry its rate_limits readings and prompt_cache ledgers to the
 * dashboard and reports. A ledger is written back in the shape Claude Code sends it, so one
 * reader takes both. */
#include "cachetop/statusline.h"

#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "cachetop/timefmt.h"

static const char *jstr(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b) {
		if (json_object_get_type(v) != json_type_object || !json_object_object_get_ex(v, b, &v))
			return NULL;
	}
	return json_object_get_type(v) == json_type_string ? json_object_get_string(v) : NULL;
}

static void copy(char *dst, size_t cap, const char *s)
{
	dst[0] = 0;
	if (s) {
		size_t n = strlen(s);
		if (n >= cap)
			n = cap - 1;
		memcpy(dst, s, n);
		dst[n] = 0;
	}
}

static bool num(struct json_object *o, const char *key, double *out)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return false;
	enum json_type t = json_object_get_type(v);
	if (t != json_type_int && t != json_type_double)
		return false;
	double d = json_object_get_double(v);
	if (!isfinite(d))
		return false; /* json-c accepts NaN/Infinity; no reading is either */
	*out = d;
	return true;
}

/* {used_percentage, resets_at (epoch seconds or RFC 3339)} */
static void window(struct json_object *rl, const char *name, double *pct, int64_t *resets)
{
	struct json_object *w;
	*pct = -1;
	*resets = CT_TIME_NONE;
	if (!rl || !json_object_object_get_ex(rl, name, &w) || json_object_get_type(w) != json_type_object)
		return;
	double v;
	if (num(w, "used_percentage", &v) || num(w, "used_percent", &v) || num(w, "utilization", &v))
		*pct = v;
	if (num(w, "resets_at", &v)) {
		/* epoch seconds; beyond ~31,700 years the int64 conversion would be undefined */
		if (v >= -1e12 && v <= 1e12)
			*resets = (int64_t)(v * 1000);
	} else {
		const char *s = jstr(w, "resets_at", NULL);
		int64_t ms;
		if (s && rfc3339_parse(s, strlen(s), &ms) == 0)
			*resets = ms;
	}
}

static void official_clear(struct official_reading *r)
{
	memset(r, 0, sizeof *r);
	r->five_hour_pct = r->seven_day_pct = r->spend_pct = -1;
	r->five_hour_resets_at = r->seven_day_resets_at = r->spend_resets_at = r->observed_at = CT_TIME_NONE;
}

static void take_rate_limits(struct json_object *o, int64_t now, struct official_reading *r)
{
	struct json_object *rl;
	official_clear(r);
	if (!json_object_object_get_ex(o, "rate_limits", &rl) || json_object_get_type(rl) != json_type_object)
		return;
	window(rl, "five_hour", &r->five_hour_pct, &r->five_hour_resets_at);
	window(rl, "seven_day", &r->seven_day_pct, &r->seven_day_resets_at);
	window(rl, "spend_limit", &r->spend_pct, &r->spend_resets_at);
	r->has_spend = r->spend_pct >= 0;
	r->present = r->five_hour_pct >= 0 || r->seven_day_pct >= 0 || r->has_spend;
	r->observed_at = now;
}

/* ---- prompt_cache: Claude Code's own ledger ------------------------------------------------ */

/* A count: a non-negative integral number (as a double within 2^53), else -1. */
static int64_t count(struct json_object *o, const char *key)
{
	double v;
	if (!num(o, key, &v) || v < 0 || v > 9007199254740992.0 || v != floor(v))
		return -1;
	return (int64_t)v;
}

/* epoch seconds or RFC 3339 → ms */
static int64_t instant(struct json_object *o, const char *key)
{
	double v;
	if (num(o, key, &v))
		return v >= -1e12 && v <= 1e12 ? (int64_t)llround(v * 1000) : CT_TIME_NONE;
	const char *s = jstr(o, key, NULL);
	int64_t ms;
	return s && rfc3339_parse(s, strlen(s), &ms) == 0 ? ms : CT_TIME_NONE;
}

static void add_cause(struct agent_ledger *l, const char *name, uint32_t n)
{
	if (!ledger_cause_name_ok(name) || !n)
		return;
	for (uint8_t i = 0; i < l->ncauses; i++)
		if (!strcmp(l->causes[i].name, name)) {
			l->causes[i].count += n;
			return;
		}
	if (l->ncauses >= LEDGER_CAUSES)
		return;
	copy(l->causes[l->ncauses].name, LEDGER_NAME_MAX, name);
	l->causes[l->ncauses++].count = n;
}

static void add_last_cause(struct agent_ledger *l, const char *name)
{
	if (!name || !ledger_cause_name_ok(name) || l->nlast >= LEDGER_LAST_CAUSES)
		return;
	copy(l->last_miss_causes[l->nlast++], LEDGER_NAME_MAX, name);
}

/* {"causes": [...], "tools_added", "tools_removed", …}, a list of causes, or one cause */
static void take_last_cause(struct agent_ledger *l, struct json_object *v)
{
	enum json_type t = json_object_get_type(v);
	if (t == json_type_string) {
		add_last_cause(l, json_object_get_string(v));
		return;
	}
	if (t == json_type_object) {
		l->tools_added = count(v, "tools_added");
		l->tools_removed = count(v, "tools_removed");
		struct json_object *c;
		if (json_object_object_get_ex(v, "causes", &c))
			take_last_cause(l, c);
		return;
	}
	if (t != json_type_array)
		return;
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		if (json_object_get_type(e) == json_type_string)
			add_last_cause(l, json_object_get_string(e));
	}
}

static void take_ledger(struct json_object *o, int64_t observed_at, struct agent_ledger *l)
{
	agent_ledger_clear(l);
	struct json_object *pc, *v;
	if (!json_object_object_get_ex(o, "prompt_cache", &pc) || json_object_get_type(pc) != json_type_object)
		return;
	l->present = true;
	l->observed_at = observed_at;
	l->requests = count(pc, "requests");
	l->misses = count(pc, "misses");
	l->expected_rebuilds = count(pc, "expected_rebuilds");
	l->cache_write_tokens = count(pc, "cache_write_tokens");
	l->miss_recache_tokens = count(pc, "miss_recache_tokens");
	double h;
	if (num(pc, "hit_ratio", &h) && h >= 0 && h <= 1)
		l->hit_ratio = h;
	const char *ttl = jstr(pc, "ttl", NULL);
	if (ttl && ledger_cause_name_ok(ttl) && strlen(ttl) < sizeof l->ttl)
		copy(l->ttl, sizeof l->ttl, ttl);
	l->last_miss_at = instant(pc, "last_miss_at");
	if (json_object_object_get_ex(pc, "last_miss_cause", &v))
		take_last_cause(l, v);
	if (json_object_object_get_ex(pc, "miss_causes", &v)) {
		if (json_object_get_type(v) == json_type_object) {
			json_object_object_foreach(v, key, val)
			{
				double c;
				enum json_type t = json_object_get_type(val);
				if ((t == json_type_int || t == json_type_double) &&
				    isfinite(c = json_object_get_double(val)) && c >= 1 && c < 4294967296.0)
					add_cause(l, key, (uint32_t)c);
			}
		} else if (json_object_get_type(v) == json_type_array) {
			/* older builds sent a list of causes, one per miss */
			size_t n = json_object_array_length(v);
			for (size_t i = 0; i < n; i++) {
				struct json_object *e = json_object_array_get_idx(v, i);
				if (json_object_get_type(e) == json_type_string)
					add_cause(l, json_object_get_string(e), 1);
			}
		}
	}
}

int statusline_parse(const char *s, size_t n, int64_t now, struct statusline_input *out)
{
	memset(out, 0, sizeof *out);
	official_clear(&out->rl);
	agent_ledger_clear(&out->ledger);
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return -1;
	struct json_object *o = json_tokener_parse_ex(tok, s, (int)(n > 0x7fffffff ? 0x7fffffff : n));
	json_tokener_free(tok);
	if (!o || json_object_get_type(o) != json_type_object) {
		json_object_put(o);
		return -1;
	}
	copy(out->session_id, sizeof out->session_id, jstr(o, "session_id", NULL));
	const char *model = jstr(o, "model", "display_name");
	if (!model)
		model = jstr(o, "model", "id");
	if (!model)
		model = jstr(o, "model", NULL);
	copy(out->model, sizeof out->model, model);
	copy(out->transcript_path, sizeof out->transcript_path, jstr(o, "transcript_path", NULL));
	const char *cwd = jstr(o, "workspace", "current_dir");
	copy(out->cwd, sizeof out->cwd, cwd ? cwd : jstr(o, "cwd", NULL));
	take_rate_limits(o, now, &out->rl);
	take_ledger(o, now, &out->ledger);
	json_object_put(o);
	return 0;
}

static void add_window(struct json_object *o, const char *name, double pct, int64_t resets)
{
	if (pct < 0)
		return;
	struct json_object *w = json_object_new_object();
	json_object_object_add(w, "used_percentage", json_object_new_double(pct));
	json_object_object_add(w, "resets_at", resets == CT_TIME_NONE ? NULL : json_object_new_int64(resets / 1000));
	json_object_object_add(o, name, w);
}

static void add_count(struct json_object *o, const char *key, int64_t v)
{
	if (v >= 0)
		json_object_object_add(o, key, json_object_new_int64(v));
}

/* The ledger in Claude Code's own shape (absent numbers left out) */
static struct json_object *ledger_json(const struct agent_ledger *l)
{
	struct json_object *o = json_object_new_object();
	add_count(o, "requests", l->requests);
	add_count(o, "misses", l->misses);
	add_count(o, "expected_rebuilds", l->expected_rebuilds);
	json_object_object_add(o, "hit_ratio", l->hit_ratio >= 0 ? json_object_new_double(l->hit_ratio) : NULL);
	if (l->ttl[0])
		json_object_object_add(o, "ttl", json_object_new_string(l->ttl));
	add_count(o, "cache_write_tokens", l->cache_write_tokens);
	add_count(o, "miss_recache_tokens", l->miss_recache_tokens);
	/* epoch seconds as Claude Code sends them (whole seconds stay integers) */
	struct json_object *lm = NULL;
	if (l->last_miss_at != CT_TIME_NONE)
		lm = l->last_miss_at % 1000 ? json_object_new_double((double)l->last_miss_at / 1000)
					    : json_object_new_int64(l->last_miss_at / 1000);
	json_object_object_add(o, "last_miss_at", lm);
	if (l->nlast || l->tools_added >= 0 || l->tools_removed >= 0) {
		struct json_object *c = json_object_new_object(), *a = json_object_new_array();
		for (uint8_t i = 0; i < l->nlast; i++)
			json_object_array_add(a, json_object_new_string(l->last_miss_causes[i]));
		json_object_object_add(c, "causes", a);
		add_count(c, "tools_added", l->tools_added);
		add_count(c, "tools_removed", l->tools_removed);
		json_object_object_add(o, "last_miss_cause", c);
	}
	struct json_object *mc = json_object_new_object();
	for (uint8_t i = 0; i < l->ncauses; i++)
		json_object_object_add(mc, l->causes[i].name, json_object_new_int64(l->causes[i].count));
	json_object_object_add(o, "miss_causes", mc);
	return o;
}

void statusline_record(const char *session_id, int64_t observed_at, const struct official_reading *r,
		       const struct agent_ledger *ledger, struct buf *out)
{
	struct json_object *o = json_object_new_object();
	char ts[32];
	rfc3339_format(observed_at, ts);
	json_object_object_add(o, "observed_at", json_object_new_string(ts));
	if (r && r->present) {
		add_window(o, "five_hour", r->five_hour_pct, r->five_hour_resets_at);
		add_window(o, "seven_day", r->seven_day_pct, r->seven_day_resets_at);
		if (r->has_spend)
			add_window(o, "spend_limit", r->spend_pct, r->spend_resets_at);
	}
	if (session_id && *session_id)
		json_object_object_add(o, "session_id", json_object_new_string(session_id));
	if (ledger && ledger->present)
		json_object_object_add(o, "prompt_cache", ledger_json(ledger));
	buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	buf_puts(out, "\n");
	json_object_put(o);
}

void statusline_state_line(const struct official_reading *r, struct buf *out)
{
	statusline_record(NULL, r->observed_at, r, NULL, out);
}

void statusline_state_read(const char *s, size_t n, struct official_reading *latest)
{
	statusline_state_fold(s, n, latest, NULL);
}

void statusline_state_fold(const char *s, size_t n, struct official_reading *latest,
			   struct ledger_set *ledgers)
{
	official_clear(latest);
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = tok ? json_tokener_parse_ex(tok, s + i, (int)len) : NULL;
		if (tok)
			json_tokener_free(tok);
		if (o && json_object_get_type(o) == json_type_object) {
			const char *ts = jstr(o, "observed_at", NULL);
			int64_t at;
			bool timed = ts && rfc3339_parse(ts, strlen(ts), &at) == 0;
			if (timed && (!latest->present || at >= latest->observed_at)) {
				struct json_object *wrap = json_object_new_object();
				json_object_object_add(wrap, "rate_limits", json_object_get(o));
				struct official_reading r;
				take_rate_limits(wrap, at, &r);
				json_object_put(wrap);
				if (r.present)
					*latest = r;
			}
			const char *sid = jstr(o, "session_id", NULL);
			if (timed && ledgers && sid) {
				struct agent_ledger l;
				take_ledger(o, at, &l);
				ledger_set_add(ledgers, sid, &l);
			}
		}
		json_object_put(o);
		i += len + 1;
	}
}
