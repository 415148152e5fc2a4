/* tail.c — one transcript as (dev, inode, offset, partial line): reads only appended bytes in
 * large blocks, hands each complete line to the sink once, keeps an unfinished last line until
 * its newline arrives, and notices truncation, in-place rewrites, a new inode at the same path
 * and deletion. Files are opened per read and closed again, so a deleted transcript is never
 * held open and thousands of files cost no descriptors. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/line.h"
#include "source_int.h"

static void tail_problem(struct source *s, const char *path, int why)
{
	if (why == ENOENT || why == ENOTDIR)
		return; /* vanished between listing and opening: nothing to say */
	if (!source_skip_once(s, path))
		return;
	if (why == -2) {
		if (!(s->said & SAID_NOT_REGULAR)) {
			s->said |= SAID_NOT_REGULAR;
			source_message(s, "skipped %s: not a regular file", path);
		}
	} else if (!(s->said & SAID_UNREADABLE)) {
		s->said |= SAID_UNREADABLE;
		source_message(s, "cannot read %s: %s", path, strerror(why));
	}
}

static void tail_deliver(struct source *s, struct sfile *f, const char *p, size_t n)
{
	if (n == 0 || (n == 1 && p[0] == '\r'))
		return;
	s->sink.line(s->sink.ctx, f->handle, p, n);
	s->delivered++;
	s->st.lines++;
}

