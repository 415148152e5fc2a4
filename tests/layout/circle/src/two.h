/* two.h — a fixture for the layout check: it and one.h include each other, a circle the check
 * must find. */
#ifndef LAYOUT_CIRCLE_TWO_H
#define LAYOUT_CIRCLE_TWO_H
#include "one.h"
int two(int n);
#endif
