/* test_model_image.c — the model's image (model_image.h): a model written into an image and
 * loaded into a new one, then fed the lines that follow, reports exactly what the model fed all
 * of them without a break does (random interleavings of the sample transcripts, random break
 * points); what the image cannot carry is refused at write; a damaged, foreign or other-options
 * image is refused at load, and one with a made-up body but a right checksum either is refused
 * or loads a model that reports without fault (run under the sanitisers). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cachetop/model.h"
#include "cachetop/model_image.h"
#include "cachetop/report.h"
#include "cachetop/statefile.h"
#include "cachetop/status_digest.h"

#define NOW 1795305600000LL /* 2026-11-21T00:00:00Z */

struct tline {
	int file;
	char *text;
};
struct tfile {
	char path[1024];
	enum agent agent;
};

static struct tfile tfiles[64];
static int ntfiles;
static struct tline *tlines;
static size_t ntlines, captlines;

static void read_file(const char *path, enum agent agent)
{
	if (ntfiles == 64)
		return;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	int fi = ntfiles++;
	snprintf(tfiles[fi].path, sizeof tfiles[fi].path, "%s", path);
	tfiles[fi].agent = agent;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (ntlines == captlines) {
			captlines = captlines ? captlines * 2 : 256;
			tlines = realloc(tlines, captlines * sizeof *tlines);
		}
		tlines[ntlines++] = (struct tline){fi, strdup(line)};
	}
	free(line);
	fclose(f);
}

static void walk(const char *dir, enum agent agent)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) { /* a fixed order: readdir's is the file system's */
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	}
	for (size_t i = 0; i < n; i++) {
		char p[1024];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		size_t l = strlen(p);
		if (l > 6 && !strcmp(p + l - 6, ".jsonl"))
			read_file(p, agent);
		else
			walk(p, agent);
		free(names[i]);
	}
	free(names);
}

static void load_samples(void)
{
	if (ntlines)
		return;
	walk(SAMPLES_DIR "/claude", AGENT_CLAUDE);
	walk(SAMPLES_DIR "/codex", AGENT_CODEX);
	cr_assert_gt(ntlines, 100, "the samples were not found");
}

static unsigned rng;
static unsigned rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

/* The lines in a random interleaving that keeps each file's own order. */
static size_t *interleave(void)
{
	size_t *next = calloc((size_t)ntfiles, sizeof *next), *order = malloc(ntlines * sizeof *order);
	size_t **byfile = calloc((size_t)ntfiles, sizeof *byfile), *cnt = calloc((size_t)ntfiles, sizeof *cnt);
	for (size_t i = 0; i < ntlines; i++) {
		int f = tlines[i].file;
		byfile[f] = realloc(byfile[f], (cnt[f] + 1) * sizeof **byfile);
		byfile[f][cnt[f]++] = i;
	}
	for (size_t k = 0; k < ntlines;) {
		int f = (int)rnd((unsigned)ntfiles);
		size_t run = 1 + rnd(6);
		while (run-- && next[f] < cnt[f])
			order[k++] = byfile[f][next[f]++];
	}
	for (int f = 0; f < ntfiles; f++)
		free(byfile[f]);
	free(byfile);
	free(cnt);
	free(next);
	return order;
}

/* Feed line order[k] (its file registered when first met). */
static void feed(struct model *m, long *fidx, size_t line)
{
	const struct tline *l = &tlines[line];
	if (fidx[l->file] < 0)
		fidx[l->file] = (long)model_file_add(m, tfiles[l->file].agent, tfiles[l->file].path,
						     strstr(tfiles[l->file].path, "agent-") != NULL);
	model_feed(m, (uint32_t)fidx[l->file], l->text, strlen(l->text));
}

static void report(const struct model *m, struct buf *out)
{
	struct report_ctx c = {.now = NOW, .quota = {.limit_auto = true}, .utf8 = true};
	out->len = 0;
	report_json(m, &c, out);
}

