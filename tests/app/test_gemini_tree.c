/* test_gemini_tree.c — a generated Gemini CLI tree through the real binary: a seeded generator
 * writes recordings the way Gemini CLI does (header, user and model turns, `tokens: null` then the
 * same id again with usage, re-appends with tool calls or changed usage, `$set` metadata,
 * checkpoints, rewinds, turns without a model, sub-agent recordings, legacy whole-file JSON and
 * its `.jsonl` continuation, in-place resumes with their start-up orphans, a project copied under
 * its old sha256 folder) and keeps the ground truth as it writes: one request per (recording,
 * message id) that ever had tokens, its last version, in its session (a sub-agent's in its
 * parent's). `cachetop report --json --gemini-dir` must give exactly those totals, costs and
 * sessions. */
#define _GNU_SOURCE /* gmtime_r */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "run_json.h"

#define MAXK 4096 /* requests a tree may hold */
#define MAXS 64   /* sessions */

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1DULL;
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }
static bool chance(unsigned pct) { return pick(100) < pct; }

/* USD per million (input, cached input, output), and above 200K prompt tokens; in < 0: no price */
static const struct {
	const char *name;
	double in, cached, out, lin, lcached, lout;
} MODELS[] = {{"gemini-2.5-pro", 1.25, 0.125, 10.0, 2.5, 0.25, 15.0},
	      {"gemini-2.5-flash", 0.30, 0.03, 2.50, 0.30, 0.03, 2.50},
	      {"gemini-3-pro-preview", 2.0, 0.20, 12.0, 4.0, 0.40, 18.0},
	      {"gemini-exp-9999", -1, -1, -1, -1, -1, -1}};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

/* the truth, one entry per request */
struct want {
	char key[96];      /* recording id + "|" + message id */
	int session;       /* index into sessions[] */
	bool sub;
	unsigned in, cached, out, thoughts;
	int model;         /* index into MODELS */
};
static struct want wants[MAXK];
static size_t nwants;
static struct {
	char id[40];
	char project[16];
} sessions[MAXS];
static size_t nsessions;

static struct want *want_of(const char *rec, const char *id)
{
	char key[96];
	snprintf(key, sizeof key, "%s|%s", rec, id);
	for (size_t i = 0; i < nwants; i++)
		if (!strcmp(wants[i].key, key))
			return &wants[i];
	return NULL;
}

/* A message as the recorder holds it: its latest version. */
struct msg {
	char id[24];
	bool gemini, tokens, named; /* named: the record carries its model */
	long long t;
	unsigned in, cached, out, thoughts;
	int model;
};

/* One recording being written: its file, its id, where its requests count. */
struct recording {
	FILE *f;
	char id[40];
	int session;
	bool sub;
	int model;              /* the recorder's current model */
	bool named;             /* a turn named it already */
	struct msg view[256];   /* the conversation as Gemini CLI holds it */
	size_t nview;
	long long t;
	unsigned prompt;        /* the context so far, in tokens */
};

static void iso(long long ms, char *out)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char day[16];
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(out, 32, "%.10sT%02d:%02d:%02d.%03dZ", day, tm.tm_hour % 24, tm.tm_min % 60, tm.tm_sec % 61,
		 (int)(ms % 1000));
}

/* the JSON of one message record (no newline) */
static void msg_json(const struct msg *m, char *out, size_t cap)
{
	char ts[32], tok[160] = "null", model[64] = "";
	iso(m->t, ts);
	if (m->tokens)
		snprintf(tok, sizeof tok, "{\"input\":%u,\"output\":%u,\"cached\":%u,\"thoughts\":%u,\"tool\":0,"
			 "\"total\":%u}", m->in, m->out, m->cached, m->thoughts, m->in + m->out + m->thoughts);
	if (m->named)
		snprintf(model, sizeof model, ",\"model\":\"%s\"", MODELS[m->model].name);
	if (m->gemini)
		snprintf(out, cap, "{\"id\":\"%s\",\"timestamp\":\"%s\",\"type\":\"gemini\",\"content\":\"ok, see "
			 "{\\\"a\\\": [1]}\",\"thoughts\":[],\"tokens\":%s%s}", m->id, ts, tok, model);
	else
		snprintf(out, cap, "{\"id\":\"%s\",\"timestamp\":\"%s\",\"type\":\"user\",\"content\":[{\"text\":"
			 "\"next step\"}]}", m->id, ts);
}

