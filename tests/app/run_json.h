/* run_json.h — for the tests of the executable: run a command and parse its standard output as
 * one JSON value (the command must exit 0). Test-only. */
#ifndef TEST_APP_RUN_JSON_H
#define TEST_APP_RUN_JSON_H

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

static inline struct json_object *run_json(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 1 << 20, n = 0, r;
	char *buf = malloc(cap);
	while ((r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = 0;
	cr_assert_eq(pclose(p), 0, "%s failed", cmd);
	struct json_object *o = json_tokener_parse(buf);
	cr_assert_not_null(o, "%s: not JSON", cmd);
	free(buf);
	return o;
}

#endif
