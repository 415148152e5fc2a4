/* fixture.h — the fixture the source suites share: a temporary tree with claude/ and codex/
 * roots under `root`, a recording sink, and the source that start() scans (and watches). */
#ifndef CACHETOP_TEST_FIXTURE_H
#define CACHETOP_TEST_FIXTURE_H

#include <stdbool.h>

#include "rec.h"

extern char *root;
extern struct rec rec;
extern struct line_sink sink;
extern struct source_roots roots;
extern struct source *src;
void fx_setup(void);
void fx_teardown(void);
/* Scan both roots (and watch them when asked), asserting success. */
void start(bool watch);

#endif
