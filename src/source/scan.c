/* scan.c — reading many new transcripts on several cores. Files are independent until the
 * consumer's dedup, so worker threads read and split them and call the sink's `prepare` (which
 * parses); `commit` runs in the files' scan order, one call at a time, so the result is exactly
 * that of reading them one by one. Whichever worker finds the next file in order ready takes
 * the commit turn (the file it is reading itself is committed as it goes), so no thread sleeps
 * and wakes per batch. Workers run at most a few files ahead and hold a bounded amount of
 * prepared data, so memory stays flat however large the tree. A file that changed identity
 * between listing and reading is left to the ordinary one-at-a-time path. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/line.h"
#include "source_int.h"

#define SCAN_AHEAD 8                       /* files a worker may run ahead of the committer */
#define SCAN_QUEUED_MAX ((size_t)32 << 20)  /* prepared bytes waiting to be committed */
#define SCAN_WORKERS_MAX 4
/* Read blocks small enough to be parsed while still in the core's cache. */
#define SCAN_BLOCK ((size_t)256 << 10)

struct batch {
	struct batch *next;
	void *data;
	size_t bytes;
};

struct job {
	struct sfile *f;
	struct batch *head, *tail;
	bool done, fallback;
	bool known;                  /* listed with the stat of the sink's mark (scand.known) */
	bool recalled;               /* its first batch came from the sink's mark */
	uint64_t size;
	/* the file's tail state after the read, adopted by the committer */
	uint64_t offset, lines, bytes;
	struct buf partial;
	bool discarding, too_long;
	unsigned char tailbytes[SOURCE_TAIL_CHECK];
	unsigned taillen;
	int64_t last_ts;             /* the last timestamp read (INT64_MAX: none) */
	struct readmark mark;        /* what was read, for a warm start later */
};

struct scan {
	struct source *s;
	struct job *jobs;
	size_t n, next, committing;
	size_t queued;
	bool committer; /* a worker holds the commit turn */
	pthread_mutex_t mu;
	pthread_cond_t work_cv;
};

static void scan_finish(struct scan *sc, size_t i);

/* With mu held and the commit turn taken: commit, in order, all that is ready. Returns with mu
 * held, when the file next in order is still being read (its reader takes the turn later). */
static void scan_drain(struct scan *sc)
{
	while (sc->committing < sc->n) {
		struct job *j = &sc->jobs[sc->committing];
		struct batch *b = j->head;
		if (b) {
			j->head = b->next;
			if (!j->head)
				j->tail = NULL;
			sc->queued -= b->bytes;
			pthread_cond_broadcast(&sc->work_cv);
			pthread_mutex_unlock(&sc->mu);
			sc->s->sink.commit(sc->s->sink.ctx, j->f->handle, b->data);
			free(b);
			pthread_mutex_lock(&sc->mu);
			continue;
		}
		if (!j->done)
			break;
		size_t i = sc->committing;
		pthread_mutex_unlock(&sc->mu);
		scan_finish(sc, i);
		pthread_mutex_lock(&sc->mu);
		sc->committing = i + 1;
		pthread_cond_broadcast(&sc->work_cv);
	}
}

static void scan_push(struct scan *sc, size_t i, void *data)
{
	struct job *j = &sc->jobs[i];
	uint64_t lines = 0;
	size_t bytes = sc->s->sink.batch_size ? sc->s->sink.batch_size(data, &lines) : 0;
	pthread_mutex_lock(&sc->mu);
	j->lines += lines;
	for (;;) {
		if (i == sc->committing && !sc->committer && !j->head) {
			/* next in order with nothing before it: commit here, no queue */
			sc->committer = true;
			pthread_mutex_unlock(&sc->mu);
			sc->s->sink.commit(sc->s->sink.ctx, j->f->handle, data);
			pthread_mutex_lock(&sc->mu);
			sc->committer = false;
			pthread_mutex_unlock(&sc->mu);
			return;
		}
		/* the file next in order may always queue: the turn holder is draining it */
		if (i == sc->committing || sc->queued <= SCAN_QUEUED_MAX)
			break;
		pthread_cond_wait(&sc->work_cv, &sc->mu);
	}
	struct batch *b = xcalloc(1, sizeof *b);
	b->data = data;
	b->bytes = bytes;
	if (j->tail)
		j->tail->next = b;
	else
		j->head = b;
	j->tail = b;
	sc->queued += b->bytes;
	pthread_mutex_unlock(&sc->mu);
}

