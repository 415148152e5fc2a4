/* test_opencode_live.c — the real binary over the sample opencode data folder while its writer
 * is open: opencode.db and opencode.db-wal keep their SHA-256 through report (every format),
 * status and watch; a reply committed while `watch --jsonl` runs is printed within a second; an
 * /undo (the reply's row deleted) is retracted; and what watch followed ends equal to a fresh
 * report of the database as it is then. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocbuild.h"

static char tmp[64];
static sqlite3 *writer;
static char db[256], wal[256];

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/cachetop-oclive-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	writer = ocb_build(tmp);
	snprintf(db, sizeof db, "%s/opencode.db", tmp);
	snprintf(wal, sizeof wal, "%s/opencode.db-wal", tmp);
}

static void teardown(void)
{
	sqlite3_close(writer);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(oclive, .init = setup, .fini = teardown, .timeout = 120);

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sh(const char *fmt, const char *arg)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, fmt, CACHETOP_BIN, arg);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* watch, its stdout on a pipe */
struct proc {
	pid_t pid;
	int fd;
	char buf[1 << 16];
	size_t n;
};

static void spawn_watch(struct proc *p, const char *final)
{
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);
	p->n = 0;
	p->pid = fork();
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(CACHETOP_BIN, CACHETOP_BIN, "watch", "--jsonl", "--backfill", "--opencode-dir", tmp,
		      "--final-report", final, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	p->fd = pfd[0];
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *q = s; (q = strstr(q, needle)); q++)
		n++;
	return n;
}

/* Read until `needle` shows `times` times in what was printed, at most max_ms; the time it took
 * or -1. */
static int64_t wait_count(struct proc *p, const char *needle, size_t times, int max_ms)
{
	int64_t t0 = now_ms();
	for (;;) {
		p->buf[p->n] = 0;
		if (count_lines(p->buf, needle) >= times)
			return now_ms() - t0;
		int left = max_ms - (int)(now_ms() - t0);
		if (left <= 0)
			return -1;
		struct pollfd q = {p->fd, POLLIN, 0};
		if (poll(&q, 1, left) <= 0)
			continue;
		ssize_t r = read(p->fd, p->buf + p->n, sizeof p->buf - 1 - p->n);
		if (r <= 0)
			return -1;
		p->n += (size_t)r;
	}
}

static int64_t wait_text(struct proc *p, const char *needle, int max_ms) { return wait_count(p, needle, 1, max_ms); }

Test(oclive, database_and_wal_are_byte_identical_after_every_command)
{
	char db0[72], wal0[72], x[72];
	ocb_sha256(db, db0);
	ocb_sha256(wal, wal0);
	cr_assert_str_neq(wal0, "absent");
	const char *formats[] = {"", "--json", "--csv", "--openmetrics"};
	for (size_t i = 0; i < 4; i++) {
		char cmd[4096];
		snprintf(cmd, sizeof cmd, "'%%s' report %s --opencode-dir '%%s' > /dev/null", formats[i]);
		sh(cmd, tmp);
		ocb_sha256(db, x);
		cr_expect_str_eq(x, db0, "opencode.db changed by report %s", formats[i]);
		ocb_sha256(wal, x);
		cr_expect_str_eq(x, wal0, "opencode.db-wal changed by report %s", formats[i]);
	}
	sh("'%s' status --opencode-dir '%s' > /dev/null", tmp);
	char final[300];
	snprintf(final, sizeof final, "%s/final.json", tmp);
	struct proc p;
	spawn_watch(&p, final);
	cr_assert_geq(wait_text(&p, "\"kind\":\"ttl_expiry\"", 5000), 0, "watch printed no backfill");
	usleep(1500 * 1000);
	kill(p.pid, SIGTERM);
	waitpid(p.pid, NULL, 0);
	close(p.fd);
	ocb_sha256(db, x);
	cr_expect_str_eq(x, db0, "opencode.db changed by status or watch");
	ocb_sha256(wal, x);
	cr_expect_str_eq(x, wal0, "opencode.db-wal changed by status or watch");
}

Test(oclive, a_committed_reply_is_printed_within_a_second_and_an_undo_is_retracted)
{
	char final[300], fresh[300];
	snprintf(final, sizeof final, "%s/final.json", tmp);
	snprintf(fresh, sizeof fresh, "%s/fresh.json", tmp);
	struct proc p;
	spawn_watch(&p, final);
	/* the backfill: the sample's 8 events, and no more */
	cr_assert_geq(wait_count(&p, "\"kind\":\"", 8, 5000), 0, "%s", p.buf);
	usleep(300 * 1000);
	cr_assert_eq(wait_count(&p, "\"kind\":\"", 9, 200), -1, "%s", p.buf);
	/* new sessions' first replies, committed now while watch runs (another process: a read can
	 * come while a commit is still landing, which raises no event of its own): each a cold
	 * first request, printed within a second */
	int64_t worst = 0;
	for (int i = 0; i < 12; i++) {
		char *err = NULL;
		int64_t t = (int64_t)time(NULL) * 1000 + i;
		char sql[2048], sid[32];
		snprintf(sid, sizeof sid, "ses_live%02d", i);
		snprintf(sql, sizeof sql,
			 "INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)"
			 " VALUES ('%s', 'p', 'live', '/home/dev/src/live', 'Live', '1.18.33', %lld, %lld);"
			 "INSERT INTO message VALUES ('msg_live%02d', '%s', %lld, %lld, '{\"role\":\"assistant\",\"time\":"
			 "{\"created\":%lld,\"completed\":%lld},\"modelID\":\"claude-sonnet-4-5\",\"providerID\":\"anthropic\","
			 "\"tokens\":{\"input\":9,\"output\":80,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":21000}}}');",
			 sid, (long long)t, (long long)t, i, sid, (long long)t, (long long)t, (long long)t, (long long)t);
		cr_assert_eq(sqlite3_exec(writer, sql, NULL, NULL, &err), SQLITE_OK, "%s", err);
		char needle[64];
		snprintf(needle, sizeof needle, "\"session\":\"%s\"", sid);
		int64_t took = wait_text(&p, needle, 5000);
		cr_assert_geq(took, 0, "no event for %s", sid);
		cr_expect_lt(took, 1000, "the event of %s took %lld ms", sid, (long long)took);
		worst = took > worst ? took : worst;
		usleep(50 * 1000);
	}
	cr_log_info("commit to event line, worst of 12: %lld ms", (long long)worst);
	char *err = NULL;
	/* /undo: the row is deleted; what was said of it is taken back */
	cr_assert_eq(sqlite3_exec(writer, "DELETE FROM message WHERE id = 'msg_live11'", NULL, NULL, &err), SQLITE_OK);
	cr_assert_geq(wait_text(&p, "\"kind\":\"retract\"", 4000), 0, "the undone reply's event was not retracted");
	usleep(300 * 1000);
	kill(p.pid, SIGTERM);
	waitpid(p.pid, NULL, 0);
	close(p.fd);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' report --json --opencode-dir '%s' --now $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) > '%s'",
		 CACHETOP_BIN, tmp, fresh);
	cr_assert_eq(system(cmd), 0);
	/* the two differ only in generated_at */
	snprintf(cmd, sizeof cmd, "diff <(grep -v generated_at '%s') <(grep -v generated_at '%s') >&2", final, fresh);
	char bash[1200];
	snprintf(bash, sizeof bash, "bash -c \"%s\"", cmd);
	cr_expect_eq(system(bash), 0, "watch's final report differs from a fresh report");
}
