/* discover.c — listing and ordering: recursive listing of a target's transcripts (skipping
 * anything that is not a regular file without ever opening it in a way that could block), and
 * the oldest-first ordering of the files found, in which they are opened and read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_int.h"

/* ---- listing ---------------------------------------------------------------------------- */

void scands_add(struct scands *c, const char *path, enum agent agent, bool subagent, size_t root)
{
	/* the path hashed once, for the look and the add */
	size_t len = strlen(path);
	unsigned hv;
	HASH_VALUE(path, len, hv);
	struct spath *p;
	HASH_FIND_BYHASHVALUE(hh, c->seen, path, len, hv, p);
	if (p)
		return;
	ct_grow((void **)&c->v, &c->cap, c->n + 1, sizeof c->v[0]);
	struct scand *d = &c->v[c->n++];
	memset(d, 0, sizeof *d);
	d->path = xstrdup(path);
	d->agent = agent;
	d->subagent = subagent;
	d->root = root;
	p = xcalloc(1, sizeof *p);
	p->path = d->path;
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, c->seen, p->path, len, hv, p);
}

void scands_free(struct scands *c)
{
	struct spath *p, *tmp;
	HASH_ITER(hh, c->seen, p, tmp) {
		HASH_DEL(c->seen, p);
		free(p);
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static void discover_not_regular(struct source *s, const char *path)
{
	if (source_skip_once(s, path) && !(s->said & SAID_NOT_REGULAR)) {
		s->said |= SAID_NOT_REGULAR;
		source_message(s, "skipped %s: not a regular file", path);
	}
}

void source_walk(struct source *s, struct source_target *t, const char *dir, struct scands *c,
		 void (*on_dir)(struct source *s, const char *dir))
{
	/* only the folders that can hold transcripts are listed (and watched) */
	if (!source_dir_wanted(t, dir))
		return;
	if (on_dir)
		on_dir(s, dir);
	/* A listing kept from an earlier run serves only the first listing of a start: once
	 * watching, what changes is told by inotify and listed as it is. */
	int err = 0;
	const struct sdir *d = dirs_list(s, dir, !on_dir && !s->watching, &err);
	if (!d) {
		if (err == EACCES && source_skip_once(s, dir) && !(s->said & SAID_UNREADABLE)) {
			s->said |= SAID_UNREADABLE;
			source_message(s, "cannot read %s: permission denied", dir);
		}
		return;
	}
	char **subdirs = NULL;
	size_t nsub = 0, capsub = 0;
	struct buf p = {0};
	unsigned char type;
	const char *name;
	size_t dirlen = strlen(dir);
	for (size_t at = 0; dirs_next(d, &at, &type, &name);) {
		/* dir/name, appended (printf per entry was a tenth of a warm start's listing) */
		p.len = 0;
		buf_append(&p, dir, dirlen);
		buf_append(&p, "/", 1);
		buf_puts(&p, name);
		enum transcript_kind kind = target_kind(t, p.data);
		bool transcript = kind != TRANSCRIPT_NONE;
		if (type == DT_DIR) {
			/* A folder named x.jsonl is not a transcript, but may hold some. */
			if (transcript)
				discover_not_regular(s, p.data);
			ct_grow((void **)&subdirs, &capsub, nsub + 1, sizeof *subdirs);
			subdirs[nsub++] = xstrdup(p.data);
			continue;
		}
		if (!transcript)
			continue;
		struct sfile *f;
		HASH_FIND_STR(s->files, p.data, f);
		if (f) {
			tail_mark_dirty(s, f);
			continue;
		}
		if (type != DT_REG && type != DT_LNK) {
			/* FIFO, socket, device: never opened. */
			discover_not_regular(s, p.data);
			continue;
		}
		if (source_shadowed(s, t, p.data))
			continue;
		scands_add(c, p.data, t->agent, kind == TRANSCRIPT_SUBAGENT, t->root);
	}
	buf_free(&p);
	for (size_t i = 0; i < nsub; i++) {
		source_walk(s, t, subdirs[i], c, on_dir);
		free(subdirs[i]);
	}
	free(subdirs);
}

/* ---- ordering --------------------------------------------------------------------------- */

/* The first (or last) timestamp of a regular file, read without blocking. */
static int64_t discover_peek(char *buf, struct scand *d, bool last)
{
	struct stat st;
	int why;
	int fd = source_open_regular(d->path, &st, &why);
	if (!last) {
		d->why = fd < 0 ? why : 0;
		d->dev = fd < 0 ? 0 : st.st_dev;
		d->ino = fd < 0 ? 0 : st.st_ino;
	}
	if (fd < 0)
		return INT64_MAX;
	int64_t ts = source_peek_file(fd, d->agent, (uint64_t)st.st_size, buf, last);
	close(fd);
	return ts;
}

static int discover_cmp_first(const void *a, const void *b)
{
	const struct scand *x = a, *y = b;
	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int discover_cmp_last(const void *a, const void *b)
{
	const struct scand *x = a, *y = b;
	if (x->last_ts != y->last_ts)
		return x->last_ts < y->last_ts ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The path's stat the sink took earlier in this start, as lstat gives it. */
static void discover_seen_stat(const struct sink_mark *mk, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_mode = mk->seen_reg ? S_IFREG : 0;
	st->st_dev = (dev_t)mk->seen_dev;
	st->st_ino = (ino_t)mk->seen_ino;
	st->st_size = (off_t)mk->seen_size;
	st->st_mtim = (struct timespec){.tv_sec = (time_t)(mk->seen_mtime_ns / 1000000000),
					.tv_nsec = (long)(mk->seen_mtime_ns % 1000000000)};
	st->st_ctim = (struct timespec){.tv_sec = (time_t)(mk->seen_ctime_ns / 1000000000),
					.tv_nsec = (long)(mk->seen_ctime_ns % 1000000000)};
}

/* A file the sink recalls (a warm start) whose stat is still the mark's: its first timestamp is
 * the mark's, and it is not opened here. The stat is the sink's when it took one in this start
 * (only in the first listing: once watching, a path seen again may be another file). */
static bool discover_known(struct source *s, struct scand *d)
{
	struct sink_mark mk;
	struct stat st;
	if (!s->sink.recall || !s->sink.recall(s->sink.ctx, d->path, &mk))
		return false;
	if (mk.seen && !s->watching)
		discover_seen_stat(&mk, &st);
	else if (lstat(d->path, &st) != 0)
		return false;
	if (!S_ISREG(st.st_mode) || !mark_stat_same(&st, &mk))
		return false;
	d->why = 0;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->known = true;
	d->size = (uint64_t)st.st_size;
	d->first_ts = mk.first_ts;
	return true;
}

/* The same for the tie-break peek at its end, when the mark took it. */
static bool discover_known_last(struct source *s, struct scand *d)
{
	struct sink_mark mk;
	if (!d->known || !s->sink.recall(s->sink.ctx, d->path, &mk) || mk.peek_last_ts == INT64_MIN ||
	    d->size != mk.offset)
		return false;
	d->last_ts = mk.peek_last_ts;
	return true;
}

/* ---- the walk over kept listings alone ------------------------------------------------------ */

bool source_target_kept(struct source *s, const struct source_target *t, bool *ok)
{
	struct stat st;
	if (stat(t->path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		/* absent now, and then: no listing of it was kept */
		struct sink_dir k;
		*ok = !s->sink.dir_recall(s->sink.ctx, t->path, &k);
		return false;
	}
	*ok = access(t->path, R_OK | X_OK) == 0;
	return *ok;
}

/* Whether source_shadowed would find the copy of `path` under its root's first folder, told by
 * the kept listing of the copy's folder (the copy exists exactly when that listing names it):
 * 1 or 0, -1 when no such listing can tell. */
static int kept_shadowed(struct source *s, const struct source_target *t, const char *path)
{
	struct buf p = {0};
	source_shadow_path(s, t, path, &p);
	char *slash = strrchr(p.data, '/');
	int found = -1;
	struct sink_dir k;
	*slash = 0;
	if (dirs_kept_seen(s, p.data, &k)) {
		found = 0;
		for (size_t at = 0; at < k.ents_len && !found;) {
			const char *name = (const char *)k.ents + at + 1;
			found = strcmp(name, slash + 1) == 0;
			at += strlen(name) + 2;
		}
	}
	buf_free(&p);
	return found;
}

/* source_walk's decisions over the kept listings alone: no listing, no allocation per entry, no
 * candidate kept. Counts each transcript it finds into its root when the sink knows it as
 * unchanged (discover_known); false as soon as anything would take the full walk to tell (a
 * folder without a kept listing that still matches its stat, a transcript not known, an entry
 * the walk would warn of). p holds the folder's path and is given back as it came. */
static bool kept_walk(struct source *s, struct source_target *t, struct buf *p, size_t *found)
{
	if (!source_dir_wanted(t, p->data))
		return true;
	struct sink_dir k;
	if (!dirs_kept_seen(s, p->data, &k))
		return false;
	size_t dirlen = p->len;
	bool ok = true;
	for (size_t at = 0; at < k.ents_len && ok;) {
		unsigned char type = k.ents[at];
		const char *name = (const char *)k.ents + at + 1;
		size_t nl = strlen(name);
		at += nl + 2;
		p->len = dirlen;
		buf_append(p, "/", 1);
		buf_append(p, name, nl);
		enum transcript_kind kind = target_kind(t, p->data);
		if (type == DT_DIR) {
			ok = kind == TRANSCRIPT_NONE && kept_walk(s, t, p, found); /* else: the walk's warning */
			continue;
		}
		if (kind == TRANSCRIPT_NONE)
			continue;
		if (type != DT_REG && type != DT_LNK) {
			ok = false; /* the walk's warning */
			continue;
		}
		int shadowed = t->archived ? kept_shadowed(s, t, p->data) : 0;
		if (shadowed)
			ok = shadowed > 0;
		else {
			struct scand d = {.path = p->data, .agent = t->agent};
			ok = discover_known(s, &d);
			*found += ok;
			s->roots.v[t->root].files += ok;
		}
	}
	p->len = dirlen;
	p->data[dirlen] = 0;
	return ok;
}

/* The unchanged check's fast way (source_unchanged, once every saved stat is taken): every
 * target as the kept listings have it (absent ones still absent, the others walked by
 * kept_walk), every transcript found known, as many as the sink recalls. Sets the roots' counts
 * as a scan would. false: the full walk decides. */
static _Atomic uint64_t kept_unchanged;
uint64_t source_test_kept_unchanged(void) { return kept_unchanged; }

bool discover_kept_unchanged(struct source *s, size_t recallable)
{
	/* nested targets would find a transcript twice (the full walk counts it once) */
	for (size_t i = 0; i < s->ntargets; i++)
		for (size_t j = 0; j < s->ntargets; j++) {
			const char *a = s->targets[i].path, *b = s->targets[j].path;
			size_t n = strlen(a);
			if (i != j && strncmp(b, a, n) == 0 && (b[n] == '/' || b[n] == 0))
				return false;
		}
	for (size_t i = 0; i < s->roots.n; i++)
		s->roots.v[i].files = 0;
	size_t found = 0;
	bool ok = true;
	struct buf p = {0};
	for (size_t i = 0; i < s->ntargets && ok; i++) {
		struct source_target *t = &s->targets[i];
		if (!source_target_kept(s, t, &ok))
			continue;
		p.len = 0;
		buf_puts(&p, t->path);
		ok = kept_walk(s, t, &p, &found);
	}
	buf_free(&p);
	ok = ok && found == recallable;
	for (size_t i = 0; i < s->roots.n && ok; i++)
		s->roots.v[i].exists = source_is_dir(s->roots.v[i].path);
	kept_unchanged += ok;
	return ok;
}

/* The first-timestamp peeks of a large batch run on every core: each is a few system calls on
 * a different file, and thousands of them in a row were a tenth of a cold start. */
enum peek_pass {
	PEEK_FIRST,      /* first_ts of the entries the sink cannot vouch for */
	PEEK_LAST,       /* last_ts of the entries that need it */
	PEEK_KNOWN_ONLY, /* no peek: whether every entry is known, stopping at the first not */
};

struct peeks {
	struct source *s;
	struct scands *c;
	enum peek_pass pass;
	atomic_size_t next;
	atomic_bool unknown; /* PEEK_KNOWN_ONLY: an entry was not known */
};

static void *discover_peek_worker(void *arg)
{
	struct peeks *pk = arg;
	char *buf = pk->pass == PEEK_KNOWN_ONLY ? NULL : xmalloc(SOURCE_BLOCK);
	for (size_t i; !atomic_load(&pk->unknown) && (i = atomic_fetch_add(&pk->next, 1)) < pk->c->n;) {
		struct scand *d = &pk->c->v[i];
		if (pk->pass == PEEK_KNOWN_ONLY) {
			if (!discover_known(pk->s, d))
				atomic_store(&pk->unknown, true);
		} else if (pk->pass == PEEK_FIRST && !discover_known(pk->s, d)) {
			d->first_ts = discover_peek(buf, d, false);
		} else if (pk->pass == PEEK_LAST && d->need_last && !discover_known_last(pk->s, d)) {
			d->last_ts = discover_peek(buf, d, true);
		}
	}
	free(buf);
	return NULL;
}

/* Returns false when a PEEK_KNOWN_ONLY pass met an entry the sink cannot vouch for. */
static bool discover_peek_all(struct source *s, struct scands *c, enum peek_pass pass, size_t count)
{
	enum { PEEK_THREADS_MAX = 4, PEEK_PER_THREAD = 64 };
	struct peeks pk = {.s = s, .c = c, .pass = pass};
	atomic_init(&pk.next, 0);
	atomic_init(&pk.unknown, false);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cores > 1 ? (size_t)cores - 1 : 0; /* this thread peeks too */
	if (want > PEEK_THREADS_MAX - 1)
		want = PEEK_THREADS_MAX - 1;
	if (want > count / PEEK_PER_THREAD)
		want = count / PEEK_PER_THREAD;
	/* the known-only pass (source_unchanged) goes by stats the sink took already: a lookup
	 * each, less than a thread costs to start */
	if (pass == PEEK_KNOWN_ONLY)
		want = 0;
	pthread_t th[PEEK_THREADS_MAX];
	size_t started = 0;
	while (started < want && pthread_create(&th[started], NULL, discover_peek_worker, &pk) == 0)
		started++;
	discover_peek_worker(&pk);
	for (size_t w = 0; w < started; w++)
		pthread_join(th[w], NULL);
	return !atomic_load(&pk.unknown);
}

bool discover_all_known(struct source *s, struct scands *c)
{
	return discover_peek_all(s, c, PEEK_KNOWN_ONLY, c->n);
}

void source_open_candidates(struct source *s, struct scands *c)
{
	discover_peek_all(s, c, PEEK_FIRST, c->n);
	qsort(c->v, c->n, sizeof c->v[0], discover_cmp_first);
	/* Ties on the first timestamp (a copy starting with the original's lines): the one that
	 * ended first goes first. Only tied files pay for the second peek. */
	size_t tied = 0;
	for (size_t i = 0; i < c->n;) {
		size_t j = i + 1;
		while (j < c->n && c->v[j].first_ts == c->v[i].first_ts)
			j++;
		for (size_t k = i; k < j; k++)
			c->v[k].need_last = j - i > 1;
		tied += j - i > 1 ? j - i : 0;
		i = j;
	}
	if (tied) {
		discover_peek_all(s, c, PEEK_LAST, tied);
		for (size_t i = 0; i < c->n;) {
			size_t j = i + 1;
			while (j < c->n && c->v[j].first_ts == c->v[i].first_ts)
				j++;
			if (j - i > 1)
				qsort(c->v + i, j - i, sizeof c->v[0], discover_cmp_last);
			i = j;
		}
	}
	/* one file too at start-up, when the sink may hold its lines from an earlier run */
	if (s->sink.prepare && s->sink.commit && (c->n > 1 || (s->sink.recall && !s->watching))) {
		scan_parallel(s, c);
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		tail_open(s, c->v[i].path, c->v[i].agent, c->v[i].subagent, c->v[i].first_ts, c->v[i].root);
}

void source_settle(struct source *s)
{
	/* Known files first: a file born now (a resume copying an original's lines) sorts after
	 * the original whose new lines wait in the same burst. */
	tail_flush_dirty(s);
	if (s->cands.n) {
		/* Opening reads: move the batch aside so reads that find more start a new one. */
		struct scands c = s->cands;
		memset(&s->cands, 0, sizeof s->cands);
		source_open_candidates(s, &c);
		scands_free(&c);
	}
	tail_flush_dirty(s);
}
