/* official.c — the statusline state file ($XDG_STATE_HOME/cachetop/statusline.jsonl): the
 * official rate-limit readings and the statusline agent's prompt_cache ledgers the command
 * records, read back from its end, and only when it changed. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cachetop/config.h"
#include "cachetop/statusline.h"
#include "cachetop/util.h"

char *app_state_path(void)
{
	return config_xdg_path("XDG_STATE_HOME", ".local/state", "cachetop/statusline.jsonl");
}

/* The state file's last `max` bytes, folded (ledgers: NULL to skip them). */
static void load_tail(struct app *a, int fd, const struct stat *st, off_t max, struct ledger_set *ledgers)
{
	off_t want = st->st_size > max ? max : st->st_size;
	char *buf = xmalloc((size_t)want + 1);
	ssize_t n = pread(fd, buf, (size_t)want, st->st_size - want);
	if (n > 0)
		statusline_state_fold(buf, (size_t)n, &a->official, ledgers);
	free(buf);
}

void app_load_official_latest(struct app *a)
{
	memset(&a->official, 0, sizeof a->official);
	char *path = app_state_path();
	int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	free(path);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		load_tail(a, fd, &st, 65536, NULL);
	if (fd >= 0)
		close(fd);
}

/* Read at most the last 1 MB (the newest readings are at the end; a reading with its ledger is
 * a few hundred bytes), and only when the file changed: the dashboard asks every second. */
void app_load_official(struct app *a)
{
	char *path = app_state_path();
	int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	free(path);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		memset(&a->official, 0, sizeof a->official);
		ledger_set_free(&a->ledgers);
		memset(&a->state_seen, 0, sizeof a->state_seen);
		return;
	}
	int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (a->state_seen.dev == (uint64_t)st.st_dev && a->state_seen.ino == (uint64_t)st.st_ino &&
	    a->state_seen.size == (int64_t)st.st_size && a->state_seen.mtime_ns == mtime) {
		close(fd);
		return;
	}
	a->state_seen.dev = (uint64_t)st.st_dev;
	a->state_seen.ino = (uint64_t)st.st_ino;
	a->state_seen.size = (int64_t)st.st_size;
	a->state_seen.mtime_ns = mtime;
	memset(&a->official, 0, sizeof a->official);
	ledger_set_free(&a->ledgers);
	load_tail(a, fd, &st, 1048576, &a->ledgers);
	close(fd);
}
