/* model_image.h — the model saved whole (model_image.c): a compact image of everything a model
 * holds, written after a read and loaded by a later start instead of feeding it every record
 * again. Pure: a buffer in, a buffer out; the app keeps it in its state file. An image is only
 * as good as what wrote it, so it carries a checksum and a key of what decides the model beyond
 * its lines (options, prices), and every index in it is checked before the model is used. */
#ifndef CACHETOP_MODEL_IMAGE_H
#define CACHETOP_MODEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/model.h"
#include "cachetop/statefile.h"
#include "cachetop/util.h"

#define MODEL_IMAGE_VERSION 3

/* Why an image was not written or not loaded. */
enum model_image_why {
	MODEL_IMAGE_OK = 0,
	MODEL_IMAGE_AGENT_STATE, /* write: an agent module's own state, which no image carries */
	MODEL_IMAGE_GONE,        /* write: a file was reset or is gone: a fresh read holds neither */
	MODEL_IMAGE_OTHER_OPTS,  /* load: written under other options or prices */
	MODEL_IMAGE_DAMAGED,     /* load: not an image, wrong checksum or version, an index out of
	                          * bounds */
	MODEL_IMAGE_NOT_FRESH,   /* load: the model given was fed already */
};

/* m's image into out (emptied first); MODEL_IMAGE_OK, or why none was written (out empty). */
enum model_image_why model_image_write(const struct model *m, struct buf *out);
/* What model_image_write would answer, without writing (so a caller can decide on an image
 * before it has the memory for one). */
enum model_image_why model_image_writable(const struct model *m);
/* Load an image into m, a model just made by model_new (its options and prices are the
 * caller's and must be those the image was written under). On anything but MODEL_IMAGE_OK, m
 * is unchanged. */
enum model_image_why model_image_load(struct model *m, const void *p, size_t n);
/* The same for a model that will only be read (a report of a tree unchanged since the image):
 * the maps that only serve new lines (dedup ids, parent links) are checked and left unread, so
 * it loads in about half the time. Feeding it anything, or writing its image, is a fatal
 * error (a program bug, never the data's). */
enum model_image_why model_image_load_sealed(struct model *m, const void *p, size_t n);
/* The same, the requests left where they lie in the image (when it lies 8-byte aligned, as in a
 * state file; copied otherwise): no copy of the largest part, so a warm report of a long history
 * holds it once; pg (or NULL) pages its checksum's pass (statefile_hash_paged), so that what is
 * not borrowed need not stay in memory. p must then stay unchanged until m is freed (model_keep
 * ties the two); the model never writes there (a read-only mapping would fault). */
enum model_image_why model_image_load_borrowed(struct model *m, const void *p, size_t n,
					       const struct statefile_pager *pg);
/* A whole load (the model takes more lines: a dashboard, a watch, a report after changes) that
 * leaves the requests and the dedup ids, a long history's bulk, where they lie in the image (when
 * aligned; copied otherwise): new ones go to the model's own memory. The model writes there (a
 * later version of an old request, an old id's new owner), so p must be private writable memory
 * (a MAP_PRIVATE mapping of the state file: what it changes stays in this process), unchanged
 * by anyone else until m is freed (model_keep). */
enum model_image_why model_image_load_in_place(struct model *m, void *p, size_t n, const struct statefile_pager *pg);
/* The head of an image written for m's options and prices, in a region of n bytes (the image
 * first, perhaps more after it) starting at p; only the head's 40 bytes at p are read: the
 * image's whole length (head and body) and its body's hash. The body is not checked here
 * (model_image_load does): MODEL_IMAGE_OK, _OTHER_OPTS or _DAMAGED. */
enum model_image_why model_image_head(const struct model *m, const void *p, size_t n, size_t *len, uint64_t *hash);
/* The file index m gave `path` of `agent`, or -1. */
long model_image_file(const struct model *m, enum agent agent, const char *path);

#endif
