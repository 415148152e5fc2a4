#!/usr/bin/env bash
# bench_report.sh: times `cachetop report --json` over a generated transcript tree against the
# `cat` floor and ccusage (when installed), prints medians of wall time and peak RSS, the ratios
# against the targets, and checks that the request/token totals agree (cachetop, ccusage and the
# generator's manifest).
#
# usage: bench_report.sh BIN [CORPUS_DIR]
#   BIN         the cachetop binary (a Release build)
#   CORPUS_DIR  holds claude/ and codex/ (made by gen_corpus); generated there when absent
#               (default: ${TMPDIR:-/tmp}/cachetop-bench-1g, 1 GB, 2000 files, seed 1)
# environment: RUNS (rounds, default 9), SIZE (default 1G), FILES (default 2000), SEED (default 1),
#              GEN_CORPUS (a built gen_corpus; otherwise it is compiled from gen_corpus.c)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '7,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$(realpath "$1")
corpus=${2:-${TMPDIR:-/tmp}/cachetop-bench-1g}
runs=${RUNS:-9}
[ -x "$bin" ] || { echo "bench_report: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"   # an empty HOME: no tool finds real transcripts or a user config

# ---- the corpus ----
bench=bench_report
. "$here/bench_lib.sh"
make_corpus "$corpus" --size "${SIZE:-1G}" --files "${FILES:-2000}" --seed "${SEED:-1}"
C=$corpus/claude
X=$corpus/codex

# ---- measuring ----
# Commands run in rounds — each command once per round, in turn — so that a change in the
# machine's load during the benchmark weighs on every command alike rather than on whichever
# ran then (run_once, median: bench_lib.sh).
# report NAME: prints NAME's medians and sets wall_NAME, rss_NAME, cpu_NAME
report() {
    local name=$1
    med_wall=$(cut -d' ' -f1 "$work/$name.samples" | median | awk '{printf "%.3f", $1/1e9}')
    med_rss=$(cut -d' ' -f2 "$work/$name.samples" | median | awk '{printf "%.1f", $1/1024}')
    med_cpu=$(cut -d' ' -f3 "$work/$name.samples" | median | awk '{printf "%.2f", $1}')
    all_wall=$(cut -d' ' -f1 "$work/$name.samples" | awk '{printf "%s%.3f", (NR>1 ? " " : ""), $1/1e9}')
    printf '%-16s %8s s %9s MB %8s s   (walls: %s)\n' "$name" "$med_wall" "$med_rss" "$med_cpu" "$all_wall"
    eval "wall_$name=$med_wall rss_$name=$med_rss cpu_$name=$med_cpu"
}

files=$(find "$C" "$X" -name '*.jsonl' | wc -l)
bytes=$(find "$C" "$X" -name '*.jsonl' -print0 | du -cb --files0-from=- | tail -n1 | cut -f1)
echo "corpus:  $corpus  ($files .jsonl files, $(( bytes / 1048576 )) MiB)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
echo "runs:    $runs rounds, each command once per round in turn; medians; page cache warmed first"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall times; user+sys CPU is steadier)"

# warm the page cache (twice: the second pass should find everything resident)
for _ in 1 2; do find "$C" "$X" -name '*.jsonl' -print0 | xargs -0 cat > /dev/null; done

export HOME=$work/home
unset CLAUDE_CONFIG_DIR CODEX_HOME XDG_CONFIG_HOME NO_COLOR || true

# ccusage from npm is a node launcher (~0.45 s of node start-up per call) around a native
# binary; time the native binary itself, the fairer and stricter comparison. CCUSAGE overrides.
ccusage=${CCUSAGE:-}
if [ -z "$ccusage" ] && command -v ccusage > /dev/null; then
    ccusage=$(readlink -f "$(command -v ccusage)")
    if head -c 64 "$ccusage" | grep -q node; then
        native=$(find "$(dirname "$ccusage")/../node_modules/@ccusage" -path '*/bin/ccusage' -type f 2> /dev/null | head -n1)
        [ -n "$native" ] && ccusage=$(realpath "$native")
    fi
fi
have_ccusage=0
[ -n "$ccusage" ] && have_ccusage=1

"$bin" report --json --claude-dir "$C" --codex-dir "$X" > /dev/null   # warm-up
[ $have_ccusage = 1 ] && CLAUDE_CONFIG_DIR=$C "$ccusage" session --json --offline > /dev/null   # warm-up
for ((round = 0; round < runs; round++)); do
    run_once cat sh -c 'find "$1" "$2" -name "*.jsonl" -print0 | xargs -0 cat > /dev/null' sh "$C" "$X"
    run_once cachetop "$bin" report --json --claude-dir "$C" --codex-dir "$X"
    if [ $have_ccusage = 1 ]; then
        run_once ccusage_claude env CLAUDE_CONFIG_DIR="$C" "$ccusage" session --json --offline
        run_once ccusage_codex env CODEX_HOME="$X" "$ccusage" codex session --json --offline
    fi
