/* state_file.c — the warm-start state's file itself: the keys that say which build and which
 * roots wrote it, its private folder (never inside a root), loading and checking its header and
 * table (mapped: it is only ever replaced whole), reading an entry's records back (pread), and
 * writing a whole new file atomically (a private temporary file, then
 * rename). What goes in it is state.c's. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachetop/config.h"
#include "state_int.h"

/* ---- keys ---------------------------------------------------------------------------------- */

struct note_walk {
	uint64_t h;
	bool found;
};

/* The GNU build id of the executable: any change to the code that parses lines changes it, so
 * records packed by another build are never replayed. */
static int state_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct note_walk *w = data;
	for (int i = 0; i < info->dlpi_phnum && !w->found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		size_t left = ph->p_memsz;
		while (left >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + 3) & ~(size_t)3, desc = (nh->n_descsz + 3) & ~(size_t)3;
			size_t need = sizeof *nh + name + desc;
			if (need > left)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(p + sizeof *nh, "GNU", 4) == 0) {
				w->h = ct_hash_mix(w->h, p + sizeof *nh + name, nh->n_descsz);
				w->found = true;
				break;
			}
			p += need;
			left -= need;
		}
	}
	return 1; /* the first object is the executable itself */
}

uint64_t state_build_key(void)
{
	static const char version[] = CACHETOP_VERSION;
	struct note_walk w = {ct_hash(version, sizeof version), false};
	dl_iterate_phdr(state_build_id, &w);
	if (w.found)
		return w.h;
	/* no build id: the executable's bytes */
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char *buf = xmalloc(1 << 16);
	ssize_t n;
	bool any = false;
	while ((n = read(fd, buf, 1 << 16)) > 0) {
		w.h = ct_hash_mix(w.h, buf, (size_t)n);
		any = true;
	}
	free(buf);
	close(fd);
	return any ? w.h : 0;
}

static int state_cmp_root(const void *a, const void *b)
{
	const struct source_root *x = a, *y = b;
	if (x->agent != y->agent)
		return x->agent < y->agent ? -1 : 1;
	return strcmp(x->path, y->path);
}

uint64_t state_roots_key(const struct source_roots *r)
{
	struct source_root *v = xmalloc((r->n ? r->n : 1) * sizeof *v);
	memcpy(v, r->v, r->n * sizeof *v);
	qsort(v, r->n, sizeof *v, state_cmp_root);
	uint64_t h = ct_hash("roots", 5);
	for (size_t i = 0; i < r->n; i++) {
		unsigned char ag = (unsigned char)v[i].agent;
		h = ct_hash_mix(h, &ag, 1);
		h = ct_hash_mix(h, v[i].path, strlen(v[i].path) + 1);
	}
	free(v);
	return h;
}

/* ---- the folder ---------------------------------------------------------------------------- */

char *state_dir(void)
{
	return config_xdg_path("XDG_CACHE_HOME", ".cache", "cachetop");
}

/* mkdir -p, new folders 0700 */
int state_mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *q = p + 1;; q++) {
		if (*q == '/' || *q == 0) {
			char c = *q;
			*q = 0;
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
				rc = -1;
			*q = c;
			if (!c)
				break;
		}
	}
	free(p);
	struct stat st;
	return rc == 0 || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) ? 0 : -1;
}

/* The state is never written under a transcript root (checked before any folder is made: the
 * nearest existing ancestor resolved, the rest appended). */
bool state_under_roots(const char *dir, const struct source_roots *r)
{
	char real[PATH_MAX], root[PATH_MAX];
	char *p = xstrdup(dir);
	size_t cut = strlen(p);
	while (!realpath(p, real)) {
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			free(p);
			return true;
		}
		*slash = 0;
		cut = (size_t)(slash - p);
	}
	if (strlen(real) + strlen(dir + cut) >= sizeof real) {
		free(p);
		return true;
	}
	strcat(real, dir + cut);
	free(p);
	for (size_t i = 0; i < r->n; i++) {
		if (!realpath(r->v[i].path, root))
			continue;
		size_t n = strlen(root);
		if (strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == 0 || n == 1))
			return true;
	}
	return false;
}

/* ---- loading ------------------------------------------------------------------------------- */

void state_unload(struct state *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	state_view_drop(&st->meta);
	st->file_len = 0;
	memset(&st->sf, 0, sizeof st->sf);
	state_stat_free(st); /* by the unloaded table's entries and listings */
	state_view_drop(&st->dirs_blob);
	free(st->dirs);
	st->dirs = NULL;
	st->ndirs = 0;
}

/* The loaded file's folder listings, when they hash right and parse whole; else none (the
 * folders are listed again, and the next save writes them anew). */