static void put(struct recording *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct recording *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
	fputc('\n', r->f);
}

static void write_msg(struct recording *r, const struct msg *m)
{
	char b[1024];
	msg_json(m, b, sizeof b);
	put(r, "%s", b);
}

/* Record that version v of a message was written (the truth follows the last version). */
static void truth(struct recording *r, const struct msg *m)
{
	if (!m->gemini || !m->tokens)
		return;
	struct want *w = want_of(r->id, m->id);
	if (!w) {
		cr_assert_lt(nwants, MAXK);
		w = &wants[nwants++];
		snprintf(w->key, sizeof w->key, "%s|%s", r->id, m->id);
		w->session = r->session;
		w->sub = r->sub;
		w->model = m->model; /* a turn without one has the recorder's current model */
	} else if (m->named) {
		w->model = m->model;
	}
	w->in = m->in, w->cached = m->cached, w->out = m->out, w->thoughts = m->thoughts;
}

static struct msg *view_put(struct recording *r, const struct msg *m)
{
	for (size_t i = 0; i < r->nview; i++)
		if (!strcmp(r->view[i].id, m->id)) {
			r->view[i] = *m;
			return &r->view[i];
		}
	cr_assert_lt(r->nview, 256);
	r->view[r->nview] = *m;
	return &r->view[r->nview++];
}

static unsigned counter;

/* One user turn and the model turn(s) answering it, in the ways Gemini CLI writes them. */
static void turn(struct recording *r)
{
	struct msg u = {.gemini = false, .t = r->t};
	snprintf(u.id, sizeof u.id, "u%u", ++counter);
	write_msg(r, view_put(r, &u));
	int steps = 1 + (int)pick(3);
	for (int k = 0; k < steps; k++) {
		r->t += 1000 + pick(20000);
		bool switched = chance(15);
		if (switched)
			r->model = (int)pick(NMODELS);
		/* a turn may leave its model out (it is the recording's last one); a switch names it */
		struct msg g = {.gemini = true, .t = r->t, .model = r->model,
				.named = switched || !r->named || !chance(20)};
		r->named = true;
		snprintf(g.id, sizeof g.id, "g%u", ++counter);
		unsigned prev = r->prompt;
		r->prompt += 500 + pick(6000);
		g.in = r->prompt;
		g.cached = chance(70) ? prev - prev % 1024 : chance(50) ? 0 : prev / 3;
		g.out = 20 + pick(900);
		g.thoughts = chance(50) ? pick(400) : 0;
		if (chance(40)) {
			/* the turn first, its usage after */
			struct msg n = g;
			n.tokens = false;
			write_msg(r, view_put(r, &n));
		}
		g.tokens = true;
		write_msg(r, view_put(r, &g));
		truth(r, &g);
		if (chance(30))
			write_msg(r, &g); /* tool calls added: the same usage again */
		if (chance(8)) {
			g.out += 1 + pick(50); /* a later version with other counts: the last one bills */
			g.cached = g.cached > 100 ? g.cached - 100 : g.cached;
			write_msg(r, view_put(r, &g));
			truth(r, &g);
		}
	}
	if (chance(50)) {
		char ts[32];
		iso(r->t, ts);
		put(r, "{\"$set\":{\"lastUpdated\":\"%s\"}}", ts);
	}
	if (chance(10)) {
		char ts[32];
		iso(r->t, ts);
		put(r, "{\"id\":\"i%u\",\"timestamp\":\"%s\",\"type\":\"info\",\"content\":\"x\"}", ++counter, ts);
	}
	r->t += 5000 + (chance(10) ? pick(900000) : pick(60000));
}

static void checkpoint(struct recording *r)
{
	fputs("{\"$set\":{\"messages\":[", r->f);
	for (size_t i = 0; i < r->nview; i++) {
		char b[1024];
		msg_json(&r->view[i], b, sizeof b);
		fprintf(r->f, "%s%s", i ? "," : "", b);
	}
	char ts[32];
	iso(r->t, ts);
	fprintf(r->f, "],\"lastUpdated\":\"%s\"}}\n", ts);
}