/* m's image loaded into a new model; the file indices stay. */
static struct model *round_trip(const struct model *m)
{
	struct buf img = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	struct model *n = model_new(NULL);
	cr_assert_eq(model_image_load(n, img.data, img.len), MODEL_IMAGE_OK);
	buf_free(&img);
	return n;
}

Test(model_image, a_break_anywhere_changes_nothing)
{
	load_samples();
	struct buf a = {0}, b = {0};
	for (unsigned seed = 1; seed <= 24; seed++) {
		rng = seed;
		size_t *order = interleave();
		long fa[64], fb[64];
		memset(fa, -1, sizeof fa);
		memset(fb, -1, sizeof fb);
		struct model *whole = model_new(NULL), *part = model_new(NULL);
		/* one to three breaks: image, load, go on */
		size_t cut[3] = {rnd((unsigned)ntlines), rnd((unsigned)ntlines), rnd((unsigned)ntlines)};
		unsigned ncut = 1 + seed % 3;
		for (size_t k = 0; k < ntlines; k++) {
			feed(whole, fa, order[k]);
			for (unsigned c = 0; c < ncut; c++)
				if (cut[c] == k) {
					struct model *n = round_trip(part);
					model_free(part);
					part = n;
				}
			feed(part, fb, order[k]);
		}
		report(whole, &a);
		report(part, &b);
		cr_assert_eq(a.len, b.len, "seed %u: the report after a round trip differs in length", seed);
		cr_assert(memcmp(a.data, b.data, a.len) == 0, "seed %u: the report after a round trip differs", seed);
		cr_assert_eq(model_request_count(whole), model_request_count(part));
		model_free(whole);
		model_free(part);
		free(order);
	}
	buf_free(&a);
	buf_free(&b);
}

static struct model *sample_model(void)
{
	load_samples();
	long f[64];
	memset(f, -1, sizeof f);
	struct model *m = model_new(NULL);
	for (size_t k = 0; k < ntlines; k++)
		feed(m, f, k);
	return m;
}

Test(model_image, what_no_image_carries_is_not_written)
{
	struct model *m = sample_model();
	struct buf img = {0};
	model_file_gone(m, 0);
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_GONE);
	cr_assert_eq(img.len, 0);
	model_free(m);
	m = model_new(NULL);
	uint32_t g = model_file_add(m, AGENT_GEMINI, "/g/session-1.jsonl", false);
	const char *rec = "{\"sessionId\":\"g1\",\"projectHash\":\"ab\",\"startTime\":\"2026-11-19T09:00:00.000Z\","
			  "\"lastUpdated\":\"2026-11-19T09:00:00.000Z\",\"kind\":\"main\"}";
	model_feed(m, g, rec, strlen(rec));
	if (model_image_write(m, &img) == MODEL_IMAGE_OK) {
		/* no Gemini state was made by that line: then the image must load and carry it */
		struct model *n = model_new(NULL);
		cr_assert_eq(model_image_load(n, img.data, img.len), MODEL_IMAGE_OK);
		model_free(n);
	}
	buf_free(&img);
	model_free(m);
}

Test(model_image, damaged_foreign_or_other_options_refused)
{
	struct model *m = sample_model();
	struct buf img = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	struct model *n = model_new(NULL);
	/* every cut length (a few hundred sampled) */
	for (size_t len = 0; len < img.len; len += 1 + len / 7)
		cr_assert_neq(model_image_load(n, img.data, len), MODEL_IMAGE_OK, "cut at %zu loaded", len);
	/* a flipped bit anywhere */
	for (size_t at = 0; at < img.len; at += 1 + at / 11) {
		img.data[at] ^= 0x20;
		cr_assert_neq(model_image_load(n, img.data, img.len), MODEL_IMAGE_OK, "a flip at %zu loaded", at);
		img.data[at] ^= 0x20;
	}
	cr_assert_eq(model_file_count(n), 0, "a refused image left something in the model");
	/* other options */
	struct model_opts o;
	model_opts_default(&o);
	o.cold_ratio = 0.4;
	struct model *x = model_new(&o);
	cr_assert_eq(model_image_load(x, img.data, img.len), MODEL_IMAGE_OTHER_OPTS);
	model_free(x);
	/* any agent's assumed TTL is an option too */
	for (int a = 0; a < AGENT_COUNT; a++) {
		model_opts_default(&o);
		o.ttl_s[a] += 60;
		x = model_new(&o);
		cr_assert_eq(model_image_load(x, img.data, img.len), MODEL_IMAGE_OTHER_OPTS, "agent %d", a);
		model_free(x);
	}
	/* a model already fed */
	cr_assert_eq(model_image_load(m, img.data, img.len), MODEL_IMAGE_NOT_FRESH);
	/* the right one */
	cr_assert_eq(model_image_load(n, img.data, img.len), MODEL_IMAGE_OK);
	model_free(n);
	model_free(m);
	buf_free(&img);
}

