#!/bin/bash
# --upgrade does what CPython's does, and what CPython's fails to do:
# replaces dangling or stale interpreter links (security.md CRA-08),
# refreshes copied aliases, keeps pyvenv.cfg keys it does not own, restores
# missing activation scripts.
. "$(dirname "$0")/lib.sh"

pys=$(find_pythons | grep -v '^/usr/bin/')
old=$(echo "$pys" | tail -n 2 | head -n 1)
new=$(echo "$pys" | tail -n 1)
[ -n "$old" ] && [ "$old" != "$new" ] || skip "needs two Python versions"
cd "$TMP"
newmin=$(py_minor "$new")

"$VENV" create -q --without-pip -p "$new" --prompt "kept prompt" env || fail "create failed"
# Damage: a dangling first link, a stale alias, an extra key, a lost script.
rm env/bin/"python$newmin" && ln -s "$TMP/gone/python$newmin" env/bin/"python$newmin"
rm env/bin/python && ln -s /bin/false env/bin/python
echo "custom = 1" >>env/pyvenv.cfg
rm env/bin/activate
rm env/lib64
echo "# user edit" >>env/.gitignore.user
expect_exit 0 "$VENV" create -q --upgrade --without-pip -p "$new" env
expect_eq "$new" "$(readlink env/bin/python$newmin)" "the first interpreter link"
expect_eq "python$newmin" "$(readlink env/bin/python)" "the python alias"
[ -f env/bin/activate ] || fail "expected --upgrade to restore bin/activate"
[ "$(readlink env/lib64)" = lib ] || fail "expected lib64 -> lib restored"
grep -qx "custom = 1" env/pyvenv.cfg || fail "expected the unknown key kept, saw: $(cat env/pyvenv.cfg)"
grep -qx "prompt = 'kept prompt'" env/pyvenv.cfg || fail "expected the prompt kept, saw: $(cat env/pyvenv.cfg)"
grep -q -- "--upgrade" env/pyvenv.cfg || fail "expected command to record --upgrade"
[ "$(grep -c '^home = ' env/pyvenv.cfg)" -eq 1 ] || fail "expected exactly one home line"
out=$(env -i env/bin/python -c 'import sys; print(sys.prefix)')
expect_eq "$TMP/env" "$out" "sys.prefix after --upgrade"

# An existing activation script is not rewritten by --upgrade.
echo "# mine" >>env/bin/activate
sum=$(cksum <env/bin/activate)
"$VENV" create -q --upgrade --without-pip -p "$new" env || fail "upgrade failed"
expect_eq "$sum" "$(cksum <env/bin/activate)" "an existing activate script"

# Copies: every alias is refreshed, not only the first name.
"$VENV" create -q --copies --without-pip -p "$new" cenv || fail "create --copies failed"
echo garbage >cenv/bin/python
expect_exit 0 "$VENV" create -q --upgrade --copies --without-pip -p "$new" cenv
cmp -s cenv/bin/python "$(readlink -f "$new")" || fail "expected bin/python recopied from the base"
expect_eq 755 "$(stat -c %a cenv/bin/python)" "the mode of a copied interpreter"

# A copy never writes through a link at its destination (it would overwrite
# the base interpreter): switching a symlinked env to copies replaces links.
"$VENV" create -q --without-pip -p "$new" senv || fail "create failed"
base_sum=$(cksum <"$(readlink -f "$new")")
expect_exit 0 "$VENV" create -q --upgrade --copies --without-pip -p "$new" senv
[ ! -L "senv/bin/python$newmin" ] || fail "expected a copy, saw a link"
expect_eq "$base_sum" "$(cksum <"$(readlink -f "$new")")" "the base interpreter's bytes"

# Upgrading an environment from another minor version in place: the
# interpreter names of the new version appear and the cfg follows.
"$VENV" create -q --without-pip -p "$old" uenv || fail "create failed"
expect_exit 0 "$VENV" create -q --upgrade --without-pip -p "$new" uenv
grep -q "^version = $newmin\." uenv/pyvenv.cfg || fail "expected version $newmin, saw: $(cat uenv/pyvenv.cfg)"
[ -L "uenv/bin/python$newmin" ] || fail "expected bin/python$newmin"

# An environment made by CPython upgrades too.
"$new" -m venv --without-pip cpy || fail "python -m venv failed"
echo "extra = yes" >>cpy/pyvenv.cfg
expect_exit 0 "$VENV" create -q --upgrade --without-pip -p "$new" cpy
grep -qx "extra = yes" cpy/pyvenv.cfg || fail "expected the extra key kept"
echo ok
