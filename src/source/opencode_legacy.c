/* opencode_legacy.c — the storage/ JSON tree opencode <= 1.1 wrote (and 1.2 leaves behind after
 * its one-time migration): every session and message file read whole, once per whole read, as
 * records sorted like the database's, under a handle of their own. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/line.h"
#include "cachetop/opencode.h"
#include "opencode_int.h"

/* A legacy JSON file larger than this is not a message (skipped, counted). */
#define OC_JSON_MAX ((size_t)64 << 20)

/* Read one JSON file whole (regular files only, never blocking). */
static char *oc_slurp(struct source *s, struct ocsrc *o, const char *path, size_t *n)
{
	struct stat st;
	int why;
	int fd = source_open_regular(path, &st, &why);
	if (fd < 0)
		return NULL;
	if ((size_t)st.st_size > OC_JSON_MAX) {
		close(fd);
		s->st.skipped_files++;
		if (!(o->said & OCS_LEGACY)) {
			o->said |= OCS_LEGACY;
			source_message(s, "skipped %s: larger than %zu MB", path, OC_JSON_MAX >> 20);
		}
		return NULL;
	}
	struct buf b = {0};
	buf_reserve(&b, (size_t)st.st_size + 1);
	for (;;) {
		buf_reserve(&b, 65536);
		ssize_t r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || b.len + (size_t)r > OC_JSON_MAX)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	if (b.data)
		b.data[b.len] = 0;
	s->st.bytes += b.len;
	*n = b.len;
	return b.data;
}

/* storage/<kind>/<folder>/<id>.json: one record each, sorted by time created. Sessions:
 * {"kind":"session","src":"json","id":<id>,"data":…}; messages add "session_id":<folder>. */
void oc_legacy_list(struct source *s, struct ocsrc *o, const char *kind, struct ocrecs *out)
{
	char *top = oc_join(o->storage, kind);
	DIR *d = opendir(top);
	if (!d) {
		free(top);
		return;
	}
	bool messages = strcmp(kind, "message") == 0;
	struct buf sub = {0}, file = {0}, rec = {0};
	struct dirent *e;
	while ((e = source_readdir(d, top, &sub))) {
		DIR *d2 = opendir(sub.data);
		if (!d2)
			continue;
		struct dirent *f;
		while ((f = source_readdir(d2, sub.data, &file))) {
			size_t len = strlen(f->d_name);
			if (len <= 5 || strcmp(f->d_name + len - 5, ".json") != 0)
				continue;
			size_t n = 0;
			char *json = oc_slurp(s, o, file.data, &n);
			if (!json)
				continue;
			char *id = xstrndup(f->d_name, len - 5);
			int64_t created = INT64_MAX;
			if (line_peek_opencode_created(json, n, &created) != 0)
				created = INT64_MAX; /* still a record (counted as what it is), read last */
			rec.len = 0;
			buf_printf(&rec, "{\"kind\":\"%s\",\"src\":\"json\",\"id\":", messages ? "message" : "session");
			oc_json_str(&rec, id, strlen(id));
			if (messages) {
				buf_puts(&rec, ",\"session_id\":");
				oc_json_str(&rec, e->d_name, strlen(e->d_name));
			}
			buf_puts(&rec, ",\"data\":");
			oc_json_raw(&rec, json, n);
			buf_puts(&rec, "}");
			oc_recs_add(out, messages ? e->d_name : NULL, created, id, 1, &rec);
			free(id);
			free(json);
		}
		closedir(d2);
	}
	closedir(d);
	buf_free(&sub);
	buf_free(&file);
	buf_free(&rec);
	free(top);
	oc_recs_sort(out);
}

void oc_legacy_handle(struct source *s, struct ocsrc *o)
{
	if (!o->have_legacy) {
		o->legacy_handle = oc_register(s, o, o->storage);
		o->have_legacy = true;
	}
}
