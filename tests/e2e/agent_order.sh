#!/bin/sh
# agent_order.sh BIN SAMPLES GEN — live equals report, end to end: writes trees in the agents'
# order (agent_order.py) while `watch --jsonl --backfill` follows them, fast and paced at 3 ms a
# line, and checks the live events (less retractions) and the final live state against a fresh
# report: the samples (Claude resumes, forks, sub-agents, compactions; Codex forks and
# sub-agents) and generated trees with resumes copied from their first line (GEN is the corpus
# generator). Exits 77 (skip) without python3.
set -u
BIN=${1:?usage: agent_order.sh CACHETOP_BIN SAMPLES_DIR GEN_CORPUS}
SAMPLES=${2:?}
GEN=${3:?}
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipping"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-order.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
mkdir -p "$T/samples"
cp -r "$SAMPLES/claude" "$SAMPLES/codex" "$T/samples/"
rc=0
run() { python3 "$HERE/agent_order.py" "$BIN" "$@" || rc=1; }
run "$T/samples"
run "$T/samples" --pace 3
for seed in 3 11 13; do
	"$GEN" --size 4M --files 40 --seed $seed "$T/gen$seed" >/dev/null || { echo "generator failed"; exit 1; }
	run "$T/gen$seed"
done
run "$T/gen3" --pace 3
exit $rc
