#!/bin/bash
# venv repair --upgrade within a minor version: the base upgraded in place
# (a patch release behind the same path), and the base removed and replaced
# (found again by version, or given with --python), for linked and copied
# interpreters. Installed packages are not touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

deb=/usr/bin/python3.11
pyenv311=$(find_pythons | grep -v '^/usr/bin/' | grep 'python3\.11$' | head -n 1)
[ -x "$deb" ] && [ -n "$pyenv311" ] || skip "needs Debian's python3.11 and pyenv's 3.11"
debv=$("$deb" -c 'import platform; print(platform.python_version())')
pyv=$("$pyenv311" -c 'import platform; print(platform.python_version())')
[ "$debv" != "$pyv" ] || skip "needs two different 3.11 patch releases"
cd "$TMP"
make_wheel "$pyenv311" "$TMP/wheels" tinypkg 1.0 || fail "could not build the test wheel"
export PIP_FIND_LINKS="$TMP/wheels"

# A base "upgraded in place": $TMP/base/python3.11 leads to one patch
# release, then to another.
mkdir base
ln -s "$deb" base/python3.11
"$VENV" create -q -p "$TMP/base/python3.11" --prompt kept env || fail "venv create failed"
env/bin/pip install -q tinypkg || fail "pip install failed"
echo "custom = 1" >>env/pyvenv.cfg
site=$(tree_listing env/lib)
ln -sfn "$pyenv311" base/python3.11

# The dry run says what would change and changes nothing.
snap=$(tree_listing env times)
expect_exit 1 "$VENV" repair --upgrade --dry-run env
expect_match "upgraded to '$TMP/base/python3.11' \\(Python $pyv, was $debv\\)" "$OUT" "the dry run"
expect_eq "$snap" "$(tree_listing env times)" "the environment after a dry run"

expect_exit 0 "$VENV" repair --upgrade env
expect_match "\\+ version = $pyv" "$OUT" "the report of the new version"
grep -qx "version = $pyv" env/pyvenv.cfg || fail "expected version $pyv, saw: $(cat env/pyvenv.cfg)"
grep -qx "custom = 1" env/pyvenv.cfg || fail "expected the unknown key kept"
grep -qx "prompt = 'kept'" env/pyvenv.cfg || fail "expected the prompt kept"
expect_eq "$site" "$(tree_listing env/lib)" "site-packages after a patch upgrade"
out=$(env/bin/python -c 'import platform, sys; print(platform.python_version(), sys.prefix)')
expect_eq "$pyv $TMP/env" "$out" "the upgraded interpreter"
expect_eq "hello from tinypkg 1.0" "$(env/bin/tinypkg-hello)" "a console script"
expect_exit 0 "$VENV" check env
[ ! -e env/.venv-repair-backup ] && [ ! -e env/.venv-repair.journal ] ||
	fail "expected no backup or journal left"

# The base removed: plain repair cannot fix it and says how.
mkdir base2
ln -s "$pyenv311" base2/python3.11
"$VENV" create -q --without-pip -p "$TMP/base2/python3.11" gone || fail "venv create failed"
rm -r base2
expect_exit 1 "$VENV" repair gone
expect_match "VNV104" "$OUT" "the dangling interpreter"
expect_match "--upgrade" "$OUT" "the hint"
# --upgrade finds another 3.11 by itself.
expect_exit 0 "$VENV" repair --upgrade gone
gone/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 11)' ||
	fail "expected a working 3.11 after --upgrade"
[ -e "$(readlink gone/bin/python3.11)" ] || fail "expected the link to lead somewhere"
# pyvenv.cfg's `command` names the new interpreter, with the options it had.
cmd=$(sed -n 's/^command = //p' gone/pyvenv.cfg)
expect_match "^/[^ ]*/python3\.11 -m venv --without-pip $TMP/gone\$" "$cmd" "command after repair --upgrade"
case $cmd in "$TMP/base2/"*) fail "expected command to name the new interpreter, saw: $cmd" ;; esac
[ -x "${cmd%% *}" ] || fail "expected command's interpreter to exist, saw: $cmd"

# --python names the replacement; copies stay copies.
mkdir base3
ln -s "$pyenv311" base3/python3.11
"$VENV" create -q --copies --without-pip -p "$TMP/base3/python3.11" cenv || fail "create failed"
rm -r base3
expect_exit 0 "$VENV" repair --upgrade --python "$deb" cenv
[ -f cenv/bin/python3.11 ] && [ ! -L cenv/bin/python3.11 ] || fail "expected a copied interpreter"
cmp -s cenv/bin/python3.11 "$(readlink -f "$deb")" || fail "expected a copy of $deb"
expect_eq "$debv" "$(cenv/bin/python -c 'import platform; print(platform.python_version())')" \
	"the copied interpreter's version"
grep -qx "home = /usr/bin" cenv/pyvenv.cfg || fail "expected home = /usr/bin, saw: $(cat cenv/pyvenv.cfg)"

# An environment made by CPython.
"$pyenv311" -m venv --without-pip cpy >/dev/null || fail "python -m venv failed"
expect_exit 0 "$VENV" repair --upgrade -p "$deb" cpy
expect_eq "$debv" "$(cpy/bin/python -c 'import platform; print(platform.python_version())')" \
	"CPython's environment upgraded"

# Usage: --python needs --upgrade.
expect_exit 2 "$VENV" repair -p "$deb" env
echo ok
