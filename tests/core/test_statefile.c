/* test_statefile.c — the warm-start state's bytes: what is written reads back the same, and a
 * file that is cut short, flipped anywhere, from another version or set of roots, or made up
 * with a right hash but wrong lengths, is refused whole (or, for records, by their own hash). */
#include <criterion/criterion.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/statefile.h"

#define BUILD 0x1111222233334444ULL
#define ROOTS 0x5555666677778888ULL

static const char *paths[] = {"/r/claude/projects/a/1.jsonl", "/r/claude/projects/a/2.jsonl",
			      "/r/codex/sessions/2025/11/10/rollout-x.jsonl"};
static const char *recs[] = {"\x02\x00records-one", "", "\x05\x00codex records, longer than the rest"};

/* A whole file: meta + records. */
static unsigned char *make(size_t *len)
{
	struct statefile_entry v[3];
	uint64_t off = 0;
	for (int i = 0; i < 3; i++) {
		v[i] = (struct statefile_entry){.path = paths[i], .path_len = strlen(paths[i]), .dev = 7,
						.ino = 100 + (uint64_t)i, .size = 9000, .mtime_ns = 5, .ctime_ns = 6,
						.offset = 8000 + (uint64_t)i, .head_len = 4096, .tail_len = 4096,
						.head_hash = 11, .tail_hash = 12, .first_ts = 1000, .last_ts = 2000,
						.peek_last_ts = 1999, .lines = 3, .rec_off = off, .rec_len = strlen(recs[i])};
		v[i].rec_hash = statefile_hash(recs[i], strlen(recs[i]));
		memset(v[i].tail, 'a' + i, sizeof v[i].tail);
		off += v[i].rec_len;
	}
	struct buf meta = {0};
	statefile_encode_meta(v, 3, BUILD, ROOTS, &meta);
	cr_assert_eq(meta.len, statefile_meta_size(v, 3));
	*len = meta.len + off;
	unsigned char *b = malloc(*len);
	memcpy(b, meta.data, meta.len);
	size_t at = meta.len;
	for (int i = 0; i < 3; i++) {
		memcpy(b + at, recs[i], strlen(recs[i]));
		at += strlen(recs[i]);
	}
	buf_free(&meta);
	return b;
}

/* Recompute the table hash after an edit, so that only the checks behind it can refuse (a
 * records offset made to point outside the file has no table to hash: it is refused anyway). */
static void rehash(unsigned char *b, size_t len)
{
	uint64_t records, h;
	memcpy(&records, b + 56, 8);
	if (records < STATEFILE_HEADER || records > len)
		return;
	h = statefile_hash(b + STATEFILE_HEADER, (size_t)records - STATEFILE_HEADER);
	memcpy(b + 48, &h, 8);
}

static unsigned char *entry(unsigned char *b, int i) { return b + STATEFILE_HEADER + (size_t)i * STATEFILE_ENTRY; }

Test(statefile, reads_back_what_was_written)
{
	size_t len;
	unsigned char *b = make(&len);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD, ROOTS), 0);
	cr_assert_eq(sf.n, 3);
	for (int i = 0; i < 3; i++) {
		struct statefile_entry e;
		cr_assert_eq(statefile_find(&sf, paths[i]), i);
		statefile_get(&sf, (size_t)i, &e);
		cr_assert_str_eq(e.path, paths[i]);
		cr_assert_eq(e.ino, 100 + (uint64_t)i);
		cr_assert_eq(e.offset, 8000 + (uint64_t)i);
		cr_assert_eq(e.peek_last_ts, 1999);
		cr_assert_eq(e.tail[63], 'a' + i);
		cr_assert_eq(e.rec_len, strlen(recs[i]));
		cr_assert(memcmp(e.records, recs[i], e.rec_len) == 0);
		cr_assert(statefile_records_ok(&e, e.records));
	}
	cr_assert_eq(statefile_find(&sf, "/r/claude/projects/a/0.jsonl"), -1);
	cr_assert_eq(statefile_find(&sf, "/z"), -1);
	/* the table alone, as the app reads it: the records are found in the file at rec_at */
	size_t records = (size_t)statefile_records_at(b, len);
	cr_assert_eq(records, sf.records);
	struct statefile head;
	cr_assert_eq(statefile_open(&head, b, records, len, BUILD, ROOTS), 0);
	for (int i = 0; i < 3; i++) {
		struct statefile_entry e;
		statefile_get(&head, (size_t)i, &e);
		cr_assert(e.rec_len == 0 || e.records == NULL);
		cr_assert(statefile_records_ok(&e, (const char *)b + e.rec_at));
	}
	cr_assert_eq(statefile_open(&head, b, records, len + 1, BUILD, ROOTS), -1, "a longer file than written");
	cr_assert_eq(statefile_open(&head, b, records - 1, len, BUILD, ROOTS), -1, "a table cut short");
	free(b);
}

