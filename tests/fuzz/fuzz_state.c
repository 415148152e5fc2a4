/* fuzz_state.c — libFuzzer target: the input as a warm-start state file. The header's length,
 * version and table hash are set to match the input first (otherwise nearly every input would
 * stop at them), so the table checks, the path lookup and the records are what gets explored:
 * every entry is looked up by its path, its records are unpacked and applied to a model
 * whatever their hash says, the folder listings are walked whatever their hash says, the table
 * read alone must be judged as the whole file is, and the table is encoded again and must read
 * back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/line.h"
#include "cachetop/model.h"
#include "cachetop/statefile.h"
#include "cachetop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < STATEFILE_HEADER)
		return 0;
	unsigned char *b = malloc(size);
	memcpy(b, data, size);
	uint64_t len = size, records, build, roots;
	memcpy(&records, b + 56, 8);
	memcpy(&build, b + 16, 8);
	memcpy(&roots, b + 24, 8);
	memcpy(b + 40, &len, 8);
	/* and the format's version, so that seeds written before a version change still reach
	 * past the header (test_statefile checks that another version is refused) */
	uint32_t version = STATEFILE_VERSION;
	if (size >= 16)
		memcpy(b + 12, &version, 4);
	if (records >= STATEFILE_HEADER && records <= size) {
		uint64_t h = statefile_hash(b + STATEFILE_HEADER, (size_t)records - STATEFILE_HEADER);
		memcpy(b + 48, &h, 8);
		/* the folder listings' length and hash, which the meta hash vouches for too */
		uint64_t dlen, dhash, zero = 0, rest;
		memcpy(&dlen, b + 72, 8);
		memcpy(&dhash, b + 80, 8);
		memcpy(b + 72, &zero, 8);
		rest = len - dlen;
		memcpy(b + 40, &rest, 8);
		struct buf hb = {.data = (char *)b, .len = size, .cap = size};
		statefile_set_dirs(&hb, dlen, dhash);
	}
	struct statefile sf;
	int whole = statefile_open(&sf, b, size, size, build, roots);
	/* the table alone (as the app reads it) says the same */
	struct statefile head;
	if (records >= STATEFILE_HEADER && records <= size &&
	    statefile_open(&head, b, (size_t)records, size, build, roots) != whole)
		abort();
	if (whole == 0) {
		struct model_opts o;
		model_opts_default(&o);
		struct model *m = model_new(&o);
		struct line ln;
		struct statefile_entry *v = calloc(sf.n ? sf.n : 1, sizeof *v);
		for (size_t i = 0; i < sf.n; i++) {
			statefile_get(&sf, i, &v[i]);
			if (statefile_find(&sf, v[i].path) != (long)i)
				abort();
			if (!v[i].records)
				abort(); /* the whole file is in the buffer */
			(void)statefile_records_ok(&v[i], v[i].records);
			uint32_t f = model_file_add(m, (enum agent)(i % AGENT_COUNT), v[i].path, false);
			const char *p = v[i].records, *end = p + v[i].rec_len;
			size_t used;
			while (p < end && (used = line_unpack(p, (size_t)(end - p), &ln)) > 0) {
				model_apply(m, f, &ln);
				p += used;
			}
		}
		size_t pos = 0;
		struct statefile_dir d, prev;
		const struct statefile_dir *pp = NULL;
		while (statefile_dir_next(b + sf.dirs_at, (size_t)sf.dirs_len, &pos, pp, &d) == 1) {
			if (pos > sf.dirs_len || d.path_len == 0)
				abort();
			prev = d;
			pp = &prev;
		}
		struct buf out = {0};
		statefile_encode_meta(v, sf.n, build, roots, &out);
		struct statefile again;
		/* the records area is not part of out: only the table can be read back */
		for (size_t i = 0; i < sf.n; i++)
			v[i].rec_off = v[i].rec_len = 0;
		statefile_encode_meta(v, sf.n, build, roots, &out);
		if (statefile_open(&again, out.data, out.len, out.len, build, roots) != 0 || again.n != sf.n)
			abort();
		buf_free(&out);
		free(v);
		model_free(m);
	}
	free(b);
	return 0;
}
