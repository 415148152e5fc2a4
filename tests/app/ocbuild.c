/* ocbuild.c — see ocbuild.h. */
#include "ocbuild.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAL_MARK "-- cachetop: the statements below stay in the WAL\n"

static char *ocb_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	return s;
}

static void ocb_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s", err ? err : "");
}

sqlite3 *ocb_build(const char *dir)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -r '%s/opencode/storage' '%s/'", dir, SAMPLES_DIR, dir);
	cr_assert_eq(system(cmd), 0);
	char *sql = ocb_slurp(SAMPLES_DIR "/opencode/opencode.sql");
	char *tail = strstr(sql, WAL_MARK);
	cr_assert_not_null(tail, "opencode.sql has no WAL marker");
	*tail = 0;
	tail += strlen(WAL_MARK);
	char path[4096];
	snprintf(path, sizeof path, "%s/opencode.db", dir);
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	ocb_exec(db, "PRAGMA wal_autocheckpoint = 0");
	ocb_exec(db, sql);
	ocb_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	ocb_exec(db, tail);
	free(sql);
	return db;
}

void ocb_sha256(const char *path, char out[72])
{
	if (access(path, F_OK) != 0) {
		snprintf(out, 72, "absent");
		return;
	}
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char line[512] = "";
	cr_assert_not_null(fgets(line, sizeof line, p));
	pclose(p);
	snprintf(out, 72, "%.64s", line);
}
