/* opencode_db.c — reading an opencode data folder's SQLite database: opening it read-only (as
 * `immutable` when in WAL mode with no -wal file, checked afterwards), the first read whole in
 * order, the later reads incremental (cursors past the last rowid, replies that may still
 * change, the sessions they touch), and giving the database up when it can no longer be told
 * as additions. The only file of the project that uses SQLite (see opencode.c's top comment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cachetop/line.h"
#include "cachetop/opencode.h"
#include "opencode_int.h"
#include "sqlite_dl.h"

/* the library, loaded by the first open (sqlite_dl.h) */
static const struct sqlite_api *sq;

/* A row by id, with the time_updated it was last read with: a reply that may still change, or
 * a session read from the database. */
struct ocseen {
	char *id;
	int64_t updated;
	UT_hash_handle hh;
};

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
void oc_reset_read(struct ocsrc *o)
{
	oc_cursor_free(&o->ses);
	oc_cursor_free(&o->msg);
	oc_seen_free(&o->open);
	oc_seen_free(&o->sessions);
	o->have_db = false;
	o->dev = 0;
	o->ino = 0;
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

/* ---- reading the database ------------------------------------------------------------------ */

#define OC_SES_COLS "rowid, id, parent_id, directory, title, time_created, time_updated"
#define OC_MSG_COLS "rowid, id, session_id, time_created, time_updated, data"

static void oc_col_str(struct buf *b, const char *key, sqlite3_stmt *st, int col)
{
	buf_printf(b, ",\"%s\":", key);
	const char *t = (const char *)sq->column_text(st, col);
	if (t)
		oc_json_str(b, t, (size_t)sq->column_bytes(st, col));
	else
		buf_puts(b, "null");
}

static void oc_session_rec(sqlite3_stmt *st, struct buf *b)
{
	b->len = 0;
	buf_puts(b, "{\"kind\":\"session\",\"src\":\"db\"");
	oc_col_str(b, "id", st, 1);
	oc_col_str(b, "parent_id", st, 2);
	oc_col_str(b, "directory", st, 3);
	oc_col_str(b, "title", st, 4);
	if (sq->column_type(st, 5) == SQLITE_INTEGER)
		buf_printf(b, ",\"time_created\":%lld", (long long)sq->column_int64(st, 5));
	buf_puts(b, "}");
}

static void oc_message_rec(sqlite3_stmt *st, struct buf *b)
{
	b->len = 0;
	buf_puts(b, "{\"kind\":\"message\",\"src\":\"db\"");
	oc_col_str(b, "id", st, 1);
	oc_col_str(b, "session_id", st, 2);
	if (sq->column_type(st, 3) == SQLITE_INTEGER)
		buf_printf(b, ",\"time_created\":%lld", (long long)sq->column_int64(st, 3));
	buf_puts(b, ",\"data\":");
	oc_json_raw(b, (const char *)sq->column_text(st, 5), (size_t)sq->column_bytes(st, 5));
	buf_puts(b, "}");
}

static const char *oc_col_id(sqlite3_stmt *st) { return (const char *)sq->column_text(st, 1); }

/* A row read: move the table's cursor past it. */
static void oc_cursor_take(struct occursor *c, sqlite3_stmt *st)
{
	c->rows++;
	int64_t rowid = sq->column_int64(st, 0);
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
	q->updated = sq->column_int64(st, 6);
}

/* Remember a reply that may still change, or forget one that no longer can. */
static void oc_note_open(struct ocsrc *o, sqlite3_stmt *st)
{
	const char *id = oc_col_id(st);
	if (!id)
		return;
	const char *data = (const char *)sq->column_text(st, 5);
	bool open = data && line_opencode_open(data, (size_t)sq->column_bytes(st, 5));
	struct ocseen *p;
	HASH_FIND_STR(o->open, id, p);
	if (open && !p) {
		p = oc_seen_add(&o->open, id);
	} else if (!open && p) {
		oc_seen_del(&o->open, p);
		return;
	}
	if (p)
		p->updated = sq->column_int64(st, 4);
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
		int rc = sq->prepare_v2(r->db, sql, -1, &st, NULL);
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
	int rc = sq->step(st);
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
	int64_t n = oc_step(r, st) ? sq->column_int64(st, 0) : -1;
	sq->finalize(st);
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
		sq->bind_int64(st, 1, c->rowid);
	bool same = oc_step(r, st) && sq->column_text(st, 0) && c->id &&
		    strcmp((const char *)sq->column_text(st, 0), c->id) == 0;
	sq->finalize(st);
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
		sq->bind_int64(st, 1, o->ses.rowid);
	while (oc_step(r, st)) {
		oc_cursor_take(&o->ses, st);
		oc_note_session(o, st);
		oc_session_rec(st, &r->rec);
		oc_recs_add(&r->ses, NULL, sq->column_int64(st, 5), oc_col_id(st), 0, &r->rec);
	}
	sq->finalize(st);
}

static void oc_take_message(struct ocread *r, sqlite3_stmt *st)
{
	oc_message_rec(st, &r->rec);
	oc_note_open(r->o, st);
	const char *sid = (const char *)sq->column_text(st, 2);
	oc_recs_add(&r->msg, sid ? sid : "", sq->column_int64(st, 3), oc_col_id(st), 0, &r->rec);
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
	sq->finalize(st);
}

/* After the first read: rows added, replies that changed, the sessions they belong to. */
static void oc_read_messages_new(struct ocread *r)
{
	struct ocsrc *o = r->o;
	sqlite3_stmt *st = oc_prep(r, "SELECT " OC_MSG_COLS " FROM message WHERE rowid > ?1");
	if (st)
		sq->bind_int64(st, 1, o->msg.rowid);
	while (oc_step(r, st)) {
		oc_cursor_take(&o->msg, st);
		oc_take_message(r, st);
	}
	sq->finalize(st);
	if (!o->open)
		return;
	/* replies read before that were not complete: again when their time_updated moved */
	st = oc_prep(r, "SELECT " OC_MSG_COLS " FROM message WHERE id = ?1");
	struct ocseen *p, *tmp;
	size_t fresh = r->msg.n;
	HASH_ITER(hh, o->open, p, tmp) {
		if (!st || r->rc != SQLITE_OK)
			break;
		sq->reset(st);
		sq->bind_text(st, 1, p->id, -1, SQLITE_STATIC);
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
		if (sq->column_int64(st, 4) != p->updated)
			oc_take_message(r, st); /* may free p */
	}
	sq->finalize(st);
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
		sq->reset(st);
		sq->bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (oc_step(r, st) && sq->column_int64(st, 6) != q->updated) {
			oc_note_session(o, st);
			oc_session_rec(st, &r->rec);
			oc_recs_add(&r->ses, NULL, sq->column_int64(st, 5), id, 0, &r->rec);
		}
	}
	sq->finalize(st);
}

