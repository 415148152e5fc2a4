/* test_conf_hostile.c — hostile YAML never crashes or hangs any loader: alias bombs ("billion
 * laughs"), recursive aliases, tabs, 100,000 levels of nesting, non-UTF-8 bytes, NUL bytes,
 * oversized input, empty files, directories and FIFOs; plus every saved fuzzer/regression input
 * in tests/conf/regress/. Each case checks the outcome (-1 with FILE:LINE:COL), not just survival. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cachetop/config.h"
#include "cachetop/price.h"
#include "cachetop/theme.h"
#include "conf_test.h"

struct outcome {
	int config, theme, prices;
	struct conf_err ec, et, ep;
};

static struct outcome run_all(const char *text, size_t n)
{
	struct outcome o;
	struct config c;
	struct theme t;
	struct price_table pt = { 0 };
	config_defaults(&c);
	o.config = config_load_mem(&c, "h.yaml", text, n, &o.ec);
	config_free(&c);
	o.theme = theme_load_mem(&t, "h.yaml", text, n, &o.et);
	o.prices = prices_load_mem(&pt, "h.yaml", text, n, &o.ep);
	price_table_free(&pt);
	return o;
}

static struct outcome run_str(const char *text) { return run_all(text, strlen(text)); }

static void assert_positioned(const struct conf_err *e)
{
	cr_assert(strncmp(e->msg, "h.yaml:", 7) == 0, "%s", e->msg);
	cr_assert_gt(e->line, 0, "%s", e->msg);
	cr_assert_gt(e->col, 0, "%s", e->msg);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nine levels of ten aliases each: 10^9 leaves if anything followed the aliases. */
static char *laughs(const char *tail)
{
	struct { char *p; size_t n, cap; } b = { 0 };
	FILE *f = open_memstream(&b.p, &b.n);
	fprintf(f, "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i <= 9; i++) {
		fprintf(f, "lol%d: &l%d [", i, i);
		for (int j = 0; j < 10; j++)
			fprintf(f, "%s*l%d", j ? ", " : "", i - 1);
		fprintf(f, "]\n");
	}
	fputs(tail, f);
	fclose(f);
	return b.p;
}

Test(hostile, billion_laughs_in_every_walked_key)
{
	static const char *tails[] = {
		"claude_dirs: [*l9, *l9, *l9]\ncodex_dirs: *l9\n",
		"roles: {resume: *l9, hit: *l9}\npalette: *l9\n",
		"models: *l9\n",
		"models: [{name: x, input: *l9}]\n",
		"thresholds: *l9\nquota: *l9\n",
	};
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		char *y = laughs(tails[i]);
		double t0 = now_s();
		struct outcome o = run_str(y);
		double dt = now_s() - t0;
		cr_assert_eq(o.config, -1);
		cr_assert_eq(o.theme, -1);
		cr_assert_eq(o.prices, -1);
		assert_positioned(&o.ec);
		cr_assert_lt(dt, 2.0, "case %zu took %.2fs", i, dt);
		free(y);
	}
}

