/* model_claude.c — Claude Code's rules (its row's `apply` in agents.c): requests deduplicated by
 * (message.id, requestId) with the sidechain fallback, every uuid with the file and session that
 * first wrote it, resume boundaries from structure (replayed prefixes, junctions, sessionId or
 * version changes inside a file), sub-agent chains, titles and compactions. */
#include <stdlib.h>
#include <string.h>

#include "cachetop/claude.h"
#include "cachetop/evidence.h"
#include "cachetop/model.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"
#include "u64map.h"

static uint32_t claude_chain(struct model *m, const struct model_file *f, const struct file_state *fs,
			     const struct line *ln)
{
	if (f->subagent)
		return ln->agent_id ? mdl_fold32(ln->agent_id) : fs->chain_key;
	if (!ln->sidechain)
		return 0;
	if (ln->agent_id)
		return mdl_fold32(ln->agent_id);
	/* Claude 1.0.x: sub-agents inside the main file, each the tree under a root sidechain line */
	if (ln->parent_uuid) {
		uint32_t *root = u64map_get(&m->side_roots, ln->parent_uuid);
		if (root)
			return *root;
	}
	return mdl_fold32(ln->uuid);
}

unsigned model_apply_claude(struct model *m, uint32_t fi, const struct line *ln)
{
	struct model_file *f = &m->files[fi];
	struct file_state *fs = &m->fstate[fi];
	unsigned changed = 0;

	if (ln->kind == LINE_TITLE) {
		int32_t si = NO_SESSION;
		if (ln->session_id[0])
			si = mdl_session_get(m, ln->session_id, AGENT_CLAUDE, &changed);
		else if (fs->cur_session != NO_SESSION)
			si = fs->cur_session;
		else if (fs->first_session != NO_SESSION)
			si = fs->first_session;
		if (si != NO_SESSION) {
			mdl_session_title(&m->sessions[si], ln->title_rank, ln->title);
		} else if (ln->title_rank >= fs->title_rank) {
			free(fs->title);
			fs->title = xstrdup(ln->title);
			fs->title_rank = ln->title_rank;
		}
		return changed | MODEL_UPDATED;
	}

	/* LINE_ENTRY */
	const char *sid = ln->session_id;
	char stem[LINE_ID_MAX];
	if (!*sid) {
		/* no sessionId: the file's session, else its name */
		if (fs->cur_session != NO_SESSION) {
			sid = m->sessions[fs->cur_session].id;
		} else {
			const char *base = strrchr(f->path, '/');
			base = base ? base + 1 : f->path;
			size_t n = strcspn(base, ".");
			if (n >= sizeof stem)
				n = sizeof stem - 1;
			memcpy(stem, base, n);
			stem[n] = 0;
			sid = stem;
		}
	}
	int32_t si = mdl_session_get(m, sid, AGENT_CLAUDE, &changed);
	mdl_session_touch(m, si, fi, ln);
	if (fs->first_session == NO_SESSION) {
		fs->first_session = si;
		f->session = si;
		if (fs->title) {
			mdl_session_title(&m->sessions[si], fs->title_rank, fs->title);
			free(fs->title);
			fs->title = NULL;
		}
	}

	/* Lineage, for main-conversation lines of main transcripts. */
	bool replayed = false;
	/* Sub-agent transcripts are never replayed into another file: their uuids need no record. */
	uint32_t *seen = f->subagent || !ln->uuid ? NULL : u64map_get(&m->uuids, ln->uuid);
	if (seen) {
		if (m->pairs[*seen].file != fi) {
			replayed = true;
			fs->replay_owner = (int32_t)m->pairs[*seen].session;
			mdl_order_check(m, fi, m->pairs[*seen].file);
		}
	} else if (!f->subagent && ln->uuid) {
		if (fs->pair_session != si) {
			void *pp = m->pairs;
			ct_grow(&pp, &m->cappairs, m->npairs + 1, sizeof *m->pairs);
			m->pairs = pp;
			m->pairs[m->npairs].file = fi;
			m->pairs[m->npairs].session = (uint32_t)si;
			fs->pair = (uint32_t)m->npairs++;
			fs->pair_session = si;
		}
		u64map_put(&m->uuids, ln->uuid, fs->pair);
		/* a junction that pointed here before this line was read was decided without it */
		uint32_t *named = m->dangling.n ? u64map_get(&m->dangling, ln->uuid) : NULL;
		if (named && *named != fi)
			m->order_broken = true;
	}
	if (ln->sidechain && !f->subagent && ln->uuid)
		u64map_put(&m->side_roots, ln->uuid, claude_chain(m, f, fs, ln));
	if (!f->subagent && !ln->sidechain && !replayed && ln->uuid) {
		if (fs->last_version && ln->version && ln->version != fs->last_version &&
		    fs->cur_session == si)
			mdl_boundary(m, fi, si, si); /* a new process wrote this file */
		if (fs->cur_session != NO_SESSION && fs->cur_session != si)
			mdl_boundary(m, fi, si, fs->cur_session); /* sessionId changed inside the file */
		if (!fs->first_new_done) {
			fs->first_new_done = true;
			int32_t from = fs->replay_owner;
			if (from == NO_SESSION && ln->parent_uuid) {
				uint32_t *par = u64map_get(&m->uuids, ln->parent_uuid);
				if (par && m->pairs[*par].file != fi) {
					from = (int32_t)m->pairs[*par].session;
					mdl_order_check(m, fi, m->pairs[*par].file);
				} else if (!par) {
					u64map_put(&m->dangling, ln->parent_uuid, fi);
				}
			}
			if (from != NO_SESSION)
				mdl_boundary(m, fi, si, from);
		}
		fs->cur_session = si;
		if (ln->version)
			fs->last_version = ln->version;
		if (ln->compact_boundary)
			fs->compaction_session = si;
		if (ln->tools.kind) /* a tool/MCP-set change before the next request (evidence.h) */
			evidence_log_tools(m->evlog, (uint32_t)si, (uint32_t)m->nreqs, &ln->tools);
	}

	if (!ln->has_usage)
		return changed;
	if (ln->synthetic) {
		m->stats.synthetic++;
		return changed;
	}
	/* Dedup: (message.id, requestId) over all files; message.id alone when one side is a
	 * sidechain copy (a /btw replay re-sends a parent message under a new requestId). */
	if (ln->msg_id) {
		uint64_t key = ln->req_id ? ct_hash_mix(ln->msg_id, &ln->req_id, sizeof ln->req_id) : ln->msg_id;
		uint32_t *hit = u64map_get(&m->req_keys, key);
		if (hit) {
			m->stats.duplicate_lines++;
			mdl_order_check(m, fi, REQ_FILE(m, *hit));
			return changed | mdl_update_output(m, (uint32_t)*hit, ln->usage.output, ln->ts);
		}
		uint32_t *first = u64map_get(&m->msg_ids, ln->msg_id);
		if (first && (ln->sidechain || (REQ(m, *first)->flags & REQ_SIDECHAIN))) {
			m->stats.duplicate_lines++;
			mdl_order_check(m, fi, REQ_FILE(m, *first));
			u64map_put(&m->req_keys, key, *first);
			return changed | mdl_update_output(m, (uint32_t)*first, ln->usage.output, ln->ts);
		}
		u64map_put(&m->req_keys, key, m->nreqs);
		if (!first)
			u64map_put(&m->msg_ids, ln->msg_id, m->nreqs);
	}
	bool side = f->subagent || ln->sidechain;
	uint32_t chain = side ? claude_chain(m, f, fs, ln) : 0;
	evidence_log_version(m->evlog, (uint32_t)si, (uint32_t)m->nreqs, ln->version_str);
	return changed | mdl_add_request(m, si, fi, ln->ts, mdl_intern(m, ln->model), &ln->usage, side, chain);
}
