/* status_digest.h — what the one-line `status` needs of a model, small enough to keep beside
 * its image in the state file: each agent's 5-hour blocks, the account's limit reading from the
 * transcripts and the newest unexpected miss. A warm `status` whose tree is unchanged prints
 * from it without loading the model; a cold one takes the same fields from the model it built,
 * so both print the same. Pure: a model in, bytes out, and back (checked, never trusted). */
#ifndef CACHETOP_STATUS_DIGEST_H
#define CACHETOP_STATUS_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachetop/agent.h"
#include "cachetop/model.h"
#include "cachetop/quota.h"
#include "cachetop/util.h"

struct status_digest {
	struct blocks bl[AGENT_COUNT]; /* blocks_compute's, per agent */
	struct account_limits acct;    /* model_account_limits's */
	bool miss;                     /* the newest event that is an unexpected miss: */
	int64_t miss_t;                /* its request's time */
	uint8_t miss_cause;            /* enum cause */
};

/* The digest of m (free it with status_digest_free). */
void status_digest_of(const struct model *m, struct status_digest *d);
void status_digest_free(struct status_digest *d);
/* Append d's bytes to out, tied to the image whose body hash is image_hash. */
void status_digest_put(const struct status_digest *d, uint64_t image_hash, struct buf *out);
/* Read a digest written by status_digest_put for the image with body hash image_hash: false
 * (d empty) when the bytes are not exactly one, hash wrong, tied to another image, or hold a
 * value no model gives. */
bool status_digest_get(const void *p, size_t n, uint64_t image_hash, struct status_digest *d);

#endif
