/* test_openmetrics.c — report_openmetrics over a model fed synthetic Claude lines: the figures
 * per agent and project match what was fed (and the design's waste rule), label values are
 * escaped, the output does not depend on the order files are read, and the text is valid: an
 * in-test parser of the text exposition format checks every line, and promtool (when installed)
 * checks and lints it. */
#include <criterion/criterion.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/report.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

/* ---- a validator for the text format ---------------------------------------------------- */

struct om_check {
	char err[256];
	char *families[64];
	char *types[64];
	bool helped[64];
	size_t nfam;
	char **series;
	size_t nseries;
};

static void om_check_free(struct om_check *c)
{
	for (size_t i = 0; i < c->nfam; i++)
		free(c->families[i]), free(c->types[i]);
	for (size_t i = 0; i < c->nseries; i++)
		free(c->series[i]);
	free(c->series);
}

static size_t om_name_len(const char *p)
{
	size_t n = 0;
	if (!(isalpha((unsigned char)p[0]) || p[0] == '_' || p[0] == ':'))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == ':')
		n++;
	return n;
}

static int om_fail(struct om_check *c, size_t lineno, const char *what)
{
	snprintf(c->err, sizeof c->err, "line %zu: %s", lineno, what);
	return -1;
}

static long om_family_index(const struct om_check *c, const char *name, size_t n)
{
	for (size_t i = 0; i < c->nfam; i++)
		if (strlen(c->families[i]) == n && strncmp(c->families[i], name, n) == 0)
			return (long)i;
	return -1;
}

/* One sample line: name{l="v",…} value. cur is the family of the last TYPE line. */
static int om_sample(struct om_check *c, const char *line, size_t lineno, long cur)
{
	size_t n = om_name_len(line);
	if (!n)
		return om_fail(c, lineno, "bad metric name");
	if (cur < 0 || strlen(c->families[cur]) != n || strncmp(c->families[cur], line, n) != 0)
		return om_fail(c, lineno, "sample outside its family (no TYPE line before it)");
	const char *p = line + n;
	char labelnames[16][64];
	size_t nlabels = 0;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t ln = om_name_len(p);
			if (!ln || p[0] == ':' || ln >= 64)
				return om_fail(c, lineno, "bad label name");
			for (size_t i = 0; i < nlabels; i++)
				if (strlen(labelnames[i]) == ln && strncmp(labelnames[i], p, ln) == 0)
					return om_fail(c, lineno, "label repeated");
			if (nlabels == 16)
				return om_fail(c, lineno, "too many labels");
			memcpy(labelnames[nlabels], p, ln);
			labelnames[nlabels++][ln] = 0;
			p += ln;
			if (p[0] != '=' || p[1] != '"')
				return om_fail(c, lineno, "label without =\"value\"");
			p += 2;
			while (*p != '"') {
				if (!*p)
					return om_fail(c, lineno, "unterminated label value");
				if (*p == '\\') {
					if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
						return om_fail(c, lineno, "bad escape in a label value");
					p++;
				} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					return om_fail(c, lineno, "control character in a label value");
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return om_fail(c, lineno, "labels not separated by ,");
		}
		p++;
	}
	size_t key = (size_t)(p - line);
	if (*p != ' ')
		return om_fail(c, lineno, "no space before the value");
	p++;
	char *end;
	double v = strtod(p, &end);
	if (end == p || *end)
		return om_fail(c, lineno, "value is not a number");
	if (!isfinite(v))
		return om_fail(c, lineno, "value is not finite");
	if (strcmp(c->types[cur], "counter") == 0 && v < 0)
		return om_fail(c, lineno, "negative counter");
	for (size_t i = 0; i < c->nseries; i++)
		if (strlen(c->series[i]) == key && strncmp(c->series[i], line, key) == 0)
			return om_fail(c, lineno, "series repeated");
	c->series = realloc(c->series, (c->nseries + 1) * sizeof *c->series);
	c->series[c->nseries++] = strndup(line, key);
	return 0;
}

