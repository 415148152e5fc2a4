#!/bin/sh
# dashboard.sh BIN — drives the real dashboard in a private tmux server: starts it on a temporary
# Claude tree, appends a resume (a new file that replays the first session and junctions into
# it) followed by a cold request 4 minutes after the last one, and checks that the red row and
# the red event appear within a second; opens it (per-request table), resizes the window (clean
# redraw within 80 columns), quits (terminal restored). Exits 77 (skip) when tmux is absent.
set -u
BIN=${1:?usage: dashboard.sh CACHETOP_BIN}
command -v tmux >/dev/null 2>&1 || { echo "tmux not installed: skipping"; exit 77; }
[ -x "$BIN" ] || { echo "no binary at $BIN"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-e2e.XXXXXX")
SOCK=ct$$
TM="tmux -L $SOCK -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; echo "--- screen ---"; $TM capture-pane -p -t ct 2>/dev/null; exit 1; }

mkdir -p "$T/claude/projects/-tmp-api" "$T/codex/sessions" "$T/home"
P="$T/claude/projects/-tmp-api"
A=aaaaaaaa-1111-4111-8111-111111111111
B=bbbbbbbb-2222-4222-8222-222222222222
now=$(date -u +%s)
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
user() { # uuid parent session t
	printf '{"parentUuid":%s,"isSidechain":false,"userType":"external","cwd":"/tmp/api","sessionId":"%s","version":"2.1.0","type":"user","message":{"role":"user","content":"go"},"uuid":"%s","timestamp":"%s"}\n' \
		"$2" "$3" "$1" "$(ts "$4")"
}
asst() { # uuid parent session t msgid input cc5m read
	printf '{"parentUuid":"%s","isSidechain":false,"userType":"external","cwd":"/tmp/api","sessionId":"%s","version":"2.1.0","message":{"id":"%s","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":%s,"cache_creation_input_tokens":%s,"cache_read_input_tokens":%s,"cache_creation":{"ephemeral_5m_input_tokens":%s,"ephemeral_1h_input_tokens":0},"output_tokens":50}},"requestId":"req_%s","type":"assistant","uuid":"%s","timestamp":"%s"}\n' \
		"$2" "$3" "$5" "$6" "$7" "$8" "$7" "$5" "$1" "$(ts "$4")"
}
t0=$((now - 600))
first() { # session-id of the lines: the original writes A; the resumed file replays them as B
	user u1 null "$1" $t0
	asst a1 u1 "$1" $((t0 + 5)) msg_1 10 20000 0
	user u2 '"a1"' "$1" $((t0 + 60))
	asst a2 u2 "$1" $((t0 + 65)) msg_2 10 500 20000
	user u3 '"a2"' "$1" $((t0 + 120))
	asst a3 u3 "$1" $((t0 + 125)) msg_3 10 400 20500
}
first $A > "$P/$A.jsonl"

$TM new-session -d -s ct -x 120 -y 40 \
	"env HOME=$T/home TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR= CLAUDE_CONFIG_DIR= CODEX_HOME= XDG_CONFIG_HOME=$T/home XDG_STATE_HOME=$T/home XDG_CACHE_HOME=$T/home \
	 $BIN --claude-dir $T/claude --codex-dir $T/codex; echo EXITED \$?; sleep 60" || fail "tmux"

wait_for() { # text seconds
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		$TM capture-pane -p -t ct | grep -qF -- "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
wait_for "aaaaaaaa" 5 || fail "the first session did not show"

# The resume: a new file replays A's lines under session B, then continues from A's last line;
# its first request comes 4 minutes after A's last one and reads nothing from the cache.
{ first $B; user u4 '"a3"' $B $((t0 + 125 + 240)); asst a4 u4 $B $((t0 + 125 + 245)) msg_4 10 23849 0; } > "$T/new.jsonl"
mv "$T/new.jsonl" "$P/$B.jsonl"
start=$(date +%s%N)
wait_for "RESUME MISS" 3 || fail "no RESUME MISS after the resume"
ms=$((($(date +%s%N) - start) / 1000000))
echo "resume miss visible after ${ms} ms"
[ $ms -le 1000 ] || fail "the resume miss took ${ms} ms to show (limit 1000)"
# red: the session row and the event carry a red SGR (31/91, or 256-colour 1/9/160/196)
esc=$(printf '\033')
$TM capture-pane -p -e -t ct > "$T/color.txt"
grep -F "bbbbbbbb" "$T/color.txt" | grep -qE "${esc}\[[0-9;]*(3|9)1m|38;5;(1|9|124|160|196)m" || fail "the resumed row is not red"
grep -F "RESUME MISS" "$T/color.txt" | grep -qE "${esc}\[[0-9;]*(3|9)1m|38;5;(1|9|124|160|196)m" || fail "the event is not red"
grep -F "RESUME MISS" "$T/color.txt" | head -1

# drill into the selected (most recent) session: the per-request table and the lineage
$TM send-keys -t ct Home Enter
wait_for "5M WRITE" 3 || fail "no per-request table after Enter"
wait_for "resumed from aaaaaaaa" 2 || fail "no lineage in the detail view"
wait_for "23.8k" 2 || fail "the cold request is not in the table"
$TM send-keys -t ct Escape
wait_for "LAST EVENT" 3 || fail "Esc did not return to the list"

# resize: a clean redraw inside the new size
$TM resize-window -t ct -x 80 -y 24
sleep 0.5
$TM capture-pane -p -t ct > "$T/small.txt"
lines=$(wc -l < "$T/small.txt")
[ "$lines" -le 24 ] || fail "more than 24 lines after resize"
perl -CSD -ne 'chomp; if (length($_) > 80) { print "line too long: $_\n"; exit 1 }' "$T/small.txt" || fail "line wider than 80"
head -1 "$T/small.txt" | grep -q "^cachetop" || fail "header missing after resize"
grep -q "RESUME MISS" "$T/small.txt" || fail "resume miss gone after resize"
grep -q "q quit" "$T/small.txt" || fail "status bar missing after resize"

# quit: the program exits 0 and the terminal is back to the normal screen
$TM send-keys -t ct q
wait_for "EXITED 0" 3 || fail "q did not quit with status 0"
[ "$($TM display -p -t ct '#{alternate_on}')" = 0 ] || fail "still on the alternate screen"
[ "$($TM display -p -t ct '#{cursor_flag}')" = 1 ] || fail "cursor still hidden"
echo "ok"
