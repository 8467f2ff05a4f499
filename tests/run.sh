#!/bin/sh
# Run the test suites and print one closing line: "N passed, N failed, N skipped".
#   sh tests/run.sh [unit|cli|all] [PATTERN]
# Unit tests are the Check programs under tests/build/unit; CLI tests are the
# numbered scripts tests/cli/tNNNN-*.sh (exit 0 pass, 77 skip, else fail).
# TEST_JOBS=N runs N CLI scripts at a time (default 2).
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
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failures=""

if [ "$mode" = all ] || [ "$mode" = unit ]; then
	for t in $(find "$top/tests/build/unit" -type f -name 'test_*' 2>/dev/null | sort); do
		name=${t#"$top/tests/build/unit/"}
		case "$name" in *"$pattern"*) ;; *) continue ;; esac
		log="$logdir/unit-$(echo "$name" | tr / -).log"
		"$t" >"$log" 2>&1
		rc=$?
		line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
		if [ -n "$line" ]; then
			n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
			f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
			e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
			passed=$((passed + n - f - e))
			failed=$((failed + f + e))
		else
			f=1
			failed=$((failed + 1))
		fi
		if [ "$rc" -ne 0 ] || [ "${f:-0}" -ne 0 ] || [ "${e:-0}" -ne 0 ]; then
			echo "FAIL unit $name"
			sed -n '1,40p' "$log" | sed 's/^/    /'
			failures="$failures unit:$name"
		else
			echo "ok   unit $name ($line)"
		fi
	done
fi

if [ "$mode" = all ] || [ "$mode" = cli ]; then
	list=$(ls "$top"/tests/cli/t[0-9]*.sh 2>/dev/null | sort)
	jobs=${TEST_JOBS:-2}
	resdir="$logdir/cli"
	rm -rf "$resdir"
	mkdir -p "$resdir"
	# Run in parallel, report in order.
	for t in $list; do
		name=$(basename "$t" .sh)
		case "$name" in *"$pattern"*) echo "$t" ;; esac
	done | xargs -n 1 -P "$jobs" sh -c '
		d=$1; t=$2; name=$(basename "$t" .sh)
		start=$(date +%s)
		bash "$t" >"$d/$name.log" 2>&1
		echo $? >"$d/$name.rc"
		echo $(( $(date +%s) - start )) >"$d/$name.time"
	' sh "$resdir"
	for t in $list; do
		name=$(basename "$t" .sh)
		case "$name" in *"$pattern"*) ;; *) continue ;; esac
		rc=$(cat "$resdir/$name.rc" 2>/dev/null || echo 99)
		secs=$(cat "$resdir/$name.time" 2>/dev/null || echo "?")
		case "$rc" in
		0) passed=$((passed + 1)); echo "ok   cli  $name (${secs}s)" ;;
		77) skipped=$((skipped + 1)); echo "skip cli  $name: $(tail -n 1 "$resdir/$name.log")" ;;
		*) failed=$((failed + 1)); failures="$failures cli:$name"
		   echo "FAIL cli  $name (exit $rc)"; tail -n 30 "$resdir/$name.log" | sed 's/^/    /' ;;
		esac
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
