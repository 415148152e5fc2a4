/* discover.c — the source object and discovery: default roots from the environment, the
 * folders under each root that hold transcripts, recursive listing of `*.jsonl` files (skipping
 * anything that is not a regular file without ever opening it in a way that could block), the
 * oldest-first ordering of the start-up scan, and the one-shot messages the source gives. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/gemini.h"
#include "cachetop/line.h"
#include "source_int.h"

/* ---- roots ------------------------------------------------------------------------------ */

static const char *discover_home(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

static bool discover_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool discover_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

void source_roots_add(struct source_roots *r, enum agent agent, const char *path)
{
	if (!path || !*path)
		return;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	/* A path naming the transcript folder itself is taken as its root. */
	const struct agent_desc *ad = agent_get(agent);
	const char *sub = ad->root_sub, *sub2 = ad->root_sub2;
	if (discover_ends_with(path, n, sub) && n > strlen(sub))
		n -= strlen(sub);
	else if (sub2 && discover_ends_with(path, n, sub2) && n > strlen(sub2))
		n -= strlen(sub2);
	char *p = xstrndup(path, n);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].agent == agent && strcmp(r->v[i].path, p) == 0) {
			free(p);
			return;
		}
	ct_grow((void **)&r->v, &r->cap, r->n + 1, sizeof r->v[0]);
	struct source_root *nr = &r->v[r->n++];
	memset(nr, 0, sizeof *nr);
	nr->agent = agent;
	nr->path = p;
	nr->exists = discover_is_dir(p);
}

static void discover_add_joined(struct source_roots *r, enum agent agent, const char *a,
				const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	source_roots_add(r, agent, buf_cstr(&p));
	buf_free(&p);
}

void source_roots_default(struct source_roots *r, enum agent which)
{
	const char *home = discover_home();
	for (int a = 0; a < AGENT_COUNT; a++) {
		if (which != AGENT_COUNT && which != (enum agent)a)
			continue;
		const struct agent_desc *ad = &agent_table[a];
		const char *env = ad->env ? getenv(ad->env) : NULL;
		if (env && *env && ad->env_list) {
			char *list = xstrdup(env);
			char *save = NULL;
			for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				while (*tok == ' ' || *tok == '\t')
					tok++;
				size_t n = strlen(tok);
				while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
					tok[--n] = 0;
				source_roots_add(r, (enum agent)a, tok);
			}
			free(list);
		} else if (env && *env) {
			if (ad->env_join)
				discover_add_joined(r, (enum agent)a, env, ad->env_join);
			else
				source_roots_add(r, (enum agent)a, env);
		} else {
			if (ad->xdg_sub) {
				const char *xdg = getenv("XDG_CONFIG_HOME");
				if (xdg && *xdg)
					discover_add_joined(r, (enum agent)a, xdg, ad->xdg_sub);
				else if (home) {
					struct buf p = {0};
					buf_printf(&p, ".config/%s", ad->xdg_sub);
					discover_add_joined(r, (enum agent)a, home, buf_cstr(&p));
					buf_free(&p);
				}
			}
			if (home && ad->home_sub)
				discover_add_joined(r, (enum agent)a, home, ad->home_sub);
			if (ad->data_sub) {
				char *d = source_data_default_dir(ad->data_sub);
				if (d)
					source_roots_add(r, (enum agent)a, d);
				free(d);
			}
		}
	}
}

char *source_data_default_dir(const char *sub)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = discover_home();
	struct buf p = {0};
	if (xdg && *xdg)
		buf_printf(&p, "%s/%s", xdg, sub);
	else if (home)
		buf_printf(&p, "%s/.local/share/%s", home, sub);
	return p.data;
}

char *source_opencode_default_dir(void) { return source_data_default_dir(agent_get(AGENT_OPENCODE)->data_sub); }

