/* sqlite_dl.h — libsqlite3 loaded when a database is first read, not at every start: linked in,
 * its loading and symbol binding was a third of each command's start-up (~0.7 ms of ~2 ms),
 * paid by `status` in a tmux status line every few seconds on machines with no database at
 * all. The functions the database reader calls, by pointer. */
#ifndef CACHETOP_SQLITE_DL_H
#define CACHETOP_SQLITE_DL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct sqlite_api {
	int (*open_v2)(const char *, sqlite3 **, int, const char *);
	int (*close)(sqlite3 *);
	const char *(*errmsg)(sqlite3 *);
	const char *(*errstr)(int);
	int (*busy_timeout)(sqlite3 *, int);
	int (*db_config)(sqlite3 *, int, ...);
	int (*file_control)(sqlite3 *, const char *, int, void *);
	int (*exec)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **);
	int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
	int (*step)(sqlite3_stmt *);
	int (*reset)(sqlite3_stmt *);
	int (*finalize)(sqlite3_stmt *);
	int (*bind_int64)(sqlite3_stmt *, int, sqlite3_int64);
	int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
	int (*column_type)(sqlite3_stmt *, int);
	int (*column_bytes)(sqlite3_stmt *, int);
	sqlite3_int64 (*column_int64)(sqlite3_stmt *, int);
	const unsigned char *(*column_text)(sqlite3_stmt *, int);
};

/* The library's name on this system (the runtime one, as the package installs it). */
extern const char sqlite_dl_default_name[];

/* The API from the library `name` (loaded once per name and kept; thread-safe), or NULL with
 * why in err (e.g. the library is not installed, or is too old to have a function). */
const struct sqlite_api *sqlite_dl_load(const char *name, char *err, size_t errlen);

#endif
