/* limit_families.c — official limit families as an agent's transcripts report them (the agent
 * whose limits come from its transcripts, transcript-formats.md E3): the state the model writes
 * a reading into (limit_families_note) and how one reading looks at `now` (limit_family_view).
 * It sits below the model: it knows nothing of requests or blocks; the account family's id is
 * the agent's table row's. */
#include <stdio.h>
#include <string.h>

#include "cachetop/agent.h"
#include "cachetop/quota.h"
#include "cachetop/timefmt.h"

static bool near(int64_t minutes, int64_t lo, int64_t hi) { return minutes >= lo && minutes <= hi; }

/* ---- limit families -------------------------------------------------------------------------- */

/* The account family's id, from the table row of the agent whose limits the transcripts hold. */
static const char *account_id(void)
{
	enum agent a = agent_limits_owner(AGENT_LIMITS_TRANSCRIPT);
	const char *id = a < AGENT_COUNT ? agent_get(a)->account_limit_id : NULL;
	return id ? id : "";
}

bool limit_family_is_account(const char *limit_id)
{
	return !limit_id || !*limit_id || !strcmp(limit_id, account_id());
}

static bool window_zero(const struct rl_window *w)
{
	return !w->present || (w->used_percent == 0 && w->resets_at_ms == CT_TIME_NONE);
}

static bool windows_differ(const struct rl_window *a, const struct rl_window *b)
{
	return a->present != b->present || a->used_percent != b->used_percent ||
	       a->window_minutes != b->window_minutes || a->resets_at_ms != b->resets_at_ms;
}

bool limit_families_note(struct limit_families *l, int64_t ts, const char *limit_id, const char *limit_name,
		       const struct rate_limits *rl)
{
	if (!rl->present)
		return false;
	const char *id = limit_family_is_account(limit_id) ? account_id() : limit_id;
	struct limit_family *c = NULL;
	for (size_t i = 0; i < l->n && !c; i++)
		if (!strcmp(l->v[i].id, id))
			c = &l->v[i];
	bool zero = window_zero(&rl->primary) && window_zero(&rl->secondary) && window_zero(&rl->individual);
	if (c && (zero || ts < c->observed_at))
		return false; /* a placeholder after a real reading, or an older one: no news */
	if (!c) {
		if (l->n >= LIMIT_FAMILIES_MAX)
			return false;
		c = &l->v[l->n++];
		memset(c, 0, sizeof *c);
		snprintf(c->id, sizeof c->id, "%s", id);
	} else if (!windows_differ(&c->rl.primary, &rl->primary) && !windows_differ(&c->rl.secondary, &rl->secondary) &&
		   !windows_differ(&c->rl.individual, &rl->individual)) {
		c->observed_at = ts; /* the same reading again: only its time moves */
		return false;
	}
	if (limit_name && *limit_name)
		snprintf(c->name, sizeof c->name, "%s", limit_name);
	c->observed_at = ts;
	c->rl = *rl;
	return true;
}

/* A window's reset already past, at the reading's own time or at now: the window is over. */
static bool window_over(const struct rl_window *w, int64_t observed_at, int64_t now)
{
	return w->resets_at_ms != CT_TIME_NONE &&
	       ((observed_at != CT_TIME_NONE && w->resets_at_ms <= observed_at) || w->resets_at_ms <= now);
}

void limit_family_view(const struct limit_family *c, int64_t now, struct limit_view *v)
{
	memset(v, 0, sizeof *v);
	v->percent = v->weekly_percent = v->individual_percent = -1;
	v->resets_at = v->weekly_resets_at = v->individual_resets_at = CT_TIME_NONE;
	const struct rl_window *w[2] = {&c->rl.primary, &c->rl.secondary};
	for (int i = 0; i < 2; i++) {
		if (!w[i]->present)
			continue;
		bool over = window_over(w[i], c->observed_at, now);
		/* pick windows by their length, never by position */
		if (near(w[i]->window_minutes, 295, 305)) {
			v->over = over;
			v->percent = over ? -1 : w[i]->used_percent;
			v->resets_at = w[i]->resets_at_ms;
			v->window_minutes = (int)w[i]->window_minutes;
		} else if (near(w[i]->window_minutes, 10000, 10100)) {
			v->weekly_over = over;
			v->weekly_percent = over ? -1 : w[i]->used_percent;
			v->weekly_resets_at = w[i]->resets_at_ms;
		}
	}
	if (c->rl.individual.present && !window_over(&c->rl.individual, c->observed_at, now)) {
		v->individual_percent = c->rl.individual.used_percent;
		v->individual_resets_at = c->rl.individual.resets_at_ms;
	}
}