Test(statefile, another_build_roots_or_version_is_refused)
{
	size_t len;
	unsigned char *b = make(&len);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD + 1, ROOTS), -1);
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD, ROOTS + 1), -1);
	uint32_t v = STATEFILE_VERSION + 1;
	memcpy(b + 12, &v, 4);
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD, ROOTS), -1);
	free(b);
}

Test(statefile, every_cut_is_refused)
{
	size_t len;
	unsigned char *b = make(&len);
	struct statefile sf;
	for (size_t n = 0; n < len; n++)
		cr_assert_eq(statefile_open(&sf, b, n, n, BUILD, ROOTS), -1, "cut at %zu accepted", n);
	free(b);
}

Test(statefile, every_flipped_byte_is_caught)
{
	size_t len;
	unsigned char *b = make(&len);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD, ROOTS), 0);
	size_t records = sf.records;
	for (size_t at = 0; at < len; at++) {
		for (int bit = 0; bit < 8; bit += 3) {
			b[at] ^= (unsigned char)(1u << bit);
			int rc = statefile_open(&sf, b, len, len, BUILD, ROOTS);
			if (at < records) {
				cr_assert_eq(rc, -1, "a flip at %zu (bit %d) was accepted", at, bit);
			} else {
				/* records: the file opens, the damaged entry's hash fails */
				cr_assert_eq(rc, 0);
				int bad = 0;
				for (size_t i = 0; i < sf.n; i++) {
					struct statefile_entry e;
					statefile_get(&sf, i, &e);
					bad += !statefile_records_ok(&e, e.records);
				}
				cr_assert_eq(bad, 1, "a flip in the records at %zu", at);
			}
			b[at] ^= (unsigned char)(1u << bit);
		}
	}
	free(b);
}

/* made-up files whose table hash is right: the lengths themselves must be checked */
static void refused_after(void (*edit)(unsigned char *b, size_t len))
{
	size_t len;
	unsigned char *b = make(&len);
	edit(b, len);
	rehash(b, len);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, b, len, len, BUILD, ROOTS), -1);
	free(b);
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static void e_unsorted(unsigned char *b, size_t len)
{
	(void)len;
	unsigned char t[STATEFILE_ENTRY];
	memcpy(t, entry(b, 0), STATEFILE_ENTRY);
	memcpy(entry(b, 0), entry(b, 1), STATEFILE_ENTRY);
	memcpy(entry(b, 1), t, STATEFILE_ENTRY);
}
static void e_duplicate(unsigned char *b, size_t len)
{
	(void)len;
	memcpy(entry(b, 1) + 120, entry(b, 0) + 120, 8); /* the same path twice */
}
static void e_empty_path(unsigned char *b, size_t len) { (void)len; put32(entry(b, 0) + 124, 0); }
static void e_path_past_area(unsigned char *b, size_t len) { (void)len; put32(entry(b, 2) + 120, 100000); }
static void e_path_unterminated(unsigned char *b, size_t len)
{
	(void)len;
	put32(entry(b, 0) + 124, (uint32_t)strlen(paths[0]) - 1);
}
static void e_path_with_nul(unsigned char *b, size_t len)
{
	(void)len;
	put32(entry(b, 0) + 124, (uint32_t)strlen(paths[0]) + 3); /* runs over its NUL into the next */
}
static void e_records_past_end(unsigned char *b, size_t len) { (void)len; put64(entry(b, 2) + 104, 1000); }
static void e_records_wrap(unsigned char *b, size_t len)
{
	(void)len;
	put64(entry(b, 2) + 96, UINT64_MAX - 2);
	put64(entry(b, 2) + 104, 8);
}
static void e_window_too_big(unsigned char *b, size_t len) { (void)len; put32(entry(b, 0) + 64, STATEFILE_WINDOW + 1); }
static void e_window_past_offset(unsigned char *b, size_t len)
{
	(void)len;
	put64(entry(b, 0) + 40, 100); /* offset 100 with 4 KB windows */
}
static void e_offset_past_size(unsigned char *b, size_t len) { (void)len; put64(entry(b, 1) + 16, 10); }
static void e_too_many(unsigned char *b, size_t len) { (void)len; put64(b + 32, UINT64_MAX / 2); }
static void e_records_before_table(unsigned char *b, size_t len) { (void)len; put64(b + 56, STATEFILE_HEADER + 10); }
static void e_records_past_file(unsigned char *b, size_t len) { put64(b + 56, len + 1); }

