/* test_sqlite_dl.c — the SQLite library loaded on first use: found and bound by its runtime
 * name (this test is not linked with it, so the load is the library's only way in), a missing
 * library a message that names it, and a second load the same one. */
#include <criterion/criterion.h>
#include <string.h>

#include "sqlite_dl.h"

Test(sqlite_dl, loads_and_binds_every_function)
{
	char err[300] = "";
	const struct sqlite_api *a = sqlite_dl_load(sqlite_dl_default_name, err, sizeof err);
	cr_assert_not_null(a, "%s", err);
	/* every slot bound */
	const void *const *slot = (const void *const *)a;
	for (size_t i = 0; i < sizeof *a / sizeof(void *); i++)
		cr_assert_not_null(slot[i], "function %zu unbound", i);
	cr_assert_str_eq(a->errstr(SQLITE_OK), "not an error");
	/* and works: an in-memory database answers a query */
	sqlite3 *db = NULL;
	cr_assert_eq(a->open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(a->prepare_v2(db, "SELECT 6 * 7", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(a->step(st), SQLITE_ROW);
	cr_assert_eq(a->column_int64(st, 0), 42);
	a->finalize(st);
	a->close(db);
	cr_assert_eq(sqlite_dl_load(sqlite_dl_default_name, err, sizeof err), a, "loaded once");
}

Test(sqlite_dl, a_missing_library_is_a_message)
{
	char err[300] = "";
	cr_assert_null(sqlite_dl_load("libsqlite3-not-here.so.9", err, sizeof err));
	cr_assert(strstr(err, "cannot load the SQLite library (libsqlite3-not-here.so.9)"), "%s", err);
	/* asked again: the same answer, not a crash or a stale success */
	char again[300] = "";
	cr_assert_null(sqlite_dl_load("libsqlite3-not-here.so.9", again, sizeof again));
	cr_assert_str_eq(again, err);
}
