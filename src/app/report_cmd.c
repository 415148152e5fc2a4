/* report_cmd.c — `cachetop report`: the whole tree read once, written as text, JSON, CSV or
 * OpenMetrics (to a file through write-then-rename, so a collector never reads half of it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/util.h"

int app_write_file_atomic(const char *path, const char *data, size_t n)
{
	struct buf tmp = {0};
	buf_printf(&tmp, "%s.tmp", path);
	int rc = 0;
	int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || app_write_all(fd, data, n) || close(fd) || rename(tmp.data, path)) {
		fprintf(stderr, "cachetop: cannot write %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	buf_free(&tmp);
	return rc;
}

int cmd_report(struct app *a)
{
	struct source *s = NULL;
	struct blocks kept[AGENT_COUNT];
	bool have_kept = false;
	struct model *m = app_build_model(a, &s, kept, &have_kept);
	if (!m)
		return 1;
	struct report_root roots[64];
	struct report_ctx c;
	app_report_ctx(a, s, roots, 64, &c);
	int rc = 0, wrc = 0;
	if (a->format == FMT_JSON) {
		wrc = app_report_json(m, &c, have_kept ? kept : NULL, STDOUT_FILENO);
	} else {
		struct buf out = {0};
		switch (a->format) {
		case FMT_CSV: report_csv(m, &c, &out); break;
		case FMT_OPENMETRICS: report_openmetrics(m, &c, &out); break;
		default: report_text(m, &c, &out); break;
		}
		if (a->format == FMT_OPENMETRICS && a->output_path)
			/* write-then-rename, so a textfile collector never reads half a file */
			rc = app_write_file_atomic(a->output_path, out.data ? out.data : "", out.len);
		else
			wrc = app_write_all(STDOUT_FILENO, out.data ? out.data : "", out.len);
		buf_free(&out);
	}
	if (wrc && errno != EPIPE) {
		fprintf(stderr, "cachetop: cannot write the report: %s\n", strerror(errno));
		rc = 1;
	}
	if (have_kept)
		for (int ag = 0; ag < AGENT_COUNT; ag++)
			blocks_free(&kept[ag]);
	source_free(s);
	model_free(m);
	return rc;
}
