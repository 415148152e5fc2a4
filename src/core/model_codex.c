/* model_codex.c — Codex CLI's rules (its row's `apply` in agents.c): a request is a token_count
 * whose cumulative usage changed and is not all zero (re-emissions and fork replays dropped),
 * sessions and forks from session_meta, and the account's limit families from rate_limits. */
#include <stdlib.h>
#include <string.h>

#include "cachetop/codex.h"
#include "cachetop/evidence.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"
#include "u64map.h"

static int32_t codex_file_session(struct model *m, uint32_t fi, unsigned *changed)
{
	struct file_state *fs = &m->fstate[fi];
	if (fs->cur_session != NO_SESSION)
		return fs->cur_session;
	/* token_count before any session_meta: name the session after the file */
	char id[LINE_ID_MAX];
	model_file_stem(m, fi, id, sizeof id);
	int32_t si = mdl_session_get(m, id, AGENT_CODEX, changed);
	fs->cur_session = fs->first_session = si;
	m->files[fi].session = si;
	mdl_session_add_file(&m->sessions[si], fi);
	return si;
}

static bool tokens_zero(const struct raw_tokens *t)
{
	return !t->input && !t->cached && !t->output && !t->reasoning && !t->total;
}

static unsigned account_limits(struct model *m, const struct line *ln)
{
	const struct rate_limits *rl = &ln->rl;
	if (!rl->present)
		return 0;
	/* every family is kept; only the account's drives the gauges (per-model ones are written
	 * more often, with their own, lower usage) */
	bool family = limit_families_note(&m->limits, ln->ts, ln->limit_id, ln->limit_name, rl);
	if (!limit_family_is_account(ln->limit_id))
		return family ? MODEL_QUOTA : 0;
	/* a placeholder snapshot (all zero, no reset) after a real one carries no information */
	bool zero = (!rl->primary.present || (rl->primary.used_percent == 0 && rl->primary.resets_at_ms == CT_TIME_NONE)) &&
		    (!rl->secondary.present || (rl->secondary.used_percent == 0 && rl->secondary.resets_at_ms == CT_TIME_NONE));
	if (zero && m->account.present)
		return 0;
	if (m->account.present && ln->ts < m->account.observed_at)
		return 0;
	bool differs = !m->account.present || m->account.rl.primary.used_percent != rl->primary.used_percent ||
		       m->account.rl.secondary.used_percent != rl->secondary.used_percent ||
		       m->account.rl.primary.window_minutes != rl->primary.window_minutes;
	m->account.present = true;
	m->account.observed_at = ln->ts;
	m->account.rl = *rl;
	return differs ? MODEL_QUOTA : 0;
}

unsigned model_apply_codex(struct model *m, uint32_t fi, const struct line *ln)
{
	struct model_file *f = &m->files[fi];
	struct file_state *fs = &m->fstate[fi];
	unsigned changed = 0;
	switch (ln->kind) {
	case LINE_SESSION_META: {
		if (fs->first_session != NO_SESSION) {
			/* Later metas are copied fork history — or, with our own id, a new process. A
			 * sub-agent's file replays its parent's meta, whose id names the session the
			 * sub-agent is counted in: history, not a new process. */
			if (!f->subagent && !strcmp(m->sessions[fs->first_session].id, ln->session_id))
				mdl_boundary(m, fi, fs->first_session, fs->first_session);
			return 0;
		}
		int32_t si;
		if (ln->subagent && ln->parent_id[0]) {
			/* a spawned sub-agent's traffic belongs to its parent session, as its own chain */
			si = mdl_session_get(m, ln->parent_id, AGENT_CODEX, &changed);
			f->subagent = true;
			fs->chain_key = mdl_fold32(ct_hash(ln->session_id, strlen(ln->session_id)));
		} else {
			si = mdl_session_get(m, ln->session_id, AGENT_CODEX, &changed);
			if (ln->parent_id[0]) {
				int32_t from = mdl_session_get(m, ln->parent_id, AGENT_CODEX, &changed);
				mdl_boundary(m, fi, si, from);
			}
		}
		fs->cur_session = fs->first_session = si;
		f->session = si;
		mdl_session_touch(m, si, fi, ln);
		return changed;
	}
	case LINE_TURN_CONTEXT:
		fs->model = mdl_intern(m, ln->model);
		return 0;
	case LINE_COMPACTED: {
		fs->compaction_session = codex_file_session(m, fi, &changed);
		return changed;
	}
	case LINE_TOKEN_COUNT:
		break;
	default:
		return 0;
	}
	changed |= account_limits(m, ln);
	int32_t si = codex_file_session(m, fi, &changed);
	struct session *s = &m->sessions[si];
	if (ln->ts != CT_TIME_NONE && (s->last_activity == CT_TIME_NONE || ln->ts > s->last_activity))
		s->last_activity = ln->ts;
	if (!ln->has_info)
		return changed;
	/* Identity of a request: its cumulative usage (unique per thread, and copied verbatim by
	 * re-emissions and fork replays), else its time and per-request usage. */
	uint64_t key;
	if (ln->has_total) {
		key = ct_hash_mix(0x636f646578ULL, &ln->total, sizeof ln->total);
		if (ln->has_last)
			key = ct_hash_mix(key, &ln->last, sizeof ln->last);
	} else {
		key = ct_hash_mix(ct_hash(s->id, strlen(s->id)), &ln->ts, sizeof ln->ts);
		key = ct_hash_mix(key, &ln->last, sizeof ln->last);
	}
	struct raw_tokens delta;
	if (ln->has_last) {
		delta = ln->last;
	} else if (!fs->have_prev_total) {
		delta = ln->total; /* the first reading of the file: usage since the thread began */
	} else if (ln->total.input >= fs->prev_total.input && ln->total.cached >= fs->prev_total.cached &&
		   ln->total.output >= fs->prev_total.output && ln->total.reasoning >= fs->prev_total.reasoning) {
		delta = (struct raw_tokens){ln->total.input - fs->prev_total.input,
					      ln->total.cached - fs->prev_total.cached,
					      ln->total.output - fs->prev_total.output,
					      ln->total.reasoning - fs->prev_total.reasoning,
					      ln->total.total - fs->prev_total.total};
		if (delta.cached > delta.input)
			delta.cached = delta.input;
	} else {
		/* a cumulative count went down: a new lineage. Its total becomes the baseline;
		 * counting it whole would invent usage */
		delta = (struct raw_tokens){0};
	}
	if (ln->has_total) {
		fs->prev_total = ln->total;
		fs->have_prev_total = true;
	}
	uint32_t *seen = u64map_get(&m->req_keys, key);
	if (seen) {
		m->stats.duplicate_lines++;
		if (*seen < m->nreqs)
			mdl_order_check(m, fi, REQ_FILE(m, *seen));
		return changed;
	}
	if (tokens_zero(&delta)) {
		u64map_put(&m->req_keys, key, UINT32_MAX); /* seen, but no request of anyone's */
		return changed; /* an all-zero usage is a refresh, not a request */
	}
	u64map_put(&m->req_keys, key, m->nreqs);
	uint16_t model = fs->model ? fs->model : mdl_intern(m, "gpt-5");
	struct usage u = {.input = delta.input - delta.cached, .cache_read = delta.cached, .output = delta.output};
	return changed | mdl_add_request(m, si, fi, ln->ts, model, &u, f->subagent, f->subagent ? fs->chain_key : 0);
}
