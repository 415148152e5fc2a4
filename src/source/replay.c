/* replay.c — `cachetop replay DIR` as a writer, not a reader: it plans the order in which the
 * agents wrote the recorded tree, then writes it, line by line on a virtual clock, into a private
 * temporary tree that the ordinary live path (source + model) follows. So a replay is read by
 * the same code as a live machine, and its last screen is the dashboard over the same tree.
 *
 * The agents' order: files interleave in time; each file's own lines keep their order; a line
 * is written at its own timestamp, except that a resume's or fork's copied prefix — lines whose
 * identity (an entry's uuid, else the line's bytes) also stands in another file — is
 * written when its file is born, at the time of the file's first line of its own. The recorded
 * tree is only read; the temporary tree is removed at the end. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_int.h"
#include "cachetop/line.h"
#include "cachetop/timefmt.h"
#include "cachetop/util.h"

struct rline {
	int64_t at;                  /* when an agent would write it; INT64_MIN: at once */
	int64_t birth;               /* its file's birth (ties) */
	uint32_t file, seq;
	char *s;
	size_t n;
};

struct rfile {
	char *src, *dst;             /* the recording's path; the temporary tree's */
	int fd;                      /* open for appending once the first line is written */
	bool whole;                  /* a document rewritten whole: written at once, at its start */
};

struct replay {
	char *tmp;                   /* the temporary tree */
	struct rfile *files;
	size_t nfiles, capfiles;
	struct rline *lines;
	size_t nlines, caplines, next;
};

static struct replay *walking;
static const char *walk_src, *walk_dst;
static enum agent walk_agent;

static int mkdirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Copy a small non-transcript file (a sub-agent's meta.json) as it is: it is there from the
 * start, as far as a replay can tell. */
static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "re");
	if (!in)
		return;
	FILE *out = fopen(to, "we");
	if (out) {
		char b[8192];
		size_t n;
		while ((n = fread(b, 1, sizeof b, in)) > 0)
			if (fwrite(b, 1, n, out) != n)
				break;
		fclose(out);
	}
	fclose(in);
}

/* What a recorded file is, by its agent's rule in the table: rel ("/projects/…") is its path
 * below the agent's recorded root, and the rule judges the part below root_sub (or root_sub2).
 * Anything else is copied as it is: the source reads nothing outside those folders. */
static enum transcript_kind recorded_kind(enum agent a, const char *rel)
{
	const struct agent_desc *d = agent_get(a);
	const char *subs[2] = {d->root_sub, d->root_sub2};
	for (int i = 0; i < 2; i++) {
		size_t n = subs[i] ? strlen(subs[i]) : 0;
		if (n && strncmp(rel, subs[i], n) == 0 && rel[n] == '/')
			return agent_transcript_kind(a, rel + n + 1);
	}
	return TRANSCRIPT_NONE;
}

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	struct replay *r = walking;
	char dst[4096];
	snprintf(dst, sizeof dst, "%s%s", walk_dst, path + strlen(walk_src));
	if (type == FTW_D) {
		mkdirs(dst);
		return 0;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	enum transcript_kind kind = recorded_kind(walk_agent, path + strlen(walk_src));
	if (kind == TRANSCRIPT_NONE) {
		copy_file(path, dst);
		return 0;
	}
	ct_grow((void **)&r->files, &r->capfiles, r->nfiles + 1, sizeof *r->files);
	r->files[r->nfiles++] = (struct rfile){xstrdup(path), xstrdup(dst), -1, kind == TRANSCRIPT_WHOLE};
	return 0;
}

/* "no transcripts under DIR/a, DIR/b or DIR/c", for the agents whose roots hold transcripts. */
static void replay_none_message(const char *dir, char *err, size_t errlen)
{
	int n = 0, k = 0;
	for (int a = 0; a < AGENT_COUNT; a++)
		n += agent_has_transcripts((enum agent)a);
	size_t len = (size_t)snprintf(err, errlen, "replay: no transcripts under");
	for (int a = 0; a < AGENT_COUNT && len < errlen; a++) {
		if (!agent_has_transcripts((enum agent)a))
			continue;
		k++;
		const char *sep = k == 1 ? " " : k == n ? " or " : ", ";
		len += (size_t)snprintf(err + len, errlen - len, "%s%s/%s", sep, dir, agent_table[a].name);
	}
}

