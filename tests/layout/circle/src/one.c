/* one.c — a fixture for the layout check: one() calls two() and two() calls one(), a circle of
 * calls between two files the check must find. */
#include "one.h"

int one(int n) { return n > 0 ? two(n - 1) : 0; }
