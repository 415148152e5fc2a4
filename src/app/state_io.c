/* state_io.c — whole reads and writes at an offset of the state's files (the state file, the
 * spill file): pread and pwrite until done, EINTR retried. Calls nothing else of the state. */
#include <errno.h>
#include <unistd.h>

#include "state_int.h"

bool state_pread(int fd, void *p, size_t n, uint64_t at)
{
	char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		c += r;
		n -= (size_t)r;
		at += (uint64_t)r;
	}
	return true;
}

int state_pwrite(int fd, const void *p, size_t n, uint64_t at)
{
	const char *c = p;
	while (n) {
		ssize_t w = pwrite(fd, c, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
		at += (uint64_t)w;
	}
	return 0;
}
