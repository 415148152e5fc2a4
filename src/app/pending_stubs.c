/* pending_stubs.c — TEMPORARY: stand-ins for layers being written on other branches, so main
 * links while they land. Each block is deleted when its layer merges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "cachetop/util.h"

void report_openmetrics(const struct model *m, const struct report_ctx *c, struct buf *out) { (void)m; (void)c; (void)out; }
