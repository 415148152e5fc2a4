/* fuzz_theme.c — libFuzzer target: any bytes through theme_load_mem. Whatever the input, the
 * result is a complete theme (every role set) and errors carry a message. */
#include <stdint.h>
#include <stdlib.h>

#include "cachetop/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t;
	struct conf_err e;
	int rc = theme_load_mem(&t, "fuzz.yaml", (const char *)data, size, &e);
	if (rc == -1 && !e.msg[0])
		abort();
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!t.role[i].set)
			abort();
		for (int colors = 8; colors <= 256; colors *= 2) {
			int fg = theme_colour_downgrade(&t.role[i].fg, colors);
			if (fg < -1 || fg >= colors)
				abort();
		}
	}
	return 0;
}
