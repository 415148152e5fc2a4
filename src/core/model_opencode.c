/* model_opencode.c — opencode's rules (the agent table's row points here): its records are
 * database rows or legacy storage/ files that the source turns into lines (parse_opencode.c).
 * A row is read again whenever it changes; sub-agent (task) sessions count in their parent's
 * session as a chain of their own; Anthropic models keep Anthropic's cache rules (writes at the
 * configured tier), the others OpenAI's (per request, REQ_OPENAI_RULES). Whatever a whole read
 * would count differently marks the order broken, and the live path reads everything again. */
#include <stdlib.h>
#include <string.h>

#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "cachetop/opencode.h"
#include "model_private.h"

struct oc_state {
	struct u64map msgs;     /* message id → request index, OC_ZERO or OC_NOREQ */
	struct u64map sessions; /* session id → the session it counts in, | OC_CHILD */
	struct u64map legacy;   /* ids first met in the legacy JSON tree */
};

/* Its maps in the model's slot for it (made on the first record). */
static struct oc_state *oc_of(struct model *m) { return m->agent_state[AGENT_OPENCODE]; }

void model_opencode_free(struct model *m)
{
	struct oc_state *oc = oc_of(m);
	if (!oc)
		return;
	u64map_free(&oc->msgs);
	u64map_free(&oc->sessions);
	u64map_free(&oc->legacy);
	free(oc);
	m->agent_state[AGENT_OPENCODE] = NULL;
}

/* One record per database row or legacy file (parse_opencode.c). A row is read again whenever
 * it changes (a reply's tokens arrive when it completes, a title is set later): a record whose
 * id was met before is the same line, not a new one, and replaces what its earlier version
 * said. Sub-agent (task) sessions count in their top-level session as a chain of their own.
 * A change a whole read would count differently (a request's tokens changed, a sub-agent
 * session learnt after its messages, a database row after its legacy copy) marks the order
 * broken: the live path then reads everything again. */
#define OC_NOREQ UINT32_MAX          /* oc_msgs: a user message, or a reply without tokens */
#define OC_ZERO (UINT32_MAX - 1)     /* oc_msgs: a reply whose tokens are all zero */
#define OC_CHILD 0x80000000u         /* oc_sessions: a sub-agent session */

/* The same record met again from where it was met first: one line, not two. */
static void oc_again(struct model *m, uint32_t fi)
{
	m->stats.lines--;
	m->files[fi].lines--;
}

/* A copy from the other place (database and legacy tree): the database's counts. Returns true
 * when the record is a legacy copy to drop; a database record after its legacy copy means the
 * database was read late (an import running now). */
static bool oc_copy(struct model *m, const struct line *ln, uint64_t id)
{
	bool first_legacy = u64map_get(&oc_of(m)->legacy, id) != NULL;
	if (ln->legacy && !first_legacy) {
		m->stats.duplicate_lines++;
		return true;
	}
	if (!ln->legacy && first_legacy)
		m->order_broken = true;
	return false;
}

static void oc_touch(struct model *m, int32_t si, uint32_t fi, const struct line *ln)
{
	struct session *s = &m->sessions[si];
	mdl_session_add_file(s, fi);
	if (ln->cwd[0] && !s->project)
		s->project = xstrdup(ln->cwd);
	if (ln->ts != CT_TIME_NONE && (s->last_activity == CT_TIME_NONE || ln->ts > s->last_activity))
		s->last_activity = ln->ts;
}

static unsigned oc_session(struct model *m, uint32_t fi, const struct line *ln)
{
	unsigned changed = 0;
	uint64_t h = ct_hash(ln->session_id, strlen(ln->session_id));
	uint32_t *known = u64map_get(&oc_of(m)->sessions, h);
	if (known) {
		if (oc_copy(m, ln, h))
			return 0;
		oc_again(m, fi);
		if (!!ln->parent_id[0] != !!(*known & OC_CHILD))
			m->order_broken = true; /* its messages were counted as another session's */
		if (*known & OC_CHILD)
			return 0;
		mdl_session_title(&m->sessions[*known], TITLE_AI, ln->title);
		return MODEL_UPDATED;
	}
	if (ln->legacy)
		u64map_put(&oc_of(m)->legacy, h, 1);
	if (ln->parent_id[0]) {
		/* a task sub-agent: counted in the parent's top-level session */
		uint64_t ph = ct_hash(ln->parent_id, strlen(ln->parent_id));
		uint32_t *p = u64map_get(&oc_of(m)->sessions, ph);
		uint32_t root;
		if (p) {
			root = *p & ~OC_CHILD;
		} else {
			root = (uint32_t)mdl_session_get(m, ln->parent_id, AGENT_OPENCODE, &changed);
			u64map_put(&oc_of(m)->sessions, ph, root);
		}
		u64map_put(&oc_of(m)->sessions, h, root | OC_CHILD);
		return changed;
	}
	int32_t si = mdl_session_get(m, ln->session_id, AGENT_OPENCODE, &changed);
	u64map_put(&oc_of(m)->sessions, h, (uint32_t)si);
	oc_touch(m, si, fi, ln);
	mdl_session_title(&m->sessions[si], TITLE_AI, ln->title);
	if (m->files[fi].session == NO_SESSION)
		m->files[fi].session = si;
	return changed | MODEL_UPDATED;
}

