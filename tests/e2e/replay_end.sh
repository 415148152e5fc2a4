#!/bin/sh
# replay_end.sh BIN SAMPLES — plays the bundled samples to their end in a private tmux server and
# checks the last screen against `report` over the same tree: the rows of the two seed resume
# misses (e17536e7 after 28.2 minutes, 096d96fa after 4.1 minutes) show RESUME MISS, in red, with
# the report's request counts. Exits 77 (skip) when tmux is absent.
set -u
BIN=${1:?usage: replay_end.sh CACHETOP_BIN SAMPLES_DIR}
SAMPLES=${2:?usage: replay_end.sh CACHETOP_BIN SAMPLES_DIR}
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipping"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-replay-e2e.XXXXXX")
SOCK=ctr$$
TM="tmux -L $SOCK -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; echo "--- screen ---"; $TM capture-pane -p -t ct 2>/dev/null; exit 1; }

$TM new-session -d -s ct -x 132 -y 45 \
	"env HOME=$T TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR= TMPDIR=$T XDG_CONFIG_HOME=$T XDG_STATE_HOME=$T XDG_CACHE_HOME=$T \
	 $BIN replay $SAMPLES --speed 5000; echo EXITED \$?; sleep 60" || fail "tmux"

# The end: the replay says so, and its clock stops there.
i=0
while [ $i -lt 600 ]; do
	$TM capture-pane -p -t ct | grep -q 'replay finished' && break
	sleep 0.2
	i=$((i + 1))
done
[ $i -lt 600 ] || fail "the replay did not reach its end within 2 minutes"
last=$($TM capture-pane -p -t ct)

report=$($BIN report --claude-dir "$SAMPLES/claude" --codex-dir "$SAMPLES/codex")
for id in e17536e7 096d96fa; do
	row=$(printf '%s\n' "$last" | grep "^.$id ") || fail "no row for $id"
	printf '%s\n' "$row" | grep -q 'RESUME MISS' || fail "$id: LAST EVENT is not RESUME MISS: $row"
	want=$(printf '%s\n' "$report" | awk -v id="$id" '$1 == id {print $4; exit}')
	got=$(printf '%s\n' "$row" | awk '{print $3}')
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "$id: $got requests on screen, $want in the report"
	# red: the last colour set before the words RESUME MISS (capture -e keeps the escapes) is
	# red (SGR 31, or 91 bright)
	esc=$($TM capture-pane -p -e -t ct | grep "$id" | head -n 1)
	sgr=$(printf '%s' "${esc%%RESUME MISS*}" | grep -o "$(printf '\033')\[[0-9;]*m" | grep -v '\[0m\|\[39m\|\[49m\|\[1m\|\[2m' | tail -n 1)
	case "$sgr" in
	*'[31m' | *';31m' | *'[91m' | *';91m') ;;
	*) fail "$id: RESUME MISS is not drawn in red (last colour before it: $(printf '%s' "$sgr" | cat -v))" ;;
	esac
done
echo "replay end: e17536e7 and 096d96fa show RESUME MISS in red with the report's request counts"