static int cmp_rfile(const void *a, const void *b)
{
	return strcmp(((const struct rfile *)a)->src, ((const struct rfile *)b)->src);
}

static int cmp_rline(const void *pa, const void *pb)
{
	const struct rline *a = pa, *b = pb;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->birth != b->birth)
		return a->birth < b->birth ? -1 : 1;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* identity → how many files hold it */
struct ident {
	uint64_t h;
	uint32_t file;
};

static int cmp_ident(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->file < b->file ? -1 : a->file > b->file;
}

static bool ident_shared(const struct ident *v, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* entries of one identity are sorted by file: it is shared when its last one is in
	 * another file than its first (a line repeated inside one file is not a copy) */
	size_t hi2 = lo;
	while (hi2 < n && v[hi2].h == h)
		hi2++;
	return hi2 > lo + 1 && v[lo].file != v[hi2 - 1].file;
}

/* The rest of fp as one unit (a whole-file transcript); -1 at its end, as getline. */
static ssize_t replay_slurp(FILE *fp, char **buf, size_t *cap)
{
	size_t n = 0, k;
	char chunk[65536];
	while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		ct_grow((void **)buf, cap, n + k + 1, 1);
		memcpy(*buf + n, chunk, k);
		n += k;
	}
	if (!n)
		return -1;
	(*buf)[n] = 0;
	return (ssize_t)n;
}

/* Read every transcript of the recording and give each line its writing time. */
static void replay_plan(struct replay *r, const enum agent *agents)
{
	struct line *ln = xmalloc(sizeof *ln);
	uint64_t *ids = NULL;
	int64_t *tss = NULL;
	size_t cap = 0;
	struct ident *idv = NULL;
	size_t nid = 0, capid = 0;
	for (uint32_t f = 0; f < r->nfiles; f++) {
		FILE *fp = fopen(r->files[f].src, "re");
		if (!fp)
			continue;
		char *buf = NULL;
		size_t bcap = 0;
		ssize_t len;
		uint32_t seq = 0;
		bool whole = r->files[f].whole;
		while ((len = whole ? replay_slurp(fp, &buf, &bcap) : getline(&buf, &bcap, fp)) >= 0) {
			size_t l = (size_t)len;
			while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
				l--;
			if (!l)
				continue;
			if (whole) /* one document, written whole at its start time */
				ln->ts = agent_peek_ts(agents[f], false, buf, l, &ln->ts) == 0 ? ln->ts : CT_TIME_NONE;
			else
				line_parse(agents[f], buf, l, ln);
			size_t i = r->nlines;
			ct_grow((void **)&r->lines, &r->caplines, i + 1, sizeof *r->lines);
			if (i + 1 > cap) {
				cap = r->caplines;
				ids = xrealloc(ids, cap * sizeof *ids);
				tss = xrealloc(tss, cap * sizeof *tss);
			}
			/* a line's own id when its agent gives one (a uuid), else its bytes */
			uint64_t h = ln->uuid ? ln->uuid : ct_hash(buf, l);
			ids[i] = h;
			tss[i] = ln->ts;
			r->lines[r->nlines++] = (struct rline){0, 0, f, seq++, xstrndup(buf, l), l};
			ct_grow((void **)&idv, &capid, nid + 1, sizeof *idv);
			idv[nid++] = (struct ident){h, f};
		}
		free(buf);
		fclose(fp);
	}
	qsort(idv, nid, sizeof *idv, cmp_ident);
	/* per file: its birth, then each line's time (lines of one file are contiguous) */
	for (size_t i = 0; i < r->nlines;) {
		size_t j = i;
		while (j < r->nlines && r->lines[j].file == r->lines[i].file)
			j++;
		int64_t birth = CT_TIME_NONE, latest = CT_TIME_NONE;
		for (size_t k = i; k < j; k++) {
			if (tss[k] == CT_TIME_NONE)
				continue;
			if (latest == CT_TIME_NONE || tss[k] > latest)
				latest = tss[k];
			if (birth == CT_TIME_NONE && !ident_shared(idv, nid, ids[k]))
				birth = tss[k];
		}
		if (birth == CT_TIME_NONE)
			birth = latest; /* nothing of its own: a pure copy, born when last written */
		int64_t t = birth == CT_TIME_NONE ? INT64_MIN : birth;
		for (size_t k = i; k < j; k++) {
			if (tss[k] != CT_TIME_NONE && tss[k] > t)
				t = tss[k]; /* a copied line older than its file's birth waits for it */
			r->lines[k].at = t;
			r->lines[k].birth = birth == CT_TIME_NONE ? INT64_MIN : birth;
		}
		i = j;
	}
	qsort(r->lines, r->nlines, sizeof *r->lines, cmp_rline);
	free(ids);
	free(tss);
	free(idv);
	free(ln);
}

