#!/bin/bash
# --clear empties an environment without ever following a symlink out of it
# (security.md DEL-02, DEL-03), and refuses directories that are not
# environments unless --force (DEL-01).
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"

# A sentinel tree outside the environment that must come out unchanged.
mkdir -p outside/deep && echo keep >outside/file && echo keep >outside/deep/file
chmod 0600 outside/file
sentinel() { (cd outside && find . -printf '%y %m %s %p\n' | sort && cat file deep/file); }
before=$(sentinel)

"$VENV" create -q --without-pip -p "$py" env || fail "create failed"
ino=$(stat -c %i env)
# Links to outside: a directory, a file, a nested one, and a dangling one.
ln -s "$TMP/outside" env/src
ln -s "$TMP/outside/file" env/lib/linkfile
mkdir -p env/lib/a/b && ln -s "$TMP/outside/deep" env/lib/a/b/deeplink
ln -s "$TMP/nowhere" env/dangling
chmod 0555 env/lib/a/b
echo user >env/userfile
# Entries no creator makes need --force (issue 14, point 3; t1310).
expect_exit 1 "$VENV" create -q --clear --without-pip -p "$py" env
expect_eq user "$(cat env/userfile)" "the user's file after a refused --clear"
expect_exit 0 "$VENV" create -q --clear --force --without-pip -p "$py" env
[ "$(sentinel)" = "$before" ] || fail "expected the outside tree unchanged, saw: $(sentinel)"
[ ! -e env/userfile ] && [ ! -L env/src ] && [ ! -L env/dangling ] ||
	fail "expected --clear to remove everything inside the environment"
[ -f env/pyvenv.cfg ] && [ -L env/bin/python ] || fail "expected a fresh environment after --clear"
expect_eq "$ino" "$(stat -c %i env)" "the environment directory's inode (kept, as CPython)"

# A non-empty directory without pyvenv.cfg is not cleared without --force.
mkdir project && echo precious >project/main.py
expect_exit 1 "$VENV" create --clear --without-pip -p "$py" project
expect_match "refusing to clear '.*project': it is not a virtual environment" "$ERR" "stderr"
expect_eq precious "$(cat project/main.py)" "the user's file"
expect_exit 0 "$VENV" create -q --clear --force --without-pip -p "$py" project
[ ! -e project/main.py ] && [ -f project/pyvenv.cfg ] || fail "expected --force to clear it"

# An empty directory needs no --force.
mkdir empty
expect_exit 0 "$VENV" create -q --clear --without-pip -p "$py" empty

# ENV_DIR given through a symlink (also with a trailing slash): refused, the
# environment it points to is untouched.
"$VENV" create -q --without-pip -p "$py" real || fail "create failed"
echo mine >real/userfile
ln -s real envlink
for arg in envlink envlink/; do
	expect_exit 1 "$VENV" create --clear --without-pip -p "$py" "$arg"
	expect_match "symbolic link is in the way" "$ERR" "stderr"
	expect_eq mine "$(cat real/userfile)" "the file inside the linked environment"
done
[ "$(sentinel)" = "$before" ] || fail "expected the outside tree unchanged at the end"
echo ok
