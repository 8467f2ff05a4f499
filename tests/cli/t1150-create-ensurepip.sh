#!/bin/bash
# The ensurepip path (used when no wheel can be unpacked, forced here with
# VENV_USE_ENSUREPIP) gives the same pip as python -m venv.
. "$(dirname "$0")/lib.sh"
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check): its time is ensurepip's pip"
. "$(dirname "$0")/compare.sh"
export PYTHONDONTWRITEBYTECODE=1
cd "$TMP"
checked=0
# The oldest and newest pyenv Pythons and Debian's (whose wheels live elsewhere).
for py in $(find_pythons | grep -v '^/usr/bin/' | sed -n '1p;$p') $(find_pythons | grep '^/usr/bin/'); do
	rm -rf ours
	VENV_USE_ENSUREPIP=1 "$VENV" create -q -p "$py" ours 2>"$TMP/err" ||
		fail "venv create with ensurepip failed for $py: $(cat "$TMP/err")"
	# python -m venv's environment, as pip_snapshot saw it (made once a run, compare.sh).
	cpy=$(cpython_pip_reference "$py") || fail "python -m venv failed for $py"
	l1=$(cat "$cpy/list")
	l2=$(ours/bin/python -m pip list --format=freeze 2>/dev/null)
	[ -n "$l1" ] || fail "expected pip list output from python -m venv's env"
	expect_eq "$l1" "$l2" "pip list for $py"
	b1=$(grep -v -i activate "$cpy/bin")
	b2=$(ls ours/bin | grep -v -i activate)
	expect_eq "$b1" "$b2" "bin/ names for $py"
	head -n 1 ours/bin/pip | grep -q "^#!$TMP/ours/bin/python" ||
		fail "expected pip's shebang to name the env's python, saw: $(head -n 1 ours/bin/pip)"
	[ ! -e ours/.venv-incomplete ] || fail "expected no unfinished-creation marker"
	checked=$((checked + 1))
done
[ "$checked" -ge 1 ] || skip "no Python found"
echo "compared $checked"
