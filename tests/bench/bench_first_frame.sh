#!/usr/bin/env bash
# bench_first_frame.sh BIN [CORPUS_DIR]: time from start to the first full dashboard frame over a
# corpus, and the RSS after it. Runs `cachetop --max-frames 1` (it quits after drawing its first
# frame, which comes after the start-up scan) in a private tmux pane, RUNS times (default 5),
# page cache warmed first; prints the median wall time and peak RSS.
set -euo pipefail
BIN=$(readlink -f "${1:?usage: bench_first_frame.sh BIN [CORPUS_DIR]}")
CORPUS=${2:-${TMPDIR:-/tmp}/cachetop-bench-1g}
RUNS=${RUNS:-5}
[ -d "$CORPUS/claude" ] || { echo "no corpus at $CORPUS (make one with bench_report.sh)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed"; exit 1; }
out=$(mktemp -d)
trap 'tmux -L ff$$ kill-server 2>/dev/null; rm -rf "$out"' EXIT
find "$CORPUS" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null
for i in $(seq "$RUNS"); do
	tmux -L ff$$ -f /dev/null new-session -d -x 120 -y 40 \
		"/usr/bin/time -f '%e %M' -o $out/t$i env HOME=$out TERM=screen-256color $BIN --claude-dir $CORPUS/claude --codex-dir $CORPUS/codex --max-frames 1"
	for _ in $(seq 600); do [ -s "$out/t$i" ] && break; sleep 0.1; done
done
sort -n "$out"/t* | awk -v runs="$RUNS" '{w[NR]=$1; r[NR]=$2} END {
	m = int((NR + 1) / 2); rs = 0; for (i = 1; i <= NR; i++) if (r[i] > rs) rs = r[i];
	printf "first dashboard frame: median %.3f s over %d runs (target < 1 s); peak RSS %.1f MB\n", w[m], NR, rs / 1024 }'