void source_roots_free(struct source_roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* ---- messages --------------------------------------------------------------------------- */

void source_message(struct source *s, const char *fmt, ...)
{
	if (s->nmsgs >= SOURCE_MSGS)
		return;
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* Paths come from the file system: keep control bytes away from a terminal. */
	for (char *p = tmp; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	buf_puts(&b, tmp);
	s->msgs[s->nmsgs++] = b.data;
}

const char *source_take_message(struct source *s)
{
	free(s->msg_last);
	s->msg_last = NULL;
	if (s->msg_next >= s->nmsgs)
		return NULL;
	s->msg_last = s->msgs[s->msg_next];
	s->msgs[s->msg_next++] = NULL;
	if (s->msg_next == s->nmsgs)
		s->msg_next = s->nmsgs = 0;
	return s->msg_last;
}

bool source_skip_once(struct source *s, const char *path)
{
	struct spath *p;
	HASH_FIND_STR(s->skipped, path, p);
	if (p)
		return false;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	HASH_ADD_KEYPTR(hh, s->skipped, p->path, strlen(p->path), p);
	s->st.skipped_files++;
	return true;
}

void source_skip_forget(struct source *s, const char *path)
{
	struct spath *p;
	HASH_FIND_STR(s->skipped, path, p);
	if (!p)
		return;
	HASH_DEL(s->skipped, p);
	free(p->path);
	free(p);
	if (s->st.skipped_files)
		s->st.skipped_files--;
}

/* ---- the object ------------------------------------------------------------------------- */

static void discover_add_target(struct source *s, size_t root, const char *sub, bool archived)
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
		/* The same folder reached twice (a symlinked ~/.config/claude) is read once. */
		struct stat st, st2;
		bool dup = false;
		if (stat(s->roots.v[i].path, &st) == 0)
			for (size_t j = 0; j < i && !dup; j++)
				dup = s->roots.v[j].agent == s->roots.v[i].agent &&
				      stat(s->roots.v[j].path, &st2) == 0 && st.st_dev == st2.st_dev &&
				      st.st_ino == st2.st_ino;
		if (dup)
			continue;
		if (s->roots.v[i].agent == AGENT_CODEX) {
			discover_add_target(s, i, "sessions", false);
			discover_add_target(s, i, "archived_sessions", true);
		} else if (s->roots.v[i].agent == AGENT_GEMINI) {
			discover_add_target(s, i, "tmp", false);
		} else if (s->roots.v[i].agent == AGENT_OPENCODE) {
			oc_add(s, i); /* a database, not a tree of transcripts */
		} else {
			discover_add_target(s, i, "projects", false);
		}
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

/* ---- listing ---------------------------------------------------------------------------- */

bool source_path_is_transcript(const char *name)
{
	size_t n = strlen(name);
	return n > 6 && strcmp(name + n - 6, ".jsonl") == 0;
}

/* path below target t ("" for the target itself), or NULL when it is not below it */
static const char *discover_rel(const struct source_target *t, const char *path)
{
	size_t n = strlen(t->path);
	if (strncmp(path, t->path, n) != 0 || (path[n] != '/' && path[n] != 0))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

bool source_is_transcript(const struct source_target *t, const char *path)
{
	if (t && t->agent == AGENT_GEMINI) {
		/* only tmp/<id>/chats/<name>.json{,l} and tmp/<id>/chats/<parent>/<name>.jsonl: the other
		 * session-*.jsonl files under tmp/ are activity logs */
		const char *rel = discover_rel(t, path);
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
		const char *rel = discover_rel(t, path);
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
static bool discover_shadowed(struct source *s, const struct source_target *t, const char *path)
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

void scands_add(struct scands *c, const char *path, enum agent agent, bool subagent, size_t root)
{
	struct spath *p;
	HASH_FIND_STR(c->seen, path, p);
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
	HASH_ADD_KEYPTR(hh, c->seen, p->path, strlen(p->path), p);
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

struct dirent *source_readdir(DIR *d, const char *dir, struct buf *path)
{
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path->len = 0;
		buf_printf(path, "%s/%s", dir, e->d_name);
		return e;
	}
	return NULL;
}

void source_walk(struct source *s, struct source_target *t, const char *dir, struct scands *c,
		 void (*on_dir)(struct source *s, const char *dir))
{
	if (t->agent == AGENT_GEMINI) {
		/* only the folders that can hold recordings are listed (and watched) */
		const char *rel = discover_rel(t, dir);
		if (!rel || !gemini_dir_wanted(rel))
			return;
	}
	if (on_dir)
		on_dir(s, dir);
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == EACCES && source_skip_once(s, dir) && !(s->said & SAID_UNREADABLE)) {
			s->said |= SAID_UNREADABLE;
			source_message(s, "cannot read %s: permission denied", dir);
		}
		return;
	}
	char **subdirs = NULL;
	size_t nsub = 0, capsub = 0;
	struct buf p = {0};
	struct dirent *e;
	while ((e = source_readdir(d, dir, &p))) {
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (lstat(p.data, &st) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG
				: S_ISLNK(st.st_mode) ? DT_LNK : DT_FIFO;
		}
		bool transcript = source_is_transcript(t, p.data);
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
		if (discover_shadowed(s, t, p.data))
			continue;
		scands_add(c, p.data, t->agent, source_path_is_subagent(t, p.data), t->root);
	}
	closedir(d);
	buf_free(&p);
	for (size_t i = 0; i < nsub; i++) {
		source_walk(s, t, subdirs[i], c, on_dir);
		free(subdirs[i]);
	}
	free(subdirs);
}

/* ---- ordering --------------------------------------------------------------------------- */

/* The first (or last) timestamp in a buffer of the agent's format. */
int source_peek_ts(enum agent agent, bool last, const char *buf, size_t n, int64_t *ms)
{
	if (agent == AGENT_GEMINI)
		return last ? gemini_peek_last_ts(buf, n, ms) : gemini_peek_first_ts(buf, n, ms);
	return last ? line_peek_last_ts(buf, n, ms) : line_peek_first_ts(buf, n, ms);
}

/* The first (or last) timestamp in an open file of `size` bytes (INT64_MAX: none found). 4 KB
 * usually holds a timestamped line; a file that starts (or ends) with a long line widens the
 * look 16x at a time, up to one read block. Peeking 64 KB of every file read ~12 % of a large
 * tree twice. */
int64_t source_peek_file(int fd, enum agent agent, uint64_t size, char *buf, bool last)
{
	int64_t ts = INT64_MAX;
	for (size_t want = 4096; ts == INT64_MAX; want *= 16) {
		if (want > SOURCE_BLOCK)
			want = SOURCE_BLOCK;
		off_t off = 0;
		if (last && size > (uint64_t)want)
			off = (off_t)(size - want);
		ssize_t n = pread(fd, buf, want, off);
		int64_t ms;
		if (n <= 0)
			break;
		if (source_peek_ts(agent, last, buf, (size_t)n, &ms) == 0)
			ts = ms;
		if ((size_t)n < want || want == SOURCE_BLOCK)
			break; /* the whole file was seen, or the widest look found nothing */
	}
	return ts;
}

/* The first (or last) timestamp of a regular file, read without blocking. */
static int64_t discover_peek(char *buf, struct scand *d, bool last)
{
	struct stat st;
	int why;
	int fd = tail_open_regular(d->path, &st, &why);
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

/* A file the sink recalls (a warm start) whose stat is still the mark's: its first timestamp is
 * the mark's, and it is not opened here. */
static bool discover_known(struct source *s, struct scand *d)
{
	struct sink_mark mk;
	struct stat st;
	if (!s->sink.recall || lstat(d->path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !s->sink.recall(s->sink.ctx, d->path, &mk) || !mark_stat_same(&st, &mk))
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

/* The first-timestamp peeks of a large batch run on every core: each is a few system calls on
 * a different file, and thousands of them in a row were a tenth of a cold start. */
struct peeks {
	struct source *s;
	struct scands *c;
	bool last; /* the second pass: last_ts of the entries that need it */
	atomic_size_t next;
};

static void *discover_peek_worker(void *arg)
{
	struct peeks *pk = arg;
	char *buf = xmalloc(SOURCE_BLOCK);
	for (size_t i; (i = atomic_fetch_add(&pk->next, 1)) < pk->c->n;) {
		struct scand *d = &pk->c->v[i];
		if (!pk->last && !discover_known(pk->s, d))
			d->first_ts = discover_peek(buf, d, false);
		else if (pk->last && d->need_last && !discover_known_last(pk->s, d))
			d->last_ts = discover_peek(buf, d, true);
	}
	free(buf);
	return NULL;
}

static void discover_peek_all(struct source *s, struct scands *c, bool last, size_t count)
{
	enum { PEEK_THREADS_MAX = 4, PEEK_PER_THREAD = 64 };
	struct peeks pk = {.s = s, .c = c, .last = last};
	atomic_init(&pk.next, 0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cores > 1 ? (size_t)cores - 1 : 0; /* this thread peeks too */
	if (want > PEEK_THREADS_MAX - 1)
		want = PEEK_THREADS_MAX - 1;
	if (want > count / PEEK_PER_THREAD)
		want = count / PEEK_PER_THREAD;
	pthread_t th[PEEK_THREADS_MAX];
	size_t started = 0;
	while (started < want && pthread_create(&th[started], NULL, discover_peek_worker, &pk) == 0)
		started++;
	discover_peek_worker(&pk);
	for (size_t w = 0; w < started; w++)
		pthread_join(th[w], NULL);
}

void source_open_candidates(struct source *s, struct scands *c)
{
	discover_peek_all(s, c, false, c->n);
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
		discover_peek_all(s, c, true, tied);
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
			s->roots.v[i].exists = discover_is_dir(s->roots.v[i].path);
	source_settle(s);
	oc_scan(s);
	return rc;
}
