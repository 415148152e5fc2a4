/* watch.c — all inotify knowledge (libinotifytools): one watch per folder under every root's
 * projects/, sessions/ and archived_sessions/, added as folders appear (a new folder is watched
 * first and listed second, so files created in it before the watch landed are still read);
 * watches on the nearest existing ancestor of roots that do not exist yet; a full rescan after
 * IN_Q_OVERFLOW; and a 2-second listing of folders left unwatched when max_user_watches runs
 * out. Everything else in the source layer sees only "this file may have changed".
 *
 * The loop needs a descriptor to poll, but libinotifytools 3.22.6 keeps its inotify fd in a
 * static and exports no getter. We find it as the one `anon_inode:inotify` entry of
 * /proc/self/fd that appeared across inotifytools_initialize(). Measured with it
 * (tests/bench/live_bench.py, 5,000 files): write() → event line p50 0.2 ms, p99 under 10 ms,
 * and 0 CPU ticks over 60 s idle. Without it we fall back to draining on a
 * 250 ms tick — up to a quarter second of latency and four wake-ups a second — which is why the
 * /proc route is preferred over the tick, and over a watcher thread (a second thread plus a pipe
 * for the same single wake-up). inotifytools_next_event(0) would block forever (a zero timeout
 * means "none"), so the drain uses inotifytools_next_events(0, 1), which selects with a zero
 * timeval. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <inotifytools/inotify.h>
#include <inotifytools/inotifytools.h>

#include "source_int.h"

#define WATCH_TREE_MASK (IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_CLOSE_WRITE)
#define WATCH_ANC_MASK (IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* A database's folder. No IN_CLOSE_WRITE: our own reader opens the -wal read-write
 * (SQLite does, even read-only) and its close would wake us again. */
#define WATCH_FLAT_MASK (IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* Events handled per source_process call before yielding back to the loop. */
#define WATCH_DRAIN_MAX 65536

/* ---- the inotify fd --------------------------------------------------------------------- */

