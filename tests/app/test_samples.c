/* test_samples.c — acceptance over the bundled samples, through the real binary: `cachetop
 * report --json` must agree with samples/expected.json, which the sample generator derived from
 * its own plan and checked with an independent re-read (not from cachetop). Covers the published
 * seed measurement (two resume misses, two TTL expiries, −56 pp and −99 pp pairs), every other
 * scenario's cause, the Gemini CLI root, the totals, and report-schema's shape. */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_json.h"
#include "ocbuild.h"

static struct json_object *load_file(const char *path)
{
	struct json_object *o = json_object_from_file(path);
	cr_assert_not_null(o, "cannot read %s", path);
	return o;
}

/* Run the binary on the roots given (NULL: none) and parse its stdout as JSON. */
static struct json_object *run_report(const char *claude, const char *codex, const char *gemini)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' report --json --now 2026-11-21T00:00:00Z%s%s%s%s%s%s%s%s%s", CACHETOP_BIN,
		 claude ? " --claude-dir '" : "", claude ? claude : "", claude ? "'" : "",
		 codex ? " --codex-dir '" : "", codex ? codex : "", codex ? "'" : "",
		 gemini ? " --gemini-dir '" : "", gemini ? gemini : "", gemini ? "'" : "");
	return run_json(cmd);
}


static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	cr_assert(json_object_object_get_ex(o, k, &v), "missing field %s", k);
	return v;
}

static int64_t geti(struct json_object *o, const char *k) { return json_object_get_int64(get(o, k)); }
static double getd(struct json_object *o, const char *k) { return json_object_get_double(get(o, k)); }
static const char *gets(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);
	return json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
}

