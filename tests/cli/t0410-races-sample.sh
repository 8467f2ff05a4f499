#!/bin/bash
# The sample of the race tests that make check runs (issue 14; security.md
# CRA-09, DEL-04, R7): tests/races/pairs.sh starts pairs of commands that
# change one environment together (create and create, create and repair,
# `create --clear` and repair, restore and repair), 3 rounds each: rounds 1
# and 3 wait for the lock, round 2 is refused at once (VENV_LOCK_TIMEOUT=0).
# After each round every command exited 0, or 1 with the lock's message (or
# 2, a repair that found nothing yet); the environment is finished and
# working or absent; no lock file, staging directory or unfinished marker is
# left. Then 3 rounds of `check -r` while environments of the tree are
# swapped for links to a sentinel outside it, which must never be reported;
# and a few rounds of `--clear --force` and restore against a process
# swapping their directories for symlinks into a sentinel tree, which must
# not change. t0400 (make check-long) and `make races` run many more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/races-lib.sh"
command -v python3 >/dev/null || skip "needs python3 for the swappers"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"
pairs="create-create create-repair clear-repair restore-repair"

# First, that pairs.sh sees a broken environment: a venv that removes the
# pyvenv.cfg of what it made (rounds only: the set-up's commands are -q).
cat >"$TMP/broken-venv" <<BROKEN
#!/bin/sh
"$VENV" "\$@"
rc=\$?
case " \$* " in *" -q "*) ;; *) rm -f env/pyvenv.cfg ;; esac
exit \$rc
BROKEN
chmod +x "$TMP/broken-venv"
out=$(VENV="$TMP/broken-venv" bash "$TOP/tests/races/pairs.sh" 1 "$py" create-create 2>&1) &&
	fail "expected pairs.sh to fail when create leaves no pyvenv.cfg, saw it pass: $out"
# (Mostly "the environment is not finished"; a create that finds the other's
# half-removed environment may fail instead, which is as bad.)
expect_match "^BAD \(create-create, round 1, " "$out" "pairs.sh's report of a broken environment"

out=$(bash "$TOP/tests/races/pairs.sh" 3 "$py" $pairs check-swap 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "expected every pair of commands to keep the environment whole or refuse cleanly, saw exit $rc: $(echo "$out" | grep -v '^pairs:' | head -n 20)"
for p in $pairs; do
	echo "$out" | grep -q "^pairs: $p 3 rounds, 0 bad, " ||
		fail "expected pairs.sh to report 3 good rounds of $p, saw: $out"
done
echo "$out" | grep -q "^pairs: check-swap 3 rounds, 0 bad, [1-9][0-9]* swaps, " ||
	fail "expected 3 rounds of check -r with environments swapped for links and none reported, saw: $out"

swap_race clear 6 "$py"
swap_race restore 4 "$py"
