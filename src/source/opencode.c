/* opencode.c — the opencode source: each opencode data folder's SQLite database (≥ 1.2:
 * opencode.db, or $OPENCODE_DB) and its legacy storage/ JSON tree (≤ 1.1), turned into records
 * for the line sink (the envelopes parse_opencode.c reads), one per database row or JSON file.
 *
 * The database is opened read-only for each read and closed after it: `file:…?mode=ro`, no busy
 * wait (a locked database is read again on the next wake, never waited for), one short read
 * transaction, no checkpoint on close and a persistent WAL, so nothing of the agent's database
 * is ever written, checkpointed or deleted. Only when the database is in WAL mode and has no
 * -wal file (nobody has it open) is the file read as `immutable`: opening it normally would
 * create an empty -wal and -shm beside it; the read is checked afterwards (no -wal appeared,
 * the file did not change) and done again otherwise.
 *
 * The first read takes every session in time order (time_created, id), then every message,
 * session by session in time order (opencode's own index: no sort of the table), the legacy
 * files merged in (database first for an id both hold). After it, a read takes the rows
 * added since (rowid past the last one read) and the replies that may still change (not yet
 * completed: their tokens arrive when they complete), re-read by id when their time_updated
 * moved, and the sessions those touched (titles come late). A row deleted (an /undo, a deleted
 * session), a rowid reused, or a database replaced (a new inode) cannot be told as additions:
 * the handle is given up (file_gone) and the database read whole again on the next pass — the
 * model's owner rebuilds meanwhile. Reads are woken by inotify on the database's folder (the
 * file and its -wal), at most one per OC_GAP_MS while writes stream in, or by a poll when the
 * folder is not watched (absent, no inotify, watch limit). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <uthash.h>

#include "cachetop/line.h"
#include "source_int.h"

/* Reads while writes keep coming: at most one per this many ms (a reply streams dozens of
 * commits a second; the view needs far fewer reads). */
#define OC_GAP_MS 100
/* A write wakes us at its first bytes; its commit becomes visible a moment later (when the
 * writer updates the -shm index, which raises no event): read this long after the first event,
 * and once more OC_GAP_MS after the last read an event asked for. */
#define OC_SETTLE_MS 10
/* A locked database is tried again after this long. */
#define OC_BUSY_MS 250
/* A legacy JSON file larger than this is not a message (skipped, counted). */
#define OC_JSON_MAX ((size_t)64 << 20)

/* A row by id, with the time_updated it was last read with: a reply that may still change, or
 * a session read from the database. */
struct ocseen {
	char *id;
	int64_t updated;
	UT_hash_handle hh;
};

/* How far a table has been read: its last rowid (and the id there, to notice the rowid being
 * reused), and how many rows were read (fewer now: some were deleted). */
struct occursor {
	int64_t rowid;
	char *id;
	int64_t rows;
};

/* One record waiting in a batch, with its place in the reading order (oc_rec_cmp). */
struct ocrec {
	int64_t created;
	char *id;            /* for ordering ties */
	char *sid;           /* a message's session (database messages) */
	int src;             /* 0 database, 1 legacy: the database's copy first */
	char *text;
	size_t n;
};

struct ocrecs {
	struct ocrec *v;
	size_t n, cap;
};

struct ocsrc {
	size_t root;
	char *dir;           /* the data folder */
	char *db;            /* the database */
	char *dbdir;         /* the folder holding it (watched) */
	char *dbname;        /* its name there */
	char *storage;       /* <dir>/storage */
	bool have_db;        /* the sink has a handle for the database */
	uint32_t db_handle;
	bool have_legacy;
	uint32_t legacy_handle;
	bool legacy_done;    /* the legacy tree was read (once per whole read) */
	dev_t dev;
	ino_t ino;
	struct occursor ses, msg;
	struct ocseen *open;     /* replies that may still change */
	struct ocseen *sessions; /* sessions read */
	bool dirty;          /* the database may have changed */
	bool busy;           /* the last read found it locked */
	int64_t next_ms;     /* no read before this (coalescing, busy retry) */
	bool woke;           /* a file event made it dirty */
	int64_t settle_ms;   /* and no read before this, once it did */
	int64_t next_poll_ms;
	char sig[128];       /* what a poll compares: the files' identity, size and mtime */
	unsigned said;       /* OCS_* messages given once */
};