static void state_load_dirs(struct state *st)
{
	const struct statefile *sf = &st->sf;
	if (!sf->dirs_len || sf->dirs_len > SIZE_MAX / 2)
		return;
	struct state_view *v = &st->dirs_blob;
	if (!state_view_get(st->fd, sf->dirs_at, (size_t)sf->dirs_len, v) ||
	    statefile_hash(v->p, (size_t)sf->dirs_len) != sf->dirs_hash) {
		state_view_drop(v);
		return;
	}
	size_t pos = 0, cap = 0;
	struct statefile_dir d;
	int r;
	while ((r = statefile_dir_next(v->p, (size_t)sf->dirs_len, &pos, st->ndirs ? &st->dirs[st->ndirs - 1] : NULL, &d)) == 1) {
		ct_grow((void **)&st->dirs, &cap, st->ndirs + 1, sizeof *st->dirs);
		st->dirs[st->ndirs++] = d;
	}
	if (r < 0) {
		state_view_drop(v);
		free(st->dirs);
		st->dirs = NULL;
		st->ndirs = 0;
	}
}

/* The path of the file in view, for the SIGBUS message (set before mapping; one at a time). */
static char bus_msg[640];

static void state_bus(int sig)
{
	(void)sig;
	ssize_t w = write(STDERR_FILENO, bus_msg, strlen(bus_msg));
	(void)w;
	_exit(3);
}

/* Smaller ranges are read: a mapping costs a few system calls of its own. */
static size_t view_map_min = 64u * 1024;
void state_test_map_min(size_t bytes) { view_map_min = bytes; }

bool state_view_get(int fd, uint64_t at, size_t n, struct state_view *v)
{
	return state_view_get_as(fd, at, n, v, 0);
}

bool state_view_get_as(int fd, uint64_t at, size_t n, struct state_view *v, unsigned how)
{
	*v = (struct state_view){0};
	if (n && n >= view_map_min) {
		char path[64], real[384];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t k = readlink(path, real, sizeof real - 1);
		real[k > 0 ? k : 0] = '\0';
		snprintf(bus_msg, sizeof bus_msg,
			 "cachetop: the state file %s was cut short while it was read (something other "
			 "than cachetop wrote to it); run again, or with --no-state\n", real);
		static bool guarded;
		if (!guarded) {
			struct sigaction sa = {.sa_handler = state_bus};
			sigemptyset(&sa.sa_mask);
			sigaction(SIGBUS, &sa, NULL);
			guarded = true;
		}
		size_t pg = (size_t)sysconf(_SC_PAGESIZE), skew = (size_t)(at % pg);
		void *map = mmap(NULL, n + skew, PROT_READ | (how & VIEW_PRIVATE_WRITE ? PROT_WRITE : 0),
				 MAP_PRIVATE | (how & VIEW_LAZY ? 0 : MAP_POPULATE), fd, (off_t)(at - skew));
		if (map != MAP_FAILED) {
			v->map = map;
			v->maplen = n + skew;
			v->p = (const char *)map + skew;
			return true;
		}
	}
	buf_reserve(&v->copy, n ? n : 1);
	if (!state_pread(fd, v->copy.data, n, at)) {
		buf_free(&v->copy);
		return false;
	}
	v->copy.len = n;
	v->p = v->copy.data;
	return true;
}

void state_view_drop(struct state_view *v)
{
	if (v->map)
		munmap(v->map, v->maplen);
	buf_free(&v->copy);
	*v = (struct state_view){0};
}

/* Read and check fd's header, table and paths; on success the state follows fd (and owns it),
 * on failure nothing changes and fd stays the caller's. */
int state_load(struct state *st, int fd)
{
	struct stat sb;
	unsigned char head[STATEFILE_HEADER];
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < STATEFILE_HEADER ||
	    !state_pread(fd, head, sizeof head, 0))
		return -1;
	uint64_t records = statefile_records_at(head, sizeof head);
	if (records < STATEFILE_HEADER || records > (uint64_t)sb.st_size)
		return -1;
	struct state_view meta = {0};
	struct statefile sf;
	if (!state_view_get(fd, 0, (size_t)records, &meta) ||
	    statefile_open(&sf, meta.p, (size_t)records, (uint64_t)sb.st_size, st->build_key, st->roots_key) != 0) {
		state_view_drop(&meta);
		return -1;
	}
	state_unload(st);
	st->fd = fd;
	st->meta = meta;
	st->file_len = (uint64_t)sb.st_size;
	st->sf = sf;
	state_load_dirs(st);
	return 0;
}

/* An entry's records, read from the file into b (emptied first) and checked. */
bool state_records(const struct state *st, const struct statefile_entry *e, struct buf *b)
{
	b->len = 0;
	buf_reserve(b, (size_t)e->rec_len);
	if (!state_pread(st->fd, b->data, (size_t)e->rec_len, e->rec_at) || !statefile_records_ok(e, b->data))
		return false;
	b->len = (size_t)e->rec_len;
	return true;
}