static void rewind_to_last_user(struct recording *r)
{
	for (size_t i = r->nview; i-- > 0;)
		if (!r->view[i].gemini) {
			put(r, "{\"$rewindTo\":\"%s\"}", r->view[i].id);
			r->nview = i;
			return;
		}
}

static char root[256];

static FILE *open_file(const char *project, const char *sub, const char *name)
{
	char dir[512], path[768];
	snprintf(dir, sizeof dir, "mkdir -p '%s/tmp/%s/chats%s%s'", root, project, sub ? "/" : "", sub ? sub : "");
	cr_assert_eq(system(dir), 0);
	snprintf(path, sizeof path, "%s/tmp/%s/chats/%s%s%s", root, project, sub ? sub : "", sub ? "/" : "", name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	return f;
}

static void begin(struct recording *r, FILE *f, const char *id, int session, bool sub, long long t)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	snprintf(r->id, sizeof r->id, "%s", id);
	r->session = session, r->sub = sub, r->t = t;
	r->model = (int)pick(NMODELS);
	r->prompt = 8000 + pick(4000);
	char ts[32];
	iso(t, ts);
	put(r, "{\"sessionId\":\"%s\",\"projectHash\":\"9d3f\",\"startTime\":\"%s\",\"lastUpdated\":\"%s\",\"kind\":"
	       "\"%s\"}", id, ts, ts, sub ? "subagent" : "main");
}

static void file_name(char *out, size_t cap, long long t, const char *sid, const char *ext)
{
	char ts[32];
	iso(t, ts);
	ts[16] = 0;
	ts[13] = '-';
	snprintf(out, cap, "session-%s-%.8s%s", ts, sid, ext);
}

/* A session: JSONL, possibly resumed in place (with an orphan), with sub-agents. */
static void jsonl_session(const char *project, int si, long long t, bool resumed, char *copy_path, size_t *copy_len)
{
	struct recording r;
	char name[128];
	file_name(name, sizeof name, t, sessions[si].id, ".jsonl");
	begin(&r, open_file(project, NULL, name), sessions[si].id, si, false, t);
	for (int k = 0, n = 2 + (int)pick(6); k < n; k++) {
		turn(&r);
		if (chance(10))
			checkpoint(&r);
		if (chance(8))
			rewind_to_last_user(&r);
	}
	for (int a = 0, na = chance(40) ? 1 + (int)pick(2) : 0; a < na; a++) {
		struct recording s;
		char aid[40], an[64];
		snprintf(aid, sizeof aid, "investigator-%u", ++counter);
		snprintf(an, sizeof an, "%s.jsonl", aid);
		begin(&s, open_file(project, sessions[si].id, an), aid, si, true, r.t);
		for (int k = 0, n = 1 + (int)pick(3); k < n; k++)
			turn(&s);
		fclose(s.f);
	}
	if (copy_path) {
		/* the state a migration copied: everything so far */
		fflush(r.f);
		snprintf(copy_path, 512, "%s/tmp/%s/chats/%s", root, project, name);
		*copy_len = (size_t)ftell(r.f);
	}
	if (resumed) {
		/* a later process resumes it: an orphan recording first, then the resume in place */
		long long t2 = r.t + 3600000;
		char on[128];
		file_name(on, sizeof on, t2, sessions[si].id, ".jsonl");
		struct recording o;
		begin(&o, open_file(project, NULL, on), sessions[si].id, si, false, t2);
		fclose(o.f);
		r.t = t2 + 2000;
		put(&r, "{\"$set\":{\"sessionId\":\"%s\"}}", sessions[si].id);
		checkpoint(&r);
		for (int k = 0, n = 1 + (int)pick(3); k < n; k++)
			turn(&r);
	}
	fclose(r.f);
}

