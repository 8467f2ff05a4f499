#!/bin/bash
# repair --upgrade of an environment made by virtualenv brings virtualenv's
# own pyvenv.cfg keys (version_info, base-prefix, base-exec-prefix,
# base-executable) up to date, and keeps its other keys.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -m virtualenv --version >/dev/null 2>&1 || skip "Debian's python3-virtualenv is not installed"
[ -x /usr/bin/python3.11 ] || skip "/usr/bin/python3.11 is not installed"
new=$(find_pythons | grep -v '^/usr/bin/' | grep 'python3\.11$' | head -n 1)
[ -n "$new" ] || skip "no other Python 3.11 to upgrade to"
cd "$TMP"
/usr/bin/python3 -m virtualenv -q -p /usr/bin/python3.11 --no-seed env >/dev/null 2>&1 || fail "virtualenv failed"
grep -q '^virtualenv = ' env/pyvenv.cfg || fail "expected a virtualenv pyvenv.cfg, saw: $(cat env/pyvenv.cfg)"
expect_exit 0 "$VENV" repair -q --upgrade --python "$new" -y env
micro=$(env -i "$new" -c 'import sys; print("%d.%d.%d.%s.%d" % sys.version_info[:5])')
prefix=$(env -i "$new" -c 'import sys; print(sys.base_prefix)')
cfg=$(cat env/pyvenv.cfg)
expect_match "^version_info = $micro$" "$cfg" "version_info"
expect_match "^base-prefix = $prefix$" "$cfg" "base-prefix"
expect_match "^base-exec-prefix = $prefix$" "$cfg" "base-exec-prefix"
expect_match "^base-executable = $new$" "$cfg" "base-executable"
expect_match "^virtualenv = " "$cfg" "virtualenv's own key"
expect_match "^implementation = CPython$" "$cfg" "implementation"
[ "$(env -i env/bin/python -c 'import sys; print(sys.prefix)')" = "$TMP/env" ] ||
	fail "expected the upgraded environment's python to run"
expect_exit 0 "$VENV" check -q env
echo ok
