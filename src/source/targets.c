/* targets.c — the transcript folders under each root (one target each: Claude's projects/,
 * Codex's sessions/ and archived_sessions/, Gemini's tmp/) and which paths under a target are
 * transcripts, sub-agents' transcripts, or documents read whole. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cachetop/gemini.h"
#include "source_int.h"

void source_target_add(struct source *s, size_t root, const char *sub, bool archived)
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

bool source_path_is_transcript(const char *name)
{
	size_t n = strlen(name);
	return n > 6 && strcmp(name + n - 6, ".jsonl") == 0;
}

/* path below target t ("" for the target itself), or NULL when it is not below it */
static const char *target_rel(const struct source_target *t, const char *path)
{
	size_t n = strlen(t->path);
	if (strncmp(path, t->path, n) != 0 || (path[n] != '/' && path[n] != 0))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

bool source_dir_wanted(const struct source_target *t, const char *dir)
{
	if (t->agent == AGENT_GEMINI) {
		const char *rel = target_rel(t, dir);
		return rel && gemini_dir_wanted(rel);
	}
	return true;
}

bool source_is_transcript(const struct source_target *t, const char *path)
{
	if (t && t->agent == AGENT_GEMINI) {
		/* only tmp/<id>/chats/<name>.json{,l} and tmp/<id>/chats/<parent>/<name>.jsonl: the other
		 * session-*.jsonl files under tmp/ are activity logs */
		const char *rel = target_rel(t, path);
		return rel && gemini_path_kind(rel) != GEMINI_PATH_NONE;
	}
	const char *base = strrchr(path, '/');
	return source_path_is_transcript(base ? base + 1 : path);
}

bool source_is_whole_file(enum agent agent, const char *path)
{
	size_t n = strlen(path);
	return agent == AGENT_GEMINI && n > 5 && strcmp(path + n - 5, ".json") == 0;
}

bool source_path_is_subagent(const struct source_target *t, const char *path)
{
	if (t->agent == AGENT_GEMINI) {
		const char *rel = target_rel(t, path);
		return rel && gemini_path_kind(rel) == GEMINI_PATH_SUBAGENT;
	}
	if (t->agent != AGENT_CLAUDE)
		return false; /* Codex marks sub-agents inside the file (session_meta) */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "agent-", 6) == 0)
		return true;
	const char *rel = path + strlen(t->path);
	return strstr(rel, "/subagents/") != NULL;
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

/* archived_sessions/<rel>: the sessions/<rel> copy wins when both exist. */
bool source_shadowed(struct source *s, const struct source_target *t, const char *path)
{
	if (!t->archived)
		return false;
	const struct source_root *r = &s->roots.v[t->root];
	struct buf p = {0};
	buf_printf(&p, "%s/sessions%s", r->path, path + strlen(t->path));
	struct stat st;
	bool shadow = lstat(buf_cstr(&p), &st) == 0;
	buf_free(&p);
	return shadow;
}