/* 0 when text is a well-formed exposition that ends with "# EOF"; else -1 and c->err. */
static int om_validate(const char *text, struct om_check *c)
{
	memset(c, 0, sizeof *c);
	size_t len = strlen(text), lineno = 0;
	long cur = -1;
	if (len == 0 || text[len - 1] != '\n')
		return om_fail(c, 0, "text does not end with a newline");
	bool eof = false;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		char *l = strndup(line, (size_t)(nl - line));
		lineno++;
		int rc = 0;
		if (eof) {
			rc = om_fail(c, lineno, "text after # EOF");
		} else if (strcmp(l, "# EOF") == 0) {
			eof = true;
		} else if (strncmp(l, "# HELP ", 7) == 0 || strncmp(l, "# TYPE ", 7) == 0) {
			const char *name = l + 7;
			size_t n = om_name_len(name);
			if (!n || name[n] != ' ' || !name[n + 1]) {
				rc = om_fail(c, lineno, "bad HELP/TYPE line");
			} else {
				long fi = om_family_index(c, name, n);
				if (l[2] == 'H') {
					if (fi >= 0 && c->helped[fi])
						rc = om_fail(c, lineno, "HELP repeated");
					for (const char *h = name + n + 1; !rc && *h; h++)
						if (*h == '\\' && h[1] != '\\' && h[1] != 'n')
							rc = om_fail(c, lineno, "bad escape in HELP");
						else if (*h == '\\')
							h++;
					if (!rc && fi < 0) {
						if (c->nfam == 64)
							rc = om_fail(c, lineno, "too many families");
						else
							fi = (long)c->nfam++, c->families[fi] = strndup(name, n),
							c->types[fi] = NULL;
					}
					if (!rc)
						c->helped[fi] = true;
				} else {
					const char *t = name + n + 1;
					if (strcmp(t, "counter") && strcmp(t, "gauge") && strcmp(t, "untyped") &&
					    strcmp(t, "summary") && strcmp(t, "histogram"))
						rc = om_fail(c, lineno, "unknown TYPE");
					else if (fi >= 0 && c->types[fi])
						rc = om_fail(c, lineno, "TYPE repeated");
					else if (fi < 0 && c->nfam == 64)
						rc = om_fail(c, lineno, "too many families");
					else {
						if (fi < 0)
							fi = (long)c->nfam++, c->families[fi] = strndup(name, n);
						c->types[fi] = strdup(t);
						cur = fi;
					}
				}
			}
		} else if (l[0] == '#') {
			rc = om_fail(c, lineno, "unexpected comment");
		} else {
			rc = om_sample(c, l, lineno, cur);
		}
		free(l);
		if (rc)
			return -1;
		line = nl + 1;
	}
	if (!eof)
		return om_fail(c, lineno, "no # EOF line");
	for (size_t i = 0; i < c->nfam; i++)
		if (!c->helped[i] || !c->types[i])
			return om_fail(c, 0, "a family without HELP or TYPE");
	return 0;
}

static bool om_valid(const char *text)
{
	struct om_check c;
	int rc = om_validate(text, &c);
	om_check_free(&c);
	return rc == 0;
}