static size_t watch_inotify_fds(int *v, size_t cap)
{
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	struct dirent *e;
	char path[300], link[64];
	while ((e = readdir(d)) && n < cap) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(path, link, sizeof link - 1);
		if (k <= 0)
			continue;
		link[k] = 0;
		if (strcmp(link, "anon_inode:inotify") == 0)
			v[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

/* ---- watch bookkeeping ------------------------------------------------------------------ */

static struct swatch *watch_by_path(struct source *s, const char *path)
{
	struct swatch *w;
	HASH_FIND(hp, s->by_path, path, strlen(path), w);
	return w;
}

static void watch_forget(struct source *s, struct swatch *w, bool rm)
{
	if (rm && s->inotify_ok)
		inotifytools_remove_watch_by_wd(w->wd);
	HASH_DELETE(hh, s->by_wd, w);
	HASH_DELETE(hp, s->by_path, w);
	free(w->path);
	free(w);
	s->st.watches = HASH_CNT(hh, s->by_wd);
}

/* Remove the watches of a folder that moved away or vanished, and of everything under it. */
static void watch_forget_prefix(struct source *s, const char *prefix)
{
	size_t n = strlen(prefix);
	struct swatch *w, *tmp;
	HASH_ITER(hh, s->by_wd, w, tmp) {
		if (strncmp(w->path, prefix, n) == 0 && (w->path[n] == '/' || w->path[n] == 0))
			watch_forget(s, w, true);
	}
	struct spath *p, *ptmp;
	HASH_ITER(hh, s->unwatched, p, ptmp) {
		if (strncmp(p->path, prefix, n) == 0 && (p->path[n] == '/' || p->path[n] == 0)) {
			HASH_DEL(s->unwatched, p);
			free(p->path);
			free(p);
		}
	}
	s->st.unwatched_dirs = HASH_COUNT(s->unwatched);
}

static void watch_unwatched_add(struct source *s, const char *dir)
{
	struct spath *p;
	HASH_FIND_STR(s->unwatched, dir, p);
	if (p)
		return;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(dir);
	HASH_ADD_KEYPTR(hh, s->unwatched, p->path, strlen(p->path), p);
	s->st.unwatched_dirs = HASH_COUNT(s->unwatched);
}

static void watch_limit_reached(struct source *s)
{
	s->st.watch_limit_hit = true;
	if (s->said & SAID_WATCH_LIMIT)
		return;
	s->said |= SAID_WATCH_LIMIT;
	source_message(s, "inotify watch limit reached (fs.inotify.max_user_watches = %d): "
			  "folders beyond it are checked every %d s instead; raise the limit with "
			  "sysctl fs.inotify.max_user_watches=N",
		       inotifytools_get_max_user_watches(), SOURCE_POLL_MS / 1000);
}

/* Add (or widen) a watch on `dir`. Returns 1 on success, 0 if it cannot be watched (then a
 * full watch limit puts it on the polled list), -1 if it does not exist. */
static int watch_add(struct source *s, const char *dir, unsigned flags)
{
	struct swatch *w = watch_by_path(s, dir);
	if (w && ((w->flags & WD_TREE) || flags == WD_ANCESTOR)) {
		w->flags |= flags;
		return 1;
	}
	if (!s->inotify_ok) {
		if (flags & WD_TREE)
			watch_unwatched_add(s, dir);
		return 0;
	}
	int mask = (flags & WD_TREE) ? WATCH_TREE_MASK : (flags & WD_FLAT) ? WATCH_FLAT_MASK : WATCH_ANC_MASK;
	int err = 0;
	if (s->watch_limit_test >= 0 && !w && (int)HASH_CNT(hh, s->by_wd) >= s->watch_limit_test)
		err = ENOSPC;
	else if (!inotifytools_watch_file(dir, mask | (w ? IN_MASK_ADD : 0)))
		err = inotifytools_error();
	int wd = err ? -1 : w ? w->wd : -1;
	if (!err && !w) {
		/* The library records folders with a trailing slash. */
		struct buf p = {0};
		buf_printf(&p, "%s/", dir);
		wd = inotifytools_wd_from_filename(buf_cstr(&p));
		buf_free(&p);
		if (wd < 0)
			err = EINVAL;
	}
	if (err) {
		if (err == ENOSPC) {
			watch_limit_reached(s);
			if (flags & WD_TREE)
				watch_unwatched_add(s, dir);
			return 0;
		}
		return err == ENOENT || err == ENOTDIR ? -1 : 0;
	}
	if (w) {
		w->flags |= flags;
		return 1;
	}
	HASH_FIND(hh, s->by_wd, &wd, sizeof wd, w);
	if (w) /* the same folder under another name (bind mount, moved): keep the new name */
		watch_forget(s, w, false);
	w = xcalloc(1, sizeof *w);
	w->wd = wd;
	w->path = xstrdup(dir);
	w->flags = flags;
	HASH_ADD(hh, s->by_wd, wd, sizeof w->wd, w);
	HASH_ADD_KEYPTR(hp, s->by_path, w->path, strlen(w->path), w);
	s->st.watches = HASH_CNT(hh, s->by_wd);
	{
		struct spath *p;
		HASH_FIND_STR(s->unwatched, dir, p);
		if (p) {
			HASH_DEL(s->unwatched, p);
			free(p->path);
			free(p);
			s->st.unwatched_dirs = HASH_COUNT(s->unwatched);
		}
	}
	return 1;
}

static void watch_on_dir(struct source *s, const char *dir)
{
	watch_add(s, dir, WD_TREE);
}

/* ---- targets and roots that may not exist yet -------------------------------------------- */

/* Watch the nearest existing ancestor of a missing target, to notice it being created. */
static void watch_ancestor(struct source *s, struct source_target *t)
{
	char *p = xstrdup(t->path);
	for (;;) {
		char *slash = strrchr(p, '/');
		if (!slash)
			break;
		if (slash == p)
			slash[1] = 0;
		else
			*slash = 0;
		if (source_is_dir(p)) {
			if (watch_add(s, p, WD_ANCESTOR) == 1) {
				struct swatch *w = watch_by_path(s, p);
				t->anc_wd = w ? w->wd : -1;
			} else {
				t->anc_wd = -1;
			}
			break;
		}
		if (slash == p)
			break;
	}
	free(p);
}

/* Start watching a target's tree if it exists (listing it for files), else its ancestor. */
static void watch_target(struct source *s, struct source_target *t)
{
	if (!source_is_dir(t->path)) {
		t->watched = false;
		watch_ancestor(s, t);
		return;
	}
	t->watched = true;
	t->anc_wd = -1;
	s->roots.v[t->root].exists = true;
	source_walk(s, t, t->path, &s->cands, watch_on_dir);
}

static void watch_resolve_pending(struct source *s)
{
	s->need_pending = false;
	for (size_t i = 0; i < s->ntargets; i++) {
		struct source_target *t = &s->targets[i];
		if (t->watched && !source_is_dir(t->path))
			t->watched = false; /* removed since */
		if (!t->watched)
			watch_target(s, t);
	}
	for (size_t i = 0; i < s->roots.n; i++)
		s->roots.v[i].exists = source_is_dir(s->roots.v[i].path);
}

/* ---- events ----------------------------------------------------------------------------- */

static void watch_event(struct source *s, const struct inotify_event *ev, watch_flat_fn on_flat)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		s->st.overflows++;
		s->need_rescan = true;
		return;
	}
	struct swatch *w;
	int wd = ev->wd;
	HASH_FIND(hh, s->by_wd, &wd, sizeof wd, w);
	if (!w)
		return;
	if (w->flags & WD_ANCESTOR)
		s->need_pending = true;
	if (ev->mask & IN_IGNORED) {
		watch_forget(s, w, false);
		s->need_pending = true;
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		char *gone = xstrdup(w->path);
		tail_mark_prefix_dirty(s, gone);
		watch_forget_prefix(s, gone);
		free(gone);
		s->need_pending = true;
		return;
	}
	if ((w->flags & WD_FLAT) && ev->len && ev->name[0] &&
	    (ev->mask & (IN_CREATE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)))
		on_flat(s, w->path, ev->name, ev->mask);
	if (!(w->flags & WD_TREE) || ev->len == 0 || !ev->name[0])
		return;
	struct buf p = {0};
	buf_printf(&p, "%s/%s", w->path, ev->name);
	const char *path = buf_cstr(&p);
	struct source_target *t = source_target_of(s, path);
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
			tail_mark_prefix_dirty(s, path);
			watch_forget_prefix(s, path);
		} else if (t && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
			/* Watch first, then list: files written before the watch landed are found. */
			source_walk(s, t, path, &s->cands, watch_on_dir);
		}
		buf_free(&p);
		return;
	}
	if (!source_is_transcript(t, path)) {
		buf_free(&p);
		return;
	}
	struct sfile *f;
	HASH_FIND_STR(s->files, path, f);
	if (f) {
		if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
			f->unlinked = true;
		tail_mark_dirty(s, f);
	} else if (t && (ev->mask & (IN_CREATE | IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE))) {
		if (!source_shadowed(s, t, path))
			scands_add(&s->cands, path, t->agent, source_path_is_subagent(t, path),
				   t->root);
	}
	buf_free(&p);
}