/* The file's signature as a poll compares it, and for the immutable read's check. */
void oc_sig(const struct ocsrc *o, char *out, size_t cap, bool *wal)
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
	char why[300];
	if (!sq && !(sq = sqlite_dl_load(sqlite_dl_default_name, why, sizeof why))) {
		buf_free(&uri);
		*rc = SQLITE_CANTOPEN;
		if (!(o->said & OCS_OPEN)) {
			o->said |= OCS_OPEN;
			source_message(s, "cannot open %s: %s", o->db, why);
		}
		return NULL;
	}
	sqlite3 *db = NULL;
	*rc = sq->open_v2(buf_cstr(&uri), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	buf_free(&uri);
	if (*rc != SQLITE_OK) {
		if (!(o->said & OCS_OPEN)) {
			o->said |= OCS_OPEN;
			source_message(s, "cannot open %s: %s", o->db, db ? sq->errmsg(db) : sq->errstr(*rc));
		}
		sq->close(db);
		return NULL;
	}
	/* never wait for a lock, never checkpoint or delete the WAL when closing, refuse writes */
	sq->busy_timeout(db, 0);
	sq->db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sq->db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sq->db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	int one = 1;
	sq->file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	sq->exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
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
bool oc_read_db(struct source *s, struct ocsrc *o, int64_t now_ms, struct ocrecs *lses, struct ocrecs *lmsg)
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
	r.rc = sq->exec(db, "BEGIN", NULL, NULL, NULL);
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
	sq->exec(db, r.rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	sq->close(db);
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
			source_message(s, "cannot read %s: %s", o->db, sq->errstr(r.rc));
		}
		if (o->have_db)
			oc_lost(s, o, now_ms);
		o->dirty = false; /* until it changes again */
	} else {
		oc_lost(s, o, now_ms);
	}
	return merged;
}
