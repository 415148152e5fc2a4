/* mark.c — warm starts, on the source's side. A mark (sink.h) says what a run read of a file:
 * up to which line boundary, the hash of its first bytes and of the bytes before that boundary,
 * and the file's stat before the read. It is taken from the bytes as they were read (never read
 * again at save time, which could vouch for bytes this run did not see). A later run trusts it
 * when the file's stat is still the same in every field, and otherwise when both windows still
 * hash the same: an append keeps them, a rewrite or replacement almost surely changes one, and a
 * shorter file fails the size check. Only the windows are read, never the bytes between. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "source_int.h"

_Static_assert(sizeof ((struct sink_mark *)0)->tail == SOURCE_TAIL_CHECK, "a mark keeps the rewrite check's bytes");

/* A file written this recently may be written again within the same tick of the file system's
 * clock, leaving its stat as it was: such a mark is checked by its windows, not its stat. */
#define MARK_RACY_NS 2000000000LL

static int64_t mark_racy_ns = MARK_RACY_NS;
void source_test_mark_racy(int64_t ns) { mark_racy_ns = ns; }

static int64_t mark_ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static uint32_t mark_window(uint64_t n) { return n < SINK_MARK_WINDOW ? (uint32_t)n : SINK_MARK_WINDOW; }

bool mark_stat_same(const struct stat *st, const struct sink_mark *mk)
{
	return mk->ctime_ns != 0 && mk->offset > 0 && (uint64_t)st->st_dev == mk->dev &&
	       (uint64_t)st->st_ino == mk->ino && (uint64_t)st->st_size == mk->size &&
	       mark_ns(&st->st_mtim) == mk->mtime_ns && mark_ns(&st->st_ctim) == mk->ctime_ns;
}

void mark_tail(const struct sink_mark *mk, unsigned char *tail, unsigned *taillen)
{
	unsigned keep = mk->tail_len < SOURCE_TAIL_CHECK ? mk->tail_len : SOURCE_TAIL_CHECK;
	memcpy(tail, mk->tail, keep);
	*taillen = keep;
}

void mark_note(struct readmark *m, const char *end, size_t avail, uint64_t lineoff)
{
	if (!m->head_len && lineoff == avail && avail) {
		/* the first bytes of the file */
		m->head_len = mark_window(avail);
		m->head_hash = ct_hash(end - avail, m->head_len);
	}
	uint32_t w = mark_window(avail);
	if (!w || !m->head_len)
		return;
	m->tail_len = w;
	m->tail_hash = ct_hash(end - w, w);
	unsigned keep = w < SOURCE_TAIL_CHECK ? w : SOURCE_TAIL_CHECK;
	memset(m->tail, 0, sizeof m->tail);
	memcpy(m->tail, end - keep, keep);
	m->off = lineoff;
}

void mark_stat(struct readmark *m, const struct stat *st)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	m->read_ns = mark_ns(&now);
	m->size = (uint64_t)st->st_size;
	m->mtime_ns = mark_ns(&st->st_mtim);
	m->ctime_ns = mark_ns(&st->st_ctim);
}

void mark_recalled(struct readmark *m, const struct sink_mark *mk)
{
	*m = (struct readmark){.off = mk->offset, .head_len = mk->head_len, .tail_len = mk->tail_len,
			       .head_hash = mk->head_hash, .tail_hash = mk->tail_hash, .size = mk->size,
			       .mtime_ns = mk->mtime_ns, .ctime_ns = mk->ctime_ns, .read_ns = INT64_MAX};
	memcpy(m->tail, mk->tail, sizeof m->tail);
}

static bool mark_read(int fd, char *buf, uint32_t n, uint64_t at)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(at + got));
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