static void scan_prepare(struct scan *sc, size_t i, const char *p, size_t n)
{
	struct job *j = &sc->jobs[i];
	struct source *s = sc->s;
	scan_push(sc, i, s->sink.prepare(s->sink.ctx, j->f->handle, j->f->agent, p, n));
}

/* The read buffer: complete lines are handed out where they lie and only the unfinished last
 * line moves to the front, so a line is copied at most once however many reads it spans.
 * Reads land on a 64-byte boundary of the buffer and end on a page boundary of the file: in a
 * read-and-count test on the benchmark machine, the kernel's copy into a buffer misaligned by
 * 1-16 bytes took ~25 % longer (0.27 s against 0.21 s a GB, one thread). */
#define SCAN_ALIGN 64
#define SCAN_PAGE 4096

struct rbuf {
	char *data;              /* SCAN_ALIGN-aligned */
	size_t start, have, cap; /* the unfinished line: data[start, start + have) */
};

static char *rbuf_alloc(size_t cap)
{
	void *p = NULL;
	if (posix_memalign(&p, SCAN_ALIGN, cap) != 0)
		ct_fatal("out of memory (%zu bytes)", cap);
	return p;
}

/* Move the kept bytes to the front, so that what follows them is aligned; new capacity `cap`. */
static void rbuf_settle(struct rbuf *b, const char *keep, size_t n, size_t cap)
{
	size_t start = (SCAN_ALIGN - n % SCAN_ALIGN) % SCAN_ALIGN;
	if (cap != b->cap) {
		char *d = rbuf_alloc(cap);
		memcpy(d + start, keep, n);
		free(b->data);
		b->data = d;
		b->cap = cap;
	} else if (n && keep != b->data + start) {
		memmove(b->data + start, keep, n);
	}
	b->start = start;
	b->have = n;
}

/* The same splitting rules as tail_split: complete lines go out, the rest waits; a line longer
 * than SOURCE_LINE_MAX is dropped up to its newline. `n` new bytes were read after the kept. */
static void scan_split(struct scan *sc, size_t i, struct rbuf *b, size_t n)
{
	struct job *j = &sc->jobs[i];
	char *p = b->data + b->start, *fresh = p + b->have, *end = fresh + n;
	if (j->discarding) {
		char *nl = memchr(fresh, '\n', n);
		if (!nl) {
			b->start = b->have = 0;
			return;
		}
		j->discarding = false;
		p = nl + 1;
	}
	/* memrchr over the new bytes only: the kept ones hold no newline */
	char *from = p > fresh ? p : fresh;
	char *last = from < end ? memrchr(from, '\n', (size_t)(end - from)) : NULL;
	if (last) {
		/* the bytes up to this newline, as read, for the mark */
		char *from_start = b->data + b->start;
		mark_note(&j->mark, last + 1, (size_t)(last + 1 - from_start), j->offset - (uint64_t)(end - (last + 1)));
		scan_prepare(sc, i, p, (size_t)(last + 1 - p));
		p = last + 1;
	}
	size_t keep = (size_t)(end - p);
	if (keep > SOURCE_LINE_MAX) {
		j->discarding = j->too_long = true;
		keep = 0;
	}
	/* Whatever the capacity, at least half a block stays free after the kept bytes: a read of
	 * zero bytes would look like the end of the file. */
	size_t cap = b->cap;
	if (keep > b->cap - SCAN_ALIGN - SCAN_BLOCK / 2)
		cap *= 2; /* a line longer than the buffer: grow */
	else if (b->cap > 4 * SCAN_BLOCK && keep <= SCAN_BLOCK / 4)
		cap = SCAN_BLOCK; /* and back to the usual size once the line is through */
	rbuf_settle(b, p, keep, cap);
}

