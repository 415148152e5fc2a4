/* test_opencode_source.c — the opencode source against real SQLite databases written by the
 * test the way opencode writes them (WAL, a writer that stays open, rows updated in place):
 * rows only in the -wal are read; the database and its -wal are byte-identical after every
 * read; a database locked by another connection is not waited for and is read once free; a
 * replaced database, deleted rows and a reused rowid give the handle up and read it again; a
 * database that appears later is found; a reply completed later is read again; the legacy
 * JSON tree is merged in, the database's copy first; a commit is read within a second; an idle
 * database is not read again. A recording sink stands in for the model. */
#include <criterion/criterion.h>

#include <poll.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/util.h"
#include "fixture.h"
#include "source_int.h"

static char *dir, *dbpath, *walpath;

static void setup(void)
{
	fx_setup();
	dir = pathf("%s/opencode", root);
	dbpath = pathf("%s/opencode.db", dir);
	walpath = pathf("%s/opencode.db-wal", dir);
	unsetenv("OPENCODE_DB");
}

static void teardown(void)
{
	fx_teardown();
	free(dir);
	free(dbpath);
	free(walpath);
}

TestSuite(ocsrc, .init = setup, .fini = teardown, .timeout = 60);

/* ---- a writer, as opencode is one --------------------------------------------------------- */

static sqlite3 *w_open(const char *path, bool wal)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	char *err = NULL;
	char sql[512];
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s; PRAGMA wal_autocheckpoint = 0;", wal ? "WAL" : "DELETE");
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s", err);
	cr_assert_eq(sqlite3_exec(db,
				  "CREATE TABLE IF NOT EXISTS session (id text PRIMARY KEY, parent_id text, directory text NOT NULL,"
				  " title text NOT NULL, time_created integer NOT NULL, time_updated integer NOT NULL);"
				  "CREATE TABLE IF NOT EXISTS message (id text PRIMARY KEY, session_id text NOT NULL,"
				  " time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);",
				  NULL, NULL, &err),
		     SQLITE_OK, "%s", err);
	return db;
}

static void w_exec(sqlite3 *db, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	char *err = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s: %s", sql, err);
}

static void w_session(sqlite3 *db, const char *id, long long t)
{
	w_exec(db, "INSERT INTO session VALUES ('%s', NULL, '/p', 'T', %lld, %lld)", id, t, t);
}

/* A reply with tokens (completed), or without (just started) when in is 0. */
static void w_reply(sqlite3 *db, const char *id, const char *sid, long long t, int in)
{
	if (in)
		w_exec(db, "INSERT INTO message VALUES ('%s', '%s', %lld, %lld, '{\"role\":\"assistant\",\"time\":{\"created\":%lld,"
			   "\"completed\":%lld},\"modelID\":\"claude-sonnet-4-5\",\"providerID\":\"anthropic\",\"tokens\":"
			   "{\"input\":%d,\"output\":5,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":100}}}')",
		       id, sid, t, t + 500, t, t + 500, in);
	else
		w_exec(db, "INSERT INTO message VALUES ('%s', '%s', %lld, %lld, '{\"role\":\"assistant\",\"time\":{\"created\":%lld},"
			   "\"modelID\":\"claude-sonnet-4-5\",\"providerID\":\"anthropic\",\"tokens\":"
			   "{\"input\":0,\"output\":0,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":0}}}')",
		       id, sid, t, t, t);
}

static void w_close(sqlite3 *db) { cr_assert_eq(sqlite3_close(db), SQLITE_OK); }

/* The data folder with a database holding session ses_a and its completed reply msg_1. */
static sqlite3 *w_start(bool wal)
{
	mkdirs(dir);
	sqlite3 *w = w_open(dbpath, wal);
	w_session(w, "ses_a", 1000);
	w_reply(w, "msg_1", "ses_a", 2000, 10);
	return w;
}

/* ---- the source ---------------------------------------------------------------------------- */

static void oc_start(bool watch)
{
	source_roots_add(&roots, AGENT_OPENCODE, dir);
	src = source_new(&roots, &sink);
	char err[256] = "";
	cr_assert_eq(source_scan(src, err, sizeof err), 0, "%s", err);
	if (watch)
		cr_assert_eq(source_watch(src, err, sizeof err), 0, "%s", err);
}

