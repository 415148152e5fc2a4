/* test_config.c — config.yaml loading: defaults from the key table, every key, list-or-string
 * roots, type and range errors with the right line:col, unknown and duplicate keys (the rest
 * still loads), quota plans, the optional/missing file rules and config_default_path. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/config.h"
#include "conf_test.h"

static int load(struct config *c, const char *text, struct conf_err *e)
{
	return config_load_mem(c, "t.yaml", text, strlen(text), e);
}

Test(config, defaults)
{
	struct config c;
	config_defaults(&c);
	cr_assert_eq(c.ndirs[AGENT_CLAUDE], 0);
	cr_assert_eq(c.ndirs[AGENT_CODEX], 0);
	cr_assert_null(c.theme);
	cr_assert_null(c.prices);
	cr_assert_not(c.bell);
	cr_assert_not(c.no_color);
	cr_assert_eq(c.refresh_ms, 1000);
	cr_assert_eq(c.cold_min_prefix, 1024);
	cr_assert_float_eq(c.cold_ratio, 0.5, 1e-12);
	cr_assert_eq(c.default_ttl_s, 300);
	cr_assert_eq(c.ttl_s[AGENT_CODEX], 300);
	cr_assert_eq(c.ndirs[AGENT_GEMINI], 0);
	cr_assert_eq(c.ttl_s[AGENT_GEMINI], 300);
	cr_assert(c.quota_auto);
	cr_assert_eq(c.quota_unit, QUOTA_USD);
	cr_assert_null(c.quota_plan);
	config_free(&c);
}

Test(config, every_key)
{
	setenv("HOME", "/home/tester", 1);
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	const char *y =
		"claude_dirs: [~/a, /b/c]\n"
		"codex_dirs: /x/codex\n"
		"gemini_dirs: [~/.gemini]\n"
		"opencode_dirs: [~/.local/share/opencode]\n"
		"theme: nord\n"
		"prices: ~/p.yaml\n"
		"bell: yes\n"
		"no_color: true\n"
		"refresh_ms: 250\n"
		"thresholds:\n"
		"  cold_min_prefix: 2_048\n"
		"  cold_ratio: 0.25\n"
		"  default_ttl_s: 3600\n"
		"  codex_ttl_s: 600\n"
		"  gemini_ttl_s: 900\n"
		"quota:\n"
		"  limit: 12.5\n"
		"  unit: tokens\n";
	cr_assert_eq(load(&c, y, &e), 0, "%s", e.msg);
	cr_assert_eq(c.ndirs[AGENT_CLAUDE], 2);
	cr_assert_str_eq(c.dirs[AGENT_CLAUDE][0], "/home/tester/a");
	cr_assert_str_eq(c.dirs[AGENT_CLAUDE][1], "/b/c");
	cr_assert_eq(c.ndirs[AGENT_CODEX], 1);
	cr_assert_str_eq(c.dirs[AGENT_CODEX][0], "/x/codex");
	cr_assert_eq(c.ndirs[AGENT_OPENCODE], 1);
	cr_assert_str_eq(c.dirs[AGENT_OPENCODE][0], "/home/tester/.local/share/opencode");
	cr_assert_str_eq(c.theme, "nord");
	cr_assert_str_eq(c.prices, "/home/tester/p.yaml");
	cr_assert(c.bell);
	cr_assert(c.no_color);
	cr_assert_eq(c.refresh_ms, 250);
	cr_assert_eq(c.cold_min_prefix, 2048);
	cr_assert_float_eq(c.cold_ratio, 0.25, 1e-12);
	cr_assert_eq(c.default_ttl_s, 3600);
	cr_assert_eq(c.ttl_s[AGENT_CODEX], 600);
	cr_assert_eq(c.ndirs[AGENT_GEMINI], 1);
	cr_assert_str_eq(c.dirs[AGENT_GEMINI][0], "/home/tester/.gemini");
	cr_assert_eq(c.ttl_s[AGENT_GEMINI], 900);
	cr_assert_not(c.quota_auto);
	cr_assert_float_eq(c.quota_limit, 12.5, 1e-12);
	cr_assert_eq(c.quota_unit, QUOTA_TOKENS);
	config_free(&c);
}

Test(config, later_file_replaces_lists_and_strings)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "claude_dirs: [/a, /b]\ntheme: nord\n", &e), 0);
	cr_assert_eq(load(&c, "claude_dirs: /z\ntheme: light\n", &e), 0);
	cr_assert_eq(c.ndirs[AGENT_CLAUDE], 1);
	cr_assert_str_eq(c.dirs[AGENT_CLAUDE][0], "/z");
	cr_assert_str_eq(c.theme, "light");
	config_free(&c);
	cr_assert_null(c.theme);
	cr_assert_eq(c.ndirs[AGENT_CLAUDE], 0);
}

Test(config, type_error_line_col)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	/*               1234567890123 */
	const char *y = "bell: true\nrefresh_ms: fast\n";
	cr_assert_eq(load(&c, y, &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 13);
	cr_assert(strncmp(e.msg, "t.yaml:2:13: refresh_ms:", 24) == 0, "%s", e.msg);
	cr_assert(strstr(e.msg, "whole number"), "%s", e.msg);
	cr_assert(c.bell, "valid keys still load");
	cr_assert_eq(c.refresh_ms, 1000, "a bad value keeps the default");
	config_free(&c);
}

