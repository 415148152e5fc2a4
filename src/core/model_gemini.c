/* model_gemini.c — what Gemini CLI's records mean to the model (transcript-formats.md E4).
 * Owns the Gemini request keys — (recording sessionId, message id), the last version of a
 * record wins — each recording's last model (a record without one uses it), and per-file state:
 * which session a file's records belong to (the header's sessionId, or for a sub-agent
 * recording the parent session its folder names), resume boundaries (a `$set` of the file's
 * own sessionId, or a session continued in another file), and the rewinds and checkpoints that
 * make the next request's smaller prefix expected. Everything else — storing, classifying and
 * pricing requests — is the model's, through model_private.h. */
#include <stdlib.h>
#include <string.h>

#include "cachetop/gemini.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"
#include "model_private.h"
#include "u64map.h"

struct gemini_file {
	int32_t session;   /* where the file's records go now; MODEL_NO_SESSION before any names one */
	int32_t owner;     /* the session it named first: kept when the file is read again */
	uint64_t rec;      /* hash of the recording's sessionId: the first half of a request key */
	uint32_t chain;    /* a sub-agent recording's chain in its parent session */
	bool resuming;     /* a resume was recorded and no request has followed yet */
};

struct gemini_state {
	struct gemini_file *files;
	size_t nfiles, capfiles;
	struct u64map keys;   /* hash(recording sessionId, message id) → request index */
	struct u64map models; /* recording sessionId hash → model of its last record naming one */
};

static void gemini_state_free(struct gemini_state *st)
{
	if (!st)
		return;
	free(st->files);
	u64map_free(&st->keys);
	u64map_free(&st->models);
	free(st);
}

static void gemini_file_reset(struct gemini_state *st, uint32_t file)
{
	if (!st || file >= st->nfiles)
		return;
	/* read again from byte 0: where in the file we are starts over, its owner stays */
	struct gemini_file *gf = &st->files[file];
	gf->session = MODEL_NO_SESSION;
	gf->rec = 0;
	gf->chain = 0;
	gf->resuming = false;
}

static struct gemini_file *file_slot(struct gemini_state *st, uint32_t file)
{
	if (file >= st->nfiles) {
		void *p = st->files;
		ct_grow(&p, &st->capfiles, (size_t)file + 1, sizeof *st->files);
		st->files = p;
		for (size_t i = st->nfiles; i <= file; i++)
			st->files[i] = (struct gemini_file){.session = MODEL_NO_SESSION, .owner = MODEL_NO_SESSION};
		st->nfiles = (size_t)file + 1;
	}
	return &st->files[file];
}

/* The project of a session: its recordings' tmp/<id> folder. A slug names the project folder; a
 * sha256 id (before 0.29) names nothing readable, so a slug copy of the same session wins. */
static void set_project(struct model *m, struct session *s, const char *path)
{
	char id[LINE_PATH_MAX];
	gemini_path_project(path, id, sizeof id);
	if (!id[0] || (s->project && (gemini_id_is_hash(id) || !gemini_id_is_hash(s->project))))
		return;
	if (s->project)
		model_told_wrong(m); /* events already told named the hash */
	free(s->project);
	s->project = xstrdup(id);
}

/* Point file fi at the recording `rec_id`: its own session, or for a sub-agent recording (by
 * its path, or by its header when the path names a parent) a chain of the parent session. */
static int32_t attach(struct model *m, struct gemini_file *gf, uint32_t fi, const char *rec_id, bool subagent,
		      unsigned *changed)
{
	struct model_file *f = model_file_mut(m, fi);
	char parent[LINE_ID_MAX];
	gemini_path_parent(f->path, parent, sizeof parent);
	int32_t si;
	if ((subagent || f->subagent) && parent[0]) {
		si = model_session_get(m, parent, AGENT_GEMINI, changed);
		f->subagent = true;
		gf->chain = model_chain_key(ct_hash(rec_id, strlen(rec_id)));
	} else {
		si = model_session_get(m, rec_id, AGENT_GEMINI, changed);
		gf->chain = 0;
	}
	gf->rec = ct_hash(rec_id, strlen(rec_id));
	gf->session = si;
	if (gf->owner == MODEL_NO_SESSION)
		gf->owner = si;
	if (f->session < 0)
		f->session = si;
	model_session_add_file(m, si, fi);
	set_project(m, model_session_mut(m, si), f->path);
	return si;
}

/* A record before any header: the recording is named after its file, as Gemini CLI names a
 * sub-agent's file after its id. */
static int32_t attach_by_name(struct model *m, struct gemini_file *gf, uint32_t fi, unsigned *changed)
{
	char stem[LINE_ID_MAX];
	model_file_stem(m, fi, stem, sizeof stem);
	return attach(m, gf, fi, stem, false, changed);
}

/* A header, or a `$set` naming the file's first session: a session continued in a file that
 * is not its first is a resume (a `.json` session continued as `.jsonl`, a start-up orphan). */
static void header(struct model *m, struct gemini_file *gf, uint32_t fi, const struct line *ln, unsigned *changed)
{
	int32_t prev = gf->session, owner = gf->owner;
	int32_t si = attach(m, gf, fi, ln->session_id, ln->subagent, changed);
	if (model_file(m, fi)->subagent)
		return;
	if (prev != MODEL_NO_SESSION && prev != si)
		model_boundary(m, fi, si, prev); /* another sessionId inside the same file */
	else if (prev == MODEL_NO_SESSION && owner != si && model_session(m, (size_t)si)->main_last)
		model_boundary(m, fi, si, si); /* not when the file is only read again */
}

