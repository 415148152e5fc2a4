/* fuzz_model_image.c — libFuzzer target: the input as a saved model image (model_image.h). Its
 * head is made right first (magic, version, length, and the body's hash), so what gets explored
 * is the body's checks: every count and index must be bounded before use. An image that loads
 * must give a model that reports, reads on and frees without a fault; a second load into the
 * now-fed model must be refused. The same input loaded sealed (for reading only, its
 * line-taking maps skipped) must load exactly when the whole load does, and report the same;
 * loaded borrowed (its requests used where they lie, in a read-only copy: a write there faults)
 * it must load exactly when the sealed load does, and report the same; loaded in place (requests
 * and dedup ids lent from a writable copy) it must load exactly when the whole load does and,
 * fed the same line, report the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cachetop/model.h"
#include "cachetop/model_image.h"
#include "cachetop/report.h"
#include "cachetop/statefile.h"
#include "cachetop/util.h"
#include "fuzz_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const struct report_ctx ctx = {.now = 1795305600000LL, .quota = {.limit_auto = true}};
/* a line every loaded model is fed */
static const char fed[] = "{\"type\":\"assistant\",\"sessionId\":\"s\",\"uuid\":\"u\",\"requestId\":\"r\","
			  "\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"message\":{\"id\":\"m\",\"model\":"
			  "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}";

/* Two models' reports must be the same, byte for byte. */
static void same_reports(const struct model *x, const struct model *y)
{
	struct buf a = {0}, o = {0};
	report_json(x, &ctx, &a);
	report_json(y, &ctx, &o);
	if (a.len != o.len || memcmp(a.data, o.data, a.len))
		abort();
	buf_free(&a);
	buf_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FUZZ_HEAD)
		return 0;
	struct model *m = model_new(NULL);
	/* the key of the default options, from an image of an empty model */
	struct buf img = {0};
	if (model_image_write(m, &img) != MODEL_IMAGE_OK || img.len < FUZZ_HEAD)
		abort();
	unsigned char *b = fuzz_with_head(data, size, img.data);
	buf_free(&img);
	struct model *sealed = model_new(NULL);
	enum model_image_why why_sealed = model_image_load_sealed(sealed, b, size);
	enum model_image_why why = model_image_load(m, b, size);
	/* the skipped maps are checked for shape only: a sealed load may take what the whole load
	 * refuses for a map's values, never the reverse */
	if (why == MODEL_IMAGE_OK && why_sealed != MODEL_IMAGE_OK)
		abort();
	if (why_sealed == MODEL_IMAGE_OK) {
		struct buf out = {0};
		report_json(sealed, &ctx, &out); /* reports, whether or not the whole load took it */
		buf_free(&out);
		if (why == MODEL_IMAGE_OK)
			same_reports(m, sealed);
	}
	/* borrowed, from a read-only page-aligned copy, its checksum's pass paged */
	size_t maplen = size ? size : 1;
	void *ro = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		abort();
	memcpy(ro, b, size);
	if (mprotect(ro, maplen, PROT_READ) != 0)
		abort();
	struct statefile_pager pg = {0};
	struct model *borrowed = model_new(NULL);
	if (model_image_load_borrowed(borrowed, ro, size, &pg) != why_sealed)
		abort();
	if (why_sealed == MODEL_IMAGE_OK)
		same_reports(sealed, borrowed);
	model_free(borrowed);
	munmap(ro, maplen);
	model_free(sealed);
	unsigned char *mem = xmalloc(size ? size : 1);
	memcpy(mem, b, size);
	struct model *inp = model_new(NULL);
	if (model_image_load_in_place(inp, mem, size, NULL) != why)
		abort();
	if (why == MODEL_IMAGE_OK) {
		struct model *w = model_new(NULL);
		if (model_image_load(w, b, size) != MODEL_IMAGE_OK)
			abort();
		for (struct model *q = w; q; q = q == w ? inp : NULL) {
			uint32_t f = model_file_add(q, AGENT_CLAUDE, "/fuzz/x.jsonl", false);
			model_feed(q, f, fed, strlen(fed));
			if (model_file_count(q) > 1)
				model_feed(q, 0, fed, strlen(fed));
		}
		same_reports(w, inp);
		model_free(w);
	}
	model_free(inp);
	free(mem);
	if (why == MODEL_IMAGE_OK) {
		uint32_t f = model_file_add(m, AGENT_CLAUDE, "/fuzz/x.jsonl", false);
		model_feed(m, f, fed, strlen(fed));
		for (size_t i = 0; i < model_file_count(m) && i < 8; i++)
			model_feed(m, (uint32_t)i, fed, strlen(fed));
		if (model_image_load(m, b, size) != MODEL_IMAGE_NOT_FRESH)
			abort();
	}
	model_free(m);
	free(b);
	return 0;
}
