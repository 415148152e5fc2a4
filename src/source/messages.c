/* messages.c — what the source says once: messages worth showing (watch limit reached,
 * unreadable files…), kept free of control bytes, and the paths met once and not read (counted
 * once as skipped files, not reported again). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_int.h"

void source_message(struct source *s, const char *fmt, ...)
{
	if (s->nmsgs >= SOURCE_MSGS)
		return;
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* Paths come from the file system: keep control bytes away from a terminal. */
	for (char *p = tmp; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	buf_puts(&b, tmp);
	s->msgs[s->nmsgs++] = b.data;
}

const char *source_take_message(struct source *s)
{
	free(s->msg_last);
	s->msg_last = NULL;
	if (s->msg_next >= s->nmsgs)
		return NULL;
	s->msg_last = s->msgs[s->msg_next];
	s->msgs[s->msg_next++] = NULL;
	if (s->msg_next == s->nmsgs)
		s->msg_next = s->nmsgs = 0;
	return s->msg_last;
}

bool source_skip_once(struct source *s, const char *path)
{
	struct spath *p;
	HASH_FIND_STR(s->skipped, path, p);
	if (p)
		return false;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	HASH_ADD_KEYPTR(hh, s->skipped, p->path, strlen(p->path), p);
	s->st.skipped_files++;
	return true;
}

void source_skip_forget(struct source *s, const char *path)
{
	struct spath *p;
	HASH_FIND_STR(s->skipped, path, p);
	if (!p)
		return;
	HASH_DEL(s->skipped, p);
	free(p->path);
	free(p);
	if (s->st.skipped_files)
		s->st.skipped_files--;
}
