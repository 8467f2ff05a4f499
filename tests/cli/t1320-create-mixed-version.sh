#!/bin/bash
# An environment of one minor version is not turned into a mix of two
# (issue 14, point 4): `venv create -p 3.Y` over a 3.X environment without
# --clear or --upgrade is refused, saying what each flag does, and nothing
# changes; with either flag it goes through.
. "$(dirname "$0")/lib.sh"

pys=$(find_pythons)
old=$(echo "$pys" | head -n 1)
new=$(echo "$pys" | while read -r p; do
	[ "$(py_minor "$p")" != "$(py_minor "$old")" ] && echo "$p"; done | tail -n 1)
[ -n "$old" ] && [ -n "$new" ] || skip "needs two minor versions of Python"
cd "$TMP"

"$VENV" create -q --without-pip -p "$old" env || fail "create failed"
before=$(cd env && find . -printf '%p %y %m %l %s %T@\n' | sort)
expect_exit 1 "$VENV" create --without-pip -p "$new" env
expect_match "is an environment of Python $(py_minor "$old"); creating one of Python $(py_minor "$new") over it would mix the two" "$ERR" "stderr"
expect_match "--clear .*--upgrade" "$ERR" "the flags explained"
[ "$(cd env && find . -printf '%p %y %m %l %s %T@\n' | sort)" = "$before" ] ||
	fail "expected the environment unchanged"
env/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' >got || fail "env broken"
expect_eq "$(py_minor "$old")" "$(cat got)" "the environment's version"
# The same version again is fine, as with python -m venv.
expect_exit 0 "$VENV" create -q --without-pip -p "$old" env
# --clear makes a new one of the new version.
expect_exit 0 "$VENV" create -q --clear --without-pip -p "$new" env
expect_eq "$(py_minor "$new")" "$(env/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
	"the version after --clear"
echo ok