static void check_totals(struct json_object *want, struct json_object *got)
{
	const char *keys[] = {"requests", "input_tokens", "output_tokens", "cache_creation_tokens",
			      "cache_creation_5m_tokens", "cache_creation_1h_tokens", "cache_read_tokens"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cr_expect_eq(geti(got, keys[i]), geti(want, keys[i]), "%s: got %lld want %lld", keys[i],
			     (long long)geti(got, keys[i]), (long long)geti(want, keys[i]));
}

/* Every expected event must be in the report with the same cause and numbers. */
static void check_events(struct json_object *want, struct json_object *got)
{
	size_t nw = json_object_array_length(want), ng = json_object_array_length(got);
	for (size_t i = 0; i < nw; i++) {
		struct json_object *w = json_object_array_get_idx(want, i);
		const char *at = gets(w, "at");
		struct json_object *g = NULL;
		for (size_t k = 0; k < ng && !g; k++) {
			struct json_object *x = json_object_array_get_idx(got, k);
			if (!strcmp(gets(x, "at"), at) && !strcmp(gets(x, "kind"), gets(w, "kind")))
				g = x;
		}
		cr_assert_not_null(g, "no %s event at %s", gets(w, "kind"), at);
		cr_expect_eq(json_object_get_boolean(get(g, "expected")), json_object_get_boolean(get(w, "expected")),
			     "%s: expected flag", at);
		cr_expect_eq(geti(g, "cache_read_tokens"), geti(w, "cache_read_tokens"), "%s: cache_read", at);
		cr_expect_eq(geti(g, "cache_creation_tokens"), geti(w, "cache_creation_tokens"), "%s: cache_creation", at);
		struct json_object *wg = get(w, "gap_s");
		if (!json_object_is_type(wg, json_type_null))
			cr_expect(fabs(getd(g, "gap_s") - json_object_get_double(wg)) < 0.01, "%s: gap %f vs %f", at,
				  getd(g, "gap_s"), json_object_get_double(wg));
		struct json_object *we = get(w, "expected_prefix_tokens");
		if (!json_object_is_type(we, json_type_null))
			cr_expect_eq(geti(g, "expected_prefix_tokens"), json_object_get_int64(we), "%s: E", at);
		/* lineage is asserted for resumes; a spawned Codex sub-agent is a chain of its parent
		 * session here, so its first request names no predecessor session */
		const char *wr = gets(w, "resumed_from");
		if (wr && strncmp(gets(w, "kind"), "resume_", 7) == 0)
			cr_expect(gets(g, "resumed_from") && !strcmp(gets(g, "resumed_from"), wr), "%s: resumed_from", at);
	}
}

static void check_pairs(struct json_object *want, struct json_object *got)
{
	cr_assert_eq(json_object_array_length(got), 5);
	for (size_t i = 0; i < 5; i++) {
		struct json_object *w = json_object_array_get_idx(want, i), *g = json_object_array_get_idx(got, i);
		cr_expect_str_eq(gets(g, "gap_bucket"), gets(w, "gap_bucket"));
		cr_expect_eq(geti(g, "baseline_requests"), geti(w, "baseline_requests"), "%s baseline n", gets(w, "gap_bucket"));
		cr_expect_eq(geti(g, "resume_requests"), geti(w, "resume_requests"), "%s resume n", gets(w, "gap_bucket"));
		const char *rates[] = {"baseline_hit_rate", "resume_hit_rate"};
		for (int k = 0; k < 2; k++) {
			struct json_object *wv = get(w, rates[k]), *gv = get(g, rates[k]);
			cr_expect_eq(json_object_is_type(gv, json_type_null), json_object_is_type(wv, json_type_null));
			if (!json_object_is_type(wv, json_type_null))
				cr_expect(fabs(json_object_get_double(gv) - json_object_get_double(wv)) < 1e-5, "%s %s",
					  gets(w, "gap_bucket"), rates[k]);
		}
	}
}

Test(samples, whole_tree_matches_expectations)
{
	struct json_object *exp = load_file(SAMPLES_DIR "/expected.json");
	struct json_object *rep = run_report(SAMPLES_DIR "/claude", SAMPLES_DIR "/codex", NULL);
	check_totals(get(get(exp, "all"), "totals"), get(rep, "totals"));
	struct json_object *events = get(rep, "events");
	size_t want = json_object_array_length(get(get(exp, "claude"), "events")) +
		      json_object_array_length(get(get(exp, "codex"), "events"));
	cr_expect_eq(json_object_array_length(events), want, "events: got %zu want %zu",
		     json_object_array_length(events), want);
	check_events(get(get(exp, "claude"), "events"), events);
	check_events(get(get(exp, "codex"), "events"), events);
	check_pairs(get(get(exp, "all"), "pairs"), get(rep, "pairs"));
	cr_expect_eq(geti(get(rep, "totals"), "malformed_lines"), 0);
	json_object_put(exp);
	json_object_put(rep);
}

/* The published measurement, reproduced: only the seed project, read on its own. */
Test(samples, seed_measurement)
{
	char tmp[] = "/tmp/cachetop-seed-XXXXXX";
	cr_assert_not_null(mkdtemp(tmp));
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/projects' && cp -r '%s/claude/projects/-home-dev-src-api' '%s/projects/'",
		 tmp, SAMPLES_DIR, tmp);
	cr_assert_eq(system(cmd), 0);
	struct json_object *exp = get(load_file(SAMPLES_DIR "/expected.json"), "seed");
	struct json_object *rep = run_report(tmp, "/nonexistent-codex-root", NULL);
	check_totals(get(exp, "totals"), get(rep, "totals"));
	check_events(get(exp, "events"), get(rep, "events"));
	check_pairs(get(exp, "pairs"), get(rep, "pairs"));

	/* the headline figures, stated as published */
	struct json_object *pairs = get(rep, "pairs");
	double d5 = getd(json_object_array_get_idx(pairs, 0), "delta_pp");
	double d30 = getd(json_object_array_get_idx(pairs, 2), "delta_pp");
	cr_expect(fabs(d5 - -56.0) < 0.5, "<5m delta %.2f pp, published −56", d5);
	cr_expect(fabs(d30 - -99.0) < 0.5, "15-30m delta %.2f pp, published −99", d30);
	size_t resume_miss = 0, ttl = 0, unexpected = 0;
	struct json_object *events = get(rep, "events");
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		resume_miss += !strcmp(gets(e, "kind"), "resume_miss");
		ttl += !strcmp(gets(e, "kind"), "ttl_expiry");
		unexpected += !json_object_get_boolean(get(e, "expected"));
	}
	cr_expect_eq(resume_miss, 2);
	cr_expect_eq(ttl, 2);
	cr_expect_eq(unexpected, 2);
	struct json_object *tot = get(rep, "totals");
	double ratio = (double)geti(tot, "cache_creation_tokens") / (double)geti(tot, "output_tokens");
	cr_expect(fabs(ratio - 4.52) < 0.01, "creation/output %.3f", ratio);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
	json_object_put(rep);
}

