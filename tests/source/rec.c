/* rec.c — the recording sink and file helpers shared by the source tests (see rec.h). */
#include "rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cachetop/util.h"

static void rec_push(struct rec *r, int kind, uint32_t file, const char *data, size_t n)
{
	ct_grow((void **)&r->ev, &r->capev, r->nev + 1, sizeof r->ev[0]);
	struct rev *e = &r->ev[r->nev++];
	e->kind = kind;
	e->file = file;
	e->data = data ? xstrndup(data, n) : NULL;
	e->n = n;
}

static uint32_t rec_open(void *ctx, enum agent agent, const char *path, bool subagent)
{
	struct rec *r = ctx;
	ct_grow((void **)&r->f, &r->capf, r->nf + 1, sizeof r->f[0]);
	r->f[r->nf].path = xstrdup(path);
	r->f[r->nf].agent = agent;
	r->f[r->nf].subagent = subagent;
	rec_push(r, R_OPEN, (uint32_t)r->nf, NULL, 0);
	return (uint32_t)r->nf++;
}

static void rec_line(void *ctx, uint32_t file, const char *line, size_t n)
{
	rec_push(ctx, R_LINE, file, line, n);
}

static void rec_reset(void *ctx, uint32_t file) { rec_push(ctx, R_RESET, file, NULL, 0); }
static void rec_gone(void *ctx, uint32_t file) { rec_push(ctx, R_GONE, file, NULL, 0); }

void rec_sink(struct rec *r, struct line_sink *out)
{
	memset(r, 0, sizeof *r);
	out->ctx = r;
	out->file_open = rec_open;
	out->line = rec_line;
	out->file_reset = rec_reset;
	out->file_gone = rec_gone;
}

void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->nev; i++)
		free(r->ev[i].data);
	for (size_t i = 0; i < r->nf; i++)
		free(r->f[i].path);
	free(r->ev);
	free(r->f);
	memset(r, 0, sizeof *r);
}

int rec_handle(const struct rec *r, const char *path)
{
	for (size_t i = r->nf; i-- > 0;)
		if (strcmp(r->f[i].path, path) == 0)
			return (int)i;
	return -1;
}

char *rec_epoch_lines(const struct rec *r, const char *path)
{
	int h = rec_handle(r, path);
	struct buf b = {0};
	buf_cstr(&b);
	if (h < 0)
		return b.data;
	for (size_t i = 0; i < r->nev; i++) {
		const struct rev *e = &r->ev[i];
		if (e->file != (uint32_t)h)
			continue;
		if (e->kind == R_RESET || e->kind == R_OPEN || e->kind == R_GONE)
			b.len = 0, b.data[0] = 0;
		else if (e->kind == R_LINE) {
			buf_append(&b, e->data, e->n);
			buf_append(&b, "\n", 1);
		}
	}
	return b.data;
}

size_t rec_count(const struct rec *r, const char *path, int kind)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == kind && strcmp(r->f[r->ev[i].file].path, path) == 0)
			n++;
	return n;
}

char *tmp_tree(void)
{
	const char *base = getenv("TMPDIR");
	char *t = pathf("%s/cachetop-src-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t))
		ct_fatal("mkdtemp: %s", strerror(errno));
	return t;
}

void rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = pathf("%s/%s", path, e->d_name);
			rm_tree(p);
			free(p);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

char *pathf(const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return xstrdup(tmp);
}

void mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
	free(p);
}

void write_file(const char *path, const char *data, size_t n, bool append)
{
	int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	if (fd < 0)
		ct_fatal("open %s: %s", path, strerror(errno));
	while (n) {
		ssize_t k = write(fd, data, n);
		if (k <= 0)
			ct_fatal("write %s: %s", path, strerror(errno));
		data += k;
		n -= (size_t)k;
	}
	close(fd);
}

void append_str(const char *path, const char *s) { write_file(path, s, strlen(s), true); }

int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pump(struct source *s, int quiet_ms, int max_ms)
{
	int64_t end = mono_ms() + max_ms;
	while (mono_ms() < end) {
		int fd = source_fd(s);
		int to = source_timeout_ms(s, mono_ms());
		if (to < 0 || to > quiet_ms)
			to = quiet_ms;
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, fd >= 0 ? 1 : 0, to);
		uint64_t got = source_process(s, mono_ms());
		if (r == 0 && got == 0 && to >= quiet_ms)
			break;
	}
}
