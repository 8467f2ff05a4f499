#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# A sample of the race tests (security.md DEL-04, R7): `venv create --clear`
# and `venv restore --yes` run while another process swaps the environment's
# directories for symbolic links to a sentinel tree and back; the sentinel
# tree must stay byte-identical. And pairs of commands that change one
# environment started together (create and create, create and repair,
# --clear and repair, restore and repair) take the one lock, so that none
# exits 0 with a broken environment (security.md CRA-09, issue 14 point 2),
# waiting for the lock and (every other round) refused at once; and check -r
# while environments are swapped for links (point 6). `make races` runs 50
# rounds of each pair and thousands of the swap races.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/races-lib.sh"
command -v python3 >/dev/null || skip "needs python3 for the swapper"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"
swap_race clear 80 "$py"
swap_race restore 30 "$py"
out=$(bash "$TOP/tests/races/pairs.sh" 4 "$py" 2>&1) ||
	fail "expected every pair of commands to keep the environment, saw: $(echo "$out" | head -n 30)"
echo "$out"