/* report-schema.md: every field present with its type (nullable where the schema says so). */
Test(samples, report_json_follows_the_schema)
{
	struct json_object *rep = run_report(SAMPLES_DIR "/claude", SAMPLES_DIR "/codex", NULL);
	cr_expect_eq(geti(rep, "version"), 1);
	cr_expect(json_object_is_type(get(rep, "generated_at"), json_type_string));
	struct json_object *roots = get(rep, "roots");
	cr_assert_eq(json_object_array_length(roots), 2);
	for (size_t i = 0; i < 2; i++) {
		struct json_object *r = json_object_array_get_idx(roots, i);
		cr_expect(json_object_is_type(get(r, "kind"), json_type_string));
		cr_expect(json_object_is_type(get(r, "path"), json_type_string));
		cr_expect(json_object_is_type(get(r, "files"), json_type_int));
	}
	const char *tot_ints[] = {"requests", "input_tokens", "output_tokens", "cache_creation_tokens",
				  "cache_creation_5m_tokens", "cache_creation_1h_tokens", "cache_read_tokens",
				  "wasted_tokens", "duplicate_lines_dropped", "malformed_lines"};
	const char *tot_nums[] = {"hit_rate", "cost_usd", "wasted_usd"};
	struct json_object *tot = get(rep, "totals");
	for (size_t i = 0; i < sizeof tot_ints / sizeof *tot_ints; i++)
		cr_expect(json_object_is_type(get(tot, tot_ints[i]), json_type_int), "totals.%s", tot_ints[i]);
	for (size_t i = 0; i < sizeof tot_nums / sizeof *tot_nums; i++)
		cr_expect(json_object_is_type(get(tot, tot_nums[i]), json_type_double), "totals.%s", tot_nums[i]);
	struct json_object *sessions = get(rep, "sessions");
	cr_assert_gt(json_object_array_length(sessions), 0);
	const char *last = "";
	for (size_t i = 0; i < json_object_array_length(sessions); i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i);
		const char *strs[] = {"id", "agent", "first_at", "last_at"};
		for (size_t k = 0; k < 4; k++)
			cr_expect(json_object_is_type(get(s, strs[k]), json_type_string), "sessions.%s", strs[k]);
		const char *nullable_strs[] = {"project", "title", "resumed_from"};
		for (size_t k = 0; k < 3; k++) {
			struct json_object *v = get(s, nullable_strs[k]);
			cr_expect(json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_null));
		}
		cr_expect(json_object_is_type(get(s, "files"), json_type_array));
		cr_expect(json_object_is_type(get(s, "models"), json_type_array));
		for (size_t k = 0; k < 7; k++)
			cr_expect(json_object_is_type(get(s, tot_ints[k]), json_type_int));
		get(s, "hit_rate"), get(s, "cost_usd"), get(s, "wasted_tokens"), get(s, "wasted_usd");
		get(s, "creation_output_ratio");
		cr_expect(strcmp(gets(s, "first_at"), last) >= 0, "sessions sorted by first_at");
		last = gets(s, "first_at");
	}
	struct json_object *events = get(rep, "events");
	last = "";
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		const char *fields[] = {"at", "session", "agent", "kind", "expected", "gap_s", "ttl_s", "hit_rate",
					"previous_hit_rate", "expected_prefix_tokens", "cache_read_tokens",
					"cache_creation_tokens", "wasted_tokens", "wasted_usd", "rebuild_usd", "resumed_from"};
		for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
			get(e, fields[k]);
		bool unexpected = !strcmp(gets(e, "kind"), "resume_miss") || !strcmp(gets(e, "kind"), "unexplained_miss");
		cr_expect_eq(json_object_get_boolean(get(e, "expected")), !unexpected);
		cr_expect(strcmp(gets(e, "at"), last) >= 0, "events sorted by at");
		last = gets(e, "at");
	}
	struct json_object *blocks = get(rep, "blocks");
	cr_assert_gt(json_object_array_length(blocks), 0);
	for (size_t i = 0; i < json_object_array_length(blocks); i++) {
		struct json_object *b = json_object_array_get_idx(blocks, i);
		const char *fields[] = {"agent", "start", "end", "requests", "input_tokens", "output_tokens",
					"cache_creation_tokens", "cache_read_tokens", "cost_usd", "wasted_usd"};
		for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
			get(b, fields[k]);
	}
	struct json_object *quota = get(rep, "quota");
	struct json_object *cl = get(quota, "claude"), *cx = get(quota, "codex");
	const char *clf[] = {"block_start", "used", "limit", "unit", "percent", "official_percent", "resets_at",
			     "burn_per_min", "projected_percent", "limit_at"};
	for (size_t k = 0; k < sizeof clf / sizeof *clf; k++)
		get(cl, clf[k]);
	const char *cxf[] = {"percent", "window_minutes", "resets_at", "weekly_percent", "weekly_resets_at", "observed_at"};
	for (size_t k = 0; k < sizeof cxf / sizeof *cxf; k++)
		get(cx, cxf[k]);
	json_object_put(rep);
}