Test(om_validator, accepts_good_and_rejects_bad_text)
{
	const char *good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\\\\\\n\",y=\"\"} 3\n"
			   "a_total{x=\"r\"} 0.5\n# HELP g G.\n# TYPE g gauge\ng -1\n# EOF\n";
	struct om_check c;
	cr_expect_eq(om_validate(good, &c), 0, "%s", c.err);
	om_check_free(&c);
	static const char *const bad[] = {
		"# HELP a A.\n# TYPE a gauge\na 1\n",                          /* no EOF */
		"# HELP a A.\n# TYPE a gauge\na 1\n# EOF\na 2\n",              /* after EOF */
		"a 1\n# EOF\n",                                                /* no TYPE */
		"# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n# EOF\n",        /* bad escape */
		"# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n# EOF\n", /* repeated */
		"# HELP a A.\n# TYPE a counter\na -1\n# EOF\n",                /* negative counter */
		"# HELP a A.\n# TYPE a gauge\na{x=\"1} 1\n# EOF\n",            /* unterminated */
		"# HELP a A.\n# TYPE a gauge\na NaN\n# EOF\n",                 /* not finite */
		"# HELP a A.\n# TYPE a gauge\nb 1\n# EOF\n",                   /* wrong family */
		"# TYPE a gauge\na 1\n# EOF\n",                                /* no HELP */
		"# HELP a A.\n# TYPE a gauge\na 1x\n# EOF\n",                  /* bad value */
		"# HELP a A.\n# TYPE a gauge\na{x=\"1\" y=\"2\"} 1\n# EOF\n",  /* no comma */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect(!om_valid(bad[i]), "accepted bad text #%zu:\n%s", i, bad[i]);
}

/* ---- the model -------------------------------------------------------------------------- */

#define API_CWD "/home/dev/api \\\"quoted\\\" \\\\ path"   /* JSON for: /home/dev/api "quoted" \ path */
#define API_LABEL "project=\"/home/dev/api \\\"quoted\\\" \\\\ path\""
#define WEB_LABEL "project=\"/home/dev/web\""

static void feed_assistant(struct model *m, uint32_t file, const char *session, const char *cwd,
			   int n, const char *time, unsigned input, unsigned cc5m, unsigned read,
			   unsigned output)
{
	char line[2048];
	char parent[32] = "null";
	if (n > 1)
		snprintf(parent, sizeof parent, "\"%s-u%d\"", session, n - 1);
	int len = snprintf(line, sizeof line,
		"{\"type\":\"assistant\",\"uuid\":\"%s-u%d\",\"parentUuid\":%s,\"sessionId\":\"%s\","
		"\"timestamp\":\"2026-11-21T%sZ\",\"version\":\"2.1.0\",\"cwd\":\"%s\",\"isSidechain\":false,"
		"\"userType\":\"external\",\"requestId\":\"req_%s_%d\",\"message\":{\"id\":\"msg_%s_%d\","
		"\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
		"\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"usage\":{"
		"\"input_tokens\":%u,\"cache_creation_input_tokens\":%u,\"cache_read_input_tokens\":%u,"
		"\"output_tokens\":%u,\"cache_creation\":{\"ephemeral_5m_input_tokens\":%u,"
		"\"ephemeral_1h_input_tokens\":0}}}}",
		session, n, parent, session, time, cwd, session, n, session, n, input, cc5m, read, output,
		cc5m);
	cr_assert(len > 0 && (size_t)len < sizeof line);
	model_feed(m, file, line, (size_t)len);
}

/* Session api: a cold first request, a warm one, then a miss 60 s later with nothing to explain
 * it (unexplained_miss). Session web: one small request (below the 1,024-token floor, no event).
 * Session odd: a cwd with an escape sequence and a newline. */
static struct model *build(bool web_first)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	uint32_t api = 0, web = 0, odd = 0;
	if (web_first) {
		web = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-web/web.jsonl", false);
		odd = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-odd/odd.jsonl", false);
		api = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-api/api.jsonl", false);
		feed_assistant(m, web, "web", "/home/dev/web", 1, "10:05:00.000", 5, 0, 0, 10);
		feed_assistant(m, odd, "odd", "/home/dev/o\\u001b[31md\\nx", 1, "10:06:00.000", 7, 0, 0, 1);
	} else {
		api = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-api/api.jsonl", false);
		web = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-web/web.jsonl", false);
		odd = model_file_add(m, AGENT_CLAUDE, "/r/projects/-home-dev-odd/odd.jsonl", false);
	}
	feed_assistant(m, api, "api", API_CWD, 1, "10:00:00.000", 10, 10000, 0, 100);
	feed_assistant(m, api, "api", API_CWD, 2, "10:01:00.000", 20, 500, 10000, 200);
	feed_assistant(m, api, "api", API_CWD, 3, "10:02:00.000", 30, 10600, 0, 300);
	if (!web_first) {
		feed_assistant(m, web, "web", "/home/dev/web", 1, "10:05:00.000", 5, 0, 0, 10);
		feed_assistant(m, odd, "odd", "/home/dev/o\\u001b[31md\\nx", 1, "10:06:00.000", 7, 0, 0, 1);
	}
	return m;
}

