#!/bin/bash
# The reliability figures of the README, measured on this machine:
#
#   tests/reliability.sh [--quick] [--logs DIR] [--check-log FILE] [--sanitize-log FILE]
#
#   tests        unit checks and CLI scripts passed/failed/skipped, from the
#                summary of a `make check` log (--check-log), or in --quick
#                mode from the logs of the last run (tests/build/logs), or
#                else by running `make check`;
#   faults       injection points and violations of every tests/faults/*.sh
#                (--quick: their CI samples, `--sample 5`, and repair's CLI
#                test, which tries every ninth point);
#   races        rounds and violations of tests/races/{clear,restore}.sh
#                (RACE_ROUNDS, default 2000; --quick: 100), and rounds, bad
#                outcomes and the outcome mix of tests/races/pairs.sh
#                (ROUNDS, default 50; --quick: 5);
#   fuzzing      inputs tried, seconds and findings of every libFuzzer target
#                tests/build/fuzz/fuzz_*: read from the logs under
#                tests/build/fuzz when there are any, or else by running each
#                target for FUZZ_SECONDS (default 60; --quick: 10), which
#                leaves its log in tests/build/fuzz/logs/;
#   sanitizers   findings of a `make check SANITIZE=1` run whose log is given
#                with --sanitize-log (0 when it passed with no report).
#
# --logs DIR keeps the log of every measurement in DIR and reads, instead of
# running it again, any measurement whose finished log is already there; the
# long runs (every fault point, 2000 race rounds) are then made once, and
# the table can be printed again when the fuzzing logs have grown.
#
# Prints a Markdown table on standard output (progress on standard error).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
quick=0 check_log="" san_log="" logs=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--check-log) check_log=$2; shift ;;
	--sanitize-log) san_log=$2; shift ;;
	--logs) logs=$2; shift ;;
	-h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "reliability: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [ -n "$logs" ]; then
	mkdir -p "$logs" && W=$(cd "$logs" && pwd) || exit 2
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/venv-reliability.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
# run_logged NAME CMD...: run CMD with its output in $W/NAME.log and its
# exit status in $W/NAME.rc, unless --logs holds both from an earlier run.
run_logged() {
	local name=$1
	shift
	if [ -n "$logs" ] && [ -f "$W/$name.rc" ] && [ -f "$W/$name.log" ]; then
		say "reusing $W/$name.log"
	else
		"$@" >"$W/$name.log" 2>&1
		echo $? >"$W/$name.rc"
	fi
	return "$(cat "$W/$name.rc")"
}
say() { echo "reliability: $*" >&2; }
rows=""
row() { rows="$rows| $1 | $2 |
"; }

# Tests.
unit_pass=0 unit_fail=0 cli_pass=0 cli_fail=0 cli_skip=0 tests_src=""
count_from_check_log() {
	# run.sh prints one line per unit program and per CLI script.
	unit_pass=$(sed -n 's/^ok   unit .*Checks: \([0-9]*\), Failures: 0, Errors: 0.*/\1/p' "$1" |
		awk '{ s += $1 } END { print s + 0 }')
	unit_fail=$(grep -c '^FAIL unit ' "$1")
	cli_pass=$(grep -c '^ok   cli ' "$1")
	cli_fail=$(grep -c '^FAIL cli ' "$1")
	cli_skip=$(grep -c '^skip cli ' "$1")
}
if [ -n "$check_log" ]; then
	count_from_check_log "$check_log"
	tests_src="from the log of a make check run"
elif [ "$quick" = 1 ] && [ -d tests/build/logs/cli ]; then
	for l in tests/build/logs/unit-*.log; do
		[ -f "$l" ] || continue
		line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$l" | tail -n 1)
		n=$(echo "$line" | sed -nE 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/p')
		set -- ${n:-0 1 0}
		unit_pass=$((unit_pass + $1 - $2 - $3))
		unit_fail=$((unit_fail + $2 + $3))
	done
	for r in tests/build/logs/cli/t*.rc; do
		[ -f "$r" ] || continue
		case "$(cat "$r")" in
		0) cli_pass=$((cli_pass + 1)) ;;
		77) cli_skip=$((cli_skip + 1)) ;;
		*) cli_fail=$((cli_fail + 1)) ;;
		esac
	done
	total=$(ls tests/cli/t[0-9]*.sh | wc -l)
	tests_src="from the last run's logs"
	[ $((cli_pass + cli_fail + cli_skip)) -lt "$total" ] &&
		tests_src="$tests_src, which ran $((cli_pass + cli_fail + cli_skip)) of the $total CLI scripts"
