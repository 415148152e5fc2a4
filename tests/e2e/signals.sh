#!/bin/sh
# signals.sh BIN — terminal manners of the real dashboard in a private tmux server: Ctrl-Z
# suspends and `fg` redraws, Ctrl-C and SIGTERM quit with the terminal restored, NO_COLOR gives
# no colour escapes, --ascii draws no UTF-8, and an empty machine says where it looked and how to
# see the samples. Exits 77 (skip) when tmux is absent.
set -u
BIN=${1:?usage: signals.sh CACHETOP_BIN}
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipping"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-sig.XXXXXX")
TM="tmux -L cs$$ -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; $TM capture-pane -p -t s 2>/dev/null; exit 1; }
wait_for() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		$TM capture-pane -p -t s | grep -qF -- "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
mkdir -p "$T/home" "$T/empty"
ENV="env HOME=$T/home TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 CLAUDE_CONFIG_DIR= CODEX_HOME= XDG_CONFIG_HOME=$T/home XDG_STATE_HOME=$T/home XDG_CACHE_HOME=$T/home"
ARGS="--claude-dir $T/empty/claude --codex-dir $T/empty/codex"

# 1. empty machine, NO_COLOR; Ctrl-Z, fg, Ctrl-C
SHELL_CMD=$(command -v bash >/dev/null 2>&1 && echo "bash --norc --noprofile" || echo sh)
$TM new-session -d -s s -x 100 -y 30 "$SHELL_CMD" || fail tmux
$TM send-keys -t s "$ENV NO_COLOR=1 $BIN $ARGS; echo EXITED \$?" Enter
wait_for "Looked in:" 5 || fail "the empty screen does not say where it looked"
wait_for "cachetop replay samples/" 1 || fail "the empty screen does not offer the samples"
esc=$(printf '\033')
$TM capture-pane -p -e -t s | grep -qE "${esc}\[[0-9;]*3[0-7]m|38;5;" && fail "colour escapes with NO_COLOR"
$TM send-keys -t s C-z
wait_for "Stopped" 3 || fail "Ctrl-Z did not suspend"
[ "$($TM display -p -t s '#{alternate_on}')" = 0 ] || fail "suspended on the alternate screen"
$TM send-keys -t s "fg" Enter
wait_for "Looked in:" 3 || fail "no redraw after fg"
$TM send-keys -t s C-c
sleep 0.5
$TM send-keys -t s 'echo "RC=$?"' Enter   # the status of `fg`, i.e. of the dashboard
wait_for "RC=0" 3 || fail "Ctrl-C did not quit cleanly"
[ "$($TM display -p -t s '#{alternate_on}')" = 0 ] || fail "alternate screen after Ctrl-C"

# 2. --ascii: no byte above 0x7e on the screen; SIGTERM quits cleanly
$TM send-keys -t s "clear; $ENV $BIN $ARGS --ascii; echo EXITED \$?" Enter
wait_for "Looked in:" 5 || fail "no screen with --ascii"
$TM capture-pane -p -t s | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII output with --ascii"
pid=$(pgrep -n -f -- "$T/empty/codex --ascii") || fail "no pid"
kill -TERM "$pid"
wait_for "EXITED 0" 3 || fail "SIGTERM did not quit cleanly"
[ "$($TM display -p -t s '#{alternate_on}')" = 0 ] || fail "alternate screen after SIGTERM"
echo ok
