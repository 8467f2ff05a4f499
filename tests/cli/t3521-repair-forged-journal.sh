#!/bin/bash
# A repair journal someone else wrote (security.md: untrusted environment
# contents). Recovery acts on a fix journal only as repair writes one: each
# staged entry's stage is a name of repair's own (.venv-repair-new.N) beside
# its path. A stage that names a file outside the environment (absolute,
# "../"), an op repair does not write, or entries that are not objects make
# the journal damaged: exit 2, the message says so, nothing outside the
# environment is removed or moved in, the journal is left for a human.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"
cd "$TMP"

"$VENV" create -q --without-pip -p "$py" env || fail "venv create failed"
mkdir -p out
listing() { (cd "$1" && find . -printf '%p %y %m %s\n' | LC_ALL=C sort && cat pyvenv.cfg); }
before=$(listing env)

# forged STATE FIXES: write the journal, run repair, check nothing outside and inside changed.
forged() {
	echo precious >out/victim
	printf '{"venv-repair-journal":1,"kind":"fix","state":"%s","fixes":%s}' "$1" "$2" \
		>env/.venv-repair.journal
	expect_exit 2 "$VENV" repair -y env
	expect_match "journal '.*/env/\.venv-repair\.journal' is damaged" "$ERR" \
		"repair's error on the journal ($1: $2)"
	[ "$(cat out/victim 2>&1)" = precious ] ||
		fail "expected out/victim kept ($1: $2), saw: $(ls -l out 2>&1)"
	[ -e env/.venv-repair.journal ] || fail "expected the damaged journal left ($1: $2)"
	rm env/.venv-repair.journal
	[ "$(listing env)" = "$before" ] || fail "expected the environment unchanged ($1: $2), saw:
$(listing env)"
}

for state in prepared committed; do
	forged "$state" "[{\"op\":\"write\",\"path\":\"bin/x\",\"stage\":\"$TMP/out/victim\",\"mode\":420}]"
	forged "$state" '[{"op":"write","path":"bin/x","stage":"../../out/victim","mode":420}]'
	forged "$state" '[{"op":"copy","path":"bin/x","stage":".venv-repair-new.1/../../../out/victim","mode":420}]'
	forged "$state" '[{"op":"symlink","path":"bin/x","stage":".venv-repair-new.","mode":420}]'
	forged "$state" '[{"op":"rename","path":"bin/x","stage":".venv-repair-new.0","mode":420}]'
	forged "$state" '["bin/x"]'
	forged "$state" '{"op":"write"}'
done

# A journal that is not a regular file (a FIFO: never opened, never waited
# on; a directory): the error names the environment's journal and says what
# to do, nothing is changed, the journal is left.
for kind in fifo dir; do
	if [ $kind = fifo ]; then mkfifo env/.venv-repair.journal; else mkdir env/.venv-repair.journal; fi
	expect_exit 2 timeout 60 "$VENV" repair -y env
	expect_match "^venv: error: cannot read the journal '.*/env/\.venv-repair\.journal' \(.*not a regular file\); remove it after checking the environment by hand$" \
		"$ERR" "repair's error on a journal that is a $kind"
	[ -e env/.venv-repair.journal ] || fail "expected the $kind journal left"
	rm -r env/.venv-repair.journal
	[ "$(listing env)" = "$before" ] || fail "expected the environment unchanged ($kind journal)"
done

# What repair itself writes is still recovered: a staged file of its own is removed.
echo staged >env/bin/.venv-repair-new.0
printf '%s' '{"venv-repair-journal":1,"kind":"fix","state":"prepared","fixes":[{"op":"write","path":"bin/x","stage":".venv-repair-new.0","mode":420}]}' \
	>env/.venv-repair.journal
expect_exit 0 "$VENV" repair -y env
[ ! -e env/bin/.venv-repair-new.0 ] || fail "expected the staged file of a rolled back repair removed"
[ ! -e env/.venv-repair.journal ] || fail "expected the journal removed after the roll-back"
expect_exit 0 "$VENV" check env
exit 0
