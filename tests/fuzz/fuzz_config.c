/* fuzz_config.c — libFuzzer target: any bytes through config_load_mem. It must return 0 or -1
 * with a message, never crash, hang or leak; loading twice checks that replacing values frees. */
#include <stdint.h>
#include <stdlib.h>

#include "cachetop/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct conf_err e;
	config_defaults(&c);
	int rc = config_load_mem(&c, "fuzz.yaml", (const char *)data, size, &e);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && !e.msg[0])
		abort(); /* every failure carries a message */
	config_load_mem(&c, "fuzz.yaml", (const char *)data, size, &e);
	config_free(&c);
	return 0;
}