/* ---- polling fallback --------------------------------------------------------------------- */

static void watch_poll_dir(struct source *s, const char *dir)
{
	struct source_target *t = source_target_of(s, dir);
	if (!t)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return; /* gone: its files are marked below and dropped on read */
	struct buf p = {0};
	struct dirent *e;
	while ((e = source_readdir(d, dir, &p))) {
		struct stat st;
		if (lstat(p.data, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			struct spath *u;
			HASH_FIND_STR(s->unwatched, p.data, u);
			if (!u && !watch_by_path(s, p.data))
				source_walk(s, t, p.data, &s->cands, watch_on_dir);
			continue;
		}
		if (!source_is_transcript(t, p.data))
			continue;
		struct sfile *f;
		HASH_FIND_STR(s->files, p.data, f);
		if (!f && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			scands_add(&s->cands, p.data, t->agent, source_path_is_subagent(t, p.data),
				   t->root);
		else if (!f && source_skip_once(s, p.data) && !(s->said & SAID_NOT_REGULAR)) {
			s->said |= SAID_NOT_REGULAR;
			source_message(s, "skipped %s: not a regular file", p.data);
		}
	}
	closedir(d);
	buf_free(&p);
}

static void watch_poll(struct source *s)
{
	if (!s->inotify_ok) {
		source_rescan(s);
		return;
	}
	/* Retry watches first: the limit may have been raised or other watches released. */
	struct spath *p, *tmp;
	HASH_ITER(hh, s->unwatched, p, tmp) {
		char *dir = xstrdup(p->path);
		watch_add(s, dir, WD_TREE);
		watch_poll_dir(s, dir); /* listed once more even if the watch now landed */
		free(dir);
	}
	/* Appends, truncation and deletion of files in polled folders. */
	if (s->unwatched) {
		struct sfile *f, *ftmp;
		HASH_ITER(hh, s->files, f, ftmp) {
			const char *slash = strrchr(f->path, '/');
			if (!slash)
				continue;
			struct spath *u;
			HASH_FIND(hh, s->unwatched, f->path, (size_t)(slash - f->path), u);
			if (u)
				tail_mark_dirty(s, f);
		}
	}
	for (size_t i = 0; i < s->ntargets; i++)
		if (!s->targets[i].watched && s->targets[i].anc_wd < 0)
			s->need_pending = true;
}

static bool watch_needs_poll(const struct source *s)
{
	if (!s->inotify_ok || s->unwatched)
		return true;
	for (size_t i = 0; i < s->ntargets; i++)
		if (!s->targets[i].watched && s->targets[i].anc_wd < 0)
			return true;
	return false;
}

/* ---- public ----------------------------------------------------------------------------- */

void source_test_watch_limit(struct source *s, int n) { s->watch_limit_test = n; }

bool watch_flat(struct source *s, const char *dir)
{
	if (!s->watching)
		return false;
	struct swatch *w = watch_by_path(s, dir);
	if (w && (w->flags & WD_FLAT))
		return true;
	return watch_add(s, dir, WD_FLAT) == 1;
}

bool watch_flat_active(const struct source *s, const char *dir)
{
	struct swatch *w;
	HASH_FIND(hp, s->by_path, dir, strlen(dir), w);
	return w && (w->flags & WD_FLAT);
}

void source_rescan(struct source *s)
{
	s->st.rescans++;
	s->need_rescan = false;
	struct sfile *f, *tmp;
	HASH_ITER(hh, s->files, f, tmp)
		tail_mark_dirty(s, f);
	for (size_t i = 0; i < s->ntargets; i++) {
		struct source_target *t = &s->targets[i];
		if (!s->watching) {
			if (source_is_dir(t->path))
				source_walk(s, t, t->path, &s->cands, NULL);
			continue;
		}
		if (t->watched && !source_is_dir(t->path))
			t->watched = false;
		if (t->watched)
			source_walk(s, t, t->path, &s->cands, watch_on_dir);
		else
			watch_target(s, t);
	}
	source_settle(s);
}

void watch_start(struct source *s, char *err, size_t errlen)
{
	int before[64], after[64];
	size_t nb = watch_inotify_fds(before, 64);
	s->watching = true;
	s->inotify_ok = inotifytools_initialize() != 0;
	if (!s->inotify_ok) {
		s->said |= SAID_NO_INOTIFY;
		source_message(s, "inotify is not available (%s): checking for changes every %d s",
			       strerror(inotifytools_error()), SOURCE_POLL_MS / 1000);
		if (err && errlen)
			err[0] = 0;
	} else {
		size_t na = watch_inotify_fds(after, 64);
		for (size_t i = 0; i < na && s->fd < 0; i++) {
			bool old = false;
			for (size_t j = 0; j < nb; j++)
				old = old || before[j] == after[i];
			if (!old)
				s->fd = after[i];
		}
		if (s->fd >= 0)
			(void)fcntl(s->fd, F_SETFD, FD_CLOEXEC);
	}
	for (size_t i = 0; i < s->ntargets; i++)
		watch_target(s, &s->targets[i]);
	/* Catch up on anything written between the scan and the watches landing. */
	struct sfile *f, *tmp;
	HASH_ITER(hh, s->files, f, tmp)
		tail_mark_dirty(s, f);
	source_settle(s);
}

int source_fd(const struct source *s)
{
	return s->watching && s->inotify_ok ? s->fd : -1;
}

int watch_timeout_ms(const struct source *s, int64_t now_ms, int t)
{
	if (s->drain_more)
		return 0;
	if (s->inotify_ok && s->fd < 0 && (t < 0 || SOURCE_TICK_MS < t))
		t = SOURCE_TICK_MS;
	if (watch_needs_poll(s)) {
		int64_t left = s->next_poll_ms ? s->next_poll_ms - now_ms : SOURCE_POLL_MS;
		if (left < 0)
			left = 0;
		if (left > SOURCE_POLL_MS)
			left = SOURCE_POLL_MS;
		if (t < 0 || left < t)
			t = (int)left;
	}
	return t;
}

void watch_process(struct source *s, int64_t now_ms, watch_flat_fn on_flat)
{
	if (s->inotify_ok) {
		struct inotify_event *ev = NULL;
		int i = 0;
		for (; i < WATCH_DRAIN_MAX && (ev = inotifytools_next_events(0, 1)); i++)
			watch_event(s, ev, on_flat);
		/* Stopped at the cap: the library may hold read events that poll() cannot see. */
		s->drain_more = i == WATCH_DRAIN_MAX;
	}
	if (s->need_rescan)
		source_rescan(s);
	if (watch_needs_poll(s)) {
		if (!s->next_poll_ms || now_ms < s->next_poll_ms - 2 * SOURCE_POLL_MS)
			s->next_poll_ms = now_ms + SOURCE_POLL_MS;
		if (now_ms >= s->next_poll_ms) {
			s->next_poll_ms = now_ms + SOURCE_POLL_MS;
			watch_poll(s);
		}
	}
	if (s->need_pending)
		watch_resolve_pending(s);
	source_settle(s);
}

void watch_stop(struct source *s)
{
	struct swatch *w, *tmp;
	HASH_ITER(hh, s->by_wd, w, tmp) {
		HASH_DELETE(hh, s->by_wd, w);
		HASH_DELETE(hp, s->by_path, w);
		free(w->path);
		free(w);
	}
	struct spath *p, *ptmp;
	HASH_ITER(hh, s->unwatched, p, ptmp) {
		HASH_DEL(s->unwatched, p);
		free(p->path);
		free(p);
	}
	if (s->watching && s->inotify_ok)
		inotifytools_cleanup();
	s->watching = s->inotify_ok = false;
	s->fd = -1;
}
