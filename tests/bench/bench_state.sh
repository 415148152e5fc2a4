#!/usr/bin/env bash
# bench_state.sh: what the warm-start state buys, on generated trees. For each size it prints
# the full read (`report --json --no-state`), the first run that writes the state, the warm
# `report --json` and `status`, the dashboard's first frame from the state, one appended line
# (a warm report after it), the state file's size and peak RSS — medians of wall time and of
# user+sys CPU — and checks that the warm report is byte-identical to the full read.
#
# usage: bench_state.sh BIN [SIZE...]
#   BIN    the cachetop binary (a Release build)
#   SIZE   tree sizes for gen_corpus (default: 512M 2G); each tree is generated under
#          ${TMPDIR:-/tmp}, measured, and deleted (KEEP=1 keeps it)
# environment: RUNS (rounds, default 9), SEED (default 1), GEN_CORPUS (a built gen_corpus;
#              otherwise it is compiled from gen_corpus.c), KEEP
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { sed -n '8,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$(realpath "$1"); shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(512M 2G)
runs=${RUNS:-9}
[ -x "$bin" ] || { echo "bench_state: $bin is not an executable" >&2; exit 2; }
command -v tmux > /dev/null || { echo "bench_state: tmux is needed for the dashboard's first frame" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-bench-state.XXXXXX")
trees=()
cleanup() {
	tmux -L bs$$ kill-server 2> /dev/null || true
	if [ "${KEEP:-0}" != 1 ]; then for t in "${trees[@]}"; do rm -rf "$t"; done; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home"
export HOME=$work/home XDG_CONFIG_HOME=$work/home XDG_STATE_HOME=$work/home XDG_CACHE_HOME=$work/cache
unset CLAUDE_CONFIG_DIR CODEX_HOME NO_COLOR || true

gen=${GEN_CORPUS:-}
if [ -z "$gen" ]; then
	gen=$work/gen_corpus
	cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o "$gen" "$here/gen_corpus.c"
fi

NOW=2026-11-21T00:00:00Z
bench=bench_state
. "$here/bench_lib.sh"
# stat NAME: sets wall (s), rss (MB), cpu (s) of NAME's medians
stat_of() {
	wall=$(cut -d' ' -f1 "$work/$1.samples" | median | awk '{printf "%.4f", $1/1e9}')
	rss=$(cut -d' ' -f2 "$work/$1.samples" | median | awk '{printf "%.1f", $1/1024}')
	cpu=$(cut -d' ' -f3 "$work/$1.samples" | median | awk '{printf "%.3f", $1}')
}
row() { stat_of "$1"; printf '  %-40s %9s s %9s s %8s MB\n' "$2" "$wall" "$cpu" "$rss"; }

# The dashboard's first frame from the state: `--max-frames 1` (it quits once the first frame is
# drawn, after the start-up read) in a private tmux pane, timed by bench_run in the pane.
cc -O2 -std=c11 -o "$work/bench_run" "$here/bench_run.c"
cat > "$work/frame.sh" <<'EOS'
#!/bin/sh
# frame.sh OUT BIN ARGS...: one timed run (bench_run.c: fork to exit), "wall_ns rss_kib cpu_s"
# appended to OUT; the dashboard keeps the pane's terminal
out=$1; shift
"$(dirname "$out")/bench_run" "$out.time" - - "$@"
cat "$out.time" >> "$out"
touch "$out.done"
EOS
# first_frame NAME C X [--no-state]
first_frame() {
	local name=$1; shift
	rm -f "$work/$name.samples.done"
	tmux -L bs$$ -f /dev/null new-session -d -x 120 -y 40 \
		"env TERM=screen-256color sh $work/frame.sh $work/$name.samples $bin --claude-dir $1 --codex-dir $2 --max-frames 1 ${3:-}"
	for _ in $(seq 1200); do [ -e "$work/$name.samples.done" ] && break; sleep 0.05; done
	[ -e "$work/$name.samples.done" ] || { echo "bench_state: the dashboard drew no frame" >&2; exit 1; }
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs:    $runs rounds, each command once per round in turn; medians; page cache warm"
status=0
for size in "${sizes[@]}"; do
	corpus=${TMPDIR:-/tmp}/cachetop-bench-state-$size
	trees+=("$corpus")
	if [ ! -d "$corpus/claude" ]; then
		echo "generating $corpus ..."
		mkdir -p "$corpus"
		"$gen" --size "$size" --files $(( $(numfmt --from=iec "$size") / 524288 )) --seed "${SEED:-1}" "$corpus" > /dev/null
	fi
	C=$corpus/claude X=$corpus/codex
	files=$(find "$C" "$X" -name '*.jsonl' | wc -l)
	bytes=$(find "$C" "$X" -name '*.jsonl' -print0 | du -cb --files0-from=- | tail -n1 | cut -f1)
	for _ in 1 2; do find "$C" "$X" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null; done
	rm -f "$work"/*.samples
	rm -rf "$XDG_CACHE_HOME"
	R=(report --json --now $NOW --claude-dir "$C" --codex-dir "$X")
	S=(status --now $NOW --claude-dir "$C" --codex-dir "$X")
	"$bin" "${R[@]}" --no-state > /dev/null # warm-up
	for ((round = 0; round < runs; round++)); do
		run_once full "$bin" "${R[@]}" --no-state
		rm -rf "$XDG_CACHE_HOME"
		run_once first "$bin" "${R[@]}"
		run_once warm "$bin" "${R[@]}"
		run_once status_full "$bin" "${S[@]}" --no-state
		run_once status "$bin" "${S[@]}"
		first_frame frame_full "$C" "$X" --no-state
		first_frame frame "$C" "$X"
	done
	state=$(find "$XDG_CACHE_HOME" -name 'state-*.bin' -printf '%s\n' | head -n1)
	# One appended line: a new request at the end of the largest Claude transcript, then a
	# warm report (the state is not rewritten for so little, so each round reads the lines
	# appended by the rounds before it too: the figure is an upper bound).
	big=$(find "$C" -name '*.jsonl' -printf '%s %p\n' | sort -n | tail -n1 | cut -d' ' -f2-)
	sid=$(basename "$big" .jsonl)
	for ((round = 0; round < runs; round++)); do
		printf '{"parentUuid":null,"isSidechain":false,"type":"assistant","uuid":"bench-%s","sessionId":"%s","timestamp":"2026-11-20T23:59:%02d.000Z","cwd":"/home/dev/bench","version":"2.1.39","requestId":"req_bench_%s","message":{"id":"msg_bench_%s","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":3,"cache_creation_input_tokens":10,"cache_read_input_tokens":20000,"output_tokens":5}}}\n' \
			"$round" "$sid" "$round" "$round" "$round" >> "$big"
		run_once append "$bin" "${R[@]}"
	done
	# the full read to compare with, before the newest file changes below
	run_once full_after "$bin" "${R[@]}" --no-state
	# The same with the file that sorts last (the latest first timestamp: the newest session),
	# whose new lines a whole read also reads last, so the saved model serves: a copy of its own
	# last line (a repeat, counted once), after a state written for the tree as it now is.
	newest=$(for f in $(find "$C" "$X" -name '*.jsonl'); do
		printf '%s %s\n' "$(head -c 8192 "$f" | grep -o '"timestamp":"[^"]*"' | head -n1)" "$f"
	done | sort | tail -n1 | cut -d' ' -f2-)
	"$bin" "${R[@]}" > /dev/null
	rm -rf "$XDG_CACHE_HOME"
	"$bin" "${R[@]}" > /dev/null
	for ((round = 0; round < runs; round++)); do
		tail -n1 "$newest" > "$work/last.line"
		cat "$work/last.line" >> "$newest"
		run_once append_newest "$bin" "${R[@]}"
	done
	run_once full_newest "$bin" "${R[@]}" --no-state
	verdict_of() { if cmp -s "$work/$1.out" "$work/$2.out"; then echo yes; else echo NO; fi; }
	same_warm=$(verdict_of warm full) same_append=$(verdict_of append full_after)
	same_newest=$(verdict_of append_newest full_newest) same_status=$(verdict_of status status_full)
	[ "$same_warm$same_append$same_newest$same_status" = yesyesyesyes ] || status=1

	echo
	echo "tree: $size requested, $files files, $(( bytes / 1048576 )) MiB; state file $(( state / 1024 )) KiB ($(awk -v s="$state" -v b="$bytes" 'BEGIN {printf "%.2f", 100 * s / b}') % of the transcripts)"
	printf '  %-40s %11s %11s %11s\n' "" "wall" "user+sys" "peak RSS"
	row full "report --json, full read (--no-state)"; fw=$wall fc=$cpu
	row first "report --json, first run (writes)"
	row warm "report --json, warm"; ww=$wall wc=$cpu
	row status_full "status, full read (--no-state)"; sfw=$wall sfc=$cpu
	row status "status, warm"; sw=$wall sc=$cpu
	row frame_full "dashboard first frame, full read"
	row frame "dashboard first frame, warm"
	row append "report --json after 1 appended line"
	row append_newest "  ... to the file that sorts last"
	echo "  equals the full read: warm report $same_warm; warm status $same_status; after the appends $same_append; after the appends to the last file $same_newest"
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }
	verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v >= t ? "met" : "NOT met")}'; }
	r1=$(ratio "$fw" "$ww"); r2=$(ratio "$fw" "$sw")
	echo "  full read / warm report: ${r1}x wall, $(ratio "$fc" "$wc")x CPU (target >= 10x: $(verdict "$r1" 10))"
	echo "  full read / warm status: ${r2}x wall, $(ratio "$fc" "$sc")x CPU (target >= 20x: $(verdict "$r2" 20));" \
		"full status / warm status: $(ratio "$sfw" "$sw")x wall, $(ratio "$sfc" "$sc")x CPU"
	if [ "${KEEP:-0}" != 1 ]; then rm -rf "$corpus"; fi
done
exit $status
