# bench_lib.sh — what the benchmark scripts share (sourced, not run): one timed run and the
# median. The caller sets `work` (a scratch folder) and `bench` (its name, for messages).

# run_once NAME CMD...: one run (stdout to $work/NAME.out), appending to $work/NAME.samples its
# wall time (ns, fork to exit), peak RSS (KiB) and user+sys CPU (s), measured by bench_run.c
# (compiled into $work on first use; `here` is the bench folder).
run_once() {
	local name=$1; shift
	if [ ! -x "$work/bench_run" ]; then
		cc -O2 -std=c11 -o "$work/bench_run" "$here/bench_run.c" || { echo "$bench: cannot build bench_run" >&2; exit 1; }
	fi
	"$work/bench_run" "$work/$name.time" "$work/$name.out" "$work/$name.err" "$@" || {
		echo "$bench: '$name' failed:" >&2; cat "$work/$name.err" >&2; exit 1; }
	cat "$work/$name.time" >> "$work/$name.samples"
}
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.6f", m}'; }

# make_corpus DIR ARGS...: a gen_corpus tree in DIR unless one is there (claude/ and codex/);
# GEN_CORPUS names a built gen_corpus, else it is compiled into $work. `here` is the bench folder.
make_corpus() {
	local dir=$1; shift
	[ -d "$dir/claude" ] && [ -d "$dir/codex" ] && return 0
	local gen=${GEN_CORPUS:-}
	if [ -z "$gen" ]; then
		gen=$work/gen_corpus
		cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o "$gen" "$here/gen_corpus.c"
	fi
	echo "generating $dir ($*) ..."
	mkdir -p "$dir"
	"$gen" "$@" "$dir" >/dev/null
}