enum { OCS_OPEN = 1, OCS_READ = 2, OCS_LEGACY = 4 };

/* ---- small helpers ----------------------------------------------------------------------- */

static struct ocsrc *oc_at(const struct source *s, size_t i) { return s->oc[i]; }

static char *oc_join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_printf(&p, "%s/%s", a, b);
	return p.data;
}

/* s as a JSON string, quotes included: ids, paths and titles come from the database. */
static void oc_json_str(struct buf *b, const char *s, size_t n)
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
static void oc_json_raw(struct buf *b, const char *s, size_t n)
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

static void oc_col_str(struct buf *b, const char *key, sqlite3_stmt *st, int col)
{
	buf_printf(b, ",\"%s\":", key);
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (t)
		oc_json_str(b, t, (size_t)sqlite3_column_bytes(st, col));
	else
		buf_puts(b, "null");
}

static void oc_deliver(struct source *s, uint32_t handle, const char *p, size_t n)
{
	s->sink.line(s->sink.ctx, handle, p, n);
	s->delivered++;
	s->st.lines++;
	s->st.bytes += n;
}

static uint32_t oc_register(struct source *s, struct ocsrc *o, const char *path)
{
	uint32_t h = s->sink.file_open(s->sink.ctx, AGENT_OPENCODE, path, false);
	s->st.files++;
	if (o->root < s->roots.n)
		s->roots.v[o->root].files++;
	return h;
}

/* sid: a message's session (NULL for a session record) */
static void oc_recs_add(struct ocrecs *r, const char *sid, int64_t created, const char *id, int src, struct buf *text)
{
	ct_grow((void **)&r->v, &r->cap, r->n + 1, sizeof r->v[0]);
	r->v[r->n++] = (struct ocrec){created, xstrdup(id ? id : ""), sid ? xstrdup(sid) : NULL, src, text->data,
				      text->len};
	*text = (struct buf){0};
}

static void oc_recs_free(struct ocrecs *r)
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
static int oc_rec_cmp(const struct ocrec *x, const struct ocrec *y)
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

static void oc_recs_sort(struct ocrecs *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof r->v[0], oc_rec_qcmp);
}

/* ---- the object -------------------------------------------------------------------------- */

char *source_opencode_default_dir(void) { return source_data_default_dir(agent_get(AGENT_OPENCODE)->data_sub); }

void oc_add(struct source *s, size_t root)
{
	struct ocsrc *o = xcalloc(1, sizeof *o);
	o->root = root;
	o->dir = xstrdup(s->roots.v[root].path);
	/* opencode's own rule: OPENCODE_DB absolute as it is, relative inside the data folder. An
	 * absolute one names the database of the default folder only: a folder given explicitly
	 * (a copy, the samples) keeps its own. */
	const char *env = getenv("OPENCODE_DB");
	char *def = source_opencode_default_dir();
	if (env && *env && strcmp(env, ":memory:") != 0 && env[0] != '/')
		o->db = oc_join(o->dir, env);
	else if (env && env[0] == '/' && def && strcmp(def, o->dir) == 0)
		o->db = xstrdup(env);
	else
		o->db = oc_join(o->dir, "opencode.db");
	free(def);
	const char *slash = strrchr(o->db, '/');
	o->dbdir = slash == o->db ? xstrdup("/") : xstrndup(o->db, (size_t)(slash - o->db));
	o->dbname = xstrdup(slash + 1);
	o->storage = oc_join(o->dir, "storage");
	o->dirty = true;
	ct_grow((void **)&s->oc, &s->capoc, s->noc + 1, sizeof *s->oc);
	s->oc[s->noc++] = o;
}

static void oc_cursor_free(struct occursor *c)
{
	free(c->id);
	*c = (struct occursor){0};
}

static struct ocseen *oc_seen_add(struct ocseen **h, const char *id)
{
	struct ocseen *e = xcalloc(1, sizeof *e);
	e->id = xstrdup(id);
	HASH_ADD_KEYPTR(hh, *h, e->id, strlen(e->id), e);
	return e;
}

