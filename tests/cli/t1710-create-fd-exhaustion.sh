#!/bin/bash
# Out of file descriptors (issue 14, point 7): whatever fails, a create that
# does not finish leaves nothing, or a directory that says it is unfinished
# (.venv-incomplete): the marker is the first thing written and the last
# removed. Exit 0 always comes with a finished environment. The same for
# `venv restore` (point 5): a failed restore leaves no staging directory
# (security.md CRA-02, CRA-03: the error is running out of descriptors).
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

# Restore under the same limits: no .rN.venv-restore-* staging directory is left.
"$VENV" repair -q --archive="$TMP/warm.tar.gz" warm || fail "archive failed"
for n in 8 10 12 14 16 20; do
	(ulimit -n "$n" && exec "$VENV" restore -q "$TMP/warm.tar.gz" "r$n") >/dev/null 2>"$TMP/err"
	left=$(ls -A | grep 'venv-restore' || true)
	[ -z "$left" ] || fail "ulimit -n $n: a failed restore left $left: $(cat "$TMP/err")"
done
echo ok
