#!/bin/sh
# safety.sh BIN — terminal safety: a transcript whose project path, title, model name and ids
# carry an OSC title change, a screen clear, C1 controls, a bidi override and wide characters is
# shown in the real dashboard (private tmux server); the pane title must not change, the screen
# must not be cleared, and every row must stay within the width. Exits 77 when tmux is absent.
set -u
BIN=${1:?usage: safety.sh CACHETOP_BIN}
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipping"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-safe.XXXXXX")
TM="tmux -L sf$$ -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; echo "--- screen ---"; $TM capture-pane -p -t sf 2>/dev/null; exit 1; }

P="$T/claude/projects/evil"
mkdir -p "$P" "$T/home"
now=$(date -u +%s)
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
EVIL='\u001b]0;PWNED\u0007\u001b[2J\u001b[31m\u009b1m\u202eevil\u202c\u200b寛寛寛'
SID='e\u001b[2Jvil-sess'
for i in 1 2 3; do
	printf '{"parentUuid":null,"isSidechain":false,"cwd":"/home/%s/proj","sessionId":"%s","version":"2.1.0","message":{"id":"msg_%s","type":"message","role":"assistant","model":"claude-%s","content":[],"usage":{"input_tokens":3,"cache_creation_input_tokens":2000,"cache_read_input_tokens":%s,"output_tokens":5}},"requestId":"r%s","type":"assistant","uuid":"u%s","timestamp":"%s"}\n' \
		"$EVIL" "$SID" "$i" "$EVIL" $((i * 1000)) "$i" "$i" "$(ts $((now - 300 + i * 30)))" >> "$P/s.jsonl"
done
printf '{"type":"custom-title","customTitle":"%s","sessionId":"%s"}\n' "$EVIL" "$SID" >> "$P/s.jsonl"

$TM new-session -d -s sf -x 100 -y 30 "env HOME=$T/home XDG_CACHE_HOME=$T/home LC_ALL=C.UTF-8 TERM=screen-256color $BIN --claude-dir $T/claude --codex-dir $T/none; sleep 5"
$TM select-pane -t sf -T clean
sleep 2
title=$($TM display -p -t sf '#{pane_title}')
[ "$title" = clean ] || fail "the pane title was changed to '$title'"
screen=$($TM capture-pane -p -t sf)
echo "$screen" | head -1 | grep -q '^cachetop' || fail "the header is gone (screen cleared?)"
echo "$screen" | grep -q 'proj' || fail "the session row is missing"
# no row wider than the pane (wide characters counted by their display width)
if command -v perl >/dev/null 2>&1; then
	echo "$screen" | perl -CS -Mutf8 -ne 'my $w = 0; for my $c (split //, $_) { next if $c eq "\n"; $w += ($c =~ /\p{East_Asian_Width=W}|\p{East_Asian_Width=F}/) ? 2 : 1 } exit 1 if $w > 100' \
		|| fail "a row is wider than the pane"
fi
$TM send-keys -t sf Enter; sleep 0.5
title=$($TM display -p -t sf '#{pane_title}')
[ "$title" = clean ] || fail "the detail view changed the pane title"
$TM send-keys -t sf q
echo "ok: hostile strings rendered inert"