/* The lines delivered for the database since its handle was (last) opened. */
static bool db_has(const char *id)
{
	char *lines = rec_epoch_lines(&rec, dbpath);
	char pat[128];
	snprintf(pat, sizeof pat, "\"id\":\"%s\"", id);
	bool has = lines && strstr(lines, pat);
	free(lines);
	return has;
}

/* How many lines of the current database handle name this id. */
static int db_count(const char *id)
{
	char *lines = rec_epoch_lines(&rec, dbpath);
	char pat[128];
	snprintf(pat, sizeof pat, "\"id\":\"%s\"", id);
	int n = 0;
	for (const char *p = lines; p && (p = strstr(p, pat)); p++)
		n++;
	free(lines);
	return n;
}

/* A file's bytes (NULL when absent). */
struct bytes {
	char *p;
	size_t n;
};

static struct bytes slurp(const char *path)
{
	struct bytes b = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return b;
	b.p = xmalloc(1);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
		b.p = xrealloc(b.p, b.n + k);
		memcpy(b.p + b.n, chunk, k);
		b.n += k;
	}
	fclose(f);
	return b;
}

static void assert_same(const struct bytes *a, const char *path)
{
	struct bytes b = slurp(path);
	cr_assert_eq(a->p == NULL, b.p == NULL, "%s appeared or vanished", path);
	cr_assert_eq(a->n, b.n, "%s changed size", path);
	cr_assert(a->n == 0 || memcmp(a->p, b.p, a->n) == 0, "%s changed", path);
	free(b.p);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Run the loop until `id` arrives on the current handle, at most max_ms; the time it took. */
static int64_t wait_for(const char *id, int max_ms)
{
	int64_t t0 = mono_ms();
	while (!db_has(id) && mono_ms() - t0 < max_ms) {
		int to = source_timeout_ms(src, mono_ms());
		struct pollfd p = {source_fd(src), POLLIN, 0};
		poll(&p, p.fd >= 0 ? 1 : 0, to < 0 || to > 50 ? 50 : to);
		source_process(src, mono_ms());
	}
	return mono_ms() - t0;
}

/* ---- tests --------------------------------------------------------------------------------- */

Test(ocsrc, rows_only_in_the_wal_are_read_and_nothing_is_written)
{
	sqlite3 *w = w_start(true);
	w_exec(w, "PRAGMA wal_checkpoint(TRUNCATE)");
	w_reply(w, "msg_2", "ses_a", 3000, 11); /* stays in the -wal: the writer is still open */
	struct bytes db0 = slurp(dbpath), wal0 = slurp(walpath);
	cr_assert_gt(wal0.n, 0);
	oc_start(false);
	cr_assert(db_has("ses_a") && db_has("msg_1") && db_has("msg_2"));
	cr_assert_eq(source_stats(src)->db_reads, 1);
	assert_same(&db0, dbpath);
	assert_same(&wal0, walpath);
	/* and the writer goes on, unaffected */
	w_reply(w, "msg_3", "ses_a", 4000, 12);
	w_close(w);
	free(db0.p);
	free(wal0.p);
}

Test(ocsrc, a_closed_database_is_read_without_creating_wal_or_shm)
{
	sqlite3 *w = w_start(true);
	w_close(w); /* the last connection: checkpointed, -wal and -shm removed */
	cr_assert(!exists(walpath));
	struct bytes db0 = slurp(dbpath);
	oc_start(true);
	cr_assert(db_has("msg_1"));
	pump(src, 200, 2000);
	cr_assert(!exists(walpath), "a -wal was created beside the database");
	char *shm = pathf("%s-shm", dbpath);
	cr_assert(!exists(shm), "a -shm was created beside the database");
	free(shm);
	assert_same(&db0, dbpath);
	free(db0.p);
}

Test(ocsrc, a_locked_database_is_not_waited_for_and_is_read_once_free)
{
	/* rollback journal: a writer holding an exclusive lock keeps every reader out */
	sqlite3 *w = w_start(false);
	w_exec(w, "BEGIN EXCLUSIVE");
	w_reply(w, "msg_2", "ses_a", 3000, 11);
	int64_t t0 = mono_ms();
	oc_start(false);
	/* a one-shot read tries for about a second, then goes on without it */
	cr_assert_lt(mono_ms() - t0, 3000);
	cr_assert(!db_has("msg_1"));
	char err[256] = "";
	cr_assert_eq(source_watch(src, err, sizeof err), 0);
	/* followed: every pass returns at once, and asks to be run again soon */
	for (int i = 0; i < 5; i++) {
		int64_t a = mono_ms();
		source_process(src, mono_ms());
		cr_assert_lt(mono_ms() - a, 100, "a read waited for the lock");
		int to = source_timeout_ms(src, mono_ms());
		cr_assert(to >= 0 && to <= 250, "timeout %d", to);
		usleep(60000);
	}
	cr_assert(!db_has("msg_1"));
	w_exec(w, "COMMIT");
	cr_assert_lt(wait_for("msg_2", 3000), 3000);
	cr_assert(db_has("msg_1"));
	w_close(w);
}

Test(ocsrc, a_wal_writer_in_a_transaction_does_not_block_reads)
{
	sqlite3 *w = w_start(true);
	w_exec(w, "BEGIN IMMEDIATE");
	w_reply(w, "msg_2", "ses_a", 3000, 11); /* not committed */
	int64_t t0 = mono_ms();
	oc_start(true);
	cr_assert_lt(mono_ms() - t0, 1000);
	cr_assert(db_has("msg_1"));
	cr_assert(!db_has("msg_2"));
	w_exec(w, "COMMIT");
	cr_assert_lt(wait_for("msg_2", 3000), 3000);
	w_close(w);
}

Test(ocsrc, a_replaced_database_is_read_again_as_a_new_file)
{
	sqlite3 *w = w_start(true);
	w_close(w);
	oc_start(true);
	cr_assert(db_has("msg_1"));
	char *other = pathf("%s/other.db", root);
	w = w_open(other, true);
	w_session(w, "ses_b", 5000);
	w_reply(w, "msg_9", "ses_b", 6000, 10);
	w_close(w);
	cr_assert_eq(rename(other, dbpath), 0);
	free(other);
	cr_assert_lt(wait_for("msg_9", 4000), 4000);
	cr_assert_geq(rec_count(&rec, dbpath, R_GONE), 1);
	cr_assert(!db_has("msg_1"), "the old database's rows are not in the new handle");
	cr_assert(db_has("ses_b"));
}

Test(ocsrc, deleted_rows_and_a_reused_rowid_give_the_handle_up)
{
	sqlite3 *w = w_start(true);
	w_reply(w, "msg_2", "ses_a", 3000, 11);
	w_reply(w, "msg_3", "ses_a", 4000, 12);
	oc_start(true);
	cr_assert(db_has("msg_3"));
	/* /undo: the last messages go; the next prompt's rows take their rowids again */
	w_exec(w, "DELETE FROM message WHERE id IN ('msg_2', 'msg_3')");
	w_reply(w, "msg_4", "ses_a", 5000, 13);
	w_reply(w, "msg_5", "ses_a", 6000, 14);
	cr_assert_lt(wait_for("msg_5", 4000), 4000);
	cr_assert_geq(rec_count(&rec, dbpath, R_GONE), 1);
	cr_assert(db_has("msg_1") && db_has("msg_4"));
	cr_assert(!db_has("msg_2") && !db_has("msg_3"));
	/* a deletion in the middle, nothing added */
	size_t gone = rec_count(&rec, dbpath, R_GONE);
	w_exec(w, "DELETE FROM message WHERE id = 'msg_1'");
	pump(src, 300, 3000);
	cr_assert_eq(rec_count(&rec, dbpath, R_GONE), gone + 1);
	cr_assert(!db_has("msg_1") && db_has("msg_4") && db_has("msg_5"));
	w_close(w);
}

Test(ocsrc, a_database_that_appears_later_is_found)
{
	oc_start(true); /* no data folder at all */
	cr_assert_eq(rec.nf, 0);
	sqlite3 *w = w_start(true);
	cr_assert_lt(wait_for("msg_1", 6000), 6000);
	/* now watched: the next row comes without the 2 s poll */
	w_reply(w, "msg_2", "ses_a", 3000, 10);
	cr_assert_lt(wait_for("msg_2", 1000), 1000);
	w_close(w);
}

Test(ocsrc, a_reply_completed_later_is_read_again)
{
	mkdirs(dir);
	sqlite3 *w = w_open(dbpath, true);
	w_session(w, "ses_a", 1000);
	w_reply(w, "msg_1", "ses_a", 2000, 0); /* started, no tokens yet */
	oc_start(true);
	cr_assert_eq(db_count("msg_1"), 1);
	w_reply(w, "msg_2", "ses_a", 2500, 10); /* others come meanwhile */
	cr_assert_lt(wait_for("msg_2", 2000), 2000);
	cr_assert_eq(db_count("msg_1"), 1);
	w_exec(w, "UPDATE message SET time_updated = 9000, data = '{\"role\":\"assistant\",\"time\":{\"created\":2000,"
		  "\"completed\":9000},\"modelID\":\"claude-sonnet-4-5\",\"providerID\":\"anthropic\",\"tokens\":"
		  "{\"input\":7,\"output\":5,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":100}}}' WHERE id = 'msg_1'");
	int64_t t0 = mono_ms();
	while (db_count("msg_1") < 2 && mono_ms() - t0 < 2000)
		pump(src, 50, 100);
	cr_assert_eq(db_count("msg_1"), 2, "the completed reply was not read again");
	cr_assert_eq(rec_count(&rec, dbpath, R_GONE), 0);
	/* completed: not read again when other rows change */
	w_reply(w, "msg_3", "ses_a", 9500, 10);
	cr_assert_lt(wait_for("msg_3", 2000), 2000);
	cr_assert_eq(db_count("msg_1"), 2);
	w_close(w);
}