Test(statefile, made_up_lengths_are_refused)
{
	refused_after(e_unsorted);
	refused_after(e_duplicate);
	refused_after(e_empty_path);
	refused_after(e_path_past_area);
	refused_after(e_path_unterminated);
	refused_after(e_path_with_nul);
	refused_after(e_records_past_end);
	refused_after(e_records_wrap);
	refused_after(e_window_too_big);
	refused_after(e_window_past_offset);
	refused_after(e_offset_past_size);
	refused_after(e_too_many);
	refused_after(e_records_before_table);
	refused_after(e_records_past_file);
}

Test(statefile, an_empty_state_is_a_state)
{
	struct buf meta = {0};
	statefile_encode_meta(NULL, 0, BUILD, ROOTS, &meta);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, meta.data, meta.len, meta.len, BUILD, ROOTS), 0);
	cr_assert_eq(sf.n, 0);
	cr_assert_eq(statefile_find(&sf, "/x"), -1);
	buf_free(&meta);
}

Test(statefile, the_hash_sees_every_byte)
{
	unsigned char b[200];
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (unsigned char)i;
	for (size_t n = 0; n <= sizeof b; n += 7) {
		uint64_t h = statefile_hash(b, n);
		for (size_t at = 0; at < n; at++) {
			b[at] ^= 1;
			cr_assert_neq(statefile_hash(b, n), h, "length %zu, byte %zu", n, at);
			b[at] ^= 1;
		}
	}
	cr_assert_neq(statefile_hash(b, 0), statefile_hash(b, 1));
}

/* Records come back through line_unpack: what no parser could have written is refused (a
 * made-up time overflowed the model's arithmetic; a flag byte of 2 is no bool). */
#include "cachetop/line.h"
#include "cachetop/timefmt.h"

static size_t packed_line(enum agent a, const char *text, struct buf *out)
{
	static struct line ln;
	line_parse(a, text, strlen(text), &ln);
	out->len = 0;
	line_pack(&ln, out);
	return out->len;
}

Test(statefile, records_no_parser_writes_are_refused)
{
	static struct line back;
	struct buf b = {0};
	const char *claude = "{\"type\":\"assistant\",\"uuid\":\"u1\",\"sessionId\":\"s1\",\"timestamp\":\"2025-11-10T09:00:00Z\","
			     "\"requestId\":\"r1\",\"message\":{\"id\":\"m1\",\"model\":\"claude-sonnet-4-5\",\"usage\":{"
			     "\"input_tokens\":3,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":20,\"output_tokens\":5}}}";
	size_t n = packed_line(AGENT_CLAUDE, claude, &b);
	cr_assert_eq(line_unpack(b.data, n, &back), n);
	int64_t t = INT64_MAX - 5;
	memcpy(b.data + 2, &t, 8); /* kind, problem, then the time */
	cr_assert_eq(line_unpack(b.data, n, &back), 0);
	t = CT_TIME_NONE;
	memcpy(b.data + 2, &t, 8);
	cr_assert_eq(line_unpack(b.data, n, &back), n, "a line without a time is a line");

	const char *codex = "{\"timestamp\":\"2025-11-10T09:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
			    "\"info\":{\"total_token_usage\":{\"input_tokens\":10,\"cached_input_tokens\":5,\"output_tokens\":2,"
			    "\"reasoning_output_tokens\":0,\"total_tokens\":12},\"last_token_usage\":{\"input_tokens\":10,"
			    "\"cached_input_tokens\":5,\"output_tokens\":2,\"reasoning_output_tokens\":0,\"total_tokens\":12}},"
			    "\"rate_limits\":{\"primary\":{\"used_percent\":5.0,\"window_minutes\":300,\"resets_in_seconds\":100}}}}";
	n = packed_line(AGENT_CODEX, codex, &b);
	cr_assert_eq(line_unpack(b.data, n, &back), n);
	cr_assert(back.rl.present);
	/* the rate-limit snapshot comes before the two limit names (2-byte lengths, then the
	 * bytes); its first byte is `present` */
	size_t rl_at = n - sizeof back.rl - 4 - strlen(back.limit_id) - strlen(back.limit_name);
	b.data[rl_at] = 2;
	cr_assert_eq(line_unpack(b.data, n, &back), 0);
	b.data[rl_at] = 1;
	double nan = NAN;
	memcpy(b.data + rl_at + offsetof(struct rate_limits, primary) + offsetof(struct rl_window, used_percent), &nan, 8);
	cr_assert_eq(line_unpack(b.data, n, &back), 0);
	buf_free(&b);
}

/* The model's image after the records: its length in the header, the records' bounds stop
 * where it starts, and a length the file cannot hold is refused. */