/* The Gemini CLI root alone: every request once (the folder copy, the legacy document's
 * continuation, re-appended turns and checkpoints dropped as duplicates), its events with their
 * waste at implicit-cache prices, and the sessions with their sub-agent traffic. */
Test(samples, gemini_root_matches_expectations)
{
	struct json_object *top = load_file(SAMPLES_DIR "/expected.json"), *exp = get(top, "gemini");
	struct json_object *rep = run_report(NULL, NULL, SAMPLES_DIR "/gemini");
	struct json_object *tot = get(rep, "totals");
	check_totals(get(exp, "totals"), tot);
	cr_expect(fabs(getd(tot, "cost_usd") - getd(get(exp, "totals"), "cost_usd")) < 1e-9, "cost %.9f", getd(tot, "cost_usd"));
	cr_expect_eq(geti(tot, "duplicate_lines_dropped"), geti(exp, "duplicate_lines"));
	cr_expect_eq(geti(tot, "malformed_lines"), 0);
	struct json_object *roots = get(rep, "roots");
	cr_assert_eq(json_object_array_length(roots), 1);
	cr_expect_str_eq(gets(json_object_array_get_idx(roots, 0), "kind"), "gemini");
	cr_expect_eq(geti(json_object_array_get_idx(roots, 0), "files"), geti(exp, "files"), "the activity log is no recording");
	struct json_object *events = get(rep, "events"), *wev = get(exp, "events");
	cr_expect_eq(json_object_array_length(events), json_object_array_length(wev));
	check_events(wev, events);
	for (size_t i = 0; i < json_object_array_length(wev); i++) {
		struct json_object *w = json_object_array_get_idx(wev, i), *g = NULL, *v;
		if (!json_object_object_get_ex(w, "wasted_tokens", &v))
			continue;
		for (size_t k = 0; k < json_object_array_length(events) && !g; k++)
			if (!strcmp(gets(json_object_array_get_idx(events, k), "at"), gets(w, "at")))
				g = json_object_array_get_idx(events, k);
		cr_assert_not_null(g);
		cr_expect_str_eq(gets(g, "agent"), "gemini");
		cr_expect_eq(geti(g, "wasted_tokens"), json_object_get_int64(v), "%s wasted", gets(w, "at"));
		cr_expect(fabs(getd(g, "wasted_usd") - getd(w, "wasted_usd")) < 1e-9, "%s wasted_usd", gets(w, "at"));
	}
	check_pairs(get(exp, "pairs"), get(rep, "pairs"));
	struct json_object *ss = get(rep, "sessions"), *ws = get(exp, "sessions");
	cr_assert_eq(json_object_array_length(ss), (size_t)json_object_object_length(ws));
	for (size_t i = 0; i < json_object_array_length(ss); i++) {
		struct json_object *s = json_object_array_get_idx(ss, i), *w;
		cr_assert(json_object_object_get_ex(ws, gets(s, "id"), &w), "unexpected session %s", gets(s, "id"));
		check_totals(w, s);
		cr_expect_str_eq(gets(s, "agent"), "gemini");
		cr_expect_str_eq(gets(s, "title"), gets(w, "title"));
		cr_expect_str_eq(gets(s, "project"), gets(w, "project"));
		cr_expect_eq((int64_t)json_object_array_length(get(s, "files")), geti(w, "files"), "%s files", gets(s, "id"));
		cr_expect_eq(geti(get(s, "subagents"), "requests"), geti(w, "subagent_requests"));
		cr_expect(fabs(getd(s, "cost_usd") - getd(w, "cost_usd")) < 1e-9, "%s cost", gets(s, "id"));
	}
	json_object_put(rep);
	json_object_put(top);
}

/* All three roots together: the agents add up, and pairs are computed over everything. */
Test(samples, three_roots_add_up)
{
	struct json_object *all = load_file(SAMPLES_DIR "/expected.json");
	struct json_object *rep = run_report(SAMPLES_DIR "/claude", SAMPLES_DIR "/codex", SAMPLES_DIR "/gemini");
	check_totals(get(get(all, "all_agents"), "totals"), get(rep, "totals"));
	size_t want = json_object_array_length(get(get(all, "claude"), "events")) +
		      json_object_array_length(get(get(all, "codex"), "events")) +
		      json_object_array_length(get(get(all, "gemini"), "events"));
	cr_expect_eq(json_object_array_length(get(rep, "events")), want);
	check_pairs(get(get(all, "all_agents"), "pairs"), get(rep, "pairs"));
	/* the quota object keeps its two members: Gemini CLI records no official limits */
	cr_expect_eq(json_object_object_length(get(rep, "quota")), 2);
	json_object_put(all);
	json_object_put(rep);
}

