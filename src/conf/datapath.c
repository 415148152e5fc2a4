/* datapath.c — where the shipped data (themes/, data/prices.yaml) is: the installed layout
 * (and samples/) <exe dir>/../share/cachetop/<rel> first, then the source tree when the executable runs from a
 * CMake build folder. The same relative names work in both (install themes/ and data/ under
 * share/cachetop/). Reads no environment except PATH for a bare argv0. */
#include "cachetop/config.h"
#include "cachetop/util.h"
#include "datapath_private.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CACHETOP_DATADIR_REL
#define CACHETOP_DATADIR_REL "share/cachetop"
#endif

/* A data file, or a data folder (samples/). */
static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
}

/* The directory of the running executable, or NULL. */
static char *exe_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	char *path = NULL;
	if (n > 0) {
		buf[n] = '\0';
		path = xstrdup(buf);
	} else if (argv0 && strchr(argv0, '/')) {
		path = realpath(argv0, NULL);
	} else if (argv0 && *argv0) {
		/* A bare name: the first PATH entry that has it. */
		const char *pathenv = getenv("PATH");
		char *copy = pathenv ? xstrdup(pathenv) : NULL, *save = NULL;
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !path; d = strtok_r(NULL, ":", &save)) {
			struct buf b = { 0 };
			buf_printf(&b, "%s/%s", *d ? d : ".", argv0);
			if (access(b.data, X_OK) == 0)
				path = realpath(b.data, NULL);
			buf_free(&b);
		}
		free(copy);
	}
	if (!path)
		return NULL;
	char *slash = strrchr(path, '/');
	if (!slash) {
		free(path);
		return NULL;
	}
	if (slash == path) { /* the executable sits in "/" */
		free(path);
		return xstrdup("/");
	}
	*slash = '\0';
	return path;
}

/* A CMake build folder has CMakeCache.txt at its top: look in dir and its ancestors. */
static bool in_build_tree(const char *dir)
{
	char *d = xstrdup(dir);
	bool found = false;
	for (int depth = 0; depth < 8 && !found; depth++) {
		struct buf b = { 0 };
		buf_printf(&b, "%s/CMakeCache.txt", d);
		found = is_file(b.data);
		buf_free(&b);
		char *slash = strrchr(d, '/');
		if (!slash || slash == d)
			break;
		*slash = '\0';
	}
	free(d);
	return found;
}

char *conf_data_path(const char *argv0, const char *rel)
{
	return conf_data_path_from(exe_dir(argv0), rel);
}

char *conf_data_path_from(char *dir, const char *rel)
{
	if (!rel || !*rel || rel[0] == '/' || strstr(rel, "..")) {
		free(dir);
		return NULL;
	}
	struct buf b = { 0 };
	if (dir) {
		buf_printf(&b, "%s/../%s/%s", dir, CACHETOP_DATADIR_REL, rel);
		if (is_file(b.data)) {
			char *r = realpath(b.data, NULL);
			buf_free(&b);
			free(dir);
			return r;
		}
		buf_free(&b);
	}
#ifdef CACHETOP_SOURCE_DIR
	if (dir && in_build_tree(dir)) {
		buf_printf(&b, "%s/%s", CACHETOP_SOURCE_DIR, rel);
		if (is_file(b.data)) {
			free(dir);
			return b.data;
		}
		buf_free(&b);
	}
#endif
	free(dir);
	return NULL;
}