/* The body changed and its hash made right again (as a made-up file would be): every index is
 * checked, so the image is refused or gives a model that reports (and frees) without a fault. */
Test(model_image, made_up_bodies_are_checked_not_trusted)
{
	struct model *m = sample_model();
	struct buf img = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	struct buf copy = {0}, out = {0};
	rng = 5;
	size_t refused = 0, tries = 3000;
	for (size_t t = 0; t < tries; t++) {
		copy.len = 0;
		buf_append(&copy, img.data, img.len);
		unsigned char *b = (unsigned char *)copy.data;
		for (unsigned k = 0, n = 1 + rnd(3); k < n; k++) {
			size_t at = 40 + rnd((unsigned)(img.len - 40));
			b[at] = rnd(4) == 0 ? 0xff : (unsigned char)(b[at] ^ (1u << rnd(8)));
		}
		uint64_t h = statefile_hash(b + 40, copy.len - 40);
		memcpy(b + 32, &h, 8);
		struct model *n = model_new(NULL);
		if (model_image_load(n, copy.data, copy.len) == MODEL_IMAGE_OK) {
			report(n, &out);
			/* and it goes on reading */
			uint32_t f = model_file_add(n, AGENT_CLAUDE, "/x/extra.jsonl", false);
			model_feed(n, f, tlines[0].text, strlen(tlines[0].text));
		} else {
			refused++;
		}
		model_free(n);
	}
	cr_assert_gt(refused, tries / 10, "only %zu of %zu made-up images refused", refused, tries);
	buf_free(&copy);
	buf_free(&out);
	buf_free(&img);
	model_free(m);
}

/* A model loaded for reading only (a report of an unchanged tree): the same report and status
 * as the whole load, none of the line-taking maps, and refused like the whole load when damaged. */
Test(model_image, a_sealed_load_reads_the_same)
{
	struct model *m = sample_model();
	struct buf img = {0}, a = {0}, b = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	struct model *whole = model_new(NULL), *sealed = model_new(NULL);
	cr_assert_eq(model_image_load(whole, img.data, img.len), MODEL_IMAGE_OK);
	cr_assert_eq(model_image_load_sealed(sealed, img.data, img.len), MODEL_IMAGE_OK);
	report(whole, &a);
	report(sealed, &b);
	cr_assert_gt(a.len, 1000);
	cr_assert_eq(a.len, b.len, "the sealed model's report differs in length");
	cr_assert(memcmp(a.data, b.data, a.len) == 0, "the sealed model's report differs");
	struct status_digest da, db;
	status_digest_of(whole, &da);
	status_digest_of(sealed, &db);
	struct buf pa = {0}, pb = {0};
	status_digest_put(&da, 1, &pa);
	status_digest_put(&db, 1, &pb);
	cr_assert(pa.len == pb.len && memcmp(pa.data, pb.data, pa.len) == 0, "the status digests differ");
	status_digest_free(&da);
	status_digest_free(&db);
	buf_free(&pa);
	buf_free(&pb);
	/* damage is refused as by the whole load: a flip in the maps it skips too */
	struct model *n = model_new(NULL);
	for (size_t at = 0; at < img.len; at += 1 + at / 11) {
		img.data[at] ^= 0x20;
		cr_assert_neq(model_image_load_sealed(n, img.data, img.len), MODEL_IMAGE_OK, "a flip at %zu loaded", at);
		img.data[at] ^= 0x20;
	}
	model_free(n);
	model_free(whole);
	model_free(sealed);
	model_free(m);
	buf_free(&img);
	buf_free(&a);
	buf_free(&b);
}