/* A session of a version ≤ 0.38: one pretty-printed document; maybe continued by ≥ 0.39. */
static void legacy_session(const char *project, int si, long long t, bool continued)
{
	struct recording r;
	char name[128];
	file_name(name, sizeof name, t, sessions[si].id, ".json");
	begin(&r, tmpfile(), sessions[si].id, si, false, t); /* the lines only build the view */
	for (int k = 0, n = 2 + (int)pick(4); k < n; k++)
		turn(&r);
	fclose(r.f);
	FILE *f = open_file(project, NULL, name);
	char ts[32];
	iso(t, ts);
	fprintf(f, "{\n  \"sessionId\": \"%s\",\n  \"projectHash\": \"9d3f\",\n  \"startTime\": \"%s\",\n"
		   "  \"lastUpdated\": \"%s\",\n  \"messages\": [", sessions[si].id, ts, ts);
	for (size_t i = 0; i < r.nview; i++) {
		char b[1024];
		msg_json(&r.view[i], b, sizeof b);
		/* pretty-printed: one member a line */
		fputs(i ? ",\n    " : "\n    ", f);
		for (const char *p = b; *p; p++) {
			fputc(*p, f);
			if (*p == ',' && p[1] == '"')
				fputs("\n      ", f);
		}
	}
	fputs("\n  ],\n  \"summary\": \"legacy work\"\n}", f);
	fclose(f);
	if (!continued)
		return;
	char ln[132];
	snprintf(ln, sizeof ln, "%sl", name);
	r.f = open_file(project, NULL, ln);
	put(&r, "{\"sessionId\":\"%s\",\"projectHash\":\"9d3f\",\"startTime\":\"%s\",\"lastUpdated\":\"%s\"}",
	    sessions[si].id, ts, ts);
	for (size_t i = 0; i < r.nview; i++)
		write_msg(&r, &r.view[i]);
	r.t += 7200000;
	put(&r, "{\"$set\":{\"sessionId\":\"%s\"}}", sessions[si].id);
	for (int k = 0, n = 1 + (int)pick(3); k < n; k++)
		turn(&r);
	fclose(r.f);
}

static void copy_prefix(const char *from, size_t len, const char *to_dir)
{
	char cmd[2048];
	const char *base = strrchr(from, '/') + 1;
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && head -c %zu '%s' > '%s/%s'", to_dir, len, from, to_dir, base);
	cr_assert_eq(system(cmd), 0);
}

static void generate(uint64_t seed)
{
	rs = seed * 0x9E3779B97F4A7C15ULL + 7;
	nwants = nsessions = 0;
	counter = 0;
	static const char *const projects[] = {"alpha", "beta", "gamma"};
	const char *hash = "4c0a2f8e9b1d7c6e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
	long long t = 1795168800000LL; /* 2026-11-20T10:00Z */
	for (size_t p = 0; p < 3; p++) {
		for (int k = 0, n = 2 + (int)pick(3); k < n; k++) {
			int si = (int)nsessions++;
			cr_assert_lt(nsessions, MAXS);
			snprintf(sessions[si].id, sizeof sessions[si].id, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)rnd(),
				 (unsigned)pick(65536), pick(4096), pick(4096), (unsigned long long)(rnd() >> 16));
			snprintf(sessions[si].project, sizeof sessions[si].project, "%s", projects[p]);
			t += 600000 + pick(3600000);
			unsigned kind = pick(4);
			if (kind == 0) {
				legacy_session(projects[p], si, t, chance(60));
			} else if (p == 1 && k == 0) {
				/* beta was used before 0.29: its folder was copied under the old hash */
				char path[512];
				size_t len;
				jsonl_session(projects[p], si, t, true, path, &len);
				char dir[512];
				snprintf(dir, sizeof dir, "%s/tmp/%s/chats", root, hash);
				copy_prefix(path, len, dir);
			} else {
				jsonl_session(projects[p], si, t, kind == 1, NULL, NULL);
			}
			t += 4 * 3600000LL;
		}
	}
	/* activity logs share the name pattern and are not recordings */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/tmp/alpha/logs' && echo '{\"id\":\"x\",\"type\":\"gemini\","
		 "\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"tokens\":{\"input\":9,\"output\":9,\"cached\":0}}' > "
		 "'%s/tmp/alpha/logs/session-1.jsonl'", root, root);
	cr_assert_eq(system(cmd), 0);
}

