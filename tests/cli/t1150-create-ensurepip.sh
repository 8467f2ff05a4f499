#!/bin/bash
# The ensurepip path (used when no wheel can be unpacked, forced here with
# VENV_USE_ENSUREPIP) gives the same pip as python -m venv.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare.sh"
export PYTHONDONTWRITEBYTECODE=1
cd "$TMP"
checked=0
# The oldest and newest pyenv Pythons and Debian's (whose wheels live elsewhere).
for py in $(find_pythons | grep -v '^/usr/bin/' | sed -n '1p;$p') $(find_pythons | grep '^/usr/bin/'); do
	rm -rf ours cpy
	VENV_USE_ENSUREPIP=1 "$VENV" create -q -p "$py" ours 2>"$TMP/err" ||
		fail "venv create with ensurepip failed for $py: $(cat "$TMP/err")"
	"$py" -m venv cpy || fail "python -m venv failed for $py"
	l1=$(cpy/bin/python -m pip list --format=freeze 2>/dev/null)
	l2=$(ours/bin/python -m pip list --format=freeze 2>/dev/null)
	[ -n "$l1" ] || fail "expected pip list output from python -m venv's env"
	expect_eq "$l1" "$l2" "pip list for $py"
	b1=$(ls cpy/bin | grep -v -i activate)
	b2=$(ls ours/bin | grep -v -i activate)
	expect_eq "$b1" "$b2" "bin/ names for $py"
	head -n 1 ours/bin/pip | grep -q "^#!$TMP/ours/bin/python" ||
		fail "expected pip's shebang to name the env's python, saw: $(head -n 1 ours/bin/pip)"
	[ ! -e ours/.venv-incomplete ] || fail "expected no unfinished-creation marker"
	checked=$((checked + 1))
done
[ "$checked" -ge 1 ] || skip "no Python found"
echo "compared $checked"