/* A model that borrows its requests from the image (a warm report): the same report from a
 * read-only copy (a write there would fault), the checksum's pass told window by window, what
 * it borrows from released after it, and an image lying unaligned copied instead. */
struct pager_count {
	size_t want, done, bytes;
	const unsigned char *lo, *hi;
	bool outside;
};
static void pc_want(void *ctx, const void *p, size_t n)
{
	struct pager_count *c = ctx;
	c->want++;
	c->outside |= (const unsigned char *)p < c->lo || (const unsigned char *)p + n > c->hi;
}
static void pc_done(void *ctx, const void *p, size_t n)
{
	struct pager_count *c = ctx;
	c->done++;
	c->bytes += n;
	c->outside |= (const unsigned char *)p < c->lo || (const unsigned char *)p + n > c->hi;
}
static int released;
static void note_release(void *ctx) { released += *(int *)ctx; }

Test(model_image, a_borrowed_load_reads_the_same_from_read_only_memory)
{
	struct model *m = sample_model();
	struct buf img = {0}, a = {0}, b = {0}, u = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	size_t maplen = img.len + 1;
	unsigned char *ro = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(ro, MAP_FAILED);
	memcpy(ro, img.data, img.len);
	cr_assert_eq(mprotect(ro, maplen, PROT_READ), 0);
	struct pager_count pc = {.lo = ro, .hi = ro + img.len};
	struct statefile_pager pg = {pc_want, pc_done, &pc};
	struct model *whole = model_new(NULL), *bor = model_new(NULL);
	cr_assert_eq(model_image_load(whole, img.data, img.len), MODEL_IMAGE_OK);
	cr_assert_eq(model_image_load_borrowed(bor, ro, img.len, &pg), MODEL_IMAGE_OK);
	cr_assert(pc.want >= 1 && pc.want == pc.done && !pc.outside, "the pager was told %zu/%zu windows", pc.want, pc.done);
	cr_assert_geq(pc.bytes + 32, img.len - 40, "the checksum's pass covered %zu of %zu bytes", pc.bytes, img.len);
	int one = 1;
	released = 0;
	model_keep(bor, note_release, NULL, &one);
	report(whole, &a);
	report(bor, &b);
	cr_assert_gt(a.len, 1000);
	cr_assert(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "the borrowed model's report differs");
	model_free(bor);
	cr_assert_eq(released, 1, "what the model borrowed from was not released with it");
	/* an image one byte off its alignment loads by copying, and reads the same */
	unsigned char *off = xmalloc(img.len + 1);
	memcpy(off + 1, img.data, img.len);
	struct model *cp = model_new(NULL);
	cr_assert_eq(model_image_load_borrowed(cp, off + 1, img.len, NULL), MODEL_IMAGE_OK);
	memset(off, 0xAA, img.len + 1); /* a copy: the model does not need it any more */
	report(cp, &u);
	cr_assert(a.len == u.len && memcmp(a.data, u.data, a.len) == 0, "the copied model's report differs");
	free(off);
	model_free(cp);
	munmap(ro, maplen);
	model_free(whole);
	model_free(m);
	buf_free(&img);
	buf_free(&a);
	buf_free(&b);
	buf_free(&u);
}

/* A model loaded in place (a dashboard from the state): its full request chunks and its dedup
 * ids used where they lie in the image, it goes on taking lines exactly as a model loaded whole
 * (a later version of an old request written into the image's memory, new ids in its own
 * tables), and its image (the two tiers of each map written as one table) loads and dedups
 * the same. Over one full chunk of requests, so that one is lent. */
