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
 * folder is not watched (absent, no inotify, watch limit).
 *
 * This file holds the object, its lifetime and the scheduling of reads; the database is read
 * in opencode_db.c (the one file that uses SQLite), the legacy tree in opencode_legacy.c, and
 * records are made and ordered in opencode_recs.c (types they all use: opencode_int.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "opencode_int.h"

/* Reads while writes keep coming: at most one per this many ms (a reply streams dozens of
 * commits a second; the view needs far fewer reads). */
#define OC_GAP_MS 100
/* A write wakes us at its first bytes; its commit becomes visible a moment later (when the
 * writer updates the -shm index, which raises no event): read this long after the first event,
 * and once more OC_GAP_MS after the last read an event asked for. */
#define OC_SETTLE_MS 10

static struct ocsrc *oc_at(const struct source *s, size_t i) { return s->oc[i]; }

/* ---- the object -------------------------------------------------------------------------- */

void oc_add(struct source *s, size_t root)
{
	struct ocsrc *o = xcalloc(1, sizeof *o);
	o->root = root;
	o->dir = xstrdup(s->roots.v[root].path);
	/* opencode's own rule: OPENCODE_DB absolute as it is, relative inside the data folder. An
	 * absolute one names the database of the default folder only: a folder given explicitly
	 * (a copy, the samples) keeps its own. */
	const char *env = getenv("OPENCODE_DB");
	char *def = source_agent_data_dir(AGENT_OPENCODE);
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

/* ---- one read ------------------------------------------------------------------------------ */

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

bool oc_present(struct source *s)
{
	for (size_t i = 0; i < s->noc; i++) {
		struct ocsrc *o = oc_at(s, i);
		struct stat st;
		if (stat(o->dir, &st) == 0 || (o->db && stat(o->db, &st) == 0))
			return true;
	}
	return false;
}

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
