/* evidence_log.c — the side record the model fills as lines arrive, for the evidence words
 * (evidence.c): per session, the runs of requests written by one agent version, and the
 * tool/MCP-set changes with the request count at which each came (so "between the predecessor
 * and the request" is a range of request indices). It sits below the model: the model writes
 * into it and knows nothing of the words. */
#include <stdlib.h>
#include <string.h>

#include "cachetop/evidence.h"
#include "cachetop/util.h"
#include "image_io.h"
#include "u64map.h"

#define MAX_VERSIONS 65535

/* ---- the side record ------------------------------------------------------------------------ */

struct vrun {
	uint32_t req;     /* first request of the run */
	uint16_t ver;     /* index into versions; 0 = unknown */
};
struct tmark {
	uint32_t mark;    /* requests stored when the change was read */
	struct tools_delta d;
};
struct ev_sess {
	struct vrun *runs;
	size_t nruns, capruns;
	struct tmark *tools;
	size_t ntools, captools;
};
struct evidence_log {
	struct ev_sess *s;
	size_t ns;
	char **versions;
	size_t nversions, capversions;
	struct u64map version_ids;
};

struct evidence_log *evidence_log_new(void)
{
	struct evidence_log *l = xcalloc(1, sizeof *l);
	l->versions = xcalloc(8, sizeof *l->versions);
	l->capversions = 8;
	l->versions[0] = xstrdup("");
	l->nversions = 1;
	return l;
}

void evidence_log_free(struct evidence_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ns; i++) {
		free(l->s[i].runs);
		free(l->s[i].tools);
	}
	free(l->s);
	for (size_t i = 0; i < l->nversions; i++)
		free(l->versions[i]);
	free(l->versions);
	u64map_free(&l->version_ids);
	free(l);
}

static struct ev_sess *sess(struct evidence_log *l, uint32_t session)
{
	if (session >= l->ns) {
		size_t n = (size_t)session + 1, cap = l->ns;
		void *p = l->s;
		ct_grow(&p, &cap, n, sizeof *l->s);
		l->s = p;
		memset(&l->s[l->ns], 0, (n - l->ns) * sizeof *l->s);
		l->ns = n;
	}
	return &l->s[session];
}

static const struct ev_sess *sess_c(const struct evidence_log *l, uint32_t session)
{
	return l && session < l->ns ? &l->s[session] : NULL;
}

static uint16_t intern(struct evidence_log *l, const char *v)
{
	if (!v || !*v)
		return 0;
	uint64_t h = ct_hash(v, strlen(v));
	uint32_t *id = u64map_get(&l->version_ids, h);
	if (id)
		return (uint16_t)*id;
	if (l->nversions >= MAX_VERSIONS)
		return 0; /* endless versions are hostile input: the rest are unknown */
	void *p = l->versions;
	ct_grow(&p, &l->capversions, l->nversions + 1, sizeof *l->versions);
	l->versions = p;
	l->versions[l->nversions] = xstrdup(v);
	u64map_put(&l->version_ids, h, l->nversions);
	return (uint16_t)l->nversions++;
}

void evidence_log_version(struct evidence_log *l, uint32_t session, uint32_t req, const char *version)
{
	uint16_t v = intern(l, version);
	struct ev_sess *s = sess(l, session);
	if (s->nruns && s->runs[s->nruns - 1].ver == v)
		return;
	void *p = s->runs;
	ct_grow(&p, &s->capruns, s->nruns + 1, sizeof *s->runs);
	s->runs = p;
	s->runs[s->nruns++] = (struct vrun){req, v};
}

void evidence_log_tools(struct evidence_log *l, uint32_t session, uint32_t next_req, const struct tools_delta *d)
{
	if (!d->kind)
		return;
	struct ev_sess *s = sess(l, session);
	void *p = s->tools;
	ct_grow(&p, &s->captools, s->ntools + 1, sizeof *s->tools);
	s->tools = p;
	s->tools[s->ntools++] = (struct tmark){next_req, *d};
}

const char *evidence_log_version_of(const struct evidence_log *l, uint32_t session, uint32_t req)
{
	const struct ev_sess *s = sess_c(l, session);
	if (!s || !s->nruns || s->runs[0].req > req)
		return NULL;
	size_t lo = 0, hi = s->nruns; /* the last run starting at or before req */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (s->runs[mid].req <= req)
			lo = mid;
		else
			hi = mid;
	}
	uint16_t v = s->runs[lo].ver;
	return v ? l->versions[v] : NULL;
}

