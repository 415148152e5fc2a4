/* one.h — a fixture for the layout check: it and two.h include each other, a circle the check
 * must find. */
#ifndef LAYOUT_CIRCLE_ONE_H
#define LAYOUT_CIRCLE_ONE_H
#include "two.h"
int one(int n);
#endif