static void oc_seen_del(struct ocseen **h, struct ocseen *e)
{
	HASH_DEL(*h, e);
	free(e->id);
	free(e);
}

static void oc_seen_free(struct ocseen **h)
{
	struct ocseen *e, *tmp;
	HASH_ITER(hh, *h, e, tmp)
		oc_seen_del(h, e);
}

/* Forget what was read (not the sink's handles: see oc_forget and oc_lost). */
static void oc_reset_read(struct ocsrc *o)
{
	oc_cursor_free(&o->ses);
	oc_cursor_free(&o->msg);
	oc_seen_free(&o->open);
	oc_seen_free(&o->sessions);
	o->have_db = false;
	o->dev = 0;
	o->ino = 0;
}

void oc_free(struct source *s)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = s->oc[i];
		oc_reset_read(o);
		free(o->dir);
		free(o->db);
		free(o->dbdir);
		free(o->dbname);
		free(o->storage);
		free(o);
	}
	free(s->oc);
	s->oc = NULL;
	s->noc = s->capoc = 0;
}

void oc_forget(struct source *s)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = s->oc[i];
		oc_reset_read(o);
		o->have_legacy = false;
		o->legacy_done = false;
		o->dirty = true;
		o->busy = false;
		o->next_ms = 0;
	}
}

/* The database can no longer be told as additions (rows deleted, a rowid reused, another file
 * at its path, gone): give up its handle; the next pass reads it whole as a new one. */
static void oc_lost(struct source *s, struct ocsrc *o, int64_t now_ms)
{
	if (o->have_db) {
		s->sink.file_gone(s->sink.ctx, o->db_handle);
		s->st.gone++;
		if (o->root < s->roots.n && s->roots.v[o->root].files)
			s->roots.v[o->root].files--;
	}
	oc_reset_read(o);
	o->dirty = true;
	/* not in this pass: whoever owns the model may read everything again first */
	o->next_ms = now_ms + 1;
}

/* ---- the legacy tree ---------------------------------------------------------------------- */

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
static void oc_legacy_list(struct source *s, struct ocsrc *o, const char *kind, struct ocrecs *out)
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

static void oc_legacy_handle(struct source *s, struct ocsrc *o)
{
	if (!o->have_legacy) {
		o->legacy_handle = oc_register(s, o, o->storage);
		o->have_legacy = true;
	}
}

/* ---- reading the database ------------------------------------------------------------------ */

#define OC_SES_COLS "rowid, id, parent_id, directory, title, time_created, time_updated"
#define OC_MSG_COLS "rowid, id, session_id, time_created, time_updated, data"

static void oc_session_rec(sqlite3_stmt *st, struct buf *b)
{
	b->len = 0;
	buf_puts(b, "{\"kind\":\"session\",\"src\":\"db\"");
	oc_col_str(b, "id", st, 1);
	oc_col_str(b, "parent_id", st, 2);
	oc_col_str(b, "directory", st, 3);
	oc_col_str(b, "title", st, 4);
	if (sqlite3_column_type(st, 5) == SQLITE_INTEGER)
		buf_printf(b, ",\"time_created\":%lld", (long long)sqlite3_column_int64(st, 5));
	buf_puts(b, "}");
}

static void oc_message_rec(sqlite3_stmt *st, struct buf *b)
{
	b->len = 0;
	buf_puts(b, "{\"kind\":\"message\",\"src\":\"db\"");
	oc_col_str(b, "id", st, 1);
	oc_col_str(b, "session_id", st, 2);
	if (sqlite3_column_type(st, 3) == SQLITE_INTEGER)
		buf_printf(b, ",\"time_created\":%lld", (long long)sqlite3_column_int64(st, 3));
	buf_puts(b, ",\"data\":");
	oc_json_raw(b, (const char *)sqlite3_column_text(st, 5), (size_t)sqlite3_column_bytes(st, 5));
	buf_puts(b, "}");
}

static const char *oc_col_id(sqlite3_stmt *st) { return (const char *)sqlite3_column_text(st, 1); }