struct replay *replay_open(const char *dir, struct source_roots *roots, char *err, size_t errlen)
{
	struct stat st;
	if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "replay: %s is not a directory", dir ? dir : "(none)");
		return NULL;
	}
	const char *tmpdir = getenv("TMPDIR");
	struct buf t = {0};
	buf_printf(&t, "%s/cachetop-replay.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(t.data)) {
		snprintf(err, errlen, "replay: cannot make a temporary folder: %s", strerror(errno));
		buf_free(&t);
		return NULL;
	}
	struct replay *r = xcalloc(1, sizeof *r);
	r->tmp = t.data;
	enum agent *agents = NULL;
	size_t capag = 0;
	/* The recording's top folders are named after the agents (the table's names) and become
	 * their roots. */
	for (int i = 0; i < AGENT_COUNT; i++) {
		char src[4096], dst[4096];
		snprintf(src, sizeof src, "%s/%s", dir, agent_table[i].name);
		if (stat(src, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(dst, sizeof dst, "%s/%s", r->tmp, agent_table[i].name);
		size_t before = r->nfiles;
		walking = r, walk_src = src, walk_dst = dst, walk_agent = (enum agent)i;
		nftw(src, walk_cb, 16, FTW_PHYS);
		walking = NULL;
		qsort(r->files + before, r->nfiles - before, sizeof *r->files, cmp_rfile);
		ct_grow((void **)&agents, &capag, r->nfiles + 1, sizeof *agents);
		for (size_t k = before; k < r->nfiles; k++)
			agents[k] = (enum agent)i;
		source_roots_add(roots, (enum agent)i, dst);
	}
	if (!r->nfiles) {
		replay_none_message(dir, err, errlen);
		free(agents);
		replay_close(r);
		return NULL;
	}
	replay_plan(r, agents);
	free(agents);
	return r;
}

int64_t replay_next_at(const struct replay *r)
{
	return r->next < r->nlines ? r->lines[r->next].at : INT64_MAX;
}

size_t replay_write_until(struct replay *r, int64_t vnow)
{
	size_t n = 0;
	for (; r->next < r->nlines && r->lines[r->next].at <= vnow; r->next++, n++) {
		struct rline *l = &r->lines[r->next];
		struct rfile *f = &r->files[l->file];
		if (f->fd < 0)
			f->fd = open(f->dst, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (f->fd < 0)
			continue;
		/* one write per line, as the agents append them */
		char *b = xmalloc(l->n + 1);
		memcpy(b, l->s, l->n);
		b[l->n] = '\n';
		size_t done = 0;
		while (done < l->n + 1) {
			ssize_t w = write(f->fd, b + done, l->n + 1 - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			done += (size_t)w;
		}
		free(b);
	}
	return n;
}

static int rm_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->files[i].fd >= 0)
			close(r->files[i].fd);
		free(r->files[i].src);
		free(r->files[i].dst);
	}
	free(r->files);
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i].s);
	free(r->lines);
	if (r->tmp)
		nftw(r->tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS); /* our own temporary tree only */
	free(r->tmp);
	free(r);
}
