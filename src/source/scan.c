/* scan.c — reading many new transcripts on several cores. Files are independent until the
 * consumer's dedup, so worker threads read and split them and call the sink's `prepare` (which
 * parses) while this thread calls `commit` in the files' scan order, so the result is exactly
 * that of reading them one by one. Workers run at most a few files ahead and hold a bounded
 * amount of prepared data, so memory stays flat however large the tree. A file that changed
 * identity between listing and reading is left to the ordinary one-at-a-time path. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* the file's tail state after the read, adopted by the committer */
	uint64_t offset, lines, bytes;
	struct buf partial;
	bool discarding, too_long;
	unsigned char tailbytes[SOURCE_TAIL_CHECK];
	unsigned taillen;
};

struct scan {
	struct source *s;
	struct job *jobs;
	size_t n, next, committing;
	size_t queued;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, main_cv;
};

static void scan_push(struct scan *sc, size_t i, void *data)
{
	struct job *j = &sc->jobs[i];
	struct batch *b = xcalloc(1, sizeof *b);
	uint64_t lines = 0;
	b->data = data;
	b->bytes = sc->s->sink.batch_size ? sc->s->sink.batch_size(data, &lines) : 0;
	pthread_mutex_lock(&sc->mu);
	j->lines += lines;
	/* only the file being committed may always add: it is drained while we wait */
	while (i != sc->committing && sc->queued > SCAN_QUEUED_MAX)
		pthread_cond_wait(&sc->work_cv, &sc->mu);
	if (j->tail)
		j->tail->next = b;
	else
		j->head = b;
	j->tail = b;
	sc->queued += b->bytes;
	pthread_cond_signal(&sc->main_cv);
	pthread_mutex_unlock(&sc->mu);
}

static void scan_prepare(struct scan *sc, size_t i, const char *p, size_t n)
{
	struct job *j = &sc->jobs[i];
	struct source *s = sc->s;
	scan_push(sc, i, s->sink.prepare(s->sink.ctx, j->f->handle, j->f->agent, p, n));
}

/* The same splitting rules as tail_split: complete lines go out, the rest waits in partial;
 * a line longer than SOURCE_LINE_MAX is dropped up to its newline. */
static void scan_split(struct scan *sc, size_t i, char *p, size_t n)
{
	struct job *j = &sc->jobs[i];
	char *end = p + n;
	char *nl = memchr(p, '\n', n);
	if (!nl) {
		if (j->discarding)
			return;
		if (j->partial.len + n > SOURCE_LINE_MAX) {
			j->discarding = j->too_long = true;
			buf_free(&j->partial);
			return;
		}
		buf_append(&j->partial, p, n);
		return;
	}
	/* the line that started in an earlier block */
	if (j->discarding) {
		j->discarding = false;
	} else if (j->partial.len) {
		buf_append(&j->partial, p, (size_t)(nl + 1 - p));
		scan_prepare(sc, i, j->partial.data, j->partial.len);
		j->partial.len = 0;
		if (j->partial.cap > 4 * (size_t)SOURCE_BLOCK)
			buf_free(&j->partial);
	} else {
		scan_prepare(sc, i, p, (size_t)(nl + 1 - p));
	}
	char *start = nl + 1;
	/* memrchr: inside a long line the last newline can be a whole block back */
	char *last = start < end ? memrchr(start, '\n', (size_t)(end - start)) : NULL;
	if (last) {
		last++;
		scan_prepare(sc, i, start, (size_t)(last - start));
		start = last;
	}
	if (start < end) {
		if ((size_t)(end - start) > SOURCE_LINE_MAX) {
			j->discarding = j->too_long = true;
			return;
		}
		buf_append(&j->partial, start, (size_t)(end - start));
	}
}

