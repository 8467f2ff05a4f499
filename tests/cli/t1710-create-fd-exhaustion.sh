#!/bin/bash
# Out of file descriptors (issue 14, point 7): whatever fails, a create that
# does not finish leaves nothing, or a directory that says it is unfinished
# (.venv-incomplete): the marker is the first thing written and the last
# removed. Exit 0 always comes with a finished environment. The same for
# `venv restore` (point 5), to a new directory and over an environment: a
# failed restore leaves no staging directory, the old environment as it was,
# and says what ran out (security.md CRA-02, CRA-03).
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"
# Warm the caches (interpreter facts, pip's wheel) with the limit lifted.
"$VENV" create -q -p "$py" warm || fail "create failed"

failures=0
for n in 10 11 12 13 14 15 16 17 18 20 24; do
	for pip in --without-pip ""; do
		d=env-$n${pip:+-nopip}
		# shellcheck disable=SC2086
		(ulimit -n "$n" && exec "$VENV" create -q $pip -p "$py" "$d") >/dev/null 2>"$TMP/err"
		rc=$?
		if [ "$rc" -eq 0 ]; then
			[ -f "$d/pyvenv.cfg" ] && [ ! -e "$d/.venv-incomplete" ] &&
				"$d/bin/python" -c pass || fail "ulimit -n $n: exit 0 without a finished environment"
		else
			failures=$((failures + 1))
			if [ -e "$d" ] && [ ! -f "$d/.venv-incomplete" ]; then
				fail "ulimit -n $n $pip: a failed create left '$d' ($(ls -A "$d" | tr '\n' ' ')) without .venv-incomplete: $(cat "$TMP/err")"
			fi
		fi
		ls -A | grep -q 'venv-lock' && fail "ulimit -n $n: a lock file was left beside '$d'"
	done
done
[ "$failures" -gt 0 ] || skip "no limit made create fail here"

# Restore under the same limits, to a new directory and over an environment
# (--yes): exit 0 comes with the archived environment, working; a failure
# leaves the new directory absent and the old environment as it was, says
# what ran out (never that the old one is not an environment), and leaves no
# .NAME.venv-restore-* staging directory and no lock.
"$VENV" repair -q --archive="$TMP/warm.tar.gz" warm || fail "archive failed"
"$VENV" create -q --without-pip -p "$py" over || fail "create failed"
listing() { (cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort); }
before=$(listing over)
rfail=0 rok=0
for n in 6 7 8 9 10 11 12 13 14 16 20; do
	for target in "r$n" over; do
		yes=""
		[ "$target" = over ] && yes=-y
		# shellcheck disable=SC2086
		(ulimit -n "$n" && exec "$VENV" restore -q $yes "$TMP/warm.tar.gz" "$target") >/dev/null 2>"$TMP/err"
		rc=$?
		left=$(ls -A | grep -e 'venv-restore' -e 'venv-lock' || true)
		[ -z "$left" ] || fail "ulimit -n $n: restore to $target left $left: $(cat "$TMP/err")"
		if [ "$rc" -eq 0 ]; then
			rok=$((rok + 1))
			[ -d "$target/lib" ] && [ -e "$target/bin/pip" ] &&
				"$target/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' ||
				fail "ulimit -n $n: restore to $target exited 0 without a working environment"
			if [ "$target" = over ]; then
				rm -rf over
				"$VENV" create -q --without-pip -p "$py" over || fail "create failed"
				before=$(listing over)
			fi
			continue
		fi
		rfail=$((rfail + 1))
		! grep -q 'not a virtual environment' "$TMP/err" ||
			fail "ulimit -n $n: running out of descriptors was reported as: $(cat "$TMP/err")"
		if grep -q "^venv: error: restored '.*', but could not relocate it" "$TMP/err"; then
			# Restored as archived, then out of descriptors while relocating, and said so.
			[ -f "$target/pyvenv.cfg" ] || fail "ulimit -n $n: '$target' is said restored but is not"
			if [ "$target" = over ]; then
				rm -rf over
				"$VENV" create -q --without-pip -p "$py" over || fail "create failed"
				before=$(listing over)
			fi
		elif [ "$target" = over ]; then
			[ "$(listing over)" = "$before" ] ||
				fail "ulimit -n $n: a failed restore changed the environment it was to replace: $(cat "$TMP/err")"
		else
			[ ! -e "$target" ] ||
				fail "ulimit -n $n: a failed restore left '$target' ($(ls -A "$target" | tr '\n' ' ')): $(cat "$TMP/err")"
		fi
	done
done
[ "$rfail" -gt 0 ] && [ "$rok" -gt 0 ] ||
	fail "expected some limits to make restore fail and some to let it finish ($rfail failed, $rok finished)"
echo "ok: create failed $failures times; restore failed $rfail times and finished $rok times"
