/* targets.c — the transcript folders under each root (one target each: the agent's root_sub,
 * and root_sub2 for older copies) and which paths under a target are transcripts, sub-agents'
 * transcripts, or documents read whole: each agent's rule, asked of the agent table. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source_int.h"

static void target_add(struct source *s, size_t root, const char *sub, bool archived)
{
	const struct source_root *r = &s->roots.v[root];
	s->targets = xrealloc(s->targets, (s->ntargets + 1) * sizeof *s->targets);
	struct source_target *t = &s->targets[s->ntargets++];
	struct buf p = {0};
	buf_printf(&p, "%s/%s", r->path, sub);
	t->agent = r->agent;
	t->path = p.data;
	t->root = root;
	t->archived = archived;
	t->watched = false;
	t->anc_wd = -1;
}

bool source_targets_add(struct source *s, size_t root)
{
	const struct agent_desc *ad = agent_get(s->roots.v[root].agent);
	if (!agent_has_transcripts(ad->id))
		return false;
	target_add(s, root, ad->root_sub + 1, false); /* root_sub starts with '/' */
	if (ad->root_sub2)
		target_add(s, root, ad->root_sub2 + 1, true);
	return true;
}

bool source_path_is_transcript(const char *name) { return transcript_kind_jsonl(name) != TRANSCRIPT_NONE; }

/* path below target t ("" for the target itself), or NULL when it is not below it */
static const char *target_rel(const struct source_target *t, const char *path)
{
	size_t n = strlen(t->path);
	if (strncmp(path, t->path, n) != 0 || (path[n] != '/' && path[n] != 0))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

/* What `path` below target t is, by its agent's rule in the table. */
enum transcript_kind target_kind(const struct source_target *t, const char *path)
{
	const char *rel = target_rel(t, path);
	return rel ? agent_transcript_kind(t->agent, rel) : TRANSCRIPT_NONE;
}

bool source_dir_wanted(const struct source_target *t, const char *dir)
{
	const char *rel = target_rel(t, dir);
	return rel && agent_transcript_dir(t->agent, rel);
}

bool source_is_transcript(const struct source_target *t, const char *path)
{
	if (t)
		return target_kind(t, path) != TRANSCRIPT_NONE;
	const char *base = strrchr(path, '/');
	return source_path_is_transcript(base ? base + 1 : path);
}

bool source_is_whole_file(struct source *s, const char *path)
{
	const struct source_target *t = source_target_of(s, path);
	return t && target_kind(t, path) == TRANSCRIPT_WHOLE;
}

bool source_path_is_subagent(const struct source_target *t, const char *path)
{
	return target_kind(t, path) == TRANSCRIPT_SUBAGENT;
}

struct source_target *source_target_of(struct source *s, const char *path)
{
	for (size_t i = 0; i < s->ntargets; i++) {
		size_t n = strlen(s->targets[i].path);
		if (strncmp(path, s->targets[i].path, n) == 0 && (path[n] == '/' || path[n] == 0))
			return &s->targets[i];
	}
	return NULL;
}

void source_shadow_path(struct source *s, const struct source_target *t, const char *path, struct buf *out)
{
	const struct source_root *r = &s->roots.v[t->root];
	buf_printf(out, "%s%s%s", r->path, agent_get(t->agent)->root_sub, path + strlen(t->path));
}

/* archived_sessions/<rel>: the sessions/<rel> copy wins when both exist (root_sub2, root_sub). */
bool source_shadowed(struct source *s, const struct source_target *t, const char *path)
{
	if (!t->archived)
		return false;
	struct buf p = {0};
	source_shadow_path(s, t, path, &p);
	struct stat st;
	bool shadow = lstat(buf_cstr(&p), &st) == 0;
	buf_free(&p);
	return shadow;
}