/* Remember the last bytes consumed, to notice a same-inode rewrite later (tail.c). */
static void scan_tailbytes(struct job *j, const char *p, size_t n)
{
	size_t keep = n < SOURCE_TAIL_CHECK ? n : SOURCE_TAIL_CHECK;
	if (keep == SOURCE_TAIL_CHECK) {
		memcpy(j->tailbytes, p + n - keep, keep);
		j->taillen = (unsigned)keep;
	} else {
		unsigned old = j->taillen + keep > SOURCE_TAIL_CHECK ? (unsigned)(SOURCE_TAIL_CHECK - keep) : j->taillen;
		memmove(j->tailbytes, j->tailbytes + j->taillen - old, old);
		memcpy(j->tailbytes + old, p, keep);
		j->taillen = old + (unsigned)keep;
	}
}

/* A warm start: the sink's kept lines of job i become its first batch, and the read goes on
 * from the mark. False when the sink no longer has them. */
static bool scan_recalled(struct scan *sc, size_t i, const struct sink_mark *mk)
{
	struct job *j = &sc->jobs[i];
	struct line_sink *k = &sc->s->sink;
	void *kept = k->recalled(k->ctx, j->f->handle, j->f->path);
	if (!kept)
		return false;
	scan_push(sc, i, kept);
	j->offset = mk->offset;
	j->last_ts = mk->last_ts;
	j->recalled = true;
	mark_recalled(&j->mark, mk);
	return true;
}

static void scan_file(struct scan *sc, size_t i, struct rbuf *b)
{
	struct job *j = &sc->jobs[i];
	struct sfile *f = j->f;
	if (f->whole) {
		j->fallback = true; /* one document, not lines: read whole in its turn, never recalled */
		return;
	}
	/* a warm start: the lines an earlier run read, if the file still holds them */
	struct line_sink *k = &sc->s->sink;
	struct sink_mark mk;
	bool marked = k->recall && k->recall(k->ctx, f->path, &mk);
	if (marked && j->known && j->size == mk.offset && mk.size == mk.offset) {
		/* its stat, when listed, was the mark's and it ends where the mark does */
		if (scan_recalled(sc, i, &mk)) {
			mark_tail(&mk, j->tailbytes, &j->taillen);
			return;
		}
		marked = false;
	}
	int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev || st.st_ino != f->ino) {
		/* changed since it was listed: the ordinary path will sort it out */
		j->fallback = true;
		if (fd >= 0)
			close(fd);
		return;
	}
	mark_stat(&j->mark, &st);
	bool same = marked && mark_stat_same(&st, &mk);
	if (same)
		mark_tail(&mk, j->tailbytes, &j->taillen);
	if (marked && (same || mark_holds(fd, &st, &mk, j->tailbytes, &j->taillen))) {
		if (scan_recalled(sc, i, &mk))
			mark_stat(&j->mark, &st); /* read on from the mark: the stat before this read */
		else
			j->taillen = 0;
	}
	b->start = b->have = 0;
	for (;;) {
		char *to = b->data + b->start + b->have;
		size_t len = b->cap - b->start - b->have;
		if (len > SCAN_PAGE)
			len -= (j->offset + len) % SCAN_PAGE; /* end on a page of the file */
		ssize_t n = pread(fd, to, len, (off_t)j->offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		scan_tailbytes(j, to, (size_t)n);
		int64_t ms;
		if (source_peek_ts(f->agent, true, to, (size_t)n, &ms) == 0)
			j->last_ts = ms;
		j->offset += (uint64_t)n;
		j->bytes += (uint64_t)n;
		scan_split(sc, i, b, (size_t)n);
	}
	if (b->have)
		buf_append(&j->partial, b->data + b->start, b->have);
	close(fd);
}