static void scan_file(struct scan *sc, size_t i, char *rbuf)
{
	struct job *j = &sc->jobs[i];
	struct sfile *f = j->f;
	int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev || st.st_ino != f->ino) {
		/* changed since it was listed: the ordinary path will sort it out */
		j->fallback = true;
		if (fd >= 0)
			close(fd);
		return;
	}
	for (;;) {
		ssize_t n = pread(fd, rbuf, SCAN_BLOCK, (off_t)j->offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		scan_split(sc, i, rbuf, (size_t)n);
		/* the last bytes consumed, to notice a same-inode rewrite later (tail.c) */
		size_t keep = (size_t)n < SOURCE_TAIL_CHECK ? (size_t)n : SOURCE_TAIL_CHECK;
		if (keep == SOURCE_TAIL_CHECK) {
			memcpy(j->tailbytes, rbuf + n - (ssize_t)keep, keep);
			j->taillen = (unsigned)keep;
		} else {
			unsigned old = j->taillen + keep > SOURCE_TAIL_CHECK ? (unsigned)(SOURCE_TAIL_CHECK - keep) : j->taillen;
			memmove(j->tailbytes, j->tailbytes + j->taillen - old, old);
			memcpy(j->tailbytes + old, rbuf, keep);
			j->taillen = old + (unsigned)keep;
		}
		j->offset += (uint64_t)n;
		j->bytes += (uint64_t)n;
	}
	close(fd);
}

static void *scan_worker(void *arg)
{
	struct scan *sc = arg;
	char *rbuf = xmalloc(SCAN_BLOCK);
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		while (sc->next < sc->n && sc->next >= sc->committing + SCAN_AHEAD)
			pthread_cond_wait(&sc->work_cv, &sc->mu);
		if (sc->next >= sc->n)
			break;
		size_t i = sc->next++;
		pthread_mutex_unlock(&sc->mu);
		scan_file(sc, i, rbuf);
		pthread_mutex_lock(&sc->mu);
		sc->jobs[i].done = true;
		pthread_cond_signal(&sc->main_cv);
	}
	pthread_mutex_unlock(&sc->mu);
	free(rbuf);
	return NULL;
}

/* Commit job i's batches as they arrive, then adopt its tail state into the sfile. */
static void scan_commit(struct scan *sc, size_t i)
{
	struct job *j = &sc->jobs[i];
	struct source *s = sc->s;
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		while (!j->head && !j->done)
			pthread_cond_wait(&sc->main_cv, &sc->mu);
		struct batch *b = j->head;
		if (!b)
			break;
		j->head = b->next;
		if (!j->head)
			j->tail = NULL;
		sc->queued -= b->bytes;
		pthread_cond_broadcast(&sc->work_cv);
		pthread_mutex_unlock(&sc->mu);
		s->sink.commit(s->sink.ctx, j->f->handle, b->data);
		free(b);
		pthread_mutex_lock(&sc->mu);
	}
	sc->committing = i + 1;
	pthread_cond_broadcast(&sc->work_cv);
	pthread_mutex_unlock(&sc->mu);

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
	memcpy(f->tail, j->tailbytes, j->taillen);
	f->taillen = j->taillen;
	s->st.lines += j->lines;
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
		f = tail_register(s, c->v[i].path, c->v[i].agent, c->v[i].subagent, c->v[i].root, NULL);
		if (f)
			sc.jobs[sc.n++].f = f;
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
	pthread_cond_init(&sc.main_cv, NULL);
	for (size_t w = 0; w < nw; w++)
		if (pthread_create(&th[started], NULL, scan_worker, &sc) == 0)
			started++;
	if (!started) {
		/* no threads to be had: read here, one by one */
		for (size_t i = 0; i < sc.n; i++)
			tail_read(s, sc.jobs[i].f);
	} else {
		for (size_t i = 0; i < sc.n; i++)
			scan_commit(&sc, i);
	}
	for (size_t w = 0; w < started; w++)
		pthread_join(th[w], NULL);
	pthread_mutex_destroy(&sc.mu);
	pthread_cond_destroy(&sc.work_cv);
	pthread_cond_destroy(&sc.main_cv);
	free(sc.jobs);
}
