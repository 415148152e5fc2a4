/* sqlite_dl.c — loading libsqlite3 on first use (see sqlite_dl.h for why) and binding the
 * functions the database reader calls; a missing library or function is an error message,
 * never a crash. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sqlite_dl.h"

#ifdef __APPLE__
const char sqlite_dl_default_name[] = "libsqlite3.dylib";
#else
const char sqlite_dl_default_name[] = "libsqlite3.so.0";
#endif

/* One load per name; the handles are never closed (the library stays for the process). */
#define SQLITE_DL_NAMES 4
static struct {
	char name[256];
	struct sqlite_api api;
	char err[256];
	int ok;
} loaded[SQLITE_DL_NAMES];
static size_t nloaded;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int bind_all(void *h, struct sqlite_api *a, char *err, size_t errlen)
{
	static const struct {
		const char *sym;
		size_t off;
	} fns[] = {
#define FN(f) {"sqlite3_" #f, offsetof(struct sqlite_api, f)}
		FN(open_v2), FN(close), FN(errmsg), FN(errstr), FN(busy_timeout), FN(db_config),
		FN(file_control), FN(exec), FN(prepare_v2), FN(step), FN(reset), FN(finalize),
		FN(bind_int64), FN(bind_text), FN(column_type), FN(column_bytes), FN(column_int64),
		FN(column_text),
#undef FN
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		void *p = dlsym(h, fns[i].sym);
		if (!p) {
			snprintf(err, errlen, "the SQLite library has no %s (too old?)", fns[i].sym);
			return 0;
		}
		/* POSIX lets a data pointer from dlsym be a function pointer; copied bytewise so the
		 * compiler is not asked to convert one to the other */
		memcpy((char *)a + fns[i].off, &p, sizeof p);
	}
	return 1;
}

const struct sqlite_api *sqlite_dl_load(const char *name, char *err, size_t errlen)
{
	pthread_mutex_lock(&lock);
	size_t i = 0;
	while (i < nloaded && strcmp(loaded[i].name, name))
		i++;
	if (i == nloaded) {
		if (nloaded == SQLITE_DL_NAMES || strlen(name) >= sizeof loaded[0].name) {
			pthread_mutex_unlock(&lock);
			snprintf(err, errlen, "cannot load %s", name);
			return NULL;
		}
		nloaded++;
		snprintf(loaded[i].name, sizeof loaded[i].name, "%s", name);
		void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			const char *why = dlerror();
			snprintf(loaded[i].err, sizeof loaded[i].err,
				 "cannot load the SQLite library (%s): %s", name, why ? why : "not found");
		} else {
			loaded[i].ok = bind_all(h, &loaded[i].api, loaded[i].err, sizeof loaded[i].err);
		}
	}
	const struct sqlite_api *a = loaded[i].ok ? &loaded[i].api : NULL;
	if (!a)
		snprintf(err, errlen, "%s", loaded[i].err);
	pthread_mutex_unlock(&lock);
	return a;
}