static char *render(const struct model *m, const struct official_reading *off)
{
	struct report_ctx c = { 0 };
	cr_assert_eq(rfc3339_parse("2026-11-21T10:30:00Z", 20, &c.now), 0);
	c.quota.limit_auto = false;
	c.quota.limit = 10.0;
	c.quota.unit = QUOTA_USD;
	c.official = off;
	struct buf b = { 0 };
	report_openmetrics(m, &c, &b);
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* The value of one series (exact name and label text), NAN when absent. */
static double value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return NAN;
}

Test(openmetrics, figures_per_agent_and_project)
{
	struct model *m = build(false);
	struct official_reading off = { .present = true, .observed_at = 0, .five_hour_pct = 42.5,
				       .five_hour_resets_at = CT_TIME_NONE, .seven_day_pct = -1,
				       .seven_day_resets_at = CT_TIME_NONE };
	char *t = render(m, &off);
	cr_log_info("%s", t);

	cr_expect_eq(value(t, "cachetop_requests_total{agent=\"claude\"," API_LABEL "}"), 3);
	cr_expect_eq(value(t, "cachetop_requests_total{agent=\"claude\"," WEB_LABEL "}"), 1);
	cr_expect_eq(value(t, "cachetop_tokens_total{agent=\"claude\"," API_LABEL ",kind=\"input\"}"), 60);
	cr_expect_eq(value(t, "cachetop_tokens_total{agent=\"claude\"," API_LABEL ",kind=\"output\"}"), 600);
	cr_expect_eq(value(t, "cachetop_tokens_total{agent=\"claude\"," API_LABEL ",kind=\"cache_read\"}"),
		     10000);
	cr_expect_eq(value(t, "cachetop_tokens_total{agent=\"claude\"," API_LABEL
			      ",kind=\"cache_creation_5m\"}"), 21100);
	cr_expect_eq(value(t, "cachetop_tokens_total{agent=\"claude\"," API_LABEL
			      ",kind=\"cache_creation_1h\"}"), 0);
	double hit = value(t, "cachetop_cache_hit_ratio{agent=\"claude\"," API_LABEL "}");
	cr_expect(fabs(hit - 10000.0 / 31160.0) < 1e-9, "hit ratio %g", hit);
	cr_expect_eq(value(t, "cachetop_cache_hit_ratio{agent=\"claude\"," WEB_LABEL "}"), 0);

	cr_expect_eq(value(t, "cachetop_cache_events_total{agent=\"claude\"," API_LABEL
			      ",cause=\"first_request\"}"), 1);
	cr_expect_eq(value(t, "cachetop_cache_events_total{agent=\"claude\"," API_LABEL
			      ",cause=\"unexplained_miss\"}"), 1);
	cr_expect(isnan(value(t, "cachetop_cache_events_total{agent=\"claude\"," WEB_LABEL
				 ",cause=\"first_request\"}")), "a 15-token request is not cold");
	cr_expect_eq(value(t, "cachetop_unexpected_misses_total{agent=\"claude\"," API_LABEL
			      ",cause=\"unexplained_miss\"}"), 1);
	cr_expect_eq(value(t, "cachetop_unexpected_misses_total{agent=\"claude\"," API_LABEL
			      ",cause=\"resume_miss\"}"), 0);
	cr_expect_eq(value(t, "cachetop_unexpected_misses_total{agent=\"claude\"," WEB_LABEL
			      ",cause=\"unexplained_miss\"}"), 0);
	/* design.md: wasted = min(cache_creation, max(0, E - cache_read)), E = 10000 + 500. */
	cr_expect_eq(value(t, "cachetop_wasted_tokens_total{agent=\"claude\"," API_LABEL "}"), 10500);
	cr_expect_gt(value(t, "cachetop_wasted_usd_total{agent=\"claude\"," API_LABEL "}"), 0);

	/* The cost is the model's own, summed per project. */
	double cost = 0;
	for (size_t i = 0; i < model_request_count(m); i++) {
		const struct request *r = model_request(m, i);
		const struct session *s = model_session(m, r->session);
		if (s->project && strcmp(s->project, "/home/dev/api \"quoted\" \\ path") == 0)
			cost += model_request_cost(m, r);
	}
	cr_expect_gt(cost, 0, "claude-sonnet-4-5 should have a price");
	double got = value(t, "cachetop_cost_usd_total{agent=\"claude\"," API_LABEL "}");
	cr_expect(fabs(got - cost) <= 1e-9 * cost + 1e-12, "cost %.12g, model says %.12g", got, cost);

	cr_expect_eq(value(t, "cachetop_five_hour_used_percent{agent=\"claude\",source=\"official\"}"), 42.5);
	double est = value(t, "cachetop_five_hour_used_percent{agent=\"claude\",source=\"estimated\"}");
	cr_expect(est > 0, "estimated percent with a $10 limit: %g", est);
	cr_expect(isnan(value(t, "cachetop_five_hour_used_percent{agent=\"codex\",source=\"official\"}")));
	cr_expect(strstr(t, "agent=\"codex\"") == NULL, "no Codex data, no Codex series");

	free(t);
	model_free(m);
}

