/* rec.h — test helpers for the source layer: a line_sink that records every call in order,
 * temporary trees made with mkdtemp, small file writers, and a pump that runs the source like
 * the app's poll loop until the file system has been quiet for a while. */
#ifndef TEST_SOURCE_REC_H
#define TEST_SOURCE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/sink.h"
#include "cachetop/source.h"

enum { R_OPEN, R_LINE, R_RESET, R_GONE };

struct rev {
	int kind;
	uint32_t file;
	char *data;
	size_t n;
};

struct rfile {
	char *path;
	enum agent agent;
	bool subagent;
};

struct rec {
	struct rev *ev;
	size_t nev, capev;
	struct rfile *f;
	size_t nf, capf;
};

void rec_sink(struct rec *r, struct line_sink *out);
void rec_free(struct rec *r);
/* Lines delivered for `path` since its last open/reset (the current epoch), joined by '\n'. */
char *rec_epoch_lines(const struct rec *r, const char *path);
/* Count of events of `kind` for handles opened at `path`. */
size_t rec_count(const struct rec *r, const char *path, int kind);
/* Handle last opened for path, or -1. */
int rec_handle(const struct rec *r, const char *path);

char *tmp_tree(void);
void rm_tree(const char *path);
char *pathf(const char *fmt, ...);
void mkdirs(const char *path);
void write_file(const char *path, const char *data, size_t n, bool append);
void append_str(const char *path, const char *s);

int64_t mono_ms(void);
/* Run source_process whenever its fd wakes (or on its timeout) until nothing happened for
 * quiet_ms (and at most max_ms in total). */
void pump(struct source *s, int quiet_ms, int max_ms);

#endif
