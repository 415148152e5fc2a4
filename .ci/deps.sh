#!/bin/sh
# deps.sh [build|test] — install the Debian packages cachetop needs, only those missing.
# "build": to build and run; "test" adds the test, sanitizer, fuzzing and packaging tools.
set -eu
need="gcc make cmake pkg-config libncurses-dev libyaml-dev libjson-c-dev libinotifytools0-dev libsqlite3-dev"
if [ "${1:-build}" = test ]; then
	need="$need libcriterion-dev tmux clang valgrind dpkg-dev file groff-base man-db prometheus zsh"
fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
