/* pending_stubs.c — TEMPORARY: stand-ins for layers being written on other branches, so main
 * links while they land. Each block is deleted when its layer merges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "cachetop/util.h"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->cold_min_prefix = 1024;
	c->cold_ratio = 0.5;
	c->default_ttl_s = 300;
	c->codex_ttl_s = 300;
	c->quota_auto = true;
}
void config_free(struct config *c) { (void)c; }
int config_load(struct config *c, const char *path, bool optional, struct conf_err *err) { (void)c; (void)path; (void)optional; (void)err; return 0; }
char *config_default_path(void) { return NULL; }
int prices_load(struct price_table *t, const char *path, struct conf_err *err) { (void)t; (void)path; snprintf(err->msg, sizeof err->msg, "pending"); return -1; }
char *conf_data_path(const char *argv0, const char *rel) { (void)argv0; (void)rel; return NULL; }
int cmd_watch(struct app *a) { (void)a; fputs("cachetop: watch is not built yet\n", stderr); return 1; }
int cmd_dashboard(struct app *a) { (void)a; fputs("cachetop: the dashboard is not built yet\n", stderr); return 1; }
int cmd_replay(struct app *a) { (void)a; fputs("cachetop: replay is not built yet\n", stderr); return 1; }
void report_openmetrics(const struct model *m, const struct report_ctx *c, struct buf *out) { (void)m; (void)c; (void)out; }
