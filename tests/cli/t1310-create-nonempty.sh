#!/bin/bash
# Creating over a directory of the user's (issue 14, point 3): a non-empty
# directory that is not an environment is refused (exit 1, naming some of
# its entries) unless --force; no .gitignore of `*` is ever written into
# it; --clear deletes only what environments are made of and refuses, with
# the list, an environment holding anything else unless --force
# (security.md DEL-01).
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
mkdir "$TMP/w" && cd "$TMP/w"

listing() { (cd "$1" && find . -printf '%p %y %m %s %T@\n' | sort); }

# A project directory: refused, untouched, also when created as ".".
mkdir project && echo 'print(1)' >project/main.py && echo 'build/' >project/.gitignore
before=$(listing project)
expect_exit 1 "$VENV" create --without-pip -p "$py" project
expect_match "refusing to create an environment in '.*/project': it is not empty and not a virtual environment" "$ERR" "stderr"
expect_match "'main.py'" "$ERR" "the entries named"
expect_exit 1 sh -c 'cd project && exec "$1" create --without-pip -p "$2" .' sh "$VENV" "$py"
[ "$(listing project)" = "$before" ] || fail "expected the project directory unchanged"
ls -a . | grep -q 'venv-lock' && fail "expected no lock file left beside it"

# --force creates the environment there, but never writes .gitignore of `*`
# into a directory of the user's (nor replaces theirs).
expect_exit 0 "$VENV" create --force --without-pip -p "$py" project
expect_match "not writing .gitignore" "$ERR" "the warning"
expect_eq 'build/' "$(cat project/.gitignore)" "the project's own .gitignore"
[ -f project/pyvenv.cfg ] && [ -x project/bin/python ] || fail "expected --force to create it"
mkdir project2 && echo x >project2/notes.txt
expect_exit 0 "$VENV" create -q --force --without-pip -p "$py" project2
[ ! -e project2/.gitignore ] || fail "expected no .gitignore in a user's directory"

# --clear of that project directory, now an environment with main.py in it:
# refused, with the entries that are not an environment's, unless --force.
expect_exit 1 "$VENV" create --clear --without-pip -p "$py" project
expect_match "besides what environments are made of, it holds 'main.py'" "$ERR" "stderr"
expect_eq 'print(1)' "$(cat project/main.py)" "the user's file after a refused --clear"
[ -f project/pyvenv.cfg ] || fail "expected the refused --clear to leave the environment"

# A plain environment is cleared without --force: everything in it is its own.
"$VENV" create -q -p "$py" --without-pip env || fail "create failed"
touch env/CACHEDIR.TAG
mkdir -p env/share/man && echo page >env/share/man/x.1
expect_exit 0 "$VENV" create -q --clear --without-pip -p "$py" env
[ ! -e env/share/man/x.1 ] && [ ! -e env/CACHEDIR.TAG ] || fail "expected --clear to empty it"
# A user's file in an environment: refused, kept; --force deletes it.
echo mine >env/notes.txt
expect_exit 1 "$VENV" create --clear --without-pip -p "$py" env
expect_match "'notes.txt'" "$ERR" "the entry named"
[ -f env/notes.txt ] || fail "expected notes.txt kept"
expect_exit 0 "$VENV" create -q --clear --force --without-pip -p "$py" env
[ ! -e env/notes.txt ] && [ -f env/pyvenv.cfg ] || fail "expected --clear --force to delete it"

# Re-creating over an existing environment (CPython allows it) still works,
# and an empty directory needs nothing.
expect_exit 0 "$VENV" create -q --without-pip -p "$py" env
mkdir empty
expect_exit 0 "$VENV" create -q --without-pip -p "$py" empty
[ -f empty/.gitignore ] || fail "expected .gitignore in a directory made for the environment"
echo ok
