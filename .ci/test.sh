#!/bin/sh
# test.sh — the whole check, as on a fresh machine: packages, a -Werror build and the Criterion
# suite, the same suite under ASan+UBSan, a short fuzzing smoke run, and the .deb install check.
set -eu
cd "$(dirname "$0")/.."
sh .ci/deps.sh test
jobs=$(nproc 2>/dev/null || echo 2)

# run_ctest DIR: the suite in DIR. A test that skips itself (exit 77: a tool it drives is missing)
# fails the check too: deps.sh installed every tool the tests use, so a skip means one is missing.
run_ctest() {
	{ ctest --test-dir "$1" --output-on-failure -j"$jobs"; echo $? >"$1/ctest.rc"; } | tee "$1/ctest.log"
	[ "$(cat "$1/ctest.rc")" = 0 ] || exit 1
	if grep -q '(Skipped)' "$1/ctest.log"; then
		echo "skipped tests: a tool they need is missing (add it to .ci/deps.sh test)"
		exit 1
	fi
}

echo "== build (-Werror) and test"
# CACHETOP_TESTS=ON: a missing Criterion fails here instead of leaving ctest nothing to run.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCACHETOP_WERROR=ON -DCACHETOP_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
run_ctest build

echo "== ASan + UBSan build and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCACHETOP_WERROR=ON -DCACHETOP_SANITIZE=ON \
	-DCACHETOP_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest build-asan
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS

if [ -f tests/fuzz/run_smoke.sh ]; then
	echo "== fuzzing smoke"
	CC=clang cmake -S . -B build-fuzz -DCACHETOP_FUZZ=ON -DCACHETOP_TESTS=OFF -DCACHETOP_WERROR=ON >/dev/null
	cmake --build build-fuzz -j"$jobs" --target fuzzers
	sh tests/fuzz/run_smoke.sh "${FUZZ_SECONDS:-20}" build-fuzz
fi

if [ -f .ci/package-check.sh ]; then
	echo "== package"
	bash .ci/package-check.sh
fi
echo "all checks passed"