static unsigned set_record(struct model *m, struct gemini_file *gf, uint32_t fi, const struct line *ln)
{
	unsigned changed = 0;
	bool sub = model_file(m, fi)->subagent;
	if (ln->session_id[0]) {
		if (gf->session == MODEL_NO_SESSION) {
			header(m, gf, fi, ln, &changed);
		} else if (ct_hash(ln->session_id, strlen(ln->session_id)) == gf->rec) {
			/* Gemini CLI writes its own sessionId again when it resumes this recording */
			if (!sub) {
				model_boundary(m, fi, gf->session, gf->session);
				gf->resuming = true;
			}
		} else {
			int32_t prev = gf->session;
			int32_t si = attach(m, gf, fi, ln->session_id, false, &changed);
			if (!sub && si != prev)
				model_boundary(m, fi, si, prev);
		}
	}
	if (gf->session == MODEL_NO_SESSION)
		attach_by_name(m, gf, fi, &changed);
	if (ln->title_rank != TITLE_NONE)
		model_session_title(m, gf->session, ln->title_rank, ln->title);
	/* A checkpoint rewrites the conversation (compression, a rolled-back turn): the next
	 * request may read less. The one a resume writes does not: a miss there is the resume's. */
	if (ln->compact_boundary && !gf->resuming && !sub)
		model_compaction(m, fi, gf->session);
	return changed | MODEL_UPDATED;
}

static unsigned message(struct model *m, struct gemini_state *st, struct gemini_file *gf, uint32_t fi,
			const struct line *ln)
{
	unsigned changed = 0;
	if (gf->session == MODEL_NO_SESSION)
		attach_by_name(m, gf, fi, &changed);
	struct session *s = model_session_mut(m, gf->session);
	model_session_add_file(m, gf->session, fi);
	if (ln->ts != CT_TIME_NONE && (s->last_activity == CT_TIME_NONE || ln->ts > s->last_activity))
		s->last_activity = ln->ts;
	uint16_t model = model_name_index(m, ln->model);
	if (model)
		u64map_put(&st->models, gf->rec, model);
	if (!ln->has_usage)
		return changed;
	gf->resuming = false;
	/* One request is one (sessionId, id): Gemini CLI appends a changed message again whole
	 * (tokens arriving, tool calls added, a checkpoint, a resume's copy), so the last version
	 * is the bill. The sessionId is part of the key: an injected turn has the same id in
	 * every session. */
	uint64_t key = ct_hash_mix(gf->rec, &ln->msg_id, sizeof ln->msg_id);
	uint32_t *known = u64map_get(&st->keys, key);
	if (known) {
		model_stats_mut(m)->duplicate_lines++;
		model_copy_seen(m, fi, *known);
		return changed | model_request_update(m, *known, &ln->usage, model);
	}
	if (!model) {
		uint32_t *last = u64map_get(&st->models, gf->rec);
		model = last ? (uint16_t)*last : 0;
	}
	bool sub = model_file(m, fi)->subagent;
	u64map_put(&st->keys, key, (uint32_t)model_request_count(m));
	return changed | model_request_add(m, gf->session, fi, ln->ts, model, &ln->usage, sub, sub ? gf->chain : 0);
}

/* Its state in the model's slot for it (made on the first record). */
static struct gemini_state *state_of(struct model *m)
{
	void **slot = &m->agent_state[AGENT_GEMINI];
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct gemini_state));
	return *slot;
}

unsigned model_apply_gemini(struct model *m, uint32_t file, const struct line *ln)
{
	struct gemini_state *st = state_of(m);
	struct gemini_file *gf = file_slot(st, file);
	unsigned changed = 0;
	switch (ln->kind) {
	case LINE_RECORD_HEADER:
		header(m, gf, file, ln, &changed);
		if (ln->title_rank != TITLE_NONE)
			model_session_title(m, gf->session, ln->title_rank, ln->title);
		if (ln->ts != CT_TIME_NONE) {
			struct session *s = model_session_mut(m, gf->session);
			if (s->last_activity == CT_TIME_NONE || ln->ts > s->last_activity)
				s->last_activity = ln->ts;
		}
		return changed;
	case LINE_RECORD_SET:
		return set_record(m, gf, file, ln);
	case LINE_RECORD_REWIND:
		/* the conversation was cut back: what was billed stays billed, and the next request
		 * reading only the kept part is expected */
		if (gf->session != MODEL_NO_SESSION && !model_file(m, file)->subagent)
			model_compaction(m, file, gf->session);
		return 0;
	case LINE_RECORD_MESSAGE:
		return message(m, st, gf, file, ln);
	default:
		return 0;
	}
}

void model_gemini_file_reset(struct model *m, uint32_t file) { gemini_file_reset(m->agent_state[AGENT_GEMINI], file); }

void model_gemini_free(struct model *m)
{
	gemini_state_free(m->agent_state[AGENT_GEMINI]);
	m->agent_state[AGENT_GEMINI] = NULL;
}
