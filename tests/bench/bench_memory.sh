#!/usr/bin/env bash
# bench_memory.sh: memory per request. Runs `cachetop report --json` over a corpus of many small
# requests (gen_corpus --shape small, 2.1 million requests by default) and over empty roots:
# a full read (--no-state), the first run (which writes the saved state), and warm runs (from
# that state: the model's image, its requests used where they lie in the file). Prints the peak
# RSS of each, the requests counted, and (peak - empty) / requests in bytes. Then the dashboard
# (in tmux) from the state and without it: its resident memory once drawn, private and
# file-backed.
#
# usage: bench_memory.sh BIN [CORPUS_DIR]
#   BIN         the cachetop binary (a Release build)
#   CORPUS_DIR  holds claude/ and codex/ of the small shape; generated there when absent
#               (default: ${TMPDIR:-/tmp}/cachetop-bench-2m)
# environment: RUNS (default 3), REQUESTS (default 2100000), SEED (default 1),
#              GEN_CORPUS (a built gen_corpus; otherwise it is compiled from gen_corpus.c)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '8,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$(realpath "$1")
corpus=${2:-${TMPDIR:-/tmp}/cachetop-bench-2m}
runs=${RUNS:-3}
[ -x "$bin" ] || { echo "bench_memory: $bin is not an executable" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "bench_memory: /usr/bin/time is missing: install the Debian package 'time' (apt-get install -y time)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/empty/claude/projects" "$work/empty/codex/sessions"

bench=bench_memory
. "$here/bench_lib.sh"
make_corpus "$corpus" --shape small --requests "${REQUESTS:-2100000}" --seed "${SEED:-1}"

# peak RSS (KiB) and wall of `report --json` over roots $1 $2 (more arguments after), median of
# $runs runs (RUNS=1: one); keeps the last output
peak() {
    local i c=$1 x=$2 n=${RUNS_NOW:-$runs}
    shift 2
    for ((i = 0; i < n; i++)); do
        /usr/bin/time -f '%M %e' -o "$work/time" "$bin" report --json --claude-dir "$c" --codex-dir "$x" "$@" \
            > "$work/out.json" 2> "$work/err" || { echo "bench_memory: cachetop failed:" >&2; cat "$work/err" >&2; exit 1; }
        tail -n1 "$work/time"
    done | sort -n | awk '{a[NR]=$1; w[NR]=$2} END {i=int((NR+1)/2); print a[i], w[i]}'
}

export HOME=$work/home
unset CLAUDE_CONFIG_DIR CODEX_HOME XDG_CONFIG_HOME || true
files=$(find "$corpus/claude" "$corpus/codex" -name '*.jsonl' | wc -l)
bytes=$(find "$corpus/claude" "$corpus/codex" -name '*.jsonl' -print0 | du -cb --files0-from=- | tail -n1 | cut -f1)
echo "corpus:  $corpus  ($files .jsonl files, $(( bytes / 1048576 )) MiB)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
find "$corpus" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null

export XDG_CACHE_HOME=$work/cache
read -r empty_kb _ < <(peak "$work/empty/claude" "$work/empty/codex" --no-state)
read -r full_kb full_wall < <(peak "$corpus/claude" "$corpus/codex" --no-state)
read -r first_kb first_wall < <(RUNS_NOW=1 peak "$corpus/claude" "$corpus/codex")
state_bytes=$(find "$work/cache" -name 'state-*.bin' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
read -r warm_kb warm_wall < <(peak "$corpus/claude" "$corpus/codex")
requests=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["requests"])' "$work/out.json")
expected=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["claude"]["requests"]+m["codex"]["requests"])' "$corpus/manifest.json" 2>/dev/null || echo "?")

