/* ledger.c — folding the statusline agent's prompt_cache readings per session: the latest
 * reading wins (by observed_at, then the larger request count), every distinct last_miss_at is
 * kept once with its causes, so the set is the same whatever order the state-file lines come in. */
#include "cachetop/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/timefmt.h"
#include "cachetop/util.h"

void agent_ledger_clear(struct agent_ledger *l)
{
	memset(l, 0, sizeof *l);
	l->observed_at = l->last_miss_at = CT_TIME_NONE;
	l->requests = l->misses = l->expected_rebuilds = -1;
	l->cache_write_tokens = l->miss_recache_tokens = -1;
	l->tools_added = l->tools_removed = -1;
	l->hit_ratio = -1;
}

bool ledger_cause_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= LEDGER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static struct session_ledger *find(const struct ledger_set *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].session_id, id))
			return &s->v[i];
	return NULL;
}

const struct session_ledger *ledger_set_find(const struct ledger_set *s, const char *session_id)
{
	return s && session_id ? find(s, session_id) : NULL;
}

static bool newer(const struct agent_ledger *a, const struct agent_ledger *b)
{
	if (a->observed_at != b->observed_at)
		return a->observed_at > b->observed_at;
	return a->requests > b->requests;
}

static void add_miss(struct session_ledger *l, const struct agent_ledger *r)
{
	size_t at = l->nmisses;
	while (at > 0 && l->misses[at - 1].at > r->last_miss_at)
		at--;
	struct ledger_miss *m;
	if (at > 0 && l->misses[at - 1].at == r->last_miss_at) {
		m = &l->misses[at - 1];
		if (m->causes[0] || !r->nlast)
			return; /* known; a later reading may only name causes not yet known */
	} else {
		void *p = l->misses;
		ct_grow(&p, &l->capmisses, l->nmisses + 1, sizeof *l->misses);
		l->misses = p;
		memmove(&l->misses[at + 1], &l->misses[at], (l->nmisses - at) * sizeof *l->misses);
		l->nmisses++;
		m = &l->misses[at];
		m->at = r->last_miss_at;
		m->causes[0] = 0;
	}
	size_t o = 0;
	for (uint8_t i = 0; i < r->nlast && o < sizeof m->causes; i++)
		o += (size_t)snprintf(m->causes + o, sizeof m->causes - o, "%s%s", i ? ", " : "",
				      r->last_miss_causes[i]);
}

void ledger_set_add(struct ledger_set *s, const char *session_id, const struct agent_ledger *r)
{
	if (!r->present || !session_id || !*session_id || strlen(session_id) >= sizeof s->v->session_id)
		return;
	struct session_ledger *l = find(s, session_id);
	if (!l) {
		void *p = s->v;
		ct_grow(&p, &s->cap, s->n + 1, sizeof *s->v);
		s->v = p;
		l = &s->v[s->n++];
		memset(l, 0, sizeof *l);
		snprintf(l->session_id, sizeof l->session_id, "%s", session_id);
		l->latest = *r;
	} else if (newer(r, &l->latest)) {
		l->latest = *r;
	}
	if (r->last_miss_at != CT_TIME_NONE)
		add_miss(l, r);
}

void ledger_set_free(struct ledger_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].misses);
	free(s->v);
	memset(s, 0, sizeof *s);
}

bool session_ledger_complete(const struct session_ledger *l)
{
	return l && l->latest.misses >= 0 && (int64_t)l->nmisses >= l->latest.misses;
}
