/* conf_test.h — helpers for the conf tests: a private temp folder (mkdtemp) and files in it. */
#ifndef CACHETOP_TESTS_CONF_TEST_H
#define CACHETOP_TESTS_CONF_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline char *ct_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof tmpl, "%s/cachetop-conf-XXXXXX", base && *base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	cr_assert_not_null(d);
	return strdup(d);
}

/* Write n bytes to dir/name; returns the malloc'd path. */
static inline char *ct_write(const char *dir, const char *name, const void *data, size_t n)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

#endif
