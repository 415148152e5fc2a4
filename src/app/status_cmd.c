/* status_cmd.c — the `status` command (tmux status-right: 5-hour %, burn, last unexpected
 * miss): its line from the status digest, taken from the state file when the tree is unchanged
 * since the last save (no model loaded, no transcript opened), else from a model built now. */
#include <stdio.h>

#include "app.h"
#include "state.h"
#include "cachetop/cause.h"
#include "cachetop/quota.h"
#include "cachetop/status_digest.h"
#include "cachetop/util.h"

/* The status line from a digest: the same words whether it came from the state file or from a
 * model built now. */
void app_status_text(struct app *a, const struct status_digest *d, struct buf *out)
{
	int64_t now = app_now(a);
	out->len = 0;
	for (int ag = 0; ag < AGENT_COUNT; ag++) {
		struct quota q;
		quota_compute_acct((enum agent)ag, &d->bl[ag], &d->acct, now, &a->qopts,
				   a->official.present ? &a->official : NULL, &q);
		if (!q.has_block && q.official_percent < 0)
			continue;
		if (out->len)
			buf_puts(out, " | ");
		buf_printf(out, "%s ", agent_name((enum agent)ag));
		if (q.official_percent >= 0)
			buf_printf(out, "5h %.0f%%", q.official_percent);
		else if (q.percent >= 0)
			buf_printf(out, "5h ~%.0f%%", q.percent);
		else
			buf_printf(out, "5h $%.2f", q.used);
		if (q.has_block)
			buf_printf(out, " $%.1f/h", q.usd_per_hour_15);
	}
	/* the latest unexpected miss, within the last five hours */
	double ago = d->miss ? (double)(now - d->miss_t) / 60000.0 : 0;
	if (d->miss && ago <= 300)
		buf_printf(out, "%s%s %.0fm ago", out->len ? " | " : "",
			   d->miss_cause == CAUSE_RESUME_MISS ? "resume miss" : "miss", ago);
	if (!out->len)
		buf_puts(out, "cachetop: idle");
}

bool app_status_digest(struct app *a, struct status_digest *d, bool *from_state)
{
	/* an unchanged tree: the digest the last save kept beside the model's image */
	*from_state = state_status_digest(a, d);
	if (*from_state)
		return true;
	struct model *m = app_build_model(a, NULL, NULL, NULL);
	if (!m)
		return false;
	status_digest_of(m, d);
	model_free(m);
	return true;
}

int cmd_status(struct app *a)
{
	struct status_digest d;
	bool from_state;
	if (!app_status_digest(a, &d, &from_state)) {
		puts("cachetop: no data");
		return 1;
	}
	struct buf out = {0};
	app_status_text(a, &d, &out);
	puts(buf_cstr(&out));
	buf_free(&out);
	status_digest_free(&d);
	return 0;
}
