/* source.c — the source object, above the rest of the layer: it holds the roots, their
 * targets and databases, and ties the parts together — the start-up scan (listing, then
 * reading oldest-first), a rebuild into a new sink, and following the roots live (watch.c for
 * files, dbsrc.h for databases). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbsrc.h"
#include "source_int.h"

struct source *source_new(const struct source_roots *roots, const struct line_sink *sink)
{
	struct source *s = xcalloc(1, sizeof *s);
	s->sink = *sink;
	s->fd = -1;
	s->watch_limit_test = -1;
	s->rbuf = xmalloc(SOURCE_BLOCK);
	for (size_t i = 0; i < roots->n; i++)
		source_roots_add(&s->roots, roots->v[i].agent, roots->v[i].path);
	for (size_t i = 0; i < s->roots.n; i++) {
		/* The same folder reached twice (a symlinked config folder) is read once. */
		struct stat st, st2;
		bool dup = false;
		if (stat(s->roots.v[i].path, &st) == 0)
			for (size_t j = 0; j < i && !dup; j++)
				dup = s->roots.v[j].agent == s->roots.v[i].agent &&
				      stat(s->roots.v[j].path, &st2) == 0 && st.st_dev == st2.st_dev &&
				      st.st_ino == st2.st_ino;
		if (dup)
			continue;
		if (!source_targets_add(s, i))
			oc_add(s, i); /* a database, not a tree of transcripts */
	}
	return s;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	watch_stop(s);
	tail_free_all(s);
	oc_free(s);
	dirs_free(s);
	scands_free(&s->cands);
	struct spath *p, *tmp;
	HASH_ITER(hh, s->skipped, p, tmp) {
		HASH_DEL(s->skipped, p);
		free(p->path);
		free(p);
	}
	for (size_t i = 0; i < s->ntargets; i++)
		free(s->targets[i].path);
	free(s->targets);
	for (size_t i = 0; i < SOURCE_MSGS; i++)
		free(s->msgs[i]);
	free(s->msg_last);
	free(s->rbuf);
	source_roots_free(&s->roots);
	free(s);
}

const struct source_stats *source_stats(const struct source *s) { return &s->st; }
const struct source_roots *source_get_roots(const struct source *s) { return &s->roots; }

void source_rebuild(struct source *s, const struct line_sink *sink)
{
	/* Forget every file without telling the old sink (it is being replaced), then read the
	 * tree as at start-up. */
	s->sink = *sink;
	tail_free_all(s);
	scands_free(&s->cands);
	memset(&s->cands, 0, sizeof s->cands);
	for (size_t i = 0; i < s->roots.n; i++)
		s->roots.v[i].files = 0;
	s->st.files = 0;
	s->st.rebuilds++;
	oc_forget(s);
	source_scan(s, NULL, 0);
}

int source_scan(struct source *s, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; i < s->ntargets; i++) {
		struct source_target *t = &s->targets[i];
		struct stat st;
		if (stat(t->path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		s->roots.v[t->root].exists = true;
		if (access(t->path, R_OK | X_OK) != 0) {
			if (err && errlen)
				snprintf(err, errlen, "cannot read %s: %s", t->path, strerror(errno));
			rc = -1;
			continue;
		}
		source_walk(s, t, t->path, &s->cands, NULL);
	}
	for (size_t i = 0; i < s->roots.n; i++)
		if (!s->roots.v[i].exists)
			s->roots.v[i].exists = source_is_dir(s->roots.v[i].path);
	source_settle(s);
	oc_scan(s);
	return rc;
}

bool source_unchanged(struct source *s, size_t recallable, void (*walked)(void *ctx), void *ctx)
{
	if (s->watching || s->files || !s->sink.recall || !s->sink.dir_recall)
		return false;
	if (oc_present(s))
		return false;
	/* every stat first, then the walk over the kept listings alone; the full walk when that
	 * cannot tell (it lists what changed, and says why) */
	if (walked)
		walked(ctx);
	if (discover_kept_unchanged(s, recallable))
		return true;
	struct scands c = {0};
	bool ok = true;
	s->listed_anew = false;
	for (size_t i = 0; i < s->ntargets && ok; i++) {
		struct source_target *t = &s->targets[i];
		if (source_target_kept(s, t, &ok))
			source_walk(s, t, t->path, &c, NULL);
	}
	ok = ok && !s->listed_anew && c.n == recallable && discover_all_known(s, &c);
	if (ok) {
		/* the roots as a scan would leave them (each transcript found counted once) */
		for (size_t i = 0; i < s->roots.n; i++)
			s->roots.v[i].files = 0;
		for (size_t i = 0; i < c.n; i++)
			if (c.v[i].root < s->roots.n)
				s->roots.v[c.v[i].root].files++;
		for (size_t i = 0; i < s->roots.n; i++)
			s->roots.v[i].exists = source_is_dir(s->roots.v[i].path);
	}
	scands_free(&c);
	return ok;
}

int source_watch(struct source *s, char *err, size_t errlen)
{
	if (s->watching)
		return 0;
	watch_start(s, err, errlen);
	oc_watch(s, 0);
	return 0;
}

int source_timeout_ms(const struct source *s, int64_t now_ms)
{
	if (!s->watching)
		return -1;
	return watch_timeout_ms(s, now_ms, oc_timeout_ms(s, now_ms));
}

uint64_t source_process(struct source *s, int64_t now_ms)
{
	uint64_t before = s->delivered;
	if (!s->watching)
		return 0;
	watch_process(s, now_ms, oc_event);
	oc_process(s, now_ms);
	return s->delivered - before;
}

int source_read_file(enum agent agent, const char *path, uint64_t from, const struct line_sink *sink,
		     uint32_t file)
{
	struct source_roots none = {0};
	struct line_sink k = *sink;
	k.file_order = NULL; /* one file alone: no reading order to keep */
	struct source *s = source_new(&none, &k);
	int rc = tail_read_from(s, path, agent, file, from);
	source_free(s);
	return rc;
}
