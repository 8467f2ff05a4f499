#!/bin/sh
# make bench: run every benchmark part in tests/bench/ and print its table.
# BENCH_RUNS=N sets the repetitions (default 21); BENCH_PYTHON the interpreter.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
for part in "$top"/tests/bench/*.sh; do
	[ "$(basename "$part")" = lib.sh ] && continue
	bash "$part" || status=1
	echo
done
exit $status