/* A row read: move the table's cursor past it. */
static void oc_cursor_take(struct occursor *c, sqlite3_stmt *st)
{
	c->rows++;
	int64_t rowid = sqlite3_column_int64(st, 0);
	if (rowid >= c->rowid) {
		c->rowid = rowid;
		free(c->id);
		c->id = xstrdup(oc_col_id(st) ? oc_col_id(st) : "");
	}
}

static void oc_note_session(struct ocsrc *o, sqlite3_stmt *st)
{
	const char *id = oc_col_id(st);
	if (!id)
		return;
	struct ocseen *q;
	HASH_FIND_STR(o->sessions, id, q);
	if (!q)
		q = oc_seen_add(&o->sessions, id);
	q->updated = sqlite3_column_int64(st, 6);
}

/* Remember a reply that may still change, or forget one that no longer can. */
static void oc_note_open(struct ocsrc *o, sqlite3_stmt *st)
{
	const char *id = oc_col_id(st);
	if (!id)
		return;
	const char *data = (const char *)sqlite3_column_text(st, 5);
	bool open = data && line_opencode_open(data, (size_t)sqlite3_column_bytes(st, 5));
	struct ocseen *p;
	HASH_FIND_STR(o->open, id, p);
	if (open && !p) {
		p = oc_seen_add(&o->open, id);
	} else if (!open && p) {
		oc_seen_del(&o->open, p);
		return;
	}
	if (p)
		p->updated = sqlite3_column_int64(st, 4);
}

struct ocread {
	struct source *s;
	struct ocsrc *o;
	sqlite3 *db;
	int rc;              /* the first failure */
	struct buf rec;
	struct ocrecs ses, msg;   /* a pass's records, delivered after the transaction */
	bool lost;           /* the database cannot be told as additions */
};

static sqlite3_stmt *oc_prep(struct ocread *r, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (r->rc == SQLITE_OK) {
		int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
		if (rc != SQLITE_OK)
			r->rc = rc;
	}
	return st;
}

/* Step a statement; a failure (a lock, a corrupt page) ends the read. */
static bool oc_step(struct ocread *r, sqlite3_stmt *st)
{
	if (!st || r->rc != SQLITE_OK)
		return false;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE)
		r->rc = rc;
	return false;
}

