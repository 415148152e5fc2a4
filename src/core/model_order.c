/* model_order.c — the model's reading order and lineage marks: which of two files a whole-tree
 * read takes first, when something read live breaks that order (model_order_broken, so live
 * rebuilds from a fresh read), ties between files that start together, and the resume
 * boundaries and compactions a file marks for the next main-chain request of a session. */
#include "cachetop/model.h"

#include <string.h>

#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"

static bool tie_flipped(const struct model *m, size_t i);

void model_file_order(struct model *m, uint32_t file, int64_t first_ts, int64_t last_ts)
{
	mdl_unsealed(m);
	if (file >= m->nfiles)
		return;
	m->files[file].first_ts = first_ts;
	if (last_ts != CT_TIME_NONE) {
		m->files[file].last_ts = last_ts;
		m->files[file].last_from_source = true;
	}
}

bool model_order_broken(const struct model *m)
{
	if (m->order_broken)
		return true;
	for (size_t i = 0; i < m->nties; i++)
		if (tie_flipped(m, i))
			return true;
	return false;
}

bool model_order_hard(const struct model *m) { return m->order_broken; }

void model_order_clear(struct model *m)
{
	/* Ties stay: a file that grew while the tree was being read can already have flipped the
	 * order the read used, and later growth can flip it still. */
	m->order_broken = false;
}

int model_file_cmp(const struct model *m, uint32_t a, uint32_t b)
{
	if (a == b || a >= m->nfiles || b >= m->nfiles)
		return a < b ? -1 : a > b;
	return mdl_file_before(m, a, b) ? -1 : mdl_file_before(m, b, a) ? 1 : 0;
}

/* The reading order of a whole tree (source_scan): first timestamp, then the one that ended
 * first, then the path. An unknown first timestamp sorts last, as the source's peek does. */
bool mdl_file_before(const struct model *m, uint32_t a, uint32_t b)
{
	const struct model_file *x = &m->files[a], *y = &m->files[b];
	int64_t fx = x->first_ts == CT_TIME_NONE ? INT64_MAX : x->first_ts;
	int64_t fy = y->first_ts == CT_TIME_NONE ? INT64_MAX : y->first_ts;
	if (fx != fy)
		return fx < fy;
	int64_t lx = x->last_ts == CT_TIME_NONE ? INT64_MAX : x->last_ts;
	int64_t ly = y->last_ts == CT_TIME_NONE ? INT64_MAX : y->last_ts;
	if (lx != ly)
		return lx < ly;
	return strcmp(x->path, y->path) < 0;
}

/* Something now read in `file` was first met in `owner`: had the tree been read whole, the
 * file sorting first would own it. */
void mdl_order_check(struct model *m, uint32_t file, uint32_t owner)
{
	if (owner == file || owner >= m->nfiles)
		return;
	if (m->files[file].first_ts != m->files[owner].first_ts) {
		if (mdl_file_before(m, file, owner))
			m->order_broken = true;
		return;
	}
	/* The same start: which one counts depends on which ends first, and a copy being written
	 * ends with its original until it goes on. Judged when asked (model_order_broken), on
	 * what has been read by then, and again as both files grow. */
	for (size_t i = 0; i < m->nties; i++)
		if (m->ties[i].first == owner && m->ties[i].second == file)
			return;
	ct_grow((void **)&m->ties, &m->capties, m->nties + 1, sizeof *m->ties);
	m->ties[m->nties].first = owner;
	m->ties[m->nties++].second = file;
}

/* The order assumed for a tie no longer holds when a whole-tree read would now read the second
 * file first: it ends before the first, or ends with it and its path sorts first (a copy still
 * being written ends with its original; the read then goes by path, and so must the model). */
static bool tie_flipped(const struct model *m, size_t i)
{
	return mdl_file_before(m, m->ties[i].second, m->ties[i].first);
}

/* A resume boundary in file fi on session si from session `from`. A boundary from another
 * session wins over one within the session (a replayed file also changes version). */
void mdl_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from)
{
	struct file_state *fs = &m->fstate[fi];
	if (fs->pending_session != si || fs->pending_from == NO_SESSION || fs->pending_from == si) {
		fs->pending_session = si;
		fs->pending_from = from;
	}
}

void model_boundary(struct model *m, uint32_t fi, int32_t si, int32_t from) { mdl_boundary(m, fi, si, from); }

void model_compaction(struct model *m, uint32_t fi, int32_t si) { m->fstate[fi].compaction_session = si; }

void model_told_wrong(struct model *m) { m->order_broken = true; }

void model_copy_seen(struct model *m, uint32_t fi, uint32_t ri)
{
	if (ri < m->nreqs)
		mdl_order_check(m, fi, REQ_FILE(m, ri));
}
