#!/bin/sh
# expect_names.sh — the agent-names check must fail on a fixture where a generic file names an
# agent, pointing at that file and line, and pass over the agent's own file, a model's id
# ("alpha-2-large") and an option's ("--beta-dir") (a check that cannot fail proves nothing).
# usage: expect_names.sh PYTHON CHECK FIXTURE
out=$("$1" "$2" "$3" 2>&1)
rc=$?
echo "$out"
[ "$rc" = 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
echo "$out" | grep -q '^    src/core/model.c:2$' || { echo "the stray name in src/core/model.c was not found"; exit 1; }
echo "$out" | grep -q '^alpha .*: 0$' || { echo "alpha's own file or a model id was counted"; exit 1; }
echo "$out" | grep -q 'include/x/ok.h' && { echo "an id joined by a hyphen was counted"; exit 1; }
exit 0