static int64_t oc_count(struct ocread *r, const char *table)
{
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	sqlite3_stmt *st = oc_prep(r, sql);
	int64_t n = oc_step(r, st) ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

/* The row at the cursor must still be the one read there: else rows were deleted and the rowid
 * handed out again. */
static void oc_cursor_check(struct ocread *r, const char *table, const struct occursor *c)
{
	if (!c->rowid || r->lost)
		return;
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE rowid = ?1", table);
	sqlite3_stmt *st = oc_prep(r, sql);
	if (st)
		sqlite3_bind_int64(st, 1, c->rowid);
	bool same = oc_step(r, st) && sqlite3_column_text(st, 0) && c->id &&
		    strcmp((const char *)sqlite3_column_text(st, 0), c->id) == 0;
	sqlite3_finalize(st);
	if (r->rc == SQLITE_OK && !same)
		r->lost = true;
}

/* Sessions and messages: the whole table in order (the first read), or the rows past the
 * cursor. Records go to the batch; the first read delivers messages as it goes (merged with
 * the legacy tree), so that a large database is never held in memory whole. */
static void oc_read_sessions(struct ocread *r, bool whole)
{
	struct ocsrc *o = r->o;
	sqlite3_stmt *st = oc_prep(r, whole ? "SELECT " OC_SES_COLS " FROM session ORDER BY time_created, id"
					    : "SELECT " OC_SES_COLS " FROM session WHERE rowid > ?1 ORDER BY time_created, id");
	if (st && !whole)
		sqlite3_bind_int64(st, 1, o->ses.rowid);
	while (oc_step(r, st)) {
		oc_cursor_take(&o->ses, st);
		oc_note_session(o, st);
		oc_session_rec(st, &r->rec);
		oc_recs_add(&r->ses, NULL, sqlite3_column_int64(st, 5), oc_col_id(st), 0, &r->rec);
	}
	sqlite3_finalize(st);
}

static void oc_take_message(struct ocread *r, sqlite3_stmt *st)
{
	oc_message_rec(st, &r->rec);
	oc_note_open(r->o, st);
	const char *sid = (const char *)sqlite3_column_text(st, 2);
	oc_recs_add(&r->msg, sid ? sid : "", sqlite3_column_int64(st, 3), oc_col_id(st), 0, &r->rec);
}

static void oc_flush_recs(struct ocread *r, struct ocrecs *v, uint32_t handle, uint32_t legacy_handle)
{
	for (size_t i = 0; i < v->n; i++)
		oc_deliver(r->s, v->v[i].src ? legacy_handle : handle, v->v[i].text, v->v[i].n);
	oc_recs_free(v);
}

/* The first read's messages, merged with the legacy ones (already sorted) by time created. */
static void oc_read_messages_whole(struct ocread *r, struct ocrecs *legacy, size_t *li)
{
	struct ocsrc *o = r->o;
	sqlite3_stmt *st = oc_prep(r, "SELECT " OC_MSG_COLS " FROM message ORDER BY session_id, time_created, id");
	while (oc_step(r, st)) {
		oc_cursor_take(&o->msg, st);
		oc_take_message(r, st);
		struct ocrec *x = &r->msg.v[r->msg.n - 1];
		while (*li < legacy->n && oc_rec_cmp(&legacy->v[*li], x) < 0) {
			oc_deliver(r->s, o->legacy_handle, legacy->v[*li].text, legacy->v[*li].n);
			(*li)++;
		}
		oc_deliver(r->s, o->db_handle, x->text, x->n);
		free(x->id);
		free(x->sid);
		free(x->text);
		r->msg.n--;
	}
	sqlite3_finalize(st);
}

/* After the first read: rows added, replies that changed, the sessions they belong to. */
static void oc_read_messages_new(struct ocread *r)
{
	struct ocsrc *o = r->o;
	sqlite3_stmt *st = oc_prep(r, "SELECT " OC_MSG_COLS " FROM message WHERE rowid > ?1");
	if (st)
		sqlite3_bind_int64(st, 1, o->msg.rowid);
	while (oc_step(r, st)) {
		oc_cursor_take(&o->msg, st);
		oc_take_message(r, st);
	}
	sqlite3_finalize(st);
	if (!o->open)
		return;
	/* replies read before that were not complete: again when their time_updated moved */
	st = oc_prep(r, "SELECT " OC_MSG_COLS " FROM message WHERE id = ?1");
	struct ocseen *p, *tmp;
	size_t fresh = r->msg.n;
	HASH_ITER(hh, o->open, p, tmp) {
		if (!st || r->rc != SQLITE_OK)
			break;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
		bool listed = false;
		for (size_t i = 0; i < fresh && !listed; i++)
			listed = !strcmp(r->msg.v[i].id, p->id);
		if (listed)
			continue; /* new in this read */
		if (!oc_step(r, st)) {
			if (r->rc == SQLITE_OK)
				r->lost = true; /* deleted */
			continue;
		}
		if (sqlite3_column_int64(st, 4) != p->updated)
			oc_take_message(r, st); /* may free p */
	}
	sqlite3_finalize(st);
}

/* Sessions of the messages just read, again when their row changed (a title set later). */
static void oc_read_touched_sessions(struct ocread *r)
{
	struct ocsrc *o = r->o;
	if (!r->msg.n)
		return;
	sqlite3_stmt *st = oc_prep(r, "SELECT " OC_SES_COLS " FROM session WHERE id = ?1");
	for (size_t i = 0; i < r->msg.n && st && r->rc == SQLITE_OK; i++) {
		const char *id = r->msg.v[i].sid;
		struct ocseen *q;
		HASH_FIND_STR(o->sessions, id, q);
		bool listed = false;
		for (size_t k = 0; k < r->ses.n && !listed; k++)
			listed = !strcmp(r->ses.v[k].id, id);
		if (!q || listed)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (oc_step(r, st) && sqlite3_column_int64(st, 6) != q->updated) {
			oc_note_session(o, st);
			oc_session_rec(st, &r->rec);
			oc_recs_add(&r->ses, NULL, sqlite3_column_int64(st, 5), id, 0, &r->rec);
		}
	}
	sqlite3_finalize(st);
}

/* The file's signature as a poll compares it, and for the immutable read's check. */
static void oc_sig(const struct ocsrc *o, char *out, size_t cap, bool *wal)
{
	struct stat a, b;
	struct buf w = {0};
	buf_printf(&w, "%s-wal", o->db);
	bool ha = stat(o->db, &a) == 0, hb = stat(buf_cstr(&w), &b) == 0;
	buf_free(&w);
	if (wal)
		*wal = hb;
	snprintf(out, cap, "%d %llu %llu %lld %ld.%ld|%d %llu %lld %ld.%ld", ha,
		 ha ? (unsigned long long)a.st_dev : 0, ha ? (unsigned long long)a.st_ino : 0,
		 ha ? (long long)a.st_size : 0, ha ? (long)a.st_mtim.tv_sec : 0, ha ? a.st_mtim.tv_nsec : 0, hb,
		 hb ? (unsigned long long)b.st_ino : 0, hb ? (long long)b.st_size : 0,
		 hb ? (long)b.st_mtim.tv_sec : 0, hb ? b.st_mtim.tv_nsec : 0);
}

/* In WAL mode (bytes 18 and 19 of the header are 2) with no -wal file: see the top. */
static bool oc_wal_file_missing(const struct ocsrc *o, int fd)
{
	unsigned char h[20];
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || h[18] != 2 || h[19] != 2)
		return false;
	bool wal;
	char sig[128];
	oc_sig(o, sig, sizeof sig, &wal);
	return !wal;
}