else
	say "running make check"
	run_logged check make check
	count_from_check_log "$W/check.log"
	tests_src="make check"
fi
row "Unit checks (Check) passed / failed" "$unit_pass / $unit_fail"
row "CLI test scripts passed / failed / skipped" "$cli_pass / $cli_fail / $cli_skip ($tests_src)"

# Fault injection.
points=0 fviol=0 fdetail=""
for f in tests/faults/*.sh; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .sh)
	if [ "$quick" = 1 ] && ! grep -q -- '--sample' "$f"; then
		# repair's points are sampled by its CLI test instead.
		cmd="bash tests/cli/t3400-repair-crash.sh"
		[ "$name" = repair ] || cmd="bash $f"
	elif [ "$quick" = 1 ]; then
		cmd="bash $f --sample 5"
	else
		cmd="bash $f"
	fi
	say "faults: $cmd"
	run_logged "faults-$name" $cmd
	rc=$?
	n=$(sed -n 's/^faults: \([0-9]*\) injected, \([0-9]*\) failed$/\1/p' "$W/faults-$name.log" | tail -n 1)
	v=$(sed -n 's/^faults: \([0-9]*\) injected, \([0-9]*\) failed$/\2/p' "$W/faults-$name.log" | tail -n 1)
	if [ -z "$n" ]; then
		# repair's test prints "SCENARIO: N fault points, ..." and stops at the first violation.
		n=$(sed -n 's/^[^:]*: \([0-9]*\) fault points.*/\1/p' "$W/faults-$name.log" | awk '{ s += $1 } END { print s + 0 }')
		v=0
		[ "$rc" -eq 0 ] || v=1
	fi
	[ "$rc" -eq 77 ] && { fdetail="$fdetail${fdetail:+, }$name skipped"; continue; }
	points=$((points + n))
	fviol=$((fviol + v))
	fdetail="$fdetail${fdetail:+, }$name $n"
done
row "Fault points injected (kill, ENOSPC, EIO) / violations" "$points / $fviol ($fdetail)"

# Races.
rounds=${RACE_ROUNDS:-2000}
[ "$quick" = 1 ] && rounds=${RACE_ROUNDS:-100}
rtotal=0 rviol=0 rswaps=0 rdetail=""
for r in clear restore; do
	say "races: $r, $rounds rounds"
	run_logged "race-$r" bash "tests/races/$r.sh" "$rounds"
	rc=$?
	line=$(grep '^races: ' "$W/race-$r.log" | tail -n 1)
	n=$(echo "$line" | sed -n 's/^races: \([0-9]*\) rounds.*/\1/p')
	sw=$(echo "$line" | sed -n 's/^races: [0-9]* rounds, \([0-9]*\) swaps.*/\1/p')
	v=$(echo "$line" | sed -n 's/.* \([0-9]*\) violations$/\1/p')
	[ -n "$n" ] || { n=0; v=1; tail -n 5 "$W/race-$r.log" >&2; }
	[ "$rc" -eq 0 ] || [ "${v:-0}" -gt 0 ] || v=1
	rtotal=$((rtotal + n))
	rswaps=$((rswaps + ${sw:-0}))
	rviol=$((rviol + v))
	rdetail="$rdetail${rdetail:+, }$r $n rounds, ${sw:-0} swaps"
done
row "Race rounds / directories swapped for symlinks / sentinel changes" "$rtotal / $rswaps / $rviol ($rdetail)"

# Pairs of commands started together, and check -r against a swapper.
prounds=${ROUNDS:-50}
[ "$quick" = 1 ] && prounds=${ROUNDS:-5}
say "races: pairs, $prounds rounds each"
run_logged pairs bash tests/races/run.sh pairs "$prounds"
prc=$?
ptotal=0 pbad=0 pdetail=""
while read -r line; do
	# pairs: NAME N rounds, N bad[, N swaps], S s; outcomes: MIX
	pn=$(echo "$line" | sed -n 's/^pairs: [^ ]* \([0-9]*\) rounds.*/\1/p')
	pb=$(echo "$line" | sed -n 's/^pairs: [^ ]* [0-9]* rounds, \([0-9]*\) bad.*/\1/p')
	[ -n "$pn" ] || continue
	ptotal=$((ptotal + pn))
	pbad=$((pbad + ${pb:-1}))
	pdetail="$pdetail${pdetail:+; }$(echo "$line" | sed 's/^pairs: \([^ ]*\) [0-9]* rounds, [0-9]* bad\(, [0-9]* swaps\)\{0,1\}, [0-9]* s; outcomes: \(.*\)$/\1\2: \3/')"
