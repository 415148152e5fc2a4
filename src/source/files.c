/* files.c — a path on disk as the source meets it, below everything else in the layer: is it a
 * folder, opening a regular file without ever blocking (never a FIFO or device), a folder's
 * entries, and the first/last timestamp peeks that put transcripts in their reading order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/line.h"
#include "source_int.h"

bool source_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Open `path` for reading only if it is a regular file (following a symlink), never blocking:
 * lstat/stat first, then O_NONBLOCK, then fstat again (the path may have changed meanwhile).
 * Returns the fd, or -1 with *why = an errno value, or -2 for "not a regular file". */
int source_open_regular(const char *path, struct stat *st, int *why)
{
	if (lstat(path, st) != 0) {
		*why = errno;
		return -1;
	}
	if (S_ISLNK(st->st_mode) && stat(path, st) != 0) {
		*why = -2; /* dangling or looping symlink */
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = -2;
		return -1;
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*why = errno;
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		*why = -2;
		return -1;
	}
	*why = 0;
	return fd;
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

/* The first (or last) timestamp in a buffer of the agent's format. */
int source_peek_ts(enum agent agent, bool last, const char *buf, size_t n, int64_t *ms)
{
	const struct agent_desc *ad = agent_get(agent);
	int (*peek)(const char *, size_t, int64_t *) = last ? ad->peek_last_ts : ad->peek_first_ts;
	if (!peek)
		peek = last ? line_peek_last_ts : line_peek_first_ts;
	return peek(buf, n, ms);
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