Test(ocsrc, the_legacy_tree_is_merged_in_the_database_first)
{
	mkdirs(dir);
	char *sdir = pathf("%s/storage/session/prj", dir), *mdir = pathf("%s/storage/message/ses_old", dir);
	char *mdir2 = pathf("%s/storage/message/ses_a", dir);
	mkdirs(sdir);
	mkdirs(mdir);
	mkdirs(mdir2);
	char *f1 = pathf("%s/ses_old.json", sdir), *f2 = pathf("%s/msg_0.json", mdir), *f3 = pathf("%s/msg_1.json", mdir2);
	const char *s1 = "{\n  \"id\": \"ses_old\",\n  \"title\": \"old\",\n  \"time\": {\n    \"created\": 500\n  }\n}";
	const char *s2 = "{\n  \"id\": \"msg_0\",\n  \"sessionID\": \"ses_old\",\n  \"role\": \"user\",\n  \"time\": {\"created\": 600}\n}";
	const char *s3 = "{\n  \"id\": \"msg_1\",\n  \"sessionID\": \"ses_a\",\n  \"role\": \"user\",\n  \"time\": {\"created\": 2000}\n}";
	write_file(f1, s1, strlen(s1), false);
	write_file(f2, s2, strlen(s2), false);
	write_file(f3, s3, strlen(s3), false);
	sqlite3 *w = w_open(dbpath, true);
	w_session(w, "ses_a", 1000);
	w_reply(w, "msg_1", "ses_a", 2000, 10);
	w_reply(w, "msg_2", "ses_a", 3000, 10);
	oc_start(false);
	char *storage = pathf("%s/storage", dir);
	char *legacy = rec_epoch_lines(&rec, storage);
	cr_assert_not_null(legacy);
	cr_assert(strstr(legacy, "\"src\":\"json\",\"id\":\"ses_old\""));
	cr_assert(strstr(legacy, "\"id\":\"msg_0\",\"session_id\":\"ses_old\""));
	cr_assert(!strchr(legacy, '\r'));
	/* one record per line: the pretty-printed files were joined */
	size_t nl = 0;
	for (const char *p = legacy; *p; p++)
		nl += *p == '\n';
	cr_assert_eq(nl, 3, "three records, one a line");
	/* sessions first in time order, then each session's messages in time order, the
	 * database's copy before the legacy one */
	int order[8], n = 0;
	for (size_t i = 0; i < rec.nev && n < 8; i++)
		if (rec.ev[i].kind == R_LINE) {
			const char *d = rec.ev[i].data;
			order[n++] = strstr(d, "\"kind\":\"session\"") ? (strstr(d, "ses_a") ? 1 : 2)
				     : strstr(d, "msg_0") ? 3 : strstr(d, "msg_2") ? 6
				     : strstr(d, "\"src\":\"json\"") ? 5 : 4;
		}
	int want[] = {1, 2, 4, 5, 6, 3};
	cr_assert_eq(n, 6);
	cr_assert_arr_eq(order, want, sizeof want);
	free(legacy);
	free(storage);
	free(sdir), free(mdir), free(mdir2), free(f1), free(f2), free(f3);
	w_close(w);
}