Test(config, range_errors_line_col)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "thresholds:\n  cold_ratio: 1.5\n", &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 15);
	cr_assert(strstr(e.msg, "thresholds.cold_ratio") && strstr(e.msg, "out of range"), "%s", e.msg);
	cr_assert_float_eq(c.cold_ratio, 0.5, 1e-12);

	cr_assert_eq(load(&c, "refresh_ms: 5\n", &e), -1);
	cr_assert_str_eq(e.msg, "t.yaml:1:13: refresh_ms: 5 is out of range (100 to 60000)");
	cr_assert_eq(load(&c, "refresh_ms: 99999999999999999999999\n", &e), -1);
	cr_assert_eq(e.col, 13);
	cr_assert_eq(load(&c, "thresholds: {default_ttl_s: 0}\n", &e), -1);
	cr_assert_eq(e.col, 29);
	cr_assert_eq(load(&c, "thresholds: {cold_ratio: nan}\n", &e), -1, "nan is not a number here");
	cr_assert_eq(load(&c, "thresholds: {cold_ratio: 0x1}\n", &e), -1, "hex is refused");
	cr_assert_eq(load(&c, "bell: maybe\n", &e), -1);
	cr_assert(strstr(e.msg, "true or false"), "%s", e.msg);
	cr_assert_eq(load(&c, "refresh_ms: [1]\n", &e), -1);
	cr_assert(strstr(e.msg, "found a list"), "%s", e.msg);
	cr_assert_eq(load(&c, "thresholds: 3\n", &e), -1);
	cr_assert(strstr(e.msg, "expected a mapping"), "%s", e.msg);
	cr_assert_eq(load(&c, "theme: ''\n", &e), -1);
	cr_assert_eq(load(&c, "claude_dirs: {a: b}\n", &e), -1);
	cr_assert_eq(c.refresh_ms, 1000);
	cr_assert_eq(c.default_ttl_s, 300);
	config_free(&c);
}

Test(config, unknown_key_named_and_rest_loads)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	const char *y = "bell: true\ncolour: red\nthresholds:\n  cold_ratio: 0.75\n  foo: 1\nrefresh_ms: 500\n";
	cr_assert_eq(load(&c, y, &e), -1);
	cr_assert(strncmp(e.msg, "t.yaml:2:1: unknown key 'colour'", 32) == 0, "%s", e.msg);
	cr_assert(strstr(e.msg, "(and 1 more)"), "second unknown key counted: %s", e.msg);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 1);
	cr_assert(c.bell);
	cr_assert_float_eq(c.cold_ratio, 0.75, 1e-12);
	cr_assert_eq(c.refresh_ms, 500);
	config_defaults(&c);

	cr_assert_eq(load(&c, "thresholds:\n  foo: 1\n", &e), -1);
	cr_assert_str_eq(e.msg, "t.yaml:2:3: unknown key 'thresholds.foo'");
	config_free(&c);
}

Test(config, duplicate_key)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "refresh_ms: 200\nrefresh_ms: 300\n", &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert(strstr(e.msg, "duplicate key 'refresh_ms'"), "%s", e.msg);
	cr_assert_eq(c.refresh_ms, 300);
	config_free(&c);
}

