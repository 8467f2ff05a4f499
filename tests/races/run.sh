#!/bin/bash
# Shared driver of tests/races/*.sh: run.sh clear|restore|pairs [ROUNDS] [PYTHON].
# Finds an interpreter as tests/faults/create.sh does, works in a private
# temporary directory and hands over to race.py.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
mode=$1
rounds=${2:-2000}
PY=${3:-}
if [ -z "$PY" ]; then
	for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[0-9].*; do
		v=$(basename "$d" | cut -d. -f1,2)
		[ -x "$d/bin/python$v" ] && PY="$d/bin/python$v"
	done
fi
[ -n "$PY" ] || PY=$(command -v python3)
# Pairs of commands need no harness but the shell.
[ "$mode" = pairs ] && exec bash "$TOP/tests/races/pairs.sh" "$rounds" "$PY"
# The harness itself runs on any Python 3.
HARNESS_PY=$(command -v python3 || echo "$PY")
W=$(mktemp -d "${TMPDIR:-/tmp}/venv-races.XXXXXX")
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
export VENV_CACHE_DIR="$W/cache" ASAN_OPTIONS=detect_leaks=0
"$HARNESS_PY" "$TOP/tests/races/race.py" "$mode" "$rounds" "$TOP/venv" "$PY" "$W"
