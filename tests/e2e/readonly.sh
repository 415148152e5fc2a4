#!/bin/sh
# readonly.sh BIN SAMPLES — the read-only guarantee: runs `report` (all formats), `watch --jsonl`,
# `status` and the dashboard (in a private tmux server, drilled into and out of) over a copy of
# the samples, and checks that every file's bytes and mtime are unchanged and that no file was
# added under the roots. The opencode data folder is built from the samples (python3's sqlite3,
# its last rows only in opencode.db-wal): its database and -wal keep their SHA-256 and mtime; the
# -shm a WAL reader shares is left out (SQLite's readers map it). Exits 77 (skip) when tmux is
# absent.
set -u
BIN=${1:?usage: readonly.sh CACHETOP_BIN SAMPLES_DIR}
SAMPLES=${2:?}
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipping"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-ro.XXXXXX")
TM="tmux -L ro$$ -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

cp -r "$SAMPLES/claude" "$SAMPLES/codex" "$T/"
mkdir -p "$T/home"
OC=""
if command -v python3 >/dev/null 2>&1 && python3 -c 'import sqlite3' 2>/dev/null; then
	python3 "$SAMPLES/gen_samples.py" --opencode-db "$T/opencode" > /dev/null || fail "cannot build the opencode sample"
	[ -s "$T/opencode/opencode.db-wal" ] || fail "the opencode sample has no WAL"
	OC=opencode
else
	echo "note: no python3 sqlite3: the opencode part is skipped"
fi
# mtimes in the past, so a write now could not hide inside the same second
find "$T/claude" "$T/codex" ${OC:+"$T/opencode"} -type f -exec touch -d '2026-01-02 03:04:05' {} +
snapshot() { (cd "$T" && find claude codex $OC -type f ! -name '*-shm' -printf '%p %s %T@\n' | sort && \
	find claude codex $OC -type f ! -name '*-shm' -print0 | sort -z | xargs -0 sha256sum); }
snapshot > "$T/before"
ROOTS="--claude-dir $T/claude --codex-dir $T/codex${OC:+ --opencode-dir $T/opencode}"
export HOME="$T/home" XDG_CONFIG_HOME="$T/home" XDG_STATE_HOME="$T/home" XDG_CACHE_HOME="$T/home"

for fmt in "" --json --csv --openmetrics; do
	"$BIN" report $fmt $ROOTS > /dev/null || fail "report $fmt failed"
done
"$BIN" status $ROOTS > /dev/null || fail "status failed"
"$BIN" watch --jsonl --backfill $ROOTS > "$T/home/watch.out" 2>&1 &
wpid=$!
sleep 2
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
[ -s "$T/home/watch.out" ] || fail "watch --backfill printed nothing"

$TM new-session -d -s ro -x 120 -y 40 "$BIN $ROOTS; sleep 3"
sleep 2
$TM send-keys -t ro Enter; sleep 0.5
$TM send-keys -t ro Left; sleep 0.3
$TM send-keys -t ro s; $TM send-keys -t ro t; sleep 0.3
$TM send-keys -t ro q; sleep 0.5

snapshot > "$T/after"
cmp -s "$T/before" "$T/after" || { diff "$T/before" "$T/after" | head -20; fail "a transcript changed"; }
echo "ok: $(cd "$T" && find claude codex $OC -type f ! -name '*-shm' | wc -l) files unchanged after report, status, watch and the dashboard"
