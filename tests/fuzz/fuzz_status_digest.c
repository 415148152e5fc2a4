/* fuzz_status_digest.c — libFuzzer target: the input as a saved status digest
 * (status_digest.h). Its head is made right first (magic, version, the image's hash, length,
 * and the body's hash), so what gets explored is the body's checks: counts bounded, times in
 * range, bools and causes checked. A digest that reads must give quotas at several times
 * without a fault (the sanitizers watch the arithmetic). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cachetop/quota.h"
#include "cachetop/statefile.h"
#include "cachetop/status_digest.h"
#include "cachetop/util.h"
#include "fuzz_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FUZZ_HEAD)
		return 0;
	/* the head of a real digest (an empty model's), then this body's length and hash */
	struct model *m = model_new(NULL);
	struct status_digest d;
	status_digest_of(m, &d);
	struct buf head = {0};
	status_digest_put(&d, 42, &head);
	status_digest_free(&d);
	model_free(m);
	if (head.len < FUZZ_HEAD)
		abort();
	unsigned char *b = fuzz_with_head(data, size, head.data);
	buf_free(&head);
	if (status_digest_get(b, size, 42, &d)) {
		const int64_t nows[] = {0, 1795305600000LL, 253402300799000LL, -253402300799000LL};
		for (size_t k = 0; k < sizeof nows / sizeof *nows; k++)
			for (int a = 0; a < AGENT_COUNT; a++) {
				struct quota q;
				struct quota_opts o = {.limit_auto = k % 2 == 0, .limit = 10};
				quota_compute_acct((enum agent)a, &d.bl[a], &d.acct, nows[k], &o, NULL, &q);
			}
		status_digest_free(&d);
	}
	free(b);
	return 0;
}
