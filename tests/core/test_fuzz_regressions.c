/* test_fuzz_regressions.c — every input a fuzzer crashed on stays a test: each file in
 * tests/fuzz/regressions/ goes through the parser it broke, line by line, into a model (the
 * ASan+UBSan build of this suite is what catches a relapse); plus the exact conditions. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/jscan.h"
#include "cachetop/model.h"

/* samples/ is tracked; tests/data/ need not exist in a fresh checkout */
#define REGRESSIONS SAMPLES_DIR "/../tests/fuzz/regressions"

static void feed_file(const char *path, enum agent agent)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct model *m = model_new(NULL);
	uint32_t fi = model_file_add(m, agent, path, false);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || buf[i] == '\n') {
			model_feed(m, fi, buf + start, i - start);
			start = i + 1;
		}
	model_free(m);
}

Test(fuzz_regressions, every_saved_line_input_is_harmless)
{
	DIR *d = opendir(REGRESSIONS);
	cr_assert_not_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", REGRESSIONS, e->d_name);
		if (!strncmp(e->d_name, "codex-", 6))
			feed_file(path, AGENT_CODEX), n++;
		else if (!strncmp(e->d_name, "claude-", 7))
			feed_file(path, AGENT_CLAUDE), n++;
		else if (!strncmp(e->d_name, "opencode-", 9))
			feed_file(path, AGENT_OPENCODE), n++;
	}
	closedir(d);
	cr_assert_gt(n, 0);
}

/* A member name with a NUL byte must not match a shorter wanted name (it read past the name). */
Test(fuzz_regressions, key_with_nul_byte_matches_nothing)
{
	static const char line[] = "{\"id\0x\":\"a\",\"idx\":\"b\",\"id\":\"c\"}";
	static const char *const keys[] = {"id"};
	struct jspan v;
	cr_assert_gt(jscan_object(line, sizeof line - 1, keys, 1, &v), 0);
	cr_assert(jspan_eq(&v, "c"));
}

/* A line that ends right after a member's ':' must not be read past its end (the nested walk
 * looked at the value's first byte before checking there was one). */
Test(fuzz_regressions, member_without_value_at_the_end)
{
	static const char *const keys[] = {"message"}, *const sub[] = {"id"};
	static const struct jscan_level inner = {sub, 1, 1, NULL, 1};
	static const struct jscan_level *const below[] = {&inner};
	static const struct jscan_level top = {keys, 1, 0, below, 2};
	struct jspan v[2];
	char *line = malloc(12);
	memcpy(line, "{\"message\":", 11);
	cr_assert_lt(jscan_tree(line, 11, &top, v), 0);
	free(line);
}
