# Helpers for benchmark parts (bash). Times are wall-clock medians in
# milliseconds over BENCH_RUNS fresh runs; nothing here asserts on time.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$TOP/venv"
RUNS=${BENCH_RUNS:-21}
BTMP=$(mktemp -d "${TMPDIR:-/tmp}/venv-bench.XXXXXX")
trap 'rm -rf "$BTMP"' EXIT
export VENV_CACHE_DIR="$BTMP/cache"
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p;s/^\(PYTHON[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export PIP_DISABLE_PIP_VERSION_CHECK=1

# bench_python: the interpreter to measure with (BENCH_PYTHON, else the newest pyenv one).
bench_python() {
	if [ -n "${BENCH_PYTHON:-}" ]; then
		echo "$BENCH_PYTHON"
		return
	fi
	local root=${PYENV_ROOT:-$HOME/.pyenv} d v best=""
	for d in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2n -k3,3n); do
		v=${d##*/}
		v=$(echo "$v" | cut -d. -f1,2)
		[ -x "$d/bin/python$v" ] && best="$d/bin/python$v"
	done
	[ -n "$best" ] || best=$(command -v python3)
	echo "$best"
}

# median_ms 'COMMAND': median wall time in ms of COMMAND (a shell string in
# which $D is a fresh, not yet existing directory), over RUNS runs. Each run
# gets its own directory and nothing is deleted between runs, so that the
# file system's handling of just-deleted inodes does not enter the figures.
# Uses hyperfine when installed, else a plain loop.
median_ms() {
	local cmd=$1 base="$BTMP/target"
	if command -v hyperfine >/dev/null 2>&1; then
		D="$base-{i}" hyperfine -N --style none --runs 1 -P i 1 "$RUNS" \
			--export-json "$BTMP/h.json" "$(D="$base-{i}" eval "echo \"$cmd\"")" >/dev/null 2>&1 ||
			{ echo "bench: '$cmd' failed" >&2; return 1; }
		rm -rf "$base"-*
		python3 -c 'import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
print("%.2f" % (statistics.median(x["median"] for x in r) * 1000))' "$BTMP/h.json"
		return
	fi
	local i t0 t1 times="" D
	for i in $(seq 1 "$RUNS"); do
		D="$base-$i"
		t0=$(date +%s%N)
		eval "$cmd" >/dev/null 2>&1 || { echo "bench: '$cmd' failed" >&2; return 1; }
		t1=$(date +%s%N)
		times="$times $(( (t1 - t0) / 1000 ))"
	done
	rm -rf "$base"-*
	echo $times | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# row NAME MS BASELINE_MS: one table line with the speed-up ratio.
row() {
	awk -v n="$1" -v t="$2" -v b="$3" 'BEGIN {
		if (t > 0) printf "  %-44s %9.2f ms   %7.1fx\n", n, t, b / t;
		else printf "  %-44s %9.2f ms\n", n, t }'
}

# The set-up repair.sh and upgrade.sh share. Repair changes the environment
# it works on, so each run works on a fresh copy of a template.

# slow_runs N: how many runs of a slow baseline (python -m venv, pip): N, at
# most 5.
slow_runs() {
	if [ "$1" -gt 5 ]; then echo 5; else echo "$1"; fi
}

# timed PREP CMD N: median wall time in ms of CMD over N runs, PREP (not
# timed) before each. $D is the directory worked on. With TIMED_CPU set to
# a file name, the median CPU time (user + system, of CMD and every process
# it waited for) in ms is written there: on a loaded machine the wall time
# mostly measures the wait for a processor.
# CMD runs in this shell (eval), timed by bash's own clock ($EPOCHREALTIME)
# and `times`: a bash and /usr/bin/time started for each run, and a date
# process for each reading of the clock, cost some 20 ms a run on a
# paravirtualized machine, which is the harness's time, not the command's
# (hyperfine subtracts its shell's start for the same reason).
timed() {
	local prep=$1 cmd=$2 n=$3 i t0 t1 c0 c1 times="" cpus=""
	D="$BTMP/target"
	for i in $(seq 1 "$n"); do
		eval "$prep" >/dev/null 2>&1 || { echo "bench: '$prep' failed" >&2; return 1; }
		children_cpu_us c0
		t0=$EPOCHREALTIME
		eval "$cmd" >/dev/null 2>&1 || { echo "bench: '$cmd' failed" >&2; return 1; }
		t1=$EPOCHREALTIME
		children_cpu_us c1
		times="$times $(( ${t1/./} - ${t0/./} ))"
		cpus="$cpus $(( (c1 - c0) / 1000 ))"
	done
	[ -n "${TIMED_CPU:-}" ] && echo $cpus | tr ' ' '\n' | sort -n |
		awk '{a[NR]=$1} END {printf "%.0f\n", a[int((NR+1)/2)]}' > "$TIMED_CPU"
	echo $times | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# children_cpu_us VAR: VAR gets the user + system time of the processes
# this shell has waited for, in microseconds (`times`' second line,
# milliseconds apart; run in this shell, not in a $(...) subshell, whose
# children are its own).
children_cpu_us() {
	local self children u s
	times >"$BTMP/times"
	{ read -r self; read -r u s; } <"$BTMP/times"
	printf -v "$1" '%s' $(( $(to_us "$u") + $(to_us "$s") ))
}

# to_us 1m2.345s: 62345000.
to_us() {
	local m=${1%%m*} rest=${1#*m}
	rest=${rest%s}
	echo $(( m * 60000000 + 10#${rest%.*} * 1000000 + 10#${rest#*.} * 1000 ))
}

# row_cpu NAME MS BASELINE_MS CPU_MS BASELINE_CPU_MS: a table line with the
# wall-time ratio and the CPU-time one.
row_cpu() {
	awk -v n="$1" -v t="$2" -v b="$3" -v c="$4" -v bc="$5" 'BEGIN {
		printf "  %-40s %9.2f ms %6.1fx   cpu %7.0f ms %6.1fx\n", n, t, (t > 0 ? b / t : 0),
			c, (c > 0 ? bc / c : 0) }'
}

# The PREP of timed that copies the template $BTMP/tmpl afresh.
FRESH_COPY='rm -rf $D; cp -a $BTMP/tmpl $D'

# bench_template PY PIP_ARGS...: the template $BTMP/tmpl, made by PY -m venv
# with PIP_ARGS installed by its pip (offline: the caller exports
# PIP_NO_INDEX, and PIP_FIND_LINKS when it names packages).
bench_template() {
	local py=$1
	shift
	"$py" -m venv "$BTMP/tmpl" && "$BTMP/tmpl/bin/pip" install -q "$@"
}
