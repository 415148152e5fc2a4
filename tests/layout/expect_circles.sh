#!/bin/sh
# expect_circles.sh — the layout check must fail on a fixture that holds a circle of calls and a
# circle of includes, naming both (a check that cannot fail proves nothing).
# usage: expect_circles.sh PYTHON CHECK ROOT BUILD OBJLIST [NM]
py=$1; shift
out=$("$py" "$@" 2>&1)
rc=$?
echo "$out"
[ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
echo "$out" | grep -q '^call circle of 2 files' || { echo "the circle of calls was not found"; exit 1; }
echo "$out" | grep -q '^include circle of 2 files' || { echo "the circle of includes was not found"; exit 1; }
