#!/bin/bash
# -p/--python takes a path, a command name or a version; the default is
# python3 on PATH.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "no pyenv Python found"
minor=$(py_minor "$py")
cd "$TMP"
version_of() { sed -n 's/^version = //p' "$1/pyvenv.cfg"; }

# A version: found in pyenv's versions (PATH holds no such binary here).
expect_exit 0 env PATH=/usr/bin:/bin PYENV_ROOT="$(dirname "$(dirname "$(dirname "$(dirname "$py")")")")" \
	"$VENV" create -q --without-pip -p "$minor" byversion
expect_match "^$minor\." "$(version_of byversion)" "the version chosen by -p $minor"
expect_eq "$(dirname "$py")" "$(sed -n 's/^home = //p' byversion/pyvenv.cfg)" "home for -p $minor"

# A command name on PATH, and the default python3 on PATH.
mkdir bin && ln -s "$py" "bin/python$minor" && ln -s "$py" bin/python3
expect_exit 0 env PATH="$TMP/bin:/usr/bin:/bin" "$VENV" create -q --without-pip -p "python$minor" byname
expect_eq "$TMP/bin" "$(sed -n 's/^home = //p' byname/pyvenv.cfg)" "home for a command name (unresolved, as CPython)"
expect_eq "$TMP/bin/python$minor" "$(readlink "byname/bin/python$minor")" "the first link for a command name"
expect_exit 0 env PATH="$TMP/bin:/usr/bin:/bin" "$VENV" create -q --without-pip default
expect_eq "$TMP/bin/python3" "$(readlink default/bin/python3)" "the default interpreter (python3 on PATH)"
expect_match "^$minor\." "$(version_of default)" "the default's version"

# A relative path is made absolute, not resolved.
expect_exit 0 "$VENV" create -q --without-pip -p "bin/python$minor" byrelpath
expect_eq "$TMP/bin/python$minor" "$(readlink "byrelpath/bin/python$minor")" "the first link for a relative -p"

# Unknown versions and names fail clearly.
expect_exit 1 env PATH=/usr/bin:/bin PYENV_ROOT="$TMP/none" "$VENV" create -p 3.99 x
expect_match "no Python 3.99 found" "$ERR" "stderr"
[ ! -e x ] || fail "expected nothing created"
echo ok