static struct json_object *report(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' report --json --now 2026-12-01T00:00:00Z --gemini-dir '%s'", CACHETOP_BIN, root);
	return run_json(cmd);
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);
	return v;
}
static long long geti(struct json_object *o, const char *k) { return (long long)json_object_get_int64(get(o, k)); }

struct sums {
	long long requests, input, output, cache_read, sub, unpriced;
	double cost;
};

static void add(struct sums *s, const struct want *w)
{
	s->requests++;
	s->input += w->in - w->cached;
	s->cache_read += w->cached;
	s->output += w->out + w->thoughts;
	s->sub += w->sub;
	if (MODELS[w->model].in < 0) {
		s->unpriced++;
		return;
	}
	bool longp = w->in > 200000;
	double in = longp ? MODELS[w->model].lin : MODELS[w->model].in;
	double cached = longp ? MODELS[w->model].lcached : MODELS[w->model].cached;
	double out = longp ? MODELS[w->model].lout : MODELS[w->model].out;
	s->cost += ((double)(w->in - w->cached) * in + (double)w->cached * cached + (double)(w->out + w->thoughts) * out) / 1e6;
}

static void expect_sums(struct json_object *o, const struct sums *s, const char *what)
{
	cr_expect_eq(geti(o, "requests"), s->requests, "%s requests %lld want %lld", what, geti(o, "requests"), s->requests);
	cr_expect_eq(geti(o, "input_tokens"), s->input, "%s input", what);
	cr_expect_eq(geti(o, "output_tokens"), s->output, "%s output", what);
	cr_expect_eq(geti(o, "cache_read_tokens"), s->cache_read, "%s cache_read", what);
	cr_expect_eq(geti(o, "cache_creation_tokens"), 0, "%s: no cache writes", what);
	cr_expect_eq(geti(o, "unpriced_requests"), s->unpriced, "%s unpriced", what);
	double cost = json_object_get_double(get(o, "cost_usd"));
	cr_expect(fabs(cost - s->cost) < 2e-9 * (1 + s->cost), "%s cost %.9f want %.9f", what, cost, s->cost);
}

ParameterizedTestParameters(gemini_tree, exact)
{
	static uint64_t seeds[] = {1, 2, 3, 17, 2026};
	return cr_make_param_array(uint64_t, seeds, sizeof seeds / sizeof seeds[0]);
}

ParameterizedTest(uint64_t *seed, gemini_tree, exact, .timeout = 120)
{
	snprintf(root, sizeof root, "/tmp/cachetop-gemini-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	generate(*seed);
	struct json_object *rep = report();
	struct sums all = {0}, per[MAXS];
	memset(per, 0, sizeof per);
	for (size_t i = 0; i < nwants; i++) {
		add(&all, &wants[i]);
		add(&per[wants[i].session], &wants[i]);
	}
	cr_assert_gt(all.requests, 20);
	cr_assert_gt(all.sub, 0, "seed %llu: no sub-agent requests generated", (unsigned long long)*seed);
	struct json_object *tot = get(rep, "totals");
	expect_sums(tot, &all, "totals");
	cr_expect_eq(geti(tot, "malformed_lines"), 0);
	struct json_object *ss = get(rep, "sessions");
	size_t listed = 0;
	for (size_t i = 0; i < nsessions; i++)
		listed += per[i].requests > 0;
	cr_assert_eq(json_object_array_length(ss), listed, "sessions: %zu want %zu", json_object_array_length(ss), listed);
	for (size_t k = 0; k < json_object_array_length(ss); k++) {
		struct json_object *s = json_object_array_get_idx(ss, k);
		const char *id = json_object_get_string(get(s, "id"));
		size_t i = 0;
		while (i < nsessions && strcmp(sessions[i].id, id))
			i++;
		cr_assert_lt(i, nsessions, "a session that was never written: %s", id);
		cr_expect_str_eq(json_object_get_string(get(s, "agent")), "gemini");
		cr_expect_str_eq(json_object_get_string(get(s, "project")), sessions[i].project);
		expect_sums(s, &per[i], id);
		cr_expect_eq(geti(get(s, "subagents"), "requests"), per[i].sub, "%s sub-agent requests", id);
	}
	json_object_put(rep);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}
