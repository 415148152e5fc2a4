#!/bin/sh
# deps.sh [build|test] — install the Debian packages cachetop needs, only those missing.
# "build": what building and running needs (compiler, CMake, and the headers and libraries the
# code includes and links: ncursesw, libyaml, json-c, libinotifytools, uthash, SQLite).
# "test" adds the test stack: Criterion, clang and its fuzzer runtime, valgrind, tmux and python3
# (end-to-end tests), man/groff/zsh/prometheus (packaging tests), dpkg-dev, file and lintian (the
# .deb check).
set -eu
need="gcc libc6-dev make cmake pkg-config libncurses-dev libyaml-dev libjson-c-dev \
libinotifytools0-dev uthash-dev libsqlite3-dev"
if [ "${1:-build}" = test ]; then
	need="$need libcriterion-dev clang libclang-rt-dev valgrind tmux python3 dpkg-dev file lintian \
groff-base man-db prometheus zsh"
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
