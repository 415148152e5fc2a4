/* statusline.c — Claude Code's statusLine stdin (json-c), and the state-file lines that carry
 * its rate_limits readings to the dashboard and reports. */
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

static void take_rate_limits(struct json_object *o, int64_t now, struct claude_official *r)
{
	struct json_object *rl;
	memset(r, 0, sizeof *r);
	r->five_hour_pct = r->seven_day_pct = -1;
	r->five_hour_resets_at = r->seven_day_resets_at = r->observed_at = CT_TIME_NONE;
	if (!json_object_object_get_ex(o, "rate_limits", &rl) || json_object_get_type(rl) != json_type_object)
		return;
	window(rl, "five_hour", &r->five_hour_pct, &r->five_hour_resets_at);
	window(rl, "seven_day", &r->seven_day_pct, &r->seven_day_resets_at);
	r->present = r->five_hour_pct >= 0 || r->seven_day_pct >= 0;
	r->observed_at = now;
}

int statusline_parse(const char *s, size_t n, int64_t now, struct statusline_input *out)
{
	memset(out, 0, sizeof *out);
	out->rl.five_hour_pct = out->rl.seven_day_pct = -1;
	out->rl.five_hour_resets_at = out->rl.seven_day_resets_at = out->rl.observed_at = CT_TIME_NONE;
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

void statusline_state_line(const struct claude_official *r, struct buf *out)
{
	struct json_object *o = json_object_new_object();
	char ts[32];
	rfc3339_format(r->observed_at, ts);
	json_object_object_add(o, "observed_at", json_object_new_string(ts));
	add_window(o, "five_hour", r->five_hour_pct, r->five_hour_resets_at);
	add_window(o, "seven_day", r->seven_day_pct, r->seven_day_resets_at);
	buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	buf_puts(out, "\n");
	json_object_put(o);
}

void statusline_state_read(const char *s, size_t n, struct claude_official *latest)
{
	memset(latest, 0, sizeof *latest);
	latest->five_hour_pct = latest->seven_day_pct = -1;
	latest->five_hour_resets_at = latest->seven_day_resets_at = latest->observed_at = CT_TIME_NONE;
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
			if (ts && rfc3339_parse(ts, strlen(ts), &at) == 0 &&
			    (!latest->present || at >= latest->observed_at)) {
				struct json_object *wrap = json_object_new_object();
				json_object_object_add(wrap, "rate_limits", json_object_get(o));
				struct claude_official r;
				take_rate_limits(wrap, at, &r);
				json_object_put(wrap);
				if (r.present)
					*latest = r;
			}
		}
		json_object_put(o);
		i += len + 1;
	}
}
