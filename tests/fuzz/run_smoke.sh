#!/bin/sh
# run_smoke.sh — runs every built libFuzzer target for N seconds (default 30), seeded from
# tests/fuzz/seeds/, the repository's samples/ and tests/data/, with a scratch corpus so the
# repository is never written to. Exits non-zero when any target crashes, leaks or times out;
# crash inputs are kept in the artefact folder it prints.
# usage: tests/fuzz/run_smoke.sh [SECONDS] [BUILD_DIR]   (either order; defaults 30, build-fuzz)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=30
build=$root/build-fuzz
for a in "$@"; do
	case $a in
	*[!0-9]* | '') build=$a ;;
	*) secs=$a ;;
	esac
done
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-fuzz.XXXXXX")
echo "fuzz smoke: ${secs}s per target, build $build, scratch $work"

# seed_dirs TARGET: seed folders that exist for a target
seed_dirs() {
	case $1 in
	fuzz_claude) set -- "$here/seeds/claude" "$root/samples/claude" "$root/tests/data" ;;
	fuzz_codex) set -- "$here/seeds/codex" "$root/samples/codex" "$root/tests/data" ;;
	fuzz_gemini) set -- "$here/seeds/gemini" "$root/samples/gemini" "$root/tests/data" ;;
	fuzz_opencode) set -- "$here/seeds/opencode" "$root/samples/opencode" ;;
	fuzz_statusline) set -- "$here/seeds/statusline" "$root/tests/data" ;;
	fuzz_state) set -- "$here/seeds/state" ;;
	fuzz_model_image) set -- "$here/seeds/model_image" ;;
	fuzz_status_digest) set -- "$here/seeds/status_digest" ;;
	fuzz_theme) set -- "$root/themes" "$root/tests/conf/regress" ;;
	fuzz_config | fuzz_prices) set -- "$root/data" "$root/tests/conf/regress" ;;
	*) set -- "$here/seeds" ;;
	esac
	for d in "$@"; do [ -d "$d" ] && printf '%s\n' "$d"; done
}

status=0
found=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	found=$((found + 1))
	name=$(basename "$bin")
	corpus="$work/$name/corpus"
	art="$work/$name/artifacts/"
	mkdir -p "$corpus" "$art"
	# libFuzzer reads seed folders recursively only one level deep: copy files flat.
	for d in $(seed_dirs "$name"); do
		find "$d" -type f -size -1024k | while IFS= read -r f; do
			cp "$f" "$corpus/$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
		done
	done
	log="$work/$name/log.txt"
	"$bin" -max_total_time="$secs" -max_len=65536 -timeout=25 -rss_limit_mb=2048 \
		-artifact_prefix="$art" -print_final_stats=1 "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		status=1
		echo "FAIL $name (exit $rc) — see $log and $art"
		grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log"
	else
		echo "ok   $name: ${execs:-?} executions, ${cov:-cov: ?}"
	fi
done
if [ $found -eq 0 ]; then
	echo "no fuzzers in $build/tests/fuzz (build with CC=clang -DCACHETOP_FUZZ=ON)" >&2
	exit 1
fi
[ $status -eq 0 ] && rm -rf "$work"
exit $status
