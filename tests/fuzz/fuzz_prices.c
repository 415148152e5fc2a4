/* fuzz_prices.c — libFuzzer target: any bytes through prices_load_mem, then a lookup and a cost
 * on every model that loaded (rates must be finite and non-negative). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "cachetop/config.h"
#include "cachetop/price.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct price_table t = { 0 };
	struct conf_err e;
	int rc = prices_load_mem(&t, "fuzz.yaml", (const char *)data, size, &e);
	if (rc == -1 && !e.msg[0])
		abort();
	struct usage u = { .input = 1000, .cache_creation = 300000, .cc5m = 100000, .cc1h = 200000,
			   .cache_read = 5000, .output = 700 };
	for (size_t i = 0; i < t.n; i++) {
		const struct price *p = price_lookup(&t, t.v[i].name);
		if (!p)
			abort();
		double cost = price_cost(&t.v[i], &u);
		if (!isfinite(cost) || cost < 0)
			abort();
	}
	price_table_free(&t);
	return 0;
}
