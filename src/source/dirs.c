/* dirs.c — the listings of the transcript folders: each folder's entries as the walk uses them,
 * with the folder's stat taken before it was listed, so that a warm start lists again only the
 * folders whose stat changed (a create, delete or rename inside a folder changes its mtime; a
 * file growing does not, and is the per-file mark's business). A listing is kept for later only
 * when taken after the folder's last clock tick (git's racy-clean rule): within the tick, an
 * entry created just after the listing could leave the folder's stat as it was. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cachetop/statefile.h"
#include "source_int.h"

/* Wider than any file system's timestamp step (FAT's is 2 s), as for the files' marks. */
#define DIRS_RACY_NS 2000000000LL

static int64_t dirs_racy_ns = DIRS_RACY_NS;
void source_test_dirs_racy(int64_t ns) { dirs_racy_ns = ns; }
static _Atomic uint64_t dirs_recalled, dirs_seen;
uint64_t source_test_dirs_recalled(void) { return dirs_recalled; }
uint64_t source_test_dirs_seen(void) { return dirs_seen; }

static int64_t dirs_ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

static void dirs_put(struct buf *b, unsigned char type, const char *name)
{
	buf_append(b, &type, 1);
	buf_append(b, name, strlen(name) + 1);
}

/* List the folder now into d->ents; false with *err when it cannot be opened. */
static bool dirs_read(const char *dir, struct sdir *d, int *err)
{
	d->ents.len = 0;
	DIR *h = opendir(dir);
	if (!h) {
		*err = errno;
		return false;
	}
	struct buf p = {0};
	struct dirent *e;
	while ((e = source_readdir(h, dir, &p))) {
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (lstat(p.data, &st) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG
				: S_ISLNK(st.st_mode) ? DT_LNK : DT_FIFO;
		}
		dirs_put(&d->ents, type, e->d_name);
	}
	closedir(h);
	buf_free(&p);
	return true;
}

static struct sdir *dirs_entry(struct source *s, const char *dir)
{
	struct sdir *d;
	HASH_FIND_STR(s->dirs, dir, d);
	if (!d) {
		d = xcalloc(1, sizeof *d);
		d->path = xstrdup(dir);
		HASH_ADD_KEYPTR(hh, s->dirs, d->path, strlen(d->path), d);
	}
	return d;
}

static bool dirs_same(const struct sink_dir *k, const struct sdir *d)
{
	return k->dev == d->dev && k->ino == d->ino && k->mtime_ns == d->mtime_ns && k->ctime_ns == d->ctime_ns;
}

/* the kept listing serves: its entries are the folder's */
static const struct sdir *dirs_recalled_as(struct sdir *d, const struct sink_dir *k)
{
	d->ents.len = 0;
	if (k->ents_len)
		buf_append(&d->ents, k->ents, k->ents_len);
	d->trusted = d->recalled = true;
	d->as_kept = false;
	dirs_recalled++;
	return d;
}

static bool dirs_seen_same(const struct sink_dir *k)
{
	return k->seen && k->seen_dir && k->seen_dev == k->dev && k->seen_ino == k->ino &&
	       k->seen_mtime_ns == k->mtime_ns && k->seen_ctime_ns == k->ctime_ns;
}

bool dirs_kept_seen(struct source *s, const char *dir, struct sink_dir *k)
{
	return s->sink.dir_recall && s->sink.dir_recall(s->sink.ctx, dir, k) && dirs_seen_same(k);
}

const struct sdir *dirs_list(struct source *s, const char *dir, bool may_recall, int *err)
{
	struct sink_dir k;
	bool have = s->sink.dir_recall && s->sink.dir_recall(s->sink.ctx, dir, &k);
	if (may_recall && have && dirs_seen_same(&k)) {
		/* the sink took the folder's stat earlier in this start, and it is still the kept one */
		struct sdir *d = dirs_entry(s, dir);
		d->dev = k.dev;
		d->ino = k.ino;
		d->mtime_ns = k.mtime_ns;
		d->ctime_ns = k.ctime_ns;
		dirs_seen++;
		return dirs_recalled_as(d, &k);
	}
	/* the clock the file system stamps with, read before the stat: whatever changes the folder
	 * after the stat is stamped at this time or later */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME_COARSE, &now);
	struct stat st;
	if (stat(dir, &st) != 0) {
		*err = errno;
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = ENOTDIR;
		return NULL;
	}
	struct sdir *d = dirs_entry(s, dir);
	d->dev = (uint64_t)st.st_dev;
	d->ino = (uint64_t)st.st_ino;
	d->mtime_ns = dirs_ns(&st.st_mtim);
	d->ctime_ns = dirs_ns(&st.st_ctim);
	bool kept = have && dirs_same(&k, d);
	if (may_recall && kept)
		return dirs_recalled_as(d, &k);
	d->recalled = false;
	s->listed_anew = true;
	if (!dirs_read(dir, d, err)) {
		d->trusted = d->as_kept = false;
		return NULL;
	}
	int64_t newest = d->mtime_ns > d->ctime_ns ? d->mtime_ns : d->ctime_ns;
	d->trusted = dirs_ns(&now) - newest > dirs_racy_ns;
	/* a folder listed again while watching is usually just as the state keeps it: then it is
	 * no reason to write the state again (a dashboard did so at every quit) */
	d->as_kept = kept && k.ents_len == d->ents.len && (!k.ents_len || !memcmp(k.ents, d->ents.data, k.ents_len));
	return d;
}

bool dirs_next(const struct sdir *d, size_t *pos, unsigned char *type, const char **name)
{
	if (*pos >= d->ents.len)
		return false;
	*type = (unsigned char)d->ents.data[*pos];
	*name = d->ents.data + *pos + 1;
	*pos += 1 + strlen(*name) + 1;
	return true;
}

static int dirs_cmp(const struct sdir *a, const struct sdir *b) { return strcmp(a->path, b->path); }

void source_dirs_save(struct source *s, struct buf *out, size_t *recalled, size_t *fresh)
{
	*recalled = *fresh = 0;
	HASH_SORT(s->dirs, dirs_cmp);
	struct sdir *d, *tmp;
	HASH_ITER(hh, s->dirs, d, tmp) {
		if (!d->trusted)
			continue;
		struct statefile_dir x = {.path = d->path, .path_len = strlen(d->path), .dev = d->dev,
					  .ino = d->ino, .mtime_ns = d->mtime_ns, .ctime_ns = d->ctime_ns,
					  .ents = (const unsigned char *)d->ents.data, .ents_len = d->ents.len};
		statefile_dir_put(out, &x);
		*(d->recalled || d->as_kept ? recalled : fresh) += 1;
	}
}

void dirs_free(struct source *s)
{
	struct sdir *d, *tmp;
	HASH_ITER(hh, s->dirs, d, tmp) {
		HASH_DEL(s->dirs, d);
		buf_free(&d->ents);
		free(d->path);
		free(d);
	}
}
