/* fixture.c — see fixture.h: per-test setup and teardown for the source suites. */
#include "fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/source.h"

char *root;
struct rec rec;
struct line_sink sink;
struct source_roots roots;
struct source *src;

void fx_setup(void)
{
	root = tmp_tree();
	rec_sink(&rec, &sink);
	memset(&roots, 0, sizeof roots);
}

void fx_teardown(void)
{
	source_free(src);
	src = NULL;
	source_roots_free(&roots);
	rec_free(&rec);
	rm_tree(root);
	free(root);
}

void start(bool watch)
{
	char *c = pathf("%s/claude", root);
	char *x = pathf("%s/codex", root);
	source_roots_add(&roots, AGENT_CLAUDE, c);
	source_roots_add(&roots, AGENT_CODEX, x);
	free(c);
	free(x);
	src = source_new(&roots, &sink);
	char err[256] = "";
	cr_assert_eq(source_scan(src, err, sizeof err), 0, "%s", err);
	if (watch)
		cr_assert_eq(source_watch(src, err, sizeof err), 0, "%s", err);
}