Test(config, quota_plans)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "quota: {plan: max5}\n", &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.quota_plan, "max5");
	cr_assert_not(c.quota_auto);
	cr_assert_float_eq(c.quota_limit, config_plan_find("max5")->usd_per_5h, 1e-12);
	cr_assert_eq(c.quota_unit, QUOTA_USD);
	config_free(&c);

	config_defaults(&c);
	cr_assert_eq(load(&c, "quota: {plan: pro, limit: 7}\n", &e), 0);
	cr_assert_float_eq(c.quota_limit, 7, 1e-12, "an explicit limit wins over the plan");
	config_free(&c);

	config_defaults(&c);
	cr_assert_eq(load(&c, "quota: {limit: 3, plan: pro}\n", &e), 0);
	cr_assert_float_eq(c.quota_limit, 3, 1e-12, "order does not matter");
	config_free(&c);

	config_defaults(&c);
	cr_assert_eq(load(&c, "quota:\n  plan: team\n", &e), -1);
	cr_assert_eq(e.line, 2);
	cr_assert_eq(e.col, 9);
	cr_assert(strstr(e.msg, "unknown plan \"team\"") && strstr(e.msg, "max20"), "%s", e.msg);
	cr_assert(c.quota_auto);
	cr_assert_eq(load(&c, "quota: {unit: tokens, plan: pro}\n", &e), -1);
	cr_assert(strstr(e.msg, "presets are in USD"), "%s", e.msg);
	cr_assert_eq(load(&c, "quota: {limit: -1}\n", &e), -1);
	cr_assert_eq(load(&c, "quota: {limit: auto}\n", &e), 0);
	cr_assert(c.quota_auto);
	cr_assert_eq(load(&c, "quota: {unit: euros}\n", &e), -1);
	config_free(&c);

	/* every preset is findable and positive */
	int n = 0;
	for (const struct config_plan *p = config_plans; p->name; p++, n++)
		cr_assert(config_plan_find(p->name) == p && p->usd_per_5h > 0);
	cr_assert_geq(n, 3);
	cr_assert_null(config_plan_find("nope"));
}

Test(config, empty_and_null_documents)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "", &e), 0);
	cr_assert_eq(load(&c, "# only a comment\n", &e), 0);
	cr_assert_eq(load(&c, "---\n...\n", &e), 0);
	cr_assert_eq(load(&c, "- a list\n", &e), -1);
	cr_assert(strstr(e.msg, "mapping"), "%s", e.msg);
	cr_assert_eq(load(&c, "bell: true\n---\nbell: false\n", &e), -1);
	cr_assert(strstr(e.msg, "more than one YAML document"), "%s", e.msg);
	cr_assert(c.bell, "only the first document is read");
	config_free(&c);
}

Test(config, syntax_error_line_col)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(load(&c, "bell: true\ntheme: [a, b\n", &e), -1);
	cr_assert(strncmp(e.msg, "t.yaml:", 7) == 0, "%s", e.msg);
	cr_assert_gt(e.line, 1);
	cr_assert_gt(e.col, 0);
	config_free(&c);
}

Test(config, files_missing_optional_directory)
{
	char *dir = ct_tmpdir();
	char path[600];
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	snprintf(path, sizeof path, "%s/none.yaml", dir);
	cr_assert_eq(config_load(&c, path, true, &e), 0, "a missing optional file is fine");
	cr_assert_eq(config_load(&c, path, false, &e), -1);
	cr_assert(strstr(e.msg, "cannot open") && strstr(e.msg, path), "%s", e.msg);
	cr_assert_eq(config_load(&c, dir, true, &e), -1, "a directory is an error even when optional");
	cr_assert(strstr(e.msg, "not a regular file"), "%s", e.msg);
	char *f = ct_write(dir, "c.yaml", "refresh_ms: 1234\nbogus: 1\n", 26);
	cr_assert_eq(config_load(&c, f, false, &e), -1);
	cr_assert(strncmp(e.msg, f, strlen(f)) == 0 && strstr(e.msg, ":2:1: unknown key 'bogus'"), "%s", e.msg);
	cr_assert_eq(c.refresh_ms, 1234);
	unlink(f);
	rmdir(dir);
	free(f);
	free(dir);
	config_free(&c);
}

Test(config, example_file_loads_cleanly)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	cr_assert_eq(config_load(&c, DATA_DIR "/config.example.yaml", false, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.theme, "default");
	cr_assert(c.quota_auto);
	config_free(&c);
}

Test(config, default_path)
{
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	char *p = config_default_path();
	cr_assert_str_eq(p, "/xdg/cachetop/config.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
	p = config_default_path();
	cr_assert_str_eq(p, "/home/u/.config/cachetop/config.yaml");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	cr_assert_str_eq(p, "/home/u/.config/cachetop/config.yaml");
	free(p);
	unsetenv("HOME");
	cr_assert_null(config_default_path());
}
