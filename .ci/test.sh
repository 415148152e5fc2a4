#!/bin/sh
# test.sh — the whole check, as on a fresh machine: packages, a -Werror build and the Criterion
# suite, the same suite under ASan+UBSan, a short fuzzing smoke run, and the .deb install check.
set -eu
cd "$(dirname "$0")/.."
sh .ci/deps.sh test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (-Werror) and test"
# CACHETOP_TESTS=ON: a missing Criterion fails here instead of leaving ctest nothing to run.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCACHETOP_WERROR=ON -DCACHETOP_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== ASan + UBSan build and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCACHETOP_WERROR=ON -DCACHETOP_SANITIZE=ON \
	-DCACHETOP_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs"

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