echo
printf 'peak RSS, empty roots:   %8.1f MB\n' "$(awk -v k="$empty_kb" 'BEGIN {print k/1024}')"
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
per() { awk -v f="$1" -v e="$empty_kb" -v r="$requests" 'BEGIN {printf "%.1f", (r > 0 ? (f - e) * 1024 / r : 0)}'; }
printf 'peak RSS, full read:     %8s MB   (wall %s s, median of %s runs; --no-state)\n' "$(mb "$full_kb")" "$full_wall" "$runs"
printf 'peak RSS, first run:     %8s MB   (wall %s s; writes the state, %s MB)\n' "$(mb "$first_kb")" "$first_wall" "$(awk -v b="$state_bytes" 'BEGIN {printf "%.1f", b/1048576}')"
printf 'peak RSS, warm:          %8s MB   (wall %s s, median of %s runs; from the state)\n' "$(mb "$warm_kb")" "$warm_wall" "$runs"
printf 'requests counted:        %10s   (manifest: %s)\n' "$requests" "$expected"
bpr=$(per "$full_kb")
verdict=$(awk -v b="$bpr" 'BEGIN {print (b <= 160 ? "PASS" : "FAIL")}')
printf 'bytes per request:       %10s   full read (target <= 160)  %s\n' "$bpr" "$verdict"
wpr=$(per "$warm_kb")
wverdict=$(awk -v b="$wpr" -v f="$bpr" 'BEGIN {print (b <= f ? "PASS" : "FAIL")}')
printf 'bytes per request:       %10s   warm (target <= the full read'"'"'s)  %s\n' "$wpr" "$wverdict"
printf 'bytes per request:       %10s   first run (the model, then its image as the state is written)\n' "$(per "$first_kb")"
[ "$requests" = "$expected" ] || { echo "requests differ from the manifest" >&2; exit 1; }

# The dashboard left open, from the state (its history's requests and dedup ids stay in a
# private copy of the state's image, mapped: read back by the kernel when a rule needs them) and
# without it: its memory once the first frame is drawn. Private (RssAnon) is what it holds;
# file-backed pages (RssFile) the kernel takes back at will.
if ! command -v tmux > /dev/null; then
    echo "dashboard: tmux is missing: not measured"
    exit 0
fi
sock=bm$$
dash() { # $@: extra arguments; prints "VmHWM VmRSS RssAnon RssFile" in KiB
    tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 \
        "exec env HOME=$HOME XDG_CACHE_HOME=$XDG_CACHE_HOME TERM=screen-256color $bin $* \
         --claude-dir $corpus/claude --codex-dir $corpus/codex 2> $work/dash.err"
    local pid
    pid=$(tmux -L "$sock" display -p "#{pane_pid}") || { echo "bench_memory: the dashboard did not start:" >&2; cat "$work/dash.err" >&2; exit 1; }
    for _ in $(seq 1200); do
        tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q 'sessions' && break
        sleep 0.1
    done
    sleep 2
    awk '/^VmHWM|^VmRSS|^RssAnon|^RssFile/ {printf "%s ", $2} END {print ""}' "/proc/$pid/status"
    tmux -L "$sock" kill-server 2> /dev/null || true
}
dash > "$work/dash.state"
dash --no-state > "$work/dash.full"
read -r dh dr da df < "$work/dash.state"
read -r nh nr na nf < "$work/dash.full"
printf 'dashboard, from state:   %8s MB   (private %s MB, file-backed %s MB; peak while starting %s MB)\n' \
    "$(mb "$dr")" "$(mb "$da")" "$(mb "$df")" "$(mb "$dh")"
printf 'dashboard, full read:    %8s MB   (private %s MB, file-backed %s MB; peak %s MB)\n' \
    "$(mb "$nr")" "$(mb "$na")" "$(mb "$nf")" "$(mb "$nh")"
dpr=$(per "$da")
dverdict=$(awk -v b="$dpr" 'BEGIN {print (b <= 32 ? "PASS" : "FAIL")}')
printf 'bytes per request:       %10s   dashboard private, from state (budget <= 32)  %s\n' "$dpr" "$dverdict"
printf 'bytes per request:       %10s   dashboard private, full read\n' "$(per "$na")"