static void claude_line(struct buf *b, unsigned i, unsigned out)
{
	b->len = 0;
	buf_printf(b, "{\"type\":\"assistant\",\"sessionId\":\"s%u\",\"uuid\":\"u%u\",\"requestId\":\"r%u\","
		   "\"timestamp\":\"2026-11-%02uT%02u:%02u:%02u.000Z\",\"message\":{\"id\":\"m%u\",\"model\":"
		   "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":3,\"cache_read_input_tokens\":%u,"
		   "\"output_tokens\":%u}}}",
		   i / 2000, i, i, 1 + i / 86400 % 28, i / 3600 % 24, i / 60 % 60, i % 60, i, 1000 + i % 7, out);
}
static void feed_n(struct model *m, unsigned from, unsigned to, unsigned out, struct buf *b)
{
	for (unsigned i = from; i < to; i++) {
		char path[64];
		snprintf(path, sizeof path, "/p/s%u.jsonl", i / 2000);
		uint32_t f = model_file_add(m, AGENT_CLAUDE, path, false);
		claude_line(b, i, out);
		model_feed(m, f, b->data, b->len);
	}
}

Test(model_image, a_model_loaded_in_place_takes_lines_as_one_loaded_whole)
{
	enum { N = 65536 + 300 };
	struct buf line = {0}, img = {0}, img2 = {0}, a = {0}, b = {0};
	struct model *m = model_new(NULL);
	feed_n(m, 0, N, 5, &line);
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	model_free(m);
	char *mem = xmalloc(img.len); /* private, writable, aligned */
	memcpy(mem, img.data, img.len);
	struct model *whole = model_new(NULL), *inp = model_new(NULL);
	cr_assert_eq(model_image_load(whole, img.data, img.len), MODEL_IMAGE_OK);
	cr_assert_eq(model_image_load_in_place(inp, mem, img.len, NULL), MODEL_IMAGE_OK);
	const char *r0 = (const char *)model_request(inp, 0), *rl = (const char *)model_request(inp, N - 1);
	cr_assert(r0 >= mem && r0 < mem + img.len, "the first chunk was copied, not lent");
	cr_assert(!(rl >= mem && rl < mem + img.len), "the partial last chunk was lent: the model grows there");
	/* later versions of old requests (a bigger output: written in place), their copies, and
	 * new requests in old and new sessions */
	feed_n(whole, 100, 140, 9, &line);
	feed_n(inp, 100, 140, 9, &line);
	feed_n(whole, 0, 40, 5, &line);
	feed_n(inp, 0, 40, 5, &line);
	feed_n(whole, N, N + 500, 5, &line);
	feed_n(inp, N, N + 500, 5, &line);
	report(whole, &a);
	report(inp, &b);
	cr_assert(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "the model loaded in place reports otherwise");
	cr_assert_eq(model_request(inp, 100)->output, 9, "the later version was not taken");
	/* its image: one table per map again, which loads whole and still knows every id */
	cr_assert_eq(model_image_write(inp, &img2), MODEL_IMAGE_OK);
	struct model *again = model_new(NULL);
	cr_assert_eq(model_image_load(again, img2.data, img2.len), MODEL_IMAGE_OK);
	feed_n(again, 0, 200, 5, &line);
	feed_n(whole, 0, 200, 5, &line);
	a.len = b.len = 0;
	report(whole, &a);
	report(again, &b);
	cr_assert(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "the image of the model loaded in place reads otherwise");
	model_free(again);
	model_free(inp);
	model_free(whole);
	free(mem);
	buf_free(&line);
	buf_free(&img);
	buf_free(&img2);
	buf_free(&a);
	buf_free(&b);
}

/* Feeding it is a program's error, stopped before it could count anything twice. */
Test(model_image, a_sealed_model_is_never_fed, .exit_code = 1)
{
	struct model *m = sample_model();
	struct buf img = {0};
	cr_assert_eq(model_image_write(m, &img), MODEL_IMAGE_OK);
	struct model *sealed = model_new(NULL);
	cr_assert_eq(model_image_load_sealed(sealed, img.data, img.len), MODEL_IMAGE_OK);
	model_feed(sealed, 0, tlines[0].text, strlen(tlines[0].text));
	cr_assert_fail("a sealed model took a line");
}
