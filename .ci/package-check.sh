#!/bin/bash
# package-check.sh — builds the .deb with CPack in a temporary build folder, checks its contents
# and metadata, installs it with dpkg (apt-get install -f for missing dependencies), runs the
# installed cachetop (--version, --help, a report over samples/), checks the shell completion
# loads, and removes the package again. It also checks the licence and Debian documentation (a
# DEP-5 copyright file matching LICENSE, a changelog whose newest entry is this version) and runs
# lintian, which must report no error. Needs root (or sudo), dpkg-dev (dpkg-shlibdeps) and lintian.
# Usage: .ci/package-check.sh [SOURCE_DIR]   (default: the repository holding this script)
# CACHETOP_DEB_DIR=DIR keeps a copy of the checked .deb there (CI installs it on a bare machine).
set -euo pipefail

src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
sudo=""
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "package-check: needs root or sudo" >&2; exit 1; }
	sudo=sudo
fi

fail() { echo "package-check: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

if dpkg-query -W -f='${Status}' cachetop 2>/dev/null | grep -q 'install ok installed'; then
	fail "a cachetop package is already installed; remove it first (dpkg -r cachetop)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cachetop-package.XXXXXX")
installed=0
cleanup() {
	if [[ $installed -eq 1 ]]; then
		$sudo dpkg -r cachetop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

version=$(sed -n 's/^project(cachetop VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "no version in CMakeLists.txt"

step "configure and build ($src, version $version)"
# Debian's policy: shared libraries, not copies linked in (lintian: embedded-library)
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DCACHETOP_TESTS=OFF -DCACHETOP_STATIC_DEPS=OFF \
	-DCACHETOP_WERROR=ON >"$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/build" -j"$(nproc)" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }

step "cpack -G DEB"
(cd "$tmp/build" && cpack -G DEB) >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(find "$tmp/build" -maxdepth 1 -name 'cachetop_*.deb' | head -n 1)
[[ -f $deb ]] || fail "cpack made no cachetop_*.deb"
echo "$(basename "$deb"): $(stat -c %s "$deb") bytes"

step "package metadata"
dpkg-deb --field "$deb" Package Version Architecture Section Maintainer Depends | tee "$tmp/fields"
grep -qx "Package: cachetop" "$tmp/fields" || fail "Package field"
grep -qx "Version: $version" "$tmp/fields" || fail "Version field is not $version"
grep -qx "Section: utils" "$tmp/fields" || fail "Section field"
# Every library the binary needs must be covered by Depends; a library of the stack it does not
# load (linked in from its static archive) is only reported.
needed=$(objdump -p "$tmp/build/src/app/cachetop" | awk '/NEEDED/ {print $2}')
for pair in libncursesw.so:libncursesw6 libyaml-0.so:libyaml-0-2 libjson-c.so:libjson-c5 \
	libinotifytools.so:libinotifytools0; do
	so=${pair%%:*} pkg=${pair#*:}
	if grep -q "^$so" <<<"$needed"; then
		grep -q "^Depends:.*\b$pkg\b" "$tmp/fields" || fail "the binary needs $so but Depends lacks $pkg"
	else
		echo "package-check: $so is not loaded (linked in statically), so no $pkg in Depends" >&2
	fi
done
# libsqlite3 is loaded at run time (dlopen, when an opencode database is read): no NEEDED entry
# names it, so Depends must
grep -q "^Depends:.*\blibsqlite3-0\b" "$tmp/fields" || fail "Depends lacks libsqlite3-0 (loaded when a database is read)"

step "package contents"
dpkg-deb --contents "$deb" | awk '{print $6}' >"$tmp/contents"
want=(./usr/bin/cachetop ./usr/share/man/man1/cachetop.1.gz
	./usr/share/bash-completion/completions/cachetop ./usr/share/zsh/vendor-completions/_cachetop)
[[ -f $src/data/prices.yaml ]] && want+=(./usr/share/cachetop/prices.yaml)
[[ -f $src/data/config.example.yaml ]] && want+=(./usr/share/cachetop/config.example.yaml)
if [[ -d $src/samples/claude && -d $src/samples/codex ]]; then
	want+=(./usr/share/cachetop/samples/claude/ ./usr/share/cachetop/samples/codex/)
fi
if [[ -d $src/themes ]]; then
	for t in "$src"/themes/*.yaml; do
		[[ -f $t ]] && want+=("./usr/share/cachetop/themes/$(basename "$t")")
	done
fi
for f in "${want[@]}"; do
	grep -qx "$f" "$tmp/contents" || fail "the package lacks $f"
done
echo "${#want[@]} expected files present"

step "licence and changelog"
doc=./usr/share/doc/cachetop
for f in $doc/copyright $doc/changelog.gz; do
	grep -qx "$f" "$tmp/contents" || fail "the package lacks $f"
done
dpkg-deb -x "$deb" "$tmp/root"
copyright=$tmp/root/$doc/copyright
holder=$(sed -n 's/^Copyright (c) //p' "$src/LICENSE")
[[ -n $holder ]] || fail "LICENSE has no 'Copyright (c)' line"
grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$copyright" ||
	fail "copyright is not in the machine-readable format (no Format: line)"
grep -qx "Copyright: $holder" "$copyright" || fail "copyright does not name '$holder' as LICENSE does"
grep -qx 'License: Expat' "$copyright" || fail "copyright does not give the licence as Expat (MIT)"
# The licence text itself, word for word (DEP-5 indents it by one space and writes blank lines as " .").
terms=$(sed -n '/^Permission is hereby granted/,$p' "$src/LICENSE" | sed '/^$/d')
[[ -n $terms ]] || fail "LICENSE has no MIT permission notice"
[[ $terms == "$(sed -n '/^ Permission is hereby granted/,$p' "$copyright" | sed 's/^ //; /^\.$/d')" ]] ||
	fail "copyright does not carry the licence text of LICENSE"
top=$(gzip -dc "$tmp/root/$doc/changelog.gz" | head -n 1)
[[ $top == "cachetop ($version) "* ]] ||
	fail "the changelog's newest entry is not $version (add one to packaging/changelog.in): $top"
echo "copyright: DEP-5, Expat, $holder; changelog: $top"

step "lintian"
# The Maintainer is whoever builds the package (DEBFULLNAME/DEBEMAIL); without them it is the local
# account, which lintian rightly rejects as a contact. Only then are those contact tags set aside.
suppress=()
if [[ -z ${DEBEMAIL:-} ]]; then
	suppress=("--suppress-tags=bogus-mail-host,root-in-contact,bogus-mail-host-in-debian-changelog")
	echo "no DEBEMAIL: the Maintainer is the local account ($(dpkg-deb --field "$deb" Maintainer));" \
		"lintian's contact tags on it are not checked"
fi
rc=0
lintian "${suppress[@]}" "$deb" >"$tmp/lintian.txt" 2>&1 || rc=$?
cat "$tmp/lintian.txt"
if grep -q '^E: ' "$tmp/lintian.txt"; then fail "lintian reports errors"; fi
[[ $rc -eq 0 ]] || fail "lintian exited $rc"
echo "lintian: no errors, $(grep -c '^W: ' "$tmp/lintian.txt") warnings"

if [[ -n ${CACHETOP_DEB_DIR:-} ]]; then
	mkdir -p "$CACHETOP_DEB_DIR" && cp "$deb" "$CACHETOP_DEB_DIR/" || fail "cannot copy the .deb to $CACHETOP_DEB_DIR"
fi

step "dpkg -i"
installed=1
if ! $sudo dpkg -i "$deb"; then
	$sudo apt-get install -f -y || fail "dependencies could not be installed"
fi
dpkg-query -W -f='${Status}\n' cachetop | grep -q 'install ok installed' || fail "not installed"

step "run the installed copy"
bin=/usr/bin/cachetop
[[ -x $bin ]] || fail "$bin missing"
out=$("$bin" --version) || fail "cachetop --version exited $?"
echo "$out"
[[ $out == *"$version"* ]] || fail "--version does not print $version"
"$bin" --help >/dev/null || fail "cachetop --help exited $?"

claude=$src/samples/claude codex=$src/samples/codex
if [[ ! -d $claude || ! -d $codex ]]; then
	echo "package-check: no samples/ in $src: reporting over empty roots instead" >&2
	claude=$tmp/roots/claude codex=$tmp/roots/codex
	mkdir -p "$claude/projects" "$codex/sessions"
fi
# From another directory, so that nothing is found relative to the source tree by accident.
rc=0
(cd "$tmp" && "$bin" report --claude-dir "$claude" --codex-dir "$codex") >"$tmp/report.txt" || rc=$?
[[ $rc -eq 0 ]] || { cat "$tmp/report.txt"; fail "cachetop report exited $rc"; }
[[ -s $tmp/report.txt ]] || fail "cachetop report printed nothing"
head -n 5 "$tmp/report.txt"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)   # one clock for both OpenMetrics runs below
(cd "$tmp" && "$bin" report --now "$now" --openmetrics "$tmp/cachetop.prom" --claude-dir "$claude" --codex-dir "$codex") ||
	fail "cachetop report --openmetrics FILE exited $?"
[[ ! -e $tmp/cachetop.prom.tmp ]] || fail "--openmetrics left its .tmp file behind"
[[ $(tail -n 1 "$tmp/cachetop.prom") == "# EOF" ]] || fail "the OpenMetrics file does not end with # EOF"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/cachetop.prom" || fail "promtool rejects the OpenMetrics file"
fi
# The installed samples are the same tree: the same metrics (which name no file paths).
shared=/usr/share/cachetop/samples
if [[ -d $shared/claude && $claude == "$src/samples/claude" ]]; then
	(cd "$tmp" && "$bin" report --now "$now" --openmetrics --claude-dir "$shared/claude" --codex-dir "$shared/codex") \
		>"$tmp/installed.prom" || fail "report over the installed samples exited $?"
	cmp -s "$tmp/cachetop.prom" "$tmp/installed.prom" ||
		fail "the installed samples do not give the metrics the source samples give"
	echo "installed samples: $(grep -c '^cachetop_' "$tmp/installed.prom") series, same as the source tree's"
fi

bash --norc --noprofile -c \
	'source /usr/share/bash-completion/completions/cachetop && complete -p cachetop' >/dev/null ||
	fail "the installed bash completion does not load"

step "dpkg -r"
$sudo dpkg -r cachetop >/dev/null || fail "dpkg -r"
installed=0
[[ ! -e $bin ]] || fail "$bin left behind after removal"

echo "package-check: OK"
