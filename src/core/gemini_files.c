/* gemini_files.c — Gemini CLI's file layout (gemini.h): which paths under tmp/ are recordings
 * (its transcript_kind and transcript_dir in the agent table), the project folder and parent
 * session a path names, and the first/last-time peeks that let the start-up scan read a legacy
 * document before the `.jsonl` that continues it, and an old copy of a folder before the newer
 * one. */
#define _GNU_SOURCE /* memrchr */
#include "cachetop/gemini.h"

#include <string.h>

#include "cachetop/jscan.h"
#include "cachetop/line.h"
#include "cachetop/timefmt.h"

#define MAX_PARTS 6

struct part {
	const char *p;
	size_t n;
};

/* Split s at '/' into at most MAX_PARTS parts (the last MAX_PARTS when from_end); returns the
 * count, or -1 when a part is empty, "." or ".." (never a recording's path). */
static int split(const char *s, struct part *v, bool from_end)
{
	size_t len = strlen(s);
	int k = 0;
	if (!from_end) {
		if (!len)
			return 0;
		for (const char *p = s;; k++) {
			const char *slash = strchr(p, '/');
			size_t n = slash ? (size_t)(slash - p) : strlen(p);
			if (k == MAX_PARTS)
				return -1;
			v[k] = (struct part){p, n};
			if (!slash)
				break;
			p = slash + 1;
		}
		k++;
	} else {
		/* walk back; the parts land right-aligned, then move to the front */
		struct part tmp[MAX_PARTS];
		size_t end = len;
		while (k < MAX_PARTS && end > 0) {
			const char *slash = memrchr(s, '/', end);
			size_t start = slash ? (size_t)(slash - s) + 1 : 0;
			if (slash == s && start == end)
				break; /* the root of an absolute path */
			tmp[MAX_PARTS - 1 - k] = (struct part){s + start, end - start};
			k++;
			if (!slash)
				break;
			end = (size_t)(slash - s);
		}
		memcpy(v, tmp + MAX_PARTS - k, (size_t)k * sizeof *v);
	}
	for (int i = 0; i < k; i++)
		if (!v[i].n || (v[i].n == 1 && v[i].p[0] == '.') || (v[i].n == 2 && !memcmp(v[i].p, "..", 2)))
			return -1;
	return k;
}

static bool is(const struct part *x, const char *lit) { return x->n == strlen(lit) && !memcmp(x->p, lit, x->n); }

static bool ends(const struct part *x, const char *suffix)
{
	size_t k = strlen(suffix);
	return x->n > k && !memcmp(x->p + x->n - k, suffix, k);
}

/* v[0..k): <id>/chats/<name> or <id>/chats/<dir>/<name> */
static enum gemini_path kind_of(const struct part *v, int k)
{
	if (k == 3 && is(&v[1], "chats"))
		return ends(&v[2], ".jsonl") ? GEMINI_PATH_MAIN : ends(&v[2], ".json") ? GEMINI_PATH_LEGACY
										   : GEMINI_PATH_NONE;
	if (k == 4 && is(&v[1], "chats") && ends(&v[3], ".jsonl"))
		return GEMINI_PATH_SUBAGENT;
	return GEMINI_PATH_NONE;
}

enum gemini_path gemini_path_kind(const char *rel)
{
	struct part v[MAX_PARTS];
	int k = split(rel, v, false);
	return k < 0 ? GEMINI_PATH_NONE : kind_of(v, k);
}

enum transcript_kind gemini_transcript_kind(const char *rel)
{
	switch (gemini_path_kind(rel)) {
	case GEMINI_PATH_MAIN: return TRANSCRIPT_LINES;
	case GEMINI_PATH_LEGACY: return TRANSCRIPT_WHOLE;
	case GEMINI_PATH_SUBAGENT: return TRANSCRIPT_SUBAGENT;
	default: return TRANSCRIPT_NONE;
	}
}

bool gemini_dir_wanted(const char *rel)
{
	struct part v[MAX_PARTS];
	int k = split(rel, v, false);
	return k == 0 || k == 1 || ((k == 2 || k == 3) && is(&v[1], "chats"));
}

/* The parts after "tmp" of an absolute path, or -1. */
static int abs_parts(const char *path, struct part *v, enum gemini_path *kind)
{
	struct part t[MAX_PARTS];
	int k = split(path, t, true);
	*kind = GEMINI_PATH_NONE;
	if (k < 0)
		return -1;
	/* …/tmp/<id>/chats/<name> first, then …/tmp/<id>/chats/<dir>/<name> */
	for (int want = 3; want <= 4; want++) {
		if (k < want + 1 || !is(&t[k - want - 1], "tmp"))
			continue;
		enum gemini_path g = kind_of(t + k - want, want);
		if (g != GEMINI_PATH_NONE) {
			memcpy(v, t + k - want, (size_t)want * sizeof *v);
			*kind = g;
			return want;
		}
	}
	return -1;
}

enum gemini_path gemini_path_kind_abs(const char *path)
{
	struct part v[MAX_PARTS];
	enum gemini_path g;
	abs_parts(path, v, &g);
	return g;
}

static void copy_part(const struct part *x, char *out, size_t cap)
{
	size_t n = x->n < cap ? x->n : cap - 1;
	memcpy(out, x->p, n);
	out[n] = 0;
}

void gemini_path_project(const char *path, char *out, size_t cap)
{
	struct part v[MAX_PARTS];
	enum gemini_path g;
	out[0] = 0;
	if (abs_parts(path, v, &g) > 0)
		copy_part(&v[0], out, cap);
}

void gemini_path_parent(const char *path, char *out, size_t cap)
{
	struct part v[MAX_PARTS];
	enum gemini_path g;
	out[0] = 0;
	if (abs_parts(path, v, &g) == 4)
		copy_part(&v[2], out, cap);
}

bool gemini_id_is_hash(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == 64;
}

int gemini_peek_first_ts(const char *buf, size_t n, int64_t *ms)
{
	/* the header's startTime comes third, after two short ids, in both forms */
	struct jspan v;
	size_t b = n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if (jscan_member_prefix(buf + b, n - b, "startTime", &v) == 0 && v.type == '"' &&
	    rfc3339_parse(v.p, v.n, ms) == 0)
		return 0;
	return line_peek_first_ts(buf, n, ms);
}

int gemini_peek_last_ts(const char *buf, size_t n, int64_t *ms)
{
	if (line_peek_last_ts(buf, n, ms) == 0)
		return 0;
	/* A legacy document is pretty-printed over many lines: take the last "timestamp" member
	 * written in its tail. Inside a JSON string a quote is escaped, so a bare `"timestamp"`
	 * followed by a colon is a member name. */
	static const char key[] = "\"timestamp\"";
	size_t end = n;
	while (end >= sizeof key - 1) {
		const char *hit = memrchr(buf, '"', end);
		if (!hit)
			break;
		size_t at = (size_t)(hit - buf);
		end = at;
		if (at < sizeof key - 2 || memcmp(buf + at - (sizeof key - 2), key, sizeof key - 1))
			continue;
		size_t start = at - (sizeof key - 2);
		if (start > 0 && buf[start - 1] == '\\')
			continue;
		size_t i = at + 1;
		while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
			i++;
		if (i >= n || buf[i] != ':')
			continue;
		i++;
		while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
			i++;
		if (i >= n || buf[i] != '"')
			continue;
		const char *q = memchr(buf + i + 1, '"', n - i - 1);
		if (q && rfc3339_parse(buf + i + 1, (size_t)(q - buf - i - 1), ms) == 0)
			return 0;
	}
	return -1;
}
