# Helpers for the race samples (t0400, t0410), sourced after lib.sh.

# swap_race MODE ROUNDS PYTHON: tests/races/MODE.sh (clear or restore) for
# ROUNDS rounds; fails unless it swapped directories for links and the
# sentinel tree did not change.
swap_race() {
	local out
	out=$(bash "$TOP/tests/races/$1.sh" "$2" "$3" 2>&1)
	echo "$1: $(echo "$out" | tail -n 1)"
	echo "$out" | grep -q "^races: $2 rounds, [1-9][0-9]* swaps, [0-9]* commands succeeded, 0 violations\$" ||
		fail "expected the $1 race to swap directories and leave the sentinel tree alone, saw: $(echo "$out" | head -n 30)"
}