done

echo
printf '%-16s %10s %12s %10s\n' "command" "wall" "peak RSS" "user+sys"
report cat
report cachetop
if [ $have_ccusage = 1 ]; then
    echo "ccusage: $ccusage ($("$ccusage" --version 2>/dev/null | head -n1))"
    report ccusage_claude
    report ccusage_codex
    wall_ccusage=$(awk -v a="$wall_ccusage_claude" -v b="$wall_ccusage_codex" 'BEGIN {printf "%.3f", a+b}')
    rss_ccusage=$(awk -v a="$rss_ccusage_claude" -v b="$rss_ccusage_codex" 'BEGIN {printf "%.1f", (a > b ? a : b)}')
    cpu_ccusage=$(awk -v a="$cpu_ccusage_claude" -v b="$cpu_ccusage_codex" 'BEGIN {printf "%.2f", a+b}')
    printf '%-16s %8s s %9s MB %8s s   (sum of walls and CPU, max of RSS)\n' "ccusage (both)" "$wall_ccusage" "$rss_ccusage" "$cpu_ccusage"
else
    echo "ccusage: not installed; comparison skipped"
fi

# ---- ratios and targets ----
echo
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {ok = (op == "<=") ? (v <= t) : (v >= t); print (ok ? "PASS" : "FAIL")}'; }
vs_cat=$(awk -v a="$wall_cachetop" -v b="$wall_cat" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')
printf 'cachetop / cat floor:      %6sx   (target <= 3x)     %s\n' "$vs_cat" "$(verdict "$vs_cat" 3 '<=')"
if [ $have_ccusage = 1 ]; then
    speedup=$(awk -v a="$wall_ccusage" -v b="$wall_cachetop" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')
    printf 'ccusage / cachetop:        %6sx   (target >= 3x)     %s\n' "$speedup" "$(verdict "$speedup" 3 '>=')"
    cpu_speedup=$(awk -v a="$cpu_ccusage" -v b="$cpu_cachetop" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')
    printf 'ccusage / cachetop (CPU):  %6sx   (user+sys, for reference)\n' "$cpu_speedup"
    rss_ratio=$(awk -v a="$rss_ccusage" -v b="$rss_cachetop" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')
    printf 'ccusage RSS / cachetop RSS:%6sx\n' "$rss_ratio"
fi
printf 'cachetop peak RSS:         %6s MB (target <= 48 MB)  %s\n' "$rss_cachetop" "$(verdict "$rss_cachetop" 48 '<=')"

# ---- totals ----
echo
python3 - "$work" "$corpus/manifest.json" "$have_ccusage" <<'EOF'
import json, os, sys
work, manifest, have_cc = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
kinds = ["requests", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens"]
ct = json.load(open(os.path.join(work, "cachetop.out")))
per = {a: {k: 0 for k in kinds} for a in ("claude", "codex")}
for s in ct["sessions"]:
    for k in kinds:
        per[s["agent"]][k] += s[k] or 0
rows = []   # (agent, kind, cachetop, ccusage, manifest)
man = json.load(open(manifest)) if os.path.exists(manifest) else None
cc = {}
if have_cc:
    m = {"input_tokens": "inputTokens", "output_tokens": "outputTokens",
         "cache_creation_tokens": "cacheCreationTokens", "cache_read_tokens": "cacheReadTokens"}
    for agent, f in (("claude", "ccusage_claude.out"), ("codex", "ccusage_codex.out")):
        t = json.load(open(os.path.join(work, f)))["totals"]
        cc[agent] = {k: t.get(v) for k, v in m.items()}
bad = 0
print("totals check (ccusage reports no request count; the manifest is the generator's ground truth)")
print(f"{'agent':7} {'field':22} {'cachetop':>14} {'ccusage':>14} {'manifest':>14}  result")
for agent in ("claude", "codex"):
    for k in kinds:
        a = per[agent][k]
        b = cc.get(agent, {}).get(k)
        c = man[agent][k] if man else None
        ok = (b is None or a == b) and (c is None or a == c)
        bad += not ok
        fmt = lambda v: "-" if v is None else str(v)
        print(f"{agent:7} {k:22} {a:>14} {fmt(b):>14} {fmt(c):>14}  {'same' if ok else 'DIFFERENT'}")
t = ct["totals"]
print(f"cachetop totals: requests {t['requests']}, duplicate lines dropped {t.get('duplicate_lines_dropped')}, "
      f"malformed {t.get('malformed_lines')}, lines {t.get('lines')}")
print("totals:", "all identical" if not bad else f"{bad} field(s) differ")
sys.exit(1 if bad else 0)
EOF