/* Split a block at newlines; bytes after the last one wait in f->partial. */
static void tail_split(struct source *s, struct sfile *f, const char *p, size_t n)
{
	const char *end = p + n;
	const char *nl;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (f->discarding) {
			f->discarding = false;
		} else if (f->partial.len) {
			buf_append(&f->partial, p, (size_t)(nl - p));
			tail_deliver(s, f, f->partial.data, f->partial.len);
			f->partial.len = 0;
			/* Do not keep a many-megabyte buffer around after one huge line. */
			if (f->partial.cap > 4 * (size_t)SOURCE_BLOCK)
				buf_free(&f->partial);
		} else {
			tail_deliver(s, f, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	if (p >= end || f->discarding)
		return;
	if (f->partial.len + (size_t)(end - p) > SOURCE_LINE_MAX) {
		f->discarding = true;
		buf_free(&f->partial);
		if (!(s->said & SAID_LONG_LINE)) {
			s->said |= SAID_LONG_LINE;
			source_message(s, "skipped a line longer than %zu MB in %s",
				       SOURCE_LINE_MAX >> 20, f->path);
		}
		return;
	}
	buf_append(&f->partial, p, (size_t)(end - p));
}

/* Remember the last bytes consumed, to notice a same-inode rewrite later. */
static void tail_remember(struct sfile *f, const char *p, size_t n)
{
	if (n >= SOURCE_TAIL_CHECK) {
		memcpy(f->tail, p + n - SOURCE_TAIL_CHECK, SOURCE_TAIL_CHECK);
		f->taillen = SOURCE_TAIL_CHECK;
		return;
	}
	unsigned keep = f->taillen;
	if (keep > SOURCE_TAIL_CHECK - n)
		keep = (unsigned)(SOURCE_TAIL_CHECK - n);
	memmove(f->tail, f->tail + f->taillen - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->taillen = keep + (unsigned)n;
}

static void tail_restart(struct sfile *f)
{
	f->offset = 0;
	f->partial.len = 0;
	f->discarding = false;
	f->taillen = 0;
	memset(&f->mark, 0, sizeof f->mark);
}

static void tail_from_fd(struct source *s, struct sfile *f, int fd)
{
	tail_order_late(s, f, fd);
	int64_t last = INT64_MAX, ms;
	struct stat st;
	if (fstat(fd, &st) == 0)
		mark_stat(&f->mark, &st); /* before the read, for a warm start later */
	for (;;) {
		ssize_t n = pread(fd, s->rbuf, SOURCE_BLOCK, (off_t)f->offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		const char *nl = memrchr(s->rbuf, '\n', (size_t)n);
		if (nl)
			mark_note(&f->mark, nl + 1, (size_t)(nl + 1 - s->rbuf), f->offset + (uint64_t)(nl + 1 - s->rbuf));
		if (source_peek_ts(f->agent, true, s->rbuf, (size_t)n, &ms) == 0)
			last = ms;
		tail_split(s, f, s->rbuf, (size_t)n);
		tail_remember(f, s->rbuf, (size_t)n);
		f->offset += (uint64_t)n;
		s->st.bytes += (uint64_t)n;
		if ((size_t)n < SOURCE_BLOCK)
			break; /* caught up; the next write brings another event */
	}
	tail_order_last(s, f, last);
	/* Caught up on a line boundary: thousands of idle files must not each keep a buffer. */
	if (f->partial.len == 0 && f->partial.cap)
		buf_free(&f->partial);
}

/* A whole-file transcript (TRANSCRIPT_WHOLE: a JSON document rewritten whole on every change, in
 * place): its bytes are read whole and handed over as one unit — after a reset, so the consumer
 * reads it again from the start — only when they differ from the bytes handed over last. A
 * document caught in the middle of a rewrite is handed over as it is (the consumer counts it
 * malformed) and again whole once the writer is done. */
static void tail_whole(struct source *s, struct sfile *f, int fd)
{
	tail_order_late(s, f, fd);
	struct buf b = {0};
	for (;;) {
		buf_reserve(&b, SOURCE_BLOCK);
		ssize_t n = pread(fd, b.data + b.len, SOURCE_BLOCK, (off_t)b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b.len += (size_t)n;
		if (b.len > SOURCE_LINE_MAX) {
			if (!(s->said & SAID_LONG_LINE)) {
				s->said |= SAID_LONG_LINE;
				source_message(s, "skipped a line longer than %zu MB in %s", SOURCE_LINE_MAX >> 20,
					       f->path);
			}
			buf_free(&b);
			return;
		}
	}
	uint64_t h = ct_hash(b.data ? b.data : "", b.len);
	if (f->offset == b.len && f->whole_hash == h && f->offset) {
		buf_free(&b);
		return; /* touched, not changed */
	}
	if (f->offset) {
		s->sink.file_reset(s->sink.ctx, f->handle);
		s->st.resets++;
	}
	f->offset = b.len;
	f->whole_hash = h;
	s->st.bytes += b.len;
	int64_t last;
	if (source_peek_ts(f->agent, true, b.data ? b.data : "", b.len, &last) != 0)
		last = INT64_MAX;
	tail_order_last(s, f, last);
	tail_deliver(s, f, b.data, b.len);
	buf_free(&b);
}

struct sfile *tail_register(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
			    size_t root, int *fd_out)
{
	struct stat st;
	int why;
	int fd = source_open_regular(path, &st, &why);
	struct sfile *f = tail_register_opened(s, path, agent, subagent, first_ts, root, fd < 0 ? NULL : &st, why);
	if (f && fd_out)
		*fd_out = fd;
	else if (fd >= 0)
		close(fd);
	return f;
}

/* Give the sink the file's handle and its place in the reading order. */
static void tail_announce(struct source *s, struct sfile *f)
{
	f->handle = s->sink.file_open(s->sink.ctx, f->agent, f->path, f->subagent);
	if (s->sink.file_order)
		s->sink.file_order(s->sink.ctx, f->handle, f->first_ts, f->last_ts);
}

void tail_order_last(struct source *s, struct sfile *f, int64_t last_ts)
{
	if (last_ts == INT64_MAX || last_ts == f->last_ts)
		return;
	f->last_ts = last_ts;
	if (s->sink.file_order)
		s->sink.file_order(s->sink.ctx, f->handle, f->first_ts, f->last_ts);
}

/* The first timestamp of an open file, as the scan's peek finds it (INT64_MAX: none). */
static int64_t tail_peek_first(struct source *s, enum agent agent, int fd)
{
	ssize_t n = pread(fd, s->rbuf, SOURCE_BLOCK, 0);
	int64_t ms;
	return n > 0 && source_peek_ts(agent, false, s->rbuf, (size_t)n, &ms) == 0 ? ms : INT64_MAX;
}

/* A file found empty (just created) has no place in the reading order yet: it gets one from
 * its first timestamped line, before that line is handed on. */
void tail_order_late(struct source *s, struct sfile *f, int fd)
{
	if (f->first_ts != INT64_MAX)
		return;
	f->first_ts = tail_peek_first(s, f->agent, fd);
	if (f->first_ts != INT64_MAX && s->sink.file_order)
		s->sink.file_order(s->sink.ctx, f->handle, f->first_ts, f->last_ts);
}

struct sfile *tail_register_opened(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
				   size_t root, const struct stat *st, int why)
{
	if (!st) {
		tail_problem(s, path, why);
		return NULL;
	}
	source_skip_forget(s, path); /* e.g. a dangling symlink whose target appeared */
	struct sfile *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->agent = agent;
	f->subagent = subagent;
	f->root = root;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->first_ts = first_ts;
	f->last_ts = INT64_MAX;
	f->whole = source_is_whole_file(s, path);
	HASH_ADD_KEYPTR(hh, s->files, f->path, strlen(f->path), f);
	tail_announce(s, f);
	s->st.files++;
	if (root < s->roots.n)
		s->roots.v[root].files++;
	return f;
}

struct sfile *tail_open(struct source *s, const char *path, enum agent agent, bool subagent, int64_t first_ts,
			size_t root)
{
	struct sfile *f;
	HASH_FIND_STR(s->files, path, f);
	if (f) {
		tail_read(s, f);
		return f;
	}
	int fd;
	f = tail_register(s, path, agent, subagent, first_ts, root, &fd);
	if (!f)
		return NULL;
	if (f->whole)
		tail_whole(s, f, fd);
	else
		tail_from_fd(s, f, fd);
	close(fd);
	return f;
}

static void tail_drop(struct source *s, struct sfile *f)
{
	s->sink.file_gone(s->sink.ctx, f->handle);
	s->st.gone++;
	if (f->root < s->roots.n && s->roots.v[f->root].files)
		s->roots.v[f->root].files--;
	if (f->dirty) {
		/* unlink from the dirty list */
		for (struct sfile **pp = &s->dirty; *pp; pp = &(*pp)->next_dirty)
			if (*pp == f) {
				*pp = f->next_dirty;
				break;
			}
	}
	HASH_DEL(s->files, f);
	buf_free(&f->partial);
	free(f->path);
	free(f);
}

void tail_read(struct source *s, struct sfile *f)
{
	struct stat st;
	int why;
	int fd = source_open_regular(f->path, &st, &why);
	if (fd < 0) {
		if (why == EACCES || why == EPERM) {
			tail_problem(s, f->path, why);
			return; /* keep it: permissions may come back */
		}
		tail_drop(s, f); /* deleted, or replaced by something that is not a file */
		return;
	}
	bool unlinked = f->unlinked;
	f->unlinked = false;
	if (unlinked || st.st_dev != f->dev || st.st_ino != f->ino) {
		/* A new file at the same path (rename over, delete and re-create). */
		s->sink.file_gone(s->sink.ctx, f->handle);
		s->st.gone++;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		tail_restart(f);
		f->first_ts = tail_peek_first(s, f->agent, fd);
		f->last_ts = INT64_MAX;
		tail_announce(s, f);
		s->st.files++;
	} else if ((uint64_t)st.st_size < f->offset) {
		s->sink.file_reset(s->sink.ctx, f->handle);
		s->st.resets++;
		tail_restart(f);
	} else if (f->offset > 0 && f->taillen > 0) {
		/* Rewritten in place and already longer than before? The bytes just before our
		 * offset would differ. */
		unsigned char chk[SOURCE_TAIL_CHECK];
		ssize_t n = pread(fd, chk, f->taillen, (off_t)(f->offset - f->taillen));
		if (n != (ssize_t)f->taillen || memcmp(chk, f->tail, f->taillen) != 0) {
			s->sink.file_reset(s->sink.ctx, f->handle);
			s->st.resets++;
			tail_restart(f);
		}
	}
	if (f->whole)
		tail_whole(s, f, fd);
	else if ((uint64_t)st.st_size > f->offset)
		tail_from_fd(s, f, fd);
	close(fd);
}

void tail_mark_dirty(struct source *s, struct sfile *f)
{
	if (f->dirty)
		return;
	f->dirty = true;
	f->next_dirty = s->dirty;
	s->dirty = f;
}

static int tail_cmp_order(const void *a, const void *b)
{
	const struct sfile *x = *(const struct sfile *const *)a, *y = *(const struct sfile *const *)b;
	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return strcmp(x->path, y->path);
}

void tail_flush_dirty(struct source *s)
{
	/* A burst (a laptop waking, an overflow rescan) is read in the start-up scan's order, so
	 * that it is told as the scan would tell it. */
	while (s->dirty) {
		size_t n = 0;
		for (struct sfile *f = s->dirty; f; f = f->next_dirty)
			n++;
		struct sfile **v = xmalloc(n * sizeof *v);
		n = 0;
		for (struct sfile *f = s->dirty; f; f = f->next_dirty)
			v[n++] = f;
		s->dirty = NULL;
		for (size_t i = 0; i < n; i++) {
			v[i]->dirty = false;
			v[i]->next_dirty = NULL;
		}
		qsort(v, n, sizeof *v, tail_cmp_order);
		for (size_t i = 0; i < n; i++)
			tail_read(s, v[i]);
		free(v);
	}
}

void tail_mark_prefix_dirty(struct source *s, const char *prefix)
{
	size_t n = strlen(prefix);
	struct sfile *f, *tmp;
	HASH_ITER(hh, s->files, f, tmp) {
		if (strncmp(f->path, prefix, n) == 0 && f->path[n] == '/')
			tail_mark_dirty(s, f);
	}
}

void tail_free_all(struct source *s)
{
	struct sfile *f, *tmp;
	HASH_ITER(hh, s->files, f, tmp) {
		HASH_DEL(s->files, f);
		buf_free(&f->partial);
		free(f->path);
		free(f);
	}
	s->dirty = NULL;
}

int tail_read_from(struct source *s, const char *path, enum agent agent, uint32_t handle, uint64_t from)
{
	struct stat st;
	int why;
	int fd = source_open_regular(path, &st, &why);
	if (fd < 0) {
		tail_problem(s, path, why);
		return -1;
	}
	/* Read as lines: a file read on its own is under no target, so no rule makes it a
	 * document read whole. INT64_MIN: one file alone has no place in a reading order. */
	struct sfile f = {.path = (char *)path, .agent = agent, .handle = handle, .first_ts = INT64_MIN,
			  .last_ts = INT64_MAX, .dev = st.st_dev, .ino = st.st_ino, .offset = from};
	if ((uint64_t)st.st_size > from)
		tail_from_fd(s, &f, fd);
	buf_free(&f.partial);
	close(fd);
	return 0;
}