bool mark_holds(int fd, const struct stat *st, const struct sink_mark *mk, unsigned char *tail, unsigned *taillen)
{
	uint32_t w = mark_window(mk->offset);
	if (mk->offset == 0 || (uint64_t)st->st_dev != mk->dev || (uint64_t)st->st_ino != mk->ino ||
	    (uint64_t)st->st_size < mk->offset || !mk->head_len || mk->head_len > w || !mk->tail_len ||
	    mk->tail_len > w)
		return false;
	char buf[SINK_MARK_WINDOW];
	if (!mark_read(fd, buf, mk->head_len, 0) || ct_hash(buf, mk->head_len) != mk->head_hash)
		return false;
	if (!mark_read(fd, buf, mk->tail_len, mk->offset - mk->tail_len) || buf[mk->tail_len - 1] != '\n' ||
	    ct_hash(buf, mk->tail_len) != mk->tail_hash)
		return false;
	/* the bytes a later tail read checks for an in-place rewrite (tail.c) */
	unsigned keep = mk->tail_len < SOURCE_TAIL_CHECK ? mk->tail_len : SOURCE_TAIL_CHECK;
	memcpy(tail, buf + mk->tail_len - keep, keep);
	*taillen = keep;
	return true;
}

int source_mark_check(const char *path, const struct sink_mark *mk)
{
	struct stat st;
	int why;
	int fd = source_open_regular(path, &st, &why);
	if (fd < 0)
		return -1;
	unsigned char tail[SOURCE_TAIL_CHECK];
	unsigned taillen;
	bool ok = mark_stat_same(&st, mk) || mark_holds(fd, &st, mk, tail, &taillen);
	close(fd);
	return ok ? 0 : -1;
}

void source_each_file(struct source *s, void (*fn)(void *ctx, const struct source_pos *p), void *ctx)
{
	struct sfile *f, *tmp;
	HASH_ITER(hh, s->files, f, tmp) {
		if (f->discarding || f->whole)
			continue; /* a whole document is read whole each time: nothing to keep */
		struct source_pos p = {.handle = f->handle, .path = f->path, .dev = (uint64_t)f->dev,
				       .ino = (uint64_t)f->ino, .offset = f->offset - f->partial.len,
				       .first_ts = f->first_ts, .last_ts = f->last_ts};
		fn(ctx, &p);
	}
}

int source_mark(struct source *s, const char *path, struct sink_mark *mk)
{
	struct sfile *f;
	HASH_FIND_STR(s->files, path, f);
	const struct readmark *m = f ? &f->mark : NULL;
	/* a whole-file document is read whole on every change: nothing of it is kept */
	if (!f || f->discarding || f->whole || !m->off || m->off != f->offset - f->partial.len || !m->head_len)
		return -1;
	*mk = (struct sink_mark){.dev = (uint64_t)f->dev, .ino = (uint64_t)f->ino, .offset = m->off,
				 .head_len = m->head_len, .tail_len = m->tail_len, .head_hash = m->head_hash,
				 .tail_hash = m->tail_hash, .last_ts = f->last_ts, .first_ts = f->first_ts,
				 .peek_last_ts = INT64_MIN, .size = m->size, .mtime_ns = m->mtime_ns,
				 .ctime_ns = m->ctime_ns};
	memcpy(mk->tail, m->tail, sizeof mk->tail);
	if (mk->size < mk->offset) {
		/* it grew while being read: its stat then says nothing of what was read */
		mk->size = mk->offset;
		mk->ctime_ns = 0;
	}
	/* written within the clock tick of the read? then a write just after it could have left the
	 * stat as it was (a recalled mark keeps its own verdict) */
	if (m->read_ns != INT64_MAX && (m->read_ns - m->mtime_ns < mark_racy_ns || m->read_ns - m->ctime_ns < mark_racy_ns))
		mk->ctime_ns = 0;
	/* What the scan's tie-break peek (discover.c) finds at the file's end, taken when the file
	 * ends at the mark and is still as it was read. */
	if (m->size == m->off && mk->ctime_ns) {
		struct stat st;
		int why;
		int fd = source_open_regular(f->path, &st, &why);
		if (fd >= 0) {
			if (mark_stat_same(&st, mk))
				mk->peek_last_ts = source_peek_file(fd, f->agent, m->off, s->rbuf, true);
			close(fd);
		}
	}
	return 0;
}
