/* fixture.h — reads a fixture transcript from tests/data into a model, line by line, as the
 * app's reader delivers it (no newline, the last line with or without one). Test-only. */
#ifndef CACHETOP_TEST_FIXTURE_H
#define CACHETOP_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/model.h"
#include "cachetop/timefmt.h"

/* The lines of `path` fed to file `fi` already registered (a copy can name another path). */
static inline void fixture_feed_into(struct model *m, uint32_t fi, const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "fixture %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0)
		model_feed(m, fi, line, (size_t)(line[n - 1] == '\n' ? n - 1 : n));
	free(line);
	fclose(f);
}

static inline void fixture_feed(struct model *m, enum agent a, const char *path)
{
	fixture_feed_into(m, model_file_add(m, a, path, false), path);
}

/* A model with default options over the given files of one agent (NULL-terminated). */
static inline struct model *fixture_load(enum agent a, const char *const *files)
{
	struct model_opts o;
	model_opts_default(&o);
	struct model *m = model_new(&o);
	for (; *files; files++)
		fixture_feed(m, a, *files);
	return m;
}

/* A time of the fixture day (tests/data/evidence is dated 2026-03-02), "10:05:02" → ms. */
static inline int64_t fixture_at(const char *hms)
{
	char b[40];
	snprintf(b, sizeof b, "2026-03-02T%s.000Z", hms);
	int64_t ms;
	cr_assert_eq(rfc3339_parse(b, strlen(b), &ms), 0);
	return ms;
}

#endif
