#!/bin/sh
# Run the test suites, print each test's result as it finishes, and end with
# one line: "N passed, N failed, N skipped".
#   sh tests/run.sh [unit|cli|all|long] [PATTERN]
# Unit tests are the Check programs under tests/build/unit (each check counts);
# CLI tests are the numbered scripts tests/cli/tNNNN-*.sh (exit 0 pass, 77
# skip, else fail). Scripts marked "# suite: long" (the samples of fault
# injection, races and fuzzing) run only in mode "long" (make check-long,
# which CI runs too), or when PATTERN names one (t1700). TEST_JOBS=N runs N tests at a time (default: one more
# than the number of processors: the tests wait on the Pythons, pips and
# shells they run, some 80 s of a make check on 2 cores, which a third job
# fills; measured, 432 tests in 493 s on 2 cores, no test slower than its limits). The longest tests of the previous run start first, so that
# the run ends when the work does; every test runs with its own HOME,
# XDG_CACHE_HOME and VENV_CACHE_DIR (tests/run-one.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-all}
pattern=${2:-}
logdir="$top/tests/build/logs"
# Under SANITIZE=1 every program of the suite is instrumented: say plainly
# that leaks count (LeakSanitizer's default on Linux, made explicit here) and
# that any report fails the program, which the tests then see as a failure.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Check's per-test timeout (4 s) is for an idle machine; the tests now share
# the processors with each other, so give each four times as long.
export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-4}"
# The tests find pyenv's interpreters through PYENV_ROOT: pin it before each
# test gets a HOME of its own.
if [ -z "${PYENV_ROOT:-}" ]; then
	PYENV_ROOT=$(pyenv root 2>/dev/null) || PYENV_ROOT=
	[ -n "$PYENV_ROOT" ] || PYENV_ROOT="${HOME:-/nonexistent}/.pyenv"
fi
export PYENV_ROOT
jobs=${TEST_JOBS:-$(( $(nproc 2>/dev/null || echo 2) + 1 ))}
case "$mode" in all|unit|cli|long) ;; *) echo "usage: sh tests/run.sh [unit|cli|all|long] [PATTERN]" >&2; exit 2 ;; esac

resdir="$logdir/run"
mkdir -p "$logdir"
rm -rf "$resdir"
mkdir -p "$resdir"
# Durations of earlier runs, "NAME SECONDS" a line: the checked-in ones and
# this machine's last run.
durations="$logdir/durations"

list() {
	if [ "$mode" != unit ]; then
		for t in "$top"/tests/cli/t[0-9]*.sh; do
			[ -e "$t" ] || continue
			name=$(basename "$t" .sh)
			case "$name" in *"$pattern"*) ;; *) continue ;; esac
			if grep -q '^# suite: long' "$t"; then
				# ... or when the pattern names it ("t1700").
				case "$mode:$pattern" in
				long:*|*:t[0-9][0-9][0-9][0-9]*) ;;
				*) continue ;;
				esac
			else
				[ "$mode" != long ] || continue
			fi
			echo "cli $name $t"
		done
	fi
	if [ "$mode" = all ] || [ "$mode" = unit ]; then
		find "$top/tests/build/unit" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort |
		while read -r t; do
			name=${t#"$top/tests/build/unit/"}
			name=unit-$(echo "$name" | tr / -)
			case "$name" in *"$pattern"*) echo "unit $name $t" ;; esac
		done
	fi
}

# Longest first (unknown ones count as 30 s), then by name.
list | awk -v f1="$top/tests/durations" -v f2="$durations" '
	BEGIN {
		while ((getline l < f1) > 0) { split(l, a, " "); d[a[1]] = a[2] }
		while ((getline l < f2) > 0) { split(l, a, " "); d[a[1]] = a[2] }
	}
	{ s = ($2 in d) ? d[$2] : 30; printf "%09.1f %s %s\n", 100000 - s, $1, $3 }' |
	sort | cut -d' ' -f2- >"$resdir/.queue"
total=$(wc -l <"$resdir/.queue")
echo "running $total tests, $jobs at a time (logs in ${resdir#"$top/"})"
start=$(date +%s)
xargs -r -n 2 -P "$jobs" sh "$top/tests/run-one.sh" "$resdir" <"$resdir/.queue"

passed=0 failed=0 skipped=0 failures=""
while read -r kind t; do
	if [ "$kind" = unit ]; then
		name=unit-$(echo "${t#"$top/tests/build/unit/"}" | tr / -)
	else
		name=$(basename "$t" .sh)
	fi
	if read -r p f s <"$resdir/$name.res" 2>/dev/null; then :; else p=0 f=1 s=0; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" -eq 0 ] || failures="$failures $name"
done <"$resdir/.queue"

# Remember how long each test took, for the order of the next run.
for r in "$resdir"/*.time; do
	[ -e "$r" ] || continue
	n=$(basename "$r" .time)
	read -r w _ <"$r" && echo "$n $w"
done >"$durations.new" 2>/dev/null
[ -e "$durations" ] && awk 'NR == FNR { seen[$1] = 1; print; next } !($1 in seen)' \
	"$durations.new" "$durations" >"$durations.tmp" && mv "$durations.tmp" "$durations.new"
mv "$durations.new" "$durations"
rm -rf "$resdir/home"

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped ($(($(date +%s) - start)) s)"
[ "$failed" -eq 0 ]