static bool usage_zero(const struct usage *u)
{
	return !u->input && !u->cache_creation && !u->cache_read && !u->output;
}

/* opencode's counts as cachetop counts them: Anthropic's writes at the configured tier (opencode
 * never says which), OpenAI's rules for the rest (a write is uncached input, as no premium is
 * charged for it). */
static struct usage oc_usage(const struct model *m, const struct line *ln)
{
	struct usage u = ln->usage;
	if (ln->openai_rules) {
		u.input = u.input + u.cache_creation > UINT32_MAX ? UINT32_MAX : u.input + u.cache_creation;
		u.cache_creation = 0;
	} else if (m->opts.default_ttl_s >= 3600) {
		u.cc1h = u.cache_creation;
	} else {
		u.cc5m = u.cache_creation;
	}
	return u;
}

/* A message met before came again: its new version replaces the old. */
static unsigned oc_update(struct model *m, uint32_t *state, const struct line *ln)
{
	bool zero = ln->has_usage && usage_zero(&ln->usage);
	if (*state == OC_NOREQ || *state == OC_ZERO) {
		if (ln->has_usage && !zero)
			return 1; /* it became a request: count it now */
		if (*state == OC_NOREQ && zero) {
			m->stats.skipped--;
			m->stats.synthetic++;
			*state = OC_ZERO;
		}
		return 0;
	}
	const struct request *r = REQ(m, *state);
	struct usage u = oc_usage(m, ln);
	if (!ln->has_usage || r->input != u.input || r->cc5m != u.cc5m || r->cc1h != u.cc1h ||
	    r->cache_read != u.cache_read || r->output != u.output ||
	    strcmp(model_model_name(m, r->model), ln->model) != 0)
		m->order_broken = true; /* counted as it was; a whole read counts it as it is */
	return 0;
}

static unsigned oc_message(struct model *m, uint32_t fi, const struct line *ln)
{
	unsigned changed = 0;
	uint32_t *seen = u64map_get(&oc_of(m)->msgs, ln->msg_id);
	if (seen) {
		if (oc_copy(m, ln, ln->msg_id))
			return 0;
		oc_again(m, fi);
		if (!oc_update(m, seen, ln))
			return 0;
		/* no longer a skip or an all-zero reply: a request */
		if (*seen == OC_NOREQ)
			m->stats.skipped--;
		else
			m->stats.synthetic--;
	} else if (ln->legacy) {
		u64map_put(&oc_of(m)->legacy, ln->msg_id, 1);
	}
	uint64_t h = ct_hash(ln->session_id, strlen(ln->session_id));
	uint32_t *sv = u64map_get(&oc_of(m)->sessions, h);
	int32_t si;
	uint32_t chain = 0;
	if (sv) {
		si = (int32_t)(*sv & ~OC_CHILD);
		if (*sv & OC_CHILD)
			chain = mdl_fold32(h);
	} else {
		/* no session record (yet): its own top-level session */
		si = mdl_session_get(m, ln->session_id, AGENT_OPENCODE, &changed);
		u64map_put(&oc_of(m)->sessions, h, (uint32_t)si);
	}
	oc_touch(m, si, fi, ln);
	if (m->files[fi].session == NO_SESSION)
		m->files[fi].session = si;
	if (!ln->has_usage || usage_zero(&ln->usage)) {
		/* a user message; an aborted or failed reply, a shell command: not requests */
		if (ln->has_usage)
			m->stats.synthetic++;
		else
			m->stats.skipped++;
		u64map_put(&oc_of(m)->msgs, ln->msg_id, ln->has_usage ? OC_ZERO : OC_NOREQ);
		return changed;
	}
	struct session_priv *sp = &m->spriv[si];
	if (!chain && sp->oc_compacted) {
		m->fstate[fi].compaction_session = si; /* classify takes it for this request */
		sp->oc_compacted = false;
	}
	struct usage u = oc_usage(m, ln);
	uint32_t ri = (uint32_t)m->nreqs;
	changed |= mdl_add_request_flags(m, si, fi, ln->ts, mdl_intern(m, ln->model), &u, chain != 0, chain,
					 ln->openai_rules ? REQ_OPENAI_RULES : 0);
	if (ri == m->nreqs)
		return changed;
	u64map_put(&oc_of(m)->msgs, ln->msg_id, ri);
	if (ln->compact_boundary && !chain)
		m->spriv[si].oc_compacted = true;
	/* a chain's requests in an order a whole read (by time created) would not have used */
	const struct request *r = REQ(m, ri);
	if (r->pred && REQ(m, r->pred - 1)->t > r->t)
		m->order_broken = true;
	return changed;
}

unsigned model_apply_opencode(struct model *m, uint32_t fi, const struct line *ln)
{
	if (!oc_of(m))
		m->agent_state[AGENT_OPENCODE] = xcalloc(1, sizeof(struct oc_state));
	if (ln->kind == LINE_DB_SESSION)
		return oc_session(m, fi, ln);
	if (ln->kind == LINE_DB_MESSAGE)
		return oc_message(m, fi, ln);
	return 0;
}