done <<<"$(grep '^pairs: ' "$W/pairs.log")"
[ "$ptotal" -gt 0 ] || { pbad=1; tail -n 5 "$W/pairs.log" >&2; }
[ "$prc" -eq 0 ] || [ "$pbad" -gt 0 ] || pbad=1
row "Concurrent pairs and check -r against a swapper: rounds / bad outcomes" "$ptotal / $pbad ($pdetail)"

# Fuzzing: libFuzzer's final statistics, from its logs.
fuzz_seconds=${FUZZ_SECONDS:-60}
[ "$quick" = 1 ] && fuzz_seconds=${FUZZ_SECONDS:-10}
targets=$(find tests/build/fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x 2>/dev/null | sort)
logs=$(find tests/build/fuzz -name '*.log' -type f 2>/dev/null | sort)
if [ -n "$targets" ] && [ -z "$logs" ]; then
	mkdir -p tests/build/fuzz/logs
	for t in $targets; do
		name=${t##*/fuzz_}
		say "fuzzing $name for $fuzz_seconds seconds"
		mkdir -p "tests/build/fuzz/corpus-$name"
		"$t" -max_total_time="$fuzz_seconds" -timeout=20 -rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix="tests/build/fuzz/$name-" "tests/build/fuzz/corpus-$name" \
			$( [ -d "tests/fuzz/corpus/$name" ] && echo "tests/fuzz/corpus/$name") \
			>"tests/build/fuzz/logs/fuzz_$name.log" 2>&1
	done
	logs=$(find tests/build/fuzz -name '*.log' -type f | sort)
fi
inputs=0 secs=0 ntargets=0 findings=0 per_target=""
for l in $logs; do
	# "Done N runs in S second(s)" ends every run that was not stopped; a
	# run that stopped at a finding prints its statistics instead.
	done_line=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$l" | tail -n 1)
	[ -n "$done_line" ] || done_line=$(awk -F': *' '
		/^stat::number_of_executed_units/ { n = $NF }
		/^stat::average_exec_per_sec/ { r = $NF }
		END { if (n) print n, (r ? int(n / r) : 0) }' "$l")
	set -- $done_line 0 0
	inputs=$((inputs + $1))
	secs=$((secs + $2))
	ntargets=$((ntargets + 1))
	# Logs are named fuzz_<target>.log or fuzz_<target>-<stamp>.log.
	t=${l##*/fuzz_}
	t=${t%.log}
	per_target="$per_target${t%%-*} $1 $2
"
	grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:' "$l" &&
		findings=$((findings + 1))
done
artifacts=$(find tests/build/fuzz -maxdepth 1 -type f \( -name '*crash-*' -o -name '*leak-*' -o -name '*timeout-*' -o -name '*oom-*' \) 2>/dev/null | wc -l)
detail=$(printf '%s' "$per_target" | awk 'NF == 3 { n[$1] += $2; s[$1] += $3 }
	END { for (t in n) printf "%s %d s, %d inputs\n", t, s[t], n[t] }' | sort | paste -sd ';' - | sed 's/;/; /g')
row "Fuzz runs / inputs tried / seconds fuzzed" "$ntargets / $inputs / $secs (${detail:-none}; $(echo $targets | wc -w) targets built)"
row "Fuzzing findings (crashing logs / unfixed artifacts)" "$findings / $artifacts"

# Sanitizers.
if [ -n "$san_log" ]; then
	grep -qE '^[0-9]+ passed, 0 failed' "$san_log" && s=ok || s=failed
	reports=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$san_log")
	[ "$s" = ok ] && row "Sanitizer findings (make check SANITIZE=1)" "$reports" ||
		row "Sanitizer findings (make check SANITIZE=1)" "$reports (the run did not pass)"
else
	row "Sanitizer findings (make check SANITIZE=1)" "not measured (give --sanitize-log)"
fi

echo "| Measure | Figure |"
echo "|---|---|"
printf '%s' "$rows"
echo
echo "Measured $(date -u +%Y-%m-%d) by tests/reliability.sh$([ "$quick" = 1 ] && echo ' --quick')."
