#!/usr/bin/env bash
# bench_idle.sh: the dashboard's CPU over a large history, idle and per appended line. Starts the
# dashboard (in a private tmux pane) over a corpus of many small requests (gen_corpus --shape
# small, 2.1 million requests by default) plus a second, live Claude root; once the first frame
# is drawn, counts the process's CPU clock ticks (utime + stime, /proc/PID/stat) over IDLE seconds
# with nothing written, then while LINES assistant lines are appended to a live session, one every
# GAP_MS, and prints ticks, % of a core and the CPU per appended line (idle rate taken off).
#
# usage: bench_idle.sh BIN [CORPUS_DIR]
#   BIN         the cachetop binary (a Release build)
#   CORPUS_DIR  holds claude/ and codex/ of the small shape; generated there when absent
#               (default: ${TMPDIR:-/tmp}/cachetop-bench-2m, as bench_memory.sh)
# environment: IDLE (seconds, default 60), LINES (default 60), GAP_MS (default 500),
#              REQUESTS (default 2100000), SEED (default 1), GEN_CORPUS (a built gen_corpus)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '9,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$(realpath "$1")
corpus=${2:-${TMPDIR:-/tmp}/cachetop-bench-2m}
idle=${IDLE:-60}
lines=${LINES:-60}
gap_ms=${GAP_MS:-500}
command -v tmux >/dev/null || { echo "bench_idle: tmux is needed" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench_idle: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-idle.XXXXXX")
sock=idle$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

bench=bench_idle
. "$here/bench_lib.sh"
make_corpus "$corpus" --shape small --requests "${REQUESTS:-2100000}" --seed "${SEED:-1}"
find "$corpus" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null

live=$work/live/projects/-home-bench-live
mkdir -p "$live" "$work/home"
session=0b6c2f9e-5a57-4d0e-9b3e-1f2a3b4c5d6e
file=$live/$session.jsonl
: > "$file"

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 \
    "exec env HOME=$work/home TERM=screen-256color $bin --no-state --claude-dir $corpus/claude \
     --claude-dir $work/live --codex-dir $corpus/codex"
pid=$(tmux -L "$sock" display -p '#{pane_pid}')
start=$(date +%s.%N)
for _ in $(seq 1200); do
    tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q 'sessions' && break
    sleep 0.1
done
tmux -L "$sock" capture-pane -p | grep -q 'sessions' || { echo "bench_idle: no frame after 120 s" >&2; exit 1; }
first=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
sleep 3 # let the first frames settle
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

echo "corpus:  $corpus ($(find "$corpus" -name '*.jsonl' | wc -l) files)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); clock ticks: $hz/s"
echo "first frame after ~$first s; RSS $((rss / 1024)) MB"

t0=$(ticks "$pid")
sleep "$idle"
t1=$(ticks "$pid")
idle_ticks=$((t1 - t0))
awk -v t="$idle_ticks" -v s="$idle" -v hz="$hz" \
    'BEGIN {printf "idle:     %d ticks in %d s = %.3f %% of a core\n", t, s, 100 * t / hz / s}'

# appended lines: a session writing warm requests now, one every GAP_MS
a0=$(ticks "$pid")
w0=$(date +%s.%N)
python3 - "$file" "$lines" "$gap_ms" "$session" <<'EOF'
import json, sys, time, uuid
path, n, gap, session = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000.0, sys.argv[4]
parent = None
for i in range(n):
    t = time.time()
    u = str(uuid.uuid4())
    rec = {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": "/home/bench/live",
           "sessionId": session, "version": "2.1.0", "type": "assistant", "uuid": u,
           "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000),
           "requestId": "req_" + u.replace("-", ""),
           "message": {"id": "msg_" + u.replace("-", ""), "type": "message", "role": "assistant",
                       "model": "claude-sonnet-4-20250514", "content": [{"type": "text", "text": "ok"}],
                       "usage": {"input_tokens": 3, "cache_creation_input_tokens": 24000 if i == 0 else 300,
                                 "cache_read_input_tokens": 0 if i == 0 else 24000 + 300 * i,
                                 "output_tokens": 120}}}
    parent = u
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    time.sleep(gap)
EOF
sleep 2 # the last line's frame
a1=$(ticks "$pid")
secs=$(awk -v a="$w0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
busy=$((a1 - a0))
awk -v t="$busy" -v s="$secs" -v hz="$hz" -v n="$lines" -v it="$idle_ticks" -v is="$idle" \
    'BEGIN {
        extra = t - it / is * s; if (extra < 0) extra = 0
        printf "appending: %d lines in %.1f s: %d ticks = %.2f %% of a core\n", n, s, t, 100 * t / hz / s
        printf "per line: %.2f ms of CPU (idle rate taken off)\n", 1000 * extra / hz / n }'