Test(statefile, the_image_after_the_records)
{
	size_t len;
	unsigned char *b = make(&len);
	struct buf meta = {0};
	buf_append(&meta, b, (size_t)statefile_records_at(b, len));
	statefile_set_image(&meta, 100);
	unsigned char *w = calloc(1, len + 100);
	memcpy(w, b, len);
	memcpy(w, meta.data, meta.len);
	memset(w + len, 'i', 100);
	struct statefile sf;
	cr_assert_eq(statefile_open(&sf, w, len + 100, len + 100, BUILD, ROOTS), 0);
	cr_assert_eq(sf.image_len, 100);
	cr_assert_eq(sf.image_at, len);
	struct statefile_entry e;
	statefile_get(&sf, 2, &e);
	cr_assert(statefile_records_ok(&e, e.records), "the last records are still where they were");
	cr_assert_eq(statefile_open(&sf, w, len + 99, len + 99, BUILD, ROOTS), -1, "an image cut short");
	/* an image longer than the file, the lengths made to agree otherwise */
	uint64_t big = len + 1000, flen = len + 100;
	memcpy(w + 64, &big, 8);
	memcpy(w + 40, &flen, 8);
	cr_assert_eq(statefile_open(&sf, w, len + 100, len + 100, BUILD, ROOTS), -1, "an image past the file");
	/* an image over the last records */
	uint64_t over = 100 + 5;
	memcpy(w + 64, &over, 8);
	cr_assert_eq(statefile_open(&sf, w, len + 100, len + 100, BUILD, ROOTS), -1, "an image over the records");
	buf_free(&meta);
	free(w);
	free(b);
}

/* Folder listings: read back as written, in order; any cut or a listing out of order or with a
 * malformed entry refused. */
Test(statefile, folder_listings_read_back_and_damage_is_refused)
{
	struct buf blob = {0};
	const unsigned char ents_a[] = {4, 'x', 0, 8, 'a', '.', 'j', 's', 'o', 'n', 'l', 0};
	struct statefile_dir a = {.path = "/r/p", .path_len = 4, .dev = 1, .ino = 2, .mtime_ns = 3,
				  .ctime_ns = 4, .ents = ents_a, .ents_len = sizeof ents_a};
	struct statefile_dir b = {.path = "/r/p/x", .path_len = 6, .dev = 1, .ino = 5, .mtime_ns = 6,
				  .ctime_ns = 7, .ents = NULL, .ents_len = 0};
	statefile_dir_put(&blob, &a);
	statefile_dir_put(&blob, &b);
	size_t pos = 0;
	struct statefile_dir d, prev;
	cr_assert_eq(statefile_dir_next(blob.data, blob.len, &pos, NULL, &d), 1);
	cr_assert(d.path_len == 4 && memcmp(d.path, "/r/p", 4) == 0 && d.ino == 2 && d.ctime_ns == 4);
	cr_assert(d.ents_len == sizeof ents_a && memcmp(d.ents, ents_a, sizeof ents_a) == 0);
	prev = d;
	cr_assert_eq(statefile_dir_next(blob.data, blob.len, &pos, &prev, &d), 1);
	cr_assert(d.path_len == 6 && d.ino == 5 && d.ents_len == 0);
	prev = d;
	cr_assert_eq(statefile_dir_next(blob.data, blob.len, &pos, &prev, &d), 0);
	/* every cut inside a listing */
	for (size_t n = 1; n < blob.len; n++) {
		int r = 1;
		pos = 0;
		const struct statefile_dir *pp = NULL;
		while ((r = statefile_dir_next(blob.data, n, &pos, pp, &d)) == 1) {
			prev = d;
			pp = &prev;
		}
		cr_assert_eq(r, n == 48 + 4 + sizeof ents_a ? 0 : -1, "a cut at %zu", n);
	}
	/* out of order */
	struct buf rev = {0};
	statefile_dir_put(&rev, &b);
	statefile_dir_put(&rev, &a);
	pos = 0;
	cr_assert_eq(statefile_dir_next(rev.data, rev.len, &pos, NULL, &d), 1);
	prev = d;
	cr_assert_eq(statefile_dir_next(rev.data, rev.len, &pos, &prev, &d), -1);
	/* an entry with a '/' in its name, an empty name, a missing NUL */
	const unsigned char bad1[] = {8, 'a', '/', 'b', 0}, bad2[] = {8, 0}, bad3[] = {8, 'a'};
	const unsigned char *bads[] = {bad1, bad2, bad3};
	size_t lens[] = {sizeof bad1, sizeof bad2, sizeof bad3};
	for (int k = 0; k < 3; k++) {
		struct buf x = {0};
		struct statefile_dir c = a;
		c.ents = bads[k];
		c.ents_len = lens[k];
		statefile_dir_put(&x, &c);
		pos = 0;
		cr_assert_eq(statefile_dir_next(x.data, x.len, &pos, NULL, &d), -1, "bad entry %d accepted", k);
		buf_free(&x);
	}
	buf_free(&blob);
	buf_free(&rev);
}