static sqlite3 *oc_open(struct source *s, struct ocsrc *o, bool immutable, int *rc)
{
	struct buf uri = {0};
	buf_puts(&uri, "file:");
	for (const unsigned char *p = (const unsigned char *)o->db; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/._-~", *p))
			buf_append(&uri, p, 1);
		else
			buf_printf(&uri, "%%%02X", *p);
	}
	buf_puts(&uri, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
	sqlite3 *db = NULL;
	*rc = sqlite3_open_v2(buf_cstr(&uri), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	buf_free(&uri);
	if (*rc != SQLITE_OK) {
		if (!(o->said & OCS_OPEN)) {
			o->said |= OCS_OPEN;
			source_message(s, "cannot open %s: %s", o->db, db ? sqlite3_errmsg(db) : sqlite3_errstr(*rc));
		}
		sqlite3_close(db);
		return NULL;
	}
	/* never wait for a lock, never checkpoint or delete the WAL when closing, refuse writes */
	sqlite3_busy_timeout(db, 0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	int one = 1;
	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	return db;
}

static bool oc_is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* The database's part of a read. Returns false when it was not read (absent, locked, not
 * ready, lost): the legacy records, if any, are then told without it. On a first read that
 * succeeds, the legacy records are merged into it and freed. */
static bool oc_read_db(struct source *s, struct ocsrc *o, int64_t now_ms, struct ocrecs *lses, struct ocrecs *lmsg)
{
	struct stat st;
	int why;
	int fd = source_open_regular(o->db, &st, &why);
	if (fd < 0 || st.st_size == 0) {
		/* absent, not a file, or created and still empty: nothing to read yet */
		if (fd >= 0)
			close(fd);
		if (o->have_db)
			oc_lost(s, o, now_ms);
		return false;
	}
	if (o->have_db && (st.st_dev != o->dev || st.st_ino != o->ino)) {
		close(fd);
		oc_lost(s, o, now_ms); /* another file at its path */
		return false;
	}
	bool immutable = oc_wal_file_missing(o, fd);
	close(fd);
	char sig0[128] = "";
	if (immutable)
		oc_sig(o, sig0, sizeof sig0, NULL);
	int rc;
	sqlite3 *db = oc_open(s, o, immutable, &rc);
	if (!db)
		return false;

	struct ocread r = {.s = s, .o = o, .db = db};
	bool whole = !o->have_db;
	r.rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (!whole) {
		oc_cursor_check(&r, "session", &o->ses);
		oc_cursor_check(&r, "message", &o->msg);
	}
	if (!r.lost)
		oc_read_sessions(&r, whole);
	bool merged = false;
	if (whole && r.rc == SQLITE_OK) {
		/* sessions (the database's, then the legacy ones), then every message in order,
		 * the legacy ones merged in: delivered as read, never all held at once */
		o->dev = st.st_dev;
		o->ino = st.st_ino;
		o->db_handle = oc_register(s, o, o->db);
		o->have_db = true;
		merged = true;
		oc_flush_recs(&r, &r.ses, o->db_handle, 0);
		oc_flush_recs(&r, lses, 0, o->legacy_handle);
		size_t li = 0;
		oc_read_messages_whole(&r, lmsg, &li);
		for (; li < lmsg->n; li++)
			oc_deliver(s, o->legacy_handle, lmsg->v[li].text, lmsg->v[li].n);
		oc_recs_free(lmsg);
	} else if (!whole && !r.lost) {
		oc_read_messages_new(&r);
		oc_read_touched_sessions(&r);
	}
	if (!r.lost && r.rc == SQLITE_OK) {
		int64_t nses = oc_count(&r, "session"), nmsg = oc_count(&r, "message");
		if (r.rc == SQLITE_OK && (nses != o->ses.rows || nmsg != o->msg.rows))
			r.lost = true; /* rows deleted: what was told of them no longer holds */
	}
	sqlite3_exec(db, r.rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	buf_free(&r.rec);
	if (immutable && r.rc == SQLITE_OK) {
		/* read without locks: good only if nobody opened it meanwhile */
		char sig1[128];
		oc_sig(o, sig1, sizeof sig1, NULL);
		if (strcmp(sig0, sig1) != 0)
			r.lost = true;
	}
	if (r.rc == SQLITE_OK && !r.lost) {
		/* an incremental read's batch, in order: sessions, then messages */
		oc_recs_sort(&r.ses);
		oc_recs_sort(&r.msg);
		oc_flush_recs(&r, &r.ses, o->db_handle, 0);
		oc_flush_recs(&r, &r.msg, o->db_handle, 0);
		return merged || !whole;
	}
	oc_recs_free(&r.ses);
	oc_recs_free(&r.msg);
	if (oc_is_busy(r.rc)) {
		/* locked: read again soon; a first read cut short is given up and read again whole */
		if (o->have_db && whole)
			oc_lost(s, o, now_ms);
		o->busy = true;
		o->dirty = true;
		o->next_ms = now_ms + OC_BUSY_MS;
	} else if (r.rc != SQLITE_OK) {
		/* "no such table" while opencode creates the database is not worth a message */
		bool not_ready = whole && !o->have_db && (r.rc & 0xff) == SQLITE_ERROR;
		if (!not_ready && !(o->said & OCS_READ)) {
			o->said |= OCS_READ;
			source_message(s, "cannot read %s: %s", o->db, sqlite3_errstr(r.rc));
		}
		if (o->have_db)
			oc_lost(s, o, now_ms);
		o->dirty = false; /* until it changes again */
	} else {
		oc_lost(s, o, now_ms);
	}
	return merged;
}

/* One read of the database and, the first time after a whole read was asked for, of the
 * legacy tree. */
static void oc_read(struct source *s, struct ocsrc *o, int64_t now_ms)
{
	s->st.db_reads++;
	o->dirty = false;
	o->busy = false;
	struct ocrecs lses = {0}, lmsg = {0};
	if (!o->legacy_done) {
		o->legacy_done = true;
		oc_legacy_list(s, o, "session", &lses);
		oc_legacy_list(s, o, "message", &lmsg);
		if (lses.n || lmsg.n)
			oc_legacy_handle(s, o);
	}
	if (oc_read_db(s, o, now_ms, &lses, &lmsg))
		return;
	/* no database to merge with: the legacy tree alone */
	for (size_t i = 0; i < lses.n; i++)
		oc_deliver(s, o->legacy_handle, lses.v[i].text, lses.v[i].n);
	for (size_t i = 0; i < lmsg.n; i++)
		oc_deliver(s, o->legacy_handle, lmsg.v[i].text, lmsg.v[i].n);
	oc_recs_free(&lses);
	oc_recs_free(&lmsg);
}

/* ---- scheduling ---------------------------------------------------------------------------- */

void oc_scan(struct source *s)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = oc_at(s, i);
		struct stat st;
		if (stat(o->dir, &st) == 0 && S_ISDIR(st.st_mode))
			s->roots.v[o->root].exists = true;
		oc_sig(o, o->sig, sizeof o->sig, NULL);
		oc_read(s, o, 0);
		/* a one-shot read (report, status) has no next wake: a locked database, or one
		 * that changed under an immutable read, is tried a few times (at most ~1 s); a
		 * followed one is tried again by the loop instead, never blocking it */
		for (int k = 0; !s->watching && o->dirty && k < 20; k++) {
			struct timespec ts = {0, OC_BUSY_MS * 1000000L / 5};
			nanosleep(&ts, NULL);
			oc_read(s, o, 0);
		}
	}
}

bool oc_event(struct source *s, const char *dir, const char *name, uint32_t mask)
{
	(void)mask;
	bool hit = false;
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = oc_at(s, i);
		size_t n = strlen(o->dbname);
		/* the database, its -wal or a rollback -journal; never the -shm (readers touch it) */
		if (strcmp(dir, o->dbdir) != 0 || strncmp(name, o->dbname, n) != 0 ||
		    (name[n] && strcmp(name + n, "-wal") && strcmp(name + n, "-journal")))
			continue;
		o->dirty = true;
		o->woke = true;
		hit = true;
	}
	return hit;
}

