#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12) with an
# editable install of a local setuptools project: it is pure, so its
# metadata, .pth and finder are moved to the new site-packages and it
# stays editable, fully offline (PIP_NO_INDEX; the setuptools of 3.11's
# ensurepip, which 3.12 cannot run, is replaced from the local wheels of
# PIP_FIND_LINKS).
. "$(dirname "$0")/lib.sh"

pys=$(find_pythons)
p11=$(echo "$pys" | grep 'python3\.11$' | head -n 1)
p12=$(echo "$pys" | grep 'python3\.12$' | head -n 1)
[ -n "$p11" ] && [ -n "$p12" ] || skip "needs Python 3.11 and 3.12"
cd "$TMP"

# The build backend, offline: every setuptools and wheel wheel the found
# interpreters' ensurepip knows of (its _bundled directory, or the
# distribution's wheel directory when CPython was built with one).
mkdir wheels
for p in $pys; do
	"$p" -I -c '
import ensurepip, os, sysconfig
print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))
print(sysconfig.get_config_var("WHEEL_PKG_DIR") or getattr(ensurepip, "_WHEEL_PKG_DIR", None) or "")
' 2>/dev/null
done | sort -u | while read -r d; do
	[ -n "$d" ] && [ -d "$d" ] || continue
	for w in "$d"/setuptools-*.whl "$d"/wheel-*.whl; do
		[ -f "$w" ] && cp -n "$w" wheels/
	done
done
export PIP_FIND_LINKS="$TMP/wheels" PIP_NO_INDEX=1
# pip takes the newest; it must run on 3.12 (setuptools before 66.1 does not).
st=$(ls wheels | sed -n 's/^setuptools-\([^-]*\)-.*\.whl$/\1/p' | sort -V | tail -n 1)
[ -n "$st" ] || skip "no setuptools wheel found in the interpreters' ensurepip to build offline"
PYTHONPATH=$(ls wheels/setuptools-"$st"-*.whl | head -n 1) "$p12" -s -c 'import setuptools.build_meta' \
	>/dev/null 2>&1 || skip "the newest setuptools found offline ($st) does not run on Python 3.12"
# Before setuptools 70.1, building an editable wheel needs the wheel package.
if [ "$(printf '%s\n70.1\n' "$st" | sort -V | head -n 1)" = "$st" ] && [ "$st" != 70.1 ] &&
   ! ls wheels/wheel-*.whl >/dev/null 2>&1; then
	skip "setuptools $st needs the wheel package, and no wheel wheel was found offline"
fi

# A small local project: one package with one module.
mkdir -p proj/edpkg
cat >proj/pyproject.toml <<'EOF'
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "edpkg"
version = "0.1"

[tool.setuptools]
packages = ["edpkg"]
EOF
: >proj/edpkg/__init__.py
echo 'WORD = "one"' >proj/edpkg/mod.py
proj=$(cd proj && pwd -P)

# Made by venv create: the same environment as python -m venv's (the same
# pip and setuptools, from 3.11's ensurepip wheels) but for our activation
# scripts and pip's bytecode, without the seconds of ensurepip; what is
# tested is the editable install's move.
"$VENV" create -q -p "$p11" env || fail "venv create -p python3.11 failed"
env/bin/pip install -q -e "$proj" || fail "the editable install with Python 3.11 failed"

# word: what the env's python imports, the Python version and where from.
word() {
	(cd / && "$TMP/env/bin/python" -c '
import sys, edpkg.mod as m
print(m.WORD, "%d.%d" % sys.version_info[:2], m.__file__)')
}
expect_eq "one 3.11 $proj/edpkg/mod.py" "$(word)" "the editable import with 3.11"
echo 'WORD = "two"' >proj/edpkg/mod.py
expect_eq "two 3.11 $proj/edpkg/mod.py" "$(word)" "an edit seen with 3.11"

expect_exit 1 "$VENV" repair --upgrade --python "$p12" --dry-run env
expect_match "edpkg 0\\.1: moved \\(editable" "$OUT" "the dry run"
expect_exit 0 "$VENV" repair --upgrade --python "$p12" -y env

expect_eq "3.12" "$(env/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
	"the env's Python after the upgrade"
[ ! -e env/lib/python3.11 ] || fail "expected lib/python3.11 removed"
expect_eq "two 3.12 $proj/edpkg/mod.py" "$(word)" "the editable import with 3.12"
echo 'WORD = "three"' >proj/edpkg/mod.py
expect_eq "three 3.12 $proj/edpkg/mod.py" "$(word)" "an edit seen with 3.12"
# pip lists it as editable, with the project directory as its location.
listed=$(env/bin/pip list --editable --format json) || fail "pip list failed"
printf '%s' "$listed" | "$p12" -c '
import json, sys
r = [d for d in json.load(sys.stdin) if d["name"] == "edpkg"]
assert r and r[0]["version"] == "0.1", r
loc = r[0].get("editable_project_location")
assert loc == sys.argv[1], (loc, sys.argv[1])
' "$proj" || fail "expected edpkg 0.1 editable in pip list, saw: $listed"
expect_exit 0 "$VENV" check env
echo ok