static void *scan_worker(void *arg)
{
	struct scan *sc = arg;
	struct rbuf b = {rbuf_alloc(SCAN_BLOCK), 0, 0, SCAN_BLOCK};
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		while (sc->next < sc->n && sc->next >= sc->committing + SCAN_AHEAD)
			pthread_cond_wait(&sc->work_cv, &sc->mu);
		if (sc->next >= sc->n)
			break;
		size_t i = sc->next++;
		pthread_mutex_unlock(&sc->mu);
		scan_file(sc, i, &b);
		pthread_mutex_lock(&sc->mu);
		sc->jobs[i].done = true;
		if (i == sc->committing && !sc->committer) {
			sc->committer = true;
			scan_drain(sc);
			sc->committer = false;
		}
	}
	pthread_mutex_unlock(&sc->mu);
	free(b.data);
	return NULL;
}

/* Job i is read and committed: its sfile adopts the tail state (by the commit-turn holder). */
static void scan_finish(struct scan *sc, size_t i)
{
	struct job *j = &sc->jobs[i];
	struct source *s = sc->s;
	struct sfile *f = j->f;
	if (j->fallback) {
		tail_read(s, f);
		return;
	}
	f->offset = j->offset;
	buf_free(&f->partial);
	if (j->partial.len)
		f->partial = j->partial;
	else
		buf_free(&j->partial);
	f->discarding = j->discarding;
	if (f->first_ts == INT64_MAX && j->lines) {
		/* it was empty when peeked, and has lines now */
		struct stat st;
		int why;
		int fd = source_open_regular(f->path, &st, &why);
		if (fd >= 0) {
			tail_order_late(s, f, fd);
			close(fd);
		}
	}
	tail_order_last(s, f, j->last_ts);
	memcpy(f->tail, j->tailbytes, j->taillen);
	f->taillen = j->taillen;
	f->mark = j->mark;
	s->st.lines += j->lines;
	s->st.recalled += j->recalled;
	s->delivered += j->lines;
	s->st.bytes += j->bytes;
	if (j->too_long && !(s->said & SAID_LONG_LINE)) {
		s->said |= SAID_LONG_LINE;
		source_message(s, "skipped a line longer than %zu MB in %s", SOURCE_LINE_MAX >> 20, f->path);
	}
}

void scan_parallel(struct source *s, struct scands *c)
{
	struct scan sc = {.s = s};
	sc.jobs = xcalloc(c->n, sizeof *sc.jobs);
	for (size_t i = 0; i < c->n; i++) {
		struct sfile *f;
		HASH_FIND_STR(s->files, c->v[i].path, f);
		if (f) {
			tail_read(s, f); /* already known (a rescan): just what was appended */
			continue;
		}
		/* opened and checked by the peek (discover.c); a change since then is caught when
		 * the worker opens it and finds another inode */
		struct stat st = {.st_dev = c->v[i].dev, .st_ino = c->v[i].ino};
		f = tail_register_opened(s, c->v[i].path, c->v[i].agent, c->v[i].subagent, c->v[i].first_ts, c->v[i].root,
					 c->v[i].why ? NULL : &st, c->v[i].why);
		if (f) {
			sc.jobs[sc.n].last_ts = INT64_MAX;
			sc.jobs[sc.n].known = c->v[i].known;
			sc.jobs[sc.n].size = c->v[i].size;
			sc.jobs[sc.n++].f = f;
		}
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nw = cores < 1 ? 1 : (size_t)cores;
	if (nw > SCAN_WORKERS_MAX)
		nw = SCAN_WORKERS_MAX;
	if (nw > sc.n)
		nw = sc.n;
	pthread_t th[SCAN_WORKERS_MAX];
	size_t started = 0;
	pthread_mutex_init(&sc.mu, NULL);
	pthread_cond_init(&sc.work_cv, NULL);
	for (size_t w = 0; w < nw; w++)
		if (pthread_create(&th[started], NULL, scan_worker, &sc) == 0)
			started++;
	if (!started) {
		/* no threads to be had: read here, one by one */
		for (size_t i = 0; i < sc.n; i++)
			tail_read(s, sc.jobs[i].f);
	}
	for (size_t w = 0; w < started; w++)
		pthread_join(th[w], NULL);
	pthread_mutex_destroy(&sc.mu);
	pthread_cond_destroy(&sc.work_cv);
	free(sc.jobs);
}