/* The opencode data folder (built from samples/opencode as gen_samples.py --opencode-db builds
 * it, its writer left open): requests from the database, the rows only in its -wal among them,
 * sub-agents in their parent's session, a compaction, the aborted and shell-command replies not
 * counted, the legacy copies of the imported session dropped, the legacy-only session counted. */
Test(samples, opencode_data_folder_matches_expectations)
{
	char tmp[] = "/tmp/cachetop-oc-XXXXXX";
	cr_assert_not_null(mkdtemp(tmp));
	sqlite3 *w = ocb_build(tmp);
	struct json_object *all = load_file(SAMPLES_DIR "/expected.json");
	struct json_object *exp = get(all, "opencode");
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' report --json --now 2026-11-21T00:00:00Z --opencode-dir '%s'", CACHETOP_BIN, tmp);
	struct json_object *rep = run_json(cmd);
	struct json_object *tot = get(rep, "totals");
	check_totals(get(exp, "totals"), tot);
	cr_expect_eq(geti(tot, "synthetic_lines"), geti(exp, "synthetic_lines"));
	cr_expect_eq(geti(tot, "duplicate_lines_dropped"), geti(exp, "duplicate_lines_dropped"));
	cr_expect_eq(geti(tot, "lines"), geti(exp, "lines"));
	cr_expect_eq(geti(tot, "malformed_lines"), 0);
	struct json_object *events = get(rep, "events"), *want = get(exp, "events");
	cr_expect_eq(json_object_array_length(events), json_object_array_length(want));
	check_events(want, events);
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		cr_expect_str_eq(gets(e, "agent"), "opencode");
		for (size_t k = 0; k < json_object_array_length(want); k++) {
			struct json_object *x = json_object_array_get_idx(want, k);
			if (!strcmp(gets(x, "at"), gets(e, "at"))) {
				cr_expect_str_eq(gets(e, "session"), gets(x, "session"));
				cr_expect_eq(json_object_get_boolean(get(e, "subagent")), json_object_get_boolean(get(x, "subagent")));
				cr_expect_str_eq(gets(e, "model"), gets(x, "model"));
				cr_expect_eq(geti(e, "ttl_s"), geti(x, "ttl_s"));
			}
		}
	}
	check_pairs(get(exp, "pairs"), get(rep, "pairs"));
	struct json_object *sessions = get(rep, "sessions"), *ws = get(exp, "sessions");
	cr_expect_eq(json_object_array_length(sessions), (size_t)json_object_object_length(ws),
		     "sub-agent sessions are not sessions of their own");
	for (size_t i = 0; i < json_object_array_length(sessions); i++) {
		struct json_object *s = json_object_array_get_idx(sessions, i), *x = NULL;
		cr_assert(json_object_object_get_ex(ws, gets(s, "id"), &x), "unexpected session %s", gets(s, "id"));
		cr_expect_str_eq(gets(s, "agent"), "opencode");
		cr_expect_str_eq(gets(s, "title"), gets(x, "title"));
		cr_expect_str_eq(gets(s, "project"), gets(x, "project"));
		cr_expect_eq(geti(s, "requests"), geti(x, "requests"));
		cr_expect_eq(geti(get(s, "subagents"), "requests"), geti(x, "subagent_requests"));
		struct json_object *files = get(s, "files"), *wf = get(x, "files");
		cr_assert_eq(json_object_array_length(files), json_object_array_length(wf));
		const char *f = json_object_get_string(json_object_array_get_idx(files, 0));
		const char *base = strrchr(f, '/') + 1;
		cr_expect_str_eq(base, json_object_get_string(json_object_array_get_idx(wf, 0)));
	}
	cr_expect_str_eq(gets(json_object_array_get_idx(get(rep, "roots"), 0), "kind"), "opencode");
	/* quota has a member per agent with official limits: opencode records none */
	cr_expect_not(json_object_object_get_ex(get(rep, "quota"), "opencode", NULL));
	sqlite3_close(w);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
	json_object_put(all);
	json_object_put(rep);
}
