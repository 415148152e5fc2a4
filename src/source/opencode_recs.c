/* opencode_recs.c — the records the opencode source makes (one per database row or legacy JSON
 * file): building their JSON, keeping a batch of them in the reading order, and telling them
 * and the handles they belong to to the line sink. */
#include <stdlib.h>
#include <string.h>

#include "opencode_int.h"

char *oc_join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	return p.data;
}

/* s as a JSON string, quotes included: ids, paths and titles come from the database. */
void oc_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_append(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			buf_append(b, e, 2);
		} else {
			buf_append(b, e, 6);
		}
	}
	buf_append(b, s + run, n - run);
	buf_append(b, "\"", 1);
}

/* Stored JSON as a record's member: one line (a newline can only be white space between
 * tokens in well-formed JSON), null when there is none. */
void oc_json_raw(struct buf *b, const char *s, size_t n)
{
	if (!s || !n) {
		buf_puts(b, "null");
		return;
	}
	size_t start = b->len;
	buf_append(b, s, n);
	for (size_t i = start; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r')
			b->data[i] = ' ';
}

void oc_deliver(struct source *s, uint32_t handle, const char *p, size_t n)
{
	s->sink.line(s->sink.ctx, handle, p, n);
	s->delivered++;
	s->st.lines++;
	s->st.bytes += n;
}

uint32_t oc_register(struct source *s, struct ocsrc *o, const char *path)
{
	uint32_t h = s->sink.file_open(s->sink.ctx, AGENT_OPENCODE, path, false);
	s->st.files++;
	if (o->root < s->roots.n)
		s->roots.v[o->root].files++;
	return h;
}

/* sid: a message's session (NULL for a session record) */
void oc_recs_add(struct ocrecs *r, const char *sid, int64_t created, const char *id, int src, struct buf *text)
{
	ct_grow((void **)&r->v, &r->cap, r->n + 1, sizeof r->v[0]);
	r->v[r->n++] = (struct ocrec){created, xstrdup(id ? id : ""), sid ? xstrdup(sid) : NULL, src, text->data,
				      text->len};
	*text = (struct buf){0};
}

void oc_recs_free(struct ocrecs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].sid);
		free(r->v[i].text);
	}
	free(r->v);
	*r = (struct ocrecs){0};
}

/* Sessions by time created; messages session by session, each in time created order (the
 * order of opencode's own index on message, so that a large database is read without a sort;
 * nothing the model decides depends on the order of different sessions' messages). Ties: the
 * database's copy first. */
int oc_rec_cmp(const struct ocrec *x, const struct ocrec *y)
{
	int c = strcmp(x->sid ? x->sid : "", y->sid ? y->sid : "");
	if (c)
		return c;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	c = strcmp(x->id, y->id);
	return c ? c : x->src - y->src;
}

static int oc_rec_qcmp(const void *a, const void *b) { return oc_rec_cmp(a, b); }

void oc_recs_sort(struct ocrecs *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof r->v[0], oc_rec_qcmp);
}
