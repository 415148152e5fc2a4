/* fuzz_head.h — for the fuzz targets of saved images (the model's, the status digest): the
 * input copied with its 40-byte head made right — the first 24 bytes (magic, version, tag) of a
 * real head, then the body's length and hash — so that the fuzzer explores the body's checks
 * instead of failing on the hash. */
#ifndef CACHETOP_FUZZ_HEAD_H
#define CACHETOP_FUZZ_HEAD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/statefile.h"

enum { FUZZ_HEAD = 40 };

/* A malloc'd copy of data (size >= FUZZ_HEAD) under the head's first 24 bytes from `real`. */
static inline unsigned char *fuzz_with_head(const uint8_t *data, size_t size, const void *real)
{
	unsigned char *b = malloc(size);
	memcpy(b, data, size);
	memcpy(b, real, 24);
	uint64_t len = size - FUZZ_HEAD, h = statefile_hash(b + FUZZ_HEAD, (size_t)len);
	memcpy(b + 24, &len, 8);
	memcpy(b + 32, &h, 8);
	return b;
}

#endif
