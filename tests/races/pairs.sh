#!/bin/bash
# Two commands that change one environment, started together (issue 14,
# point 2): pairs.sh [ROUNDS] [PYTHON] [PAIR...]. The pairs: two creates of
# one new directory (create-create), a create and a repair of it
# (create-repair), `create --clear` and a repair (clear-repair), a restore
# and a repair (restore-repair). They take the one lock (common/lock.h), so
# one waits for the other. After each round: a command that exited 0 left a
# finished, working environment; nobody removed what another made; no lock
# file is left (security.md CRA-09). VENV (default: ./venv of the tree) is
# what runs.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-50}
PY=${2:-}
shift 2 2>/dev/null || shift $#
pairs=${*:-create-create create-repair clear-repair restore-repair}
VENV=${VENV:-$TOP/venv}
# run.sh pairs [ROUNDS] finds an interpreter as the other races do.
[ -n "$PY" ] || PY=$(command -v python3)
W=$(mktemp -d "${TMPDIR:-/tmp}/venv-pairs.XXXXXX")
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
export VENV_CACHE_DIR="$W/cache" ASAN_OPTIONS=detect_leaks=0
unset VIRTUAL_ENV PYTHONHOME PYTHONPATH
cd "$W" || exit 2

# The environments the rounds start from: a moved one (repair has work) and its archive.
"$VENV" create -q --without-pip -p "$PY" t.tmp >/dev/null || exit 2
mv t.tmp template
"$VENV" create -q --without-pip -p "$PY" a >/dev/null || exit 2
"$VENV" repair -q --archive="$W/env.tar.gz" a >/dev/null || exit 2
rm -rf a

# finished DIR: a complete environment whose python runs as an environment's.
finished() {
	[ -f "$1/pyvenv.cfg" ] && [ ! -e "$1/.venv-incomplete" ] &&
		"$1/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' 2>/dev/null
}

total=0
for pair in $pairs; do
	violations=0 ok1=0 ok2=0
	for n in $(seq 1 "$rounds"); do
		rm -rf env .env.venv-lock
		case "$pair" in
		create-create|create-repair) ;;
		clear-repair) cp -a template env ;;
		restore-repair) cp -a template env ;;
		*) echo "pairs: unknown pair $pair"; exit 2 ;;
		esac
		case "$pair" in
		create-create)
			"$VENV" create -q --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
			"$VENV" create -q --without-pip -p "$PY" env >/dev/null 2>e2 & p2=$! ;;
		create-repair)
			"$VENV" create -q --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
			"$VENV" repair -q env >/dev/null 2>e2 & p2=$! ;;
		clear-repair)
			"$VENV" create -q --clear --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
			"$VENV" repair -q env >/dev/null 2>e2 & p2=$! ;;
		restore-repair)
			"$VENV" restore -q -y "$W/env.tar.gz" env >/dev/null 2>e1 & p1=$!
			"$VENV" repair -q env >/dev/null 2>e2 & p2=$! ;;
		esac
		wait "$p1"; r1=$?
		wait "$p2"; r2=$?
		bad=""
		[ "$r1" -eq 0 ] && ok1=$((ok1 + 1))
		[ "$r2" -eq 0 ] && ok2=$((ok2 + 1))
		# The first command always has what it needs: it must succeed.
		[ "$r1" -eq 0 ] || bad="the first command failed ($r1): $(cat e1)"
		if [ -z "$bad" ] && ! finished env; then
			bad="the environment is not finished: $(ls -A env 2>&1 | tr '\n' ' ')"
		fi
		# The repair (or second create) may find nothing there yet (2), never damage.
		if [ -z "$bad" ] && [ "$r2" -ne 0 ] && [ "$r2" -ne 2 ]; then
			bad="the second command exited $r2: $(cat e2)"
		fi
		[ -z "$bad" ] && [ -e .env.venv-lock ] && bad="a lock file was left"
		if [ -n "$bad" ]; then
			violations=$((violations + 1))
			echo "VIOLATION ($pair, round $n, exit $r1 $r2): $bad"
		fi
	done
	echo "pairs: $pair $rounds rounds, $ok1/$ok2 succeeded, $violations violations"
	total=$((total + violations))
done
[ "$total" -eq 0 ]