void oc_watch(struct source *s, int64_t now_ms)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = oc_at(s, i);
		watch_flat(s, o->dbdir);
		o->dirty = true; /* whatever was written between the scan and the watch */
		o->next_ms = 0;
		o->woke = false;
		o->settle_ms = 0;
	}
	oc_process(s, now_ms);
}

void oc_process(struct source *s, int64_t now_ms)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = oc_at(s, i);
		if (!watch_flat_active(s, o->dbdir) && now_ms >= o->next_poll_ms) {
			/* unwatched (absent, no inotify, no watch left): look every SOURCE_POLL_MS, and
			 * try the watch again */
			o->next_poll_ms = now_ms + SOURCE_POLL_MS;
			if (s->watching)
				watch_flat(s, o->dbdir);
			char sig[128];
			oc_sig(o, sig, sizeof sig, NULL);
			if (strcmp(sig, o->sig) != 0)
				o->dirty = true;
		}
		if (o->dirty && o->woke && !o->settle_ms)
			o->settle_ms = now_ms + OC_SETTLE_MS;
		if (!o->dirty || now_ms < o->next_ms || now_ms < o->settle_ms)
			continue;
		bool woke = o->woke;
		o->woke = false;
		o->settle_ms = 0;
		oc_sig(o, o->sig, sizeof o->sig, NULL);
		oc_read(s, o, now_ms);
		if (!o->busy && !(o->dirty && o->next_ms > now_ms))
			o->next_ms = now_ms + OC_GAP_MS;
		if (woke && !o->dirty)
			o->dirty = true; /* the trailing read: a commit still landing raises no event */
	}
}

int oc_timeout_ms(const struct source *s, int64_t now_ms)
{
	int t = -1;
	for (size_t i = 0; i < s->noc; i++) {
		const struct ocsrc *o = oc_at(s, i);
		int64_t at = INT64_MAX;
		if (o->dirty)
			at = o->next_ms > o->settle_ms ? o->next_ms : o->settle_ms;
		if (!watch_flat_active(s, o->dbdir) && o->next_poll_ms < at)
			at = o->next_poll_ms;
		if (at == INT64_MAX)
			continue;
		int64_t left = at - now_ms;
		left = left < 0 ? 0 : left > SOURCE_POLL_MS ? SOURCE_POLL_MS : left;
		if (t < 0 || left < t)
			t = (int)left;
	}
	return t;
}