Test(openmetrics, text_is_valid_and_escaped)
{
	struct model *m = build(false);
	char *t = render(m, NULL);
	struct om_check c;
	cr_expect_eq(om_validate(t, &c), 0, "%s\n%s", c.err, t);
	om_check_free(&c);
	size_t len = strlen(t);
	cr_expect(len > 6 && strcmp(t + len - 6, "# EOF\n") == 0, "must end with # EOF");
	cr_expect(strstr(t, "# EOF") == t + len - 6, "# EOF exactly once, at the end");
	cr_expect(strchr(t, '\033') == NULL, "an escape byte from a transcript reached the output");
	cr_expect(strstr(t, "# TYPE cachetop_requests_total counter\n"));
	cr_expect(strstr(t, "# TYPE cachetop_cache_hit_ratio gauge\n"));
	cr_expect(strstr(t, "# TYPE cachetop_five_hour_used_percent gauge\n"));
	cr_expect(strstr(t, "# HELP cachetop_wasted_usd_total "));
	free(t);
	model_free(m);
}

Test(openmetrics, independent_of_reading_order)
{
	struct model *a = build(false), *b = build(true);
	char *ta = render(a, NULL), *tb = render(b, NULL);
	cr_expect_str_eq(ta, tb);
	free(ta);
	free(tb);
	model_free(a);
	model_free(b);
}

Test(openmetrics, empty_model_is_still_valid)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	char *t = render(m, NULL);
	cr_expect(om_valid(t), "%s", t);
	cr_expect(strstr(t, "cachetop_requests_total{") == NULL);
	free(t);
	model_free(m);
}

Test(openmetrics, promtool_accepts_it)
{
#ifndef PROMTOOL
	cr_skip_test("promtool is not installed (apt-get install prometheus)");
#else
	struct model *m = build(false);
	char *t = render(m, NULL);
	char path[] = "/tmp/cachetop-om-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs(t, f);
	fclose(f);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "'%s' check metrics < '%s' 2>&1", PROMTOOL, path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	int st = pclose(p);
	unlink(path);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "promtool check metrics failed:\n%s", out);
	cr_expect_str_empty(out, "promtool lint:\n%s", out);
	free(t);
	model_free(m);
#endif
}