bool evidence_log_tools_between(const struct evidence_log *l, uint32_t session, uint32_t after, uint32_t upto,
				 struct tools_delta *sum)
{
	const struct ev_sess *s = sess_c(l, session);
	if (!s)
		return false;
	size_t lo = 0, hi = s->ntools; /* the first mark > after */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->tools[mid].mark <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	bool any = false;
	for (size_t i = lo; i < s->ntools && s->tools[i].mark <= upto; i++) {
		const struct tools_delta *d = &s->tools[i].d;
		sum->kind = sum->kind ? sum->kind : d->kind;
		sum->mcp = sum->mcp || d->mcp;
		sum->added = (uint16_t)(sum->added + d->added < 0xFFFF ? sum->added + d->added : 0xFFFF);
		sum->removed = (uint16_t)(sum->removed + d->removed < 0xFFFF ? sum->removed + d->removed : 0xFFFF);
		sum->pending = (uint16_t)(sum->pending + d->pending < 0xFFFF ? sum->pending + d->pending : 0xFFFF);
		sum->failed = (uint16_t)(sum->failed + d->failed < 0xFFFF ? sum->failed + d->failed : 0xFFFF);
		any = true;
	}
	return any;
}

/* ---- the saved image (image_io.h) ---------------------------------------------------------- */

void evidence_log_image(const struct evidence_log *l, struct buf *out)
{
	img_u64(out, l->nversions);
	for (size_t i = 0; i < l->nversions; i++)
		img_str(out, l->versions[i]);
	img_map(out, &l->version_ids);
	img_u64(out, l->ns);
	for (size_t i = 0; i < l->ns; i++) {
		img_u64(out, l->s[i].nruns);
		img_put(out, l->s[i].runs, l->s[i].nruns * sizeof *l->s[i].runs);
		img_u64(out, l->s[i].ntools);
		img_put(out, l->s[i].tools, l->s[i].ntools * sizeof *l->s[i].tools);
	}
}

struct evidence_log *evidence_log_from_image(struct img_r *r, size_t nsessions)
{
	struct evidence_log *l = xcalloc(1, sizeof *l);
	bool ok = true;
	size_t nv = img_count(r, MAX_VERSIONS);
	if (nv == 0)
		r->bad = true;
	l->versions = xcalloc(nv ? nv : 1, sizeof *l->versions);
	l->capversions = nv ? nv : 1;
	for (size_t i = 0; i < nv && !r->bad; i++) {
		l->versions[i] = img_get_str(r, &ok);
		l->nversions = i + 1;
		if (!ok || !l->versions[i] || (i == 0) != (l->versions[i][0] == 0))
			r->bad = true;
	}
	if (!r->bad)
		img_get_map(r, &l->version_ids, l->nversions, UINT32_MAX - 1);
	size_t ns = r->bad ? 0 : img_count(r, nsessions < (r->n - r->at) / 16 ? nsessions : (r->n - r->at) / 16);
	if (ns) {
		l->s = xcalloc(ns, sizeof *l->s);
		l->ns = ns;
	}
	for (size_t i = 0; i < ns && !r->bad; i++) {
		struct ev_sess *s = &l->s[i];
		size_t n = img_count(r, (r->n - r->at) / sizeof *s->runs);
		if (n && !r->bad) {
			s->runs = xmalloc(n * sizeof *s->runs);
			if (img_get(r, s->runs, n, sizeof *s->runs))
				s->nruns = s->capruns = n;
		}
		for (size_t k = 0; k < s->nruns; k++)
			if (s->runs[k].ver >= l->nversions)
				r->bad = true;
		n = r->bad ? 0 : img_count(r, (r->n - r->at) / sizeof *s->tools);
		if (n && !r->bad) {
			s->tools = xmalloc(n * sizeof *s->tools);
			if (img_get(r, s->tools, n, sizeof *s->tools))
				s->ntools = s->captools = n;
		}
		for (size_t k = 0; k < s->ntools; k++) {
			img_bool(&s->tools[k].d.mcp);
			if (s->tools[k].d.kind > TOOLS_MCP_INSTRUCTIONS)
				r->bad = true;
		}
	}
	if (r->bad) {
		evidence_log_free(l);
		return NULL;
	}
	return l;
}