Test(ocsrc, a_commit_is_read_within_a_second_and_an_idle_database_is_left_alone)
{
	mkdirs(dir);
	sqlite3 *w = w_open(dbpath, true);
	w_session(w, "ses_a", 1000);
	oc_start(true);
	pump(src, 300, 2000);
	int64_t worst = 0;
	for (int i = 0; i < 5; i++) {
		char id[32];
		snprintf(id, sizeof id, "msg_%d", i);
		w_reply(w, id, "ses_a", 2000 + i * 1000, 10);
		int64_t took = wait_for(id, 2000);
		worst = took > worst ? took : worst;
		cr_assert_lt(took, 1000, "%s took %lld ms", id, (long long)took);
	}
	/* a commit becomes visible when the writer updates the -shm index, after its last event: a
	 * read that came between them must not leave it for the next write. So one more read
	 * follows the last one an event asked for, by itself, and then nothing. */
	pump(src, 300, 2000);
	uint64_t before = source_stats(src)->db_reads;
	w_reply(w, "msg_x", "ses_a", 90000, 10);
	cr_assert_lt(wait_for("msg_x", 2000), 2000);
	int64_t t1 = mono_ms();
	while (mono_ms() - t1 < 400) {
		int to = source_timeout_ms(src, mono_ms());
		usleep((useconds_t)((to < 0 || to > 20 ? 20 : to) * 1000));
		source_process(src, mono_ms());
	}
	cr_assert_eq(source_stats(src)->db_reads - before, 2, "reads for one commit: %llu",
		     (unsigned long long)(source_stats(src)->db_reads - before));
	/* quiet: no read wakes another (our own -wal opens must not look like writes) */
	pump(src, 300, 2000);
	uint64_t reads = source_stats(src)->db_reads;
	int64_t t0 = mono_ms();
	while (mono_ms() - t0 < 1500) {
		struct pollfd p = {source_fd(src), POLLIN, 0};
		int to = source_timeout_ms(src, mono_ms());
		poll(&p, p.fd >= 0 ? 1 : 0, to < 0 || to > 100 ? 100 : to);
		source_process(src, mono_ms());
	}
	cr_assert_eq(source_stats(src)->db_reads, reads, "an idle database was read again");
	cr_log_info("worst commit-to-line latency: %lld ms", (long long)worst);
	w_close(w);
}

Test(ocsrc, opencode_db_relative_names_the_database_in_the_folder)
{
	mkdirs(dir);
	char *custom = pathf("%s/custom.db", dir);
	sqlite3 *w = w_open(custom, true);
	w_session(w, "ses_a", 1000);
	w_reply(w, "msg_1", "ses_a", 2000, 10);
	w_close(w);
	setenv("OPENCODE_DB", "custom.db", 1);
	oc_start(false);
	char *lines = rec_epoch_lines(&rec, custom);
	cr_assert(lines && strstr(lines, "msg_1"));
	free(lines);
	free(custom);
	unsetenv("OPENCODE_DB");
}
