/* opencode_int.h — what the files of the opencode source share: an opencode data folder's state
 * (struct ocsrc), the records a read makes and their order, and the functions one file calls in
 * another. opencode.c holds the object and schedules reads, opencode_db.c reads the database
 * (the only file that includes sqlite3.h), opencode_legacy.c the storage/ tree, and
 * opencode_recs.c makes records and tells them to the sink. Not a public header: only these
 * files include it. */
#ifndef CACHETOP_OPENCODE_INT_H
#define CACHETOP_OPENCODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dbsrc.h"
#include "source_int.h"

/* A locked database is tried again after this long. */
#define OC_BUSY_MS 250

/* A row by id (opencode_db.c). */
struct ocseen;

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

/* opencode_recs.c: records, their order, and telling them to the sink */
char *oc_join(const char *a, const char *b);
void oc_json_str(struct buf *b, const char *s, size_t n);
void oc_json_raw(struct buf *b, const char *s, size_t n);
void oc_deliver(struct source *s, uint32_t handle, const char *p, size_t n);
uint32_t oc_register(struct source *s, struct ocsrc *o, const char *path);
void oc_recs_add(struct ocrecs *r, const char *sid, int64_t created, const char *id, int src, struct buf *text);
void oc_recs_free(struct ocrecs *r);
int oc_rec_cmp(const struct ocrec *x, const struct ocrec *y);
void oc_recs_sort(struct ocrecs *r);

/* opencode_legacy.c: the storage/ tree (opencode <= 1.1) */
void oc_legacy_list(struct source *s, struct ocsrc *o, const char *kind, struct ocrecs *out);
void oc_legacy_handle(struct source *s, struct ocsrc *o);

/* opencode_db.c: the database */
void oc_reset_read(struct ocsrc *o);
void oc_sig(const struct ocsrc *o, char *out, size_t cap, bool *wal);
bool oc_read_db(struct source *s, struct ocsrc *o, int64_t now_ms, struct ocrecs *lses, struct ocrecs *lmsg);

#endif
