/* mark.c — warm starts, on the source's side: whether a file still begins with the bytes an
 * earlier run read (same identity, the hash of its head and of the bytes just before the saved
 * offset, which must end a line), and the same mark made of what this run has read. Only the
 * two windows are read, never the bytes between them: an append keeps both, a rewrite or a
 * replacement almost surely changes one (and a shorter file fails the size check). */
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

bool mark_stat_same(const struct stat *st, const struct sink_mark *mk)
{
	return mk->ctime_ns != 0 && mk->offset > 0 && (uint64_t)st->st_dev == mk->dev &&
	       (uint64_t)st->st_ino == mk->ino && (uint64_t)st->st_size == mk->size &&
	       mark_ns(&st->st_mtim) == mk->mtime_ns && mark_ns(&st->st_ctim) == mk->ctime_ns;
}

void mark_tail(const struct sink_mark *mk, unsigned char *tail, unsigned *taillen)
{
	unsigned keep = mk->offset < SOURCE_TAIL_CHECK ? (unsigned)mk->offset : SOURCE_TAIL_CHECK;
	memcpy(tail, mk->tail, keep);
	*taillen = keep;
}

static uint32_t mark_window(uint64_t offset)
{
	return offset < SINK_MARK_WINDOW ? (uint32_t)offset : SINK_MARK_WINDOW;
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
	    (uint64_t)st->st_size < mk->offset || mk->head_len != w || mk->tail_len != w)
		return false;
	char buf[SINK_MARK_WINDOW];
	if (!mark_read(fd, buf, w, 0) || ct_hash(buf, w) != mk->head_hash)
		return false;
	if (mk->offset > w && !mark_read(fd, buf, w, mk->offset - w))
		return false;
	if (buf[w - 1] != '\n' || ct_hash(buf, w) != mk->tail_hash)
		return false;
	/* the bytes a later tail read checks for an in-place rewrite (tail.c) */
	unsigned keep = w < SOURCE_TAIL_CHECK ? w : SOURCE_TAIL_CHECK;
	memcpy(tail, buf + w - keep, keep);
	*taillen = keep;
	return true;
}

int source_mark_check(const char *path, const struct sink_mark *mk)
{
	struct stat st;
	int why;
	int fd = tail_open_regular(path, &st, &why);
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
		if (f->discarding)
			continue;
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
	/* a whole-file document is read whole on every change: nothing of it is kept */
	if (!f || f->discarding || f->whole || f->offset == f->partial.len)
		return -1;
	uint64_t off = f->offset - f->partial.len;
	struct stat st;
	int why;
	int fd = tail_open_regular(f->path, &st, &why);
	if (fd < 0)
		return -1;
	int rc = -1;
	unsigned char chk[SOURCE_TAIL_CHECK];
	char buf[SINK_MARK_WINDOW];
	uint32_t w = mark_window(off);
	/* still the bytes this run read? (what tail_read checks before reading on) */
	if (st.st_dev != f->dev || st.st_ino != f->ino || (uint64_t)st.st_size < f->offset ||
	    f->taillen == 0 || !mark_read(fd, (char *)chk, f->taillen, f->offset - f->taillen) ||
	    memcmp(chk, f->tail, f->taillen) != 0)
		goto out;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	*mk = (struct sink_mark){.dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino, .offset = off,
				 .head_len = w, .tail_len = w, .last_ts = f->last_ts, .first_ts = f->first_ts,
				 .peek_last_ts = INT64_MIN,
				 .size = (uint64_t)st.st_size, .mtime_ns = mark_ns(&st.st_mtim),
				 .ctime_ns = mark_ns(&st.st_ctim)};
	if (mark_ns(&now) - mk->mtime_ns < mark_racy_ns || mark_ns(&now) - mk->ctime_ns < mark_racy_ns)
		mk->ctime_ns = 0;
	if (!mark_read(fd, buf, w, 0))
		goto out;
	mk->head_hash = ct_hash(buf, w);
	if (off > w && !mark_read(fd, buf, w, off - w))
		goto out;
	if (buf[w - 1] != '\n')
		goto out;
	mk->tail_hash = ct_hash(buf, w);
	/* what the scan's tie-break peek (discover.c) finds when the file ends here */
	mk->peek_last_ts = INT64_MIN;
	if ((uint64_t)st.st_size == off)
		mk->peek_last_ts = source_peek_fd(f->agent, fd, off, s->rbuf, true);
	unsigned keep = w < SOURCE_TAIL_CHECK ? w : SOURCE_TAIL_CHECK;
	memcpy(mk->tail, buf + w - keep, keep);
	rc = 0;
out:
	close(fd);
	return rc;
}
