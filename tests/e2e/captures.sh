#!/bin/sh
# captures.sh BIN DIR OUTDIR — plays DIR (a tree with claude/ and/or codex/ roots, e.g. samples/)
# with `cachetop replay` in a private 120×40 tmux server until the replay has run its course, and
# writes the main screen and the drill-down of the top session as plain text to OUTDIR/main.txt
# and OUTDIR/detail.txt (for the README). Not a test: run it by hand after the samples change.
set -eu
BIN=${1:?usage: captures.sh BIN DIR OUTDIR}; DIR=${2:?}; OUT=${3:?}
SECS=${CAPTURE_SECONDS:-20}
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed"; exit 1; }
mkdir -p "$OUT"
H=$(mktemp -d); TM="tmux -L cap$$ -f /dev/null"
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$H"' EXIT
$TM new-session -d -s c -x 120 -y 40 \
	"env HOME=$H TERM=screen-256color LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$H XDG_STATE_HOME=$H XDG_CACHE_HOME=$H $BIN replay $DIR --speed ${SPEED:-600}; sleep 5"
sleep "$SECS"
$TM send-keys -t c p            # pause, so both captures show the same moment
sleep 0.3
$TM capture-pane -p -t c | sed 's/[[:space:]]*$//' > "$OUT/main.txt"
$TM send-keys -t c Home Enter
sleep 0.5
$TM capture-pane -p -t c | sed 's/[[:space:]]*$//' > "$OUT/detail.txt"
$TM send-keys -t c q
echo "wrote $OUT/main.txt $OUT/detail.txt"
