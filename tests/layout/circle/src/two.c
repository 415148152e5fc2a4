/* two.c — a fixture for the layout check: the other half of one.c's circle of calls. */
#include "two.h"

int two(int n) { return n > 0 ? one(n - 1) : 1; }