/* ---- writing ------------------------------------------------------------------------------- */

/* Write the items (sorted) to a new file beside the state and rename it into place; the open
 * descriptor of what was written in *fd_out. */
/* the items' records of this run, in memory and spilled, go */
static void state_release_records(struct state *st, const struct save_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_free(&st->kept[v[i].handle].fresh);
		state_spill_drop(&st->kept[v[i].handle]);
	}
}

int state_write(struct state *st, struct save_item *v, size_t n, const struct buf *dirs,
		void (*make_image)(void *ctx, struct buf *out), void *ctx, int *fd_out)
{
	struct buf tmp = {0};
	buf_printf(&tmp, "%s.XXXXXX", st->path);
	int fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		buf_free(&tmp);
		state_release_records(st, v, n);
		return -1;
	}
	struct statefile_entry *ev = xmalloc((n ? n : 1) * sizeof *ev);
	uint64_t off = 0;
	for (size_t i = 0; i < n; i++) {
		v[i].e.rec_off = off;
		off += v[i].e.rec_len;
	}
	size_t meta = 0;
	for (size_t i = 0; i < n; i++)
		ev[i] = v[i].e;
	meta = statefile_meta_size(ev, n);
	int rc = 0;
	struct buf join = {0};
	size_t rec_total_kept = 0;
	for (size_t i = 0; i < n; i++)
		rec_total_kept += st->kept[v[i].handle].fresh.cap;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct kept *k = &st->kept[v[i].handle];
		const char *rec = k->fresh.data;
		if (v[i].baselen || k->nsegs) {
			/* the loaded file's part, then this run's: on disk, then in memory */
			join.len = 0;
			buf_reserve(&join, v[i].baselen + k->spilled + k->fresh.len);
			if (v[i].baselen && (!state_pread(st->fd, join.data, v[i].baselen, v[i].base_at) ||
					     statefile_hash(join.data, v[i].baselen) != v[i].base_hash)) {
				st->base_lost = true; /* cut short or changed under us */
				rc = -1;
				break;
			}
			join.len = v[i].baselen;
			if (!state_spill_get(st, k, &join)) {
				rc = -1;
				break;
			}
			buf_append(&join, k->fresh.data ? k->fresh.data : "", k->fresh.len);
			rec = join.data;
		}
		size_t len = (size_t)v[i].e.rec_len;
		ev[i].rec_off = v[i].e.rec_off;
		ev[i].rec_hash = statefile_hash(len ? rec : "", len);
		if (len)
			rc = state_pwrite(fd, rec, len, meta + v[i].e.rec_off);
		state_release_records(st, v + i, 1); /* written: out of memory before the image */
	}
	state_release_records(st, v, n); /* those after a failure too */
	buf_free(&join);
#ifdef __GLIBC__
	/* freed is not given back: the records' buffers lie among the model's in the heap, and
	 * without this the image came on top of them (a first run over 2.15 M requests peaked at
	 * 1.12 GB, its records 593 MB of it) */
	if (rec_total_kept >= ((size_t)32 << 20))
		malloc_trim(0);
#endif
	struct buf head = {0}, image = {0};
	if (rc == 0 && make_image)
		make_image(ctx, &image);
	/* the image 8-byte aligned in the file (a hole of zeros before the listings), so that a
	 * model only read can use its requests where they lie (model_image_load_borrowed) */
	size_t pad = image.len ? (8 - (meta + off + dirs->len) % 8) % 8 : 0;
	if (rc == 0 && dirs->len)
		rc = state_pwrite(fd, dirs->data, dirs->len, meta + off + pad);
	if (rc == 0 && image.len)
		rc = state_pwrite(fd, image.data, image.len, meta + off + pad + dirs->len);
	if (rc == 0) {
		statefile_encode_meta(ev, n, st->build_key, st->roots_key, &head);
		statefile_set_pad(&head, pad);
		statefile_set_dirs(&head, dirs->len, statefile_hash(dirs->len ? dirs->data : "", dirs->len));
		statefile_set_image(&head, image.len);
		rc = state_pwrite(fd, head.data, head.len, 0);
	}
	buf_free(&image);
	buf_free(&head);
	free(ev);
	/* No fsync: after a crash the renamed file may hold anything, and the loader's hashes refuse
	 * it (it is then rebuilt); an fsync would cost every save a disk flush (35 ms here). */
	if (rc == 0 && rename(tmp.data, st->path) != 0)
		rc = -1;
	if (rc != 0) {
		unlink(tmp.data);
		close(fd);
		fd = -1;
	}
	buf_free(&tmp);
	*fd_out = fd;
	return rc;
}