Test(hostile, aliases_to_collections_refused_to_scalars_allowed)
{
	struct outcome o = run_str("d: &d [/a, /b]\nclaude_dirs: *d\ncodex_dirs: *d\n");
	cr_assert_eq(o.config, -1);
	cr_assert(strstr(o.ec.msg, "unknown key 'd'"), "%s", o.ec.msg);
	cr_assert(strstr(o.ec.msg, "(and 2 more)"), "the second use of the list is refused: %s", o.ec.msg);

	struct config c;
	struct conf_err e;
	config_defaults(&c);
	const char *y = "theme: &t nord\nprices: *t\n";
	cr_assert_eq(config_load_mem(&c, "h.yaml", y, strlen(y), &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.prices, "nord");
	config_free(&c);
}

Test(hostile, recursive_alias)
{
	struct outcome o = run_str("claude_dirs: &a [*a]\n");
	cr_assert_eq(o.config, -1);
	o = run_str("roles: &r {resume: *r}\n");
	cr_assert_eq(o.theme, -1);
	o = run_str("models: &m [*m]\n");
	cr_assert_eq(o.prices, -1);
	assert_positioned(&o.ep);
	o = run_str("&x {models: *x}\n");
	cr_assert_eq(o.prices, -1);
}

Test(hostile, tabs)
{
	struct outcome o = run_str("thresholds:\n\tcold_ratio: 0.5\n");
	cr_assert_eq(o.config, -1);
	assert_positioned(&o.ec);
	cr_assert_eq(o.ec.line, 2, "%s", o.ec.msg);
	cr_assert_eq(o.ec.col, 1, "%s", o.ec.msg);
	/* a tab after the colon is legal YAML: only indentation tabs are errors */
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(config_load_mem(&c, "h.yaml", "bell:\ttrue\n", 11, &e), 0, "%s", e.msg);
	cr_assert(c.bell);
	config_free(&c);
}

Test(hostile, deep_nesting_100000)
{
	const size_t depth = 100000;
	static const char *heads[] = { "claude_dirs: ", "roles: ", "models: ", "" };
	for (size_t h = 0; h < 4; h++) {
		for (int kind = 0; kind < 2; kind++) {
			size_t hl = strlen(heads[h]);
			char *y = malloc(hl + depth * 5 + 4);
			char *p = y;
			memcpy(p, heads[h], hl);
			p += hl;
			for (size_t i = 0; i < depth; i++) {
				if (kind == 0) {
					*p++ = '[';
				} else {
					memcpy(p, "{a: ", 4);
					p += 4;
				}
			}
			for (size_t i = 0; i < depth; i++)
				*p++ = kind == 0 ? ']' : '}';
			*p++ = '\n';
			*p = '\0';
			double t0 = now_s();
			struct outcome o = run_all(y, (size_t)(p - y));
			cr_assert_lt(now_s() - t0, 2.0);
			cr_assert_eq(o.config, -1);
			cr_assert_eq(o.theme, -1);
			cr_assert_eq(o.prices, -1);
			cr_assert(strstr(o.ec.msg, "nested deeper than"), "%s", o.ec.msg);
			assert_positioned(&o.ec);
			cr_assert_eq(o.ec.line, 1);
			free(y);
		}
	}
}

/* 100,000 levels of block nesting ("- - - … x") are linear in libyaml and simply refused by
 * the schema; legitimate flow nesting within the limit still parses. */
Test(hostile, deep_block_nesting_and_flow_within_limit)
{
	const size_t depth = 100000;
	char *y = malloc(depth * 2 + 32), *p = y;
	p += sprintf(p, "claude_dirs: \n  ");
	for (size_t i = 0; i < depth; i++) {
		*p++ = '-';
		*p++ = ' ';
	}
	p += sprintf(p, "x\n");
	struct outcome o = run_all(y, (size_t)(p - y));
	cr_assert_eq(o.config, -1);
	cr_assert(strstr(o.ec.msg, "claude_dirs"), "%s", o.ec.msg);
	free(y);
	/* brackets inside quotes and comments do not count toward the limit */
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	char q[2000];
	memset(q, 0, sizeof q);
	strcpy(q, "theme: '");
	memset(q + 8, '[', 600);
	strcat(q, "'\n# ");
	memset(q + strlen(q), '{', 600);
	strcat(q, "\nbell: [[[true]]]\n");
	cr_assert_eq(config_load_mem(&c, "q.yaml", q, strlen(q), &e), -1);
	cr_assert(strstr(e.msg, "q.yaml:3:7: bell: expected true or false, found a list"), "%s", e.msg);
	cr_assert_eq(strlen(c.theme), 600);
	config_free(&c);
}

Test(hostile, not_utf8)
{
	struct outcome o = run_str("bell: true\ntheme: caf\xe9\n");
	cr_assert_eq(o.config, -1);
	assert_positioned(&o.ec);
	cr_assert_eq(o.ec.line, 2, "%s", o.ec.msg);
	cr_assert_eq(o.ec.col, 11, "%s", o.ec.msg);
	o = run_str("\xff\xfe\xfd\n");
	cr_assert_eq(o.config, -1);
	cr_assert_eq(o.theme, -1);
	cr_assert_eq(o.prices, -1);
	/* an overlong encoding and a lone continuation byte */
	o = run_str("theme: \xc0\xaf\n");
	cr_assert_eq(o.config, -1);
	o = run_str("theme: \x80\n");
	cr_assert_eq(o.config, -1);
}

Test(hostile, nul_bytes)
{
	struct outcome o = run_all("theme: a\0b\n", 11);
	cr_assert_eq(o.config, -1, "a raw NUL is refused by the reader");
	o = run_str("theme: \"a\\0b\"\n");
	cr_assert_eq(o.config, -1);
	cr_assert(strstr(o.ec.msg, "NUL"), "%s", o.ec.msg);
	o = run_str("roles: {resume: \"fg=red\\0,bg=blue\"}\n");
	cr_assert_eq(o.theme, -1);
	o = run_str("models: [{name: \"x\\0y\", input: 1, output: 1, cache_read: 1, cache_write_5m: 1, cache_write_1h: 1}]\n");
	cr_assert_eq(o.prices, -1);
}

Test(hostile, oversized_and_long_values)
{
	size_t n = (5u << 20);
	char *big = malloc(n + 1);
	memset(big, '#', n);
	big[n] = '\0';
	struct outcome o = run_all(big, n);
	cr_assert_eq(o.config, -1);
	cr_assert(strstr(o.ec.msg, "too large"), "%s", o.ec.msg);
	/* a 1 MB key and a 1 MB colour name: messages stay bounded */
	size_t k = 1u << 20;
	memset(big, 'k', k);
	memcpy(big + k, ": 1\n", 5);
	o = run_all(big, k + 4);
	cr_assert_eq(o.config, -1);
	cr_assert_lt(strlen(o.ec.msg), sizeof o.ec.msg);
	memcpy(big, "roles: {resume: 'fg=", 20);
	memset(big + 20, 'r', k);
	memcpy(big + 20 + k, "'}\n", 4);
	o = run_all(big, 20 + k + 3);
	cr_assert_eq(o.theme, -1);
	free(big);
}

Test(hostile, empty_files_directories_fifos)
{
	char *dir = ct_tmpdir();
	char *empty = ct_write(dir, "empty.yaml", "", 0);
	struct config c;
	struct theme t;
	struct price_table pt = { 0 };
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(config_load(&c, empty, false, &e), 0);
	cr_assert_eq(theme_load(&t, empty, &e), 0);
	cr_assert_eq(prices_load(&pt, empty, &e), -1, "an empty price table is an error");
	price_table_free(&pt);

	cr_assert_eq(config_load(&c, dir, false, &e), -1);
	cr_assert_eq(theme_load(&t, dir, &e), -1);
	cr_assert_str_eq(t.name, "default", "a failed load leaves the default theme");
	memset(&pt, 0, sizeof pt);
	cr_assert_eq(prices_load(&pt, dir, &e), -1);
	price_table_free(&pt);

	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/fifo.yaml", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(config_load(&c, fifo, true, &e), -1, "a FIFO is refused, not waited on");
	cr_assert(strstr(e.msg, "not a regular file"), "%s", e.msg);
	cr_assert_eq(theme_load(&t, fifo, &e), -1);
	config_free(&c);
	unlink(fifo);
	unlink(empty);
	rmdir(dir);
	free(empty);
	free(dir);
}

/* Inputs that once crashed or hung a loader (fuzzer finds) and hand-written hostile files. */
Test(hostile, regression_inputs)
{
	DIR *d = opendir(REGRESS_DIR);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", REGRESS_DIR, de->d_name);
		struct config c;
		struct theme t;
		struct price_table pt = { 0 };
		struct conf_err e;
		config_defaults(&c);
		int rc = config_load(&c, path, false, &e);
		cr_assert(rc == 0 || (rc == -1 && e.msg[0]), "%s", de->d_name);
		config_free(&c);
		rc = theme_load(&t, path, &e);
		cr_assert(rc == 0 || (rc == -1 && e.msg[0]), "%s", de->d_name);
		rc = prices_load(&pt, path, &e);
		cr_assert(rc == 0 || (rc == -1 && e.msg[0]), "%s", de->d_name);
		price_table_free(&pt);
		n++;
	}
	closedir(d);
	cr_assert_gt(n, 0);
}
