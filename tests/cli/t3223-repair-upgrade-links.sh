#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12) of an
# environment holding links someone put in site-packages, leading out of it
# (security.md: never follow a link out of the environment):
# - a distribution's __pycache__ that is a link to a directory outside,
#   holding the old version's bytecode file names;
# - a directory of a distribution that is a link outside, with a bytecode
#   row of RECORD through it;
# - a link at the top of site-packages that no distribution owns;
# - (refused, exit 2, nothing changed) lib/python3.11 or its site-packages
#   itself a link out of the environment.
# - names that are not UTF-8: a user's directory in site-packages and a
#   script in bin/ (the journal is JSON, which used to make the upgrade and
#   a plain repair of the moved environment fail with "out of memory").
# The upgrade goes through (exit 0): the links move with what holds them,
# as links; nothing outside changes (the old bytecode is only removed where
# it is the environment's own); the package imports under 3.12 and check
# finds no error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
cd "$TMP"
offline_pip

make_wheel "$p11" "$TMP/wheels" beta 1.0 || fail "could not build beta's wheel"
"$VENV" create -q -p "$p11" env || fail "venv create -p $p11 failed"
env/bin/pip install -q "$TMP"/wheels/beta-1.0-*.whl || fail "pip install beta failed"
site=env/lib/python3.11/site-packages
[ -d "$site/beta/__pycache__" ] || fail "expected pip to write beta's bytecode"

mkdir -p outside/pycache outside/dir/__pycache__
echo precious >outside/pycache/__init__.cpython-311.pyc
echo precious >outside/dir/__pycache__/z.cpython-311.pyc
echo 'X = 1' >outside/dir/z.py
rm -r "$site/beta/__pycache__"
ln -s "$TMP/outside/pycache" "$site/beta/__pycache__"
ln -s "$TMP/outside/dir" "$site/beta/sub"
printf 'beta/sub/__pycache__/z.cpython-311.pyc,,\n' >>"$site/beta-1.0.dist-info/RECORD"
ln -s "$TMP/outside/dir" "$site/evil_link"
before=$(cd outside && find . -exec ls -ld --time-style=+%s.%N {} + | sort && find . -type f -exec md5sum {} + | sort)

"$VENV" repair -q --upgrade -p "$p12" env >out 2>&1 ||
	fail "expected repair --upgrade to succeed, exit $?: $(cat out)"
after=$(cd outside && find . -exec ls -ld --time-style=+%s.%N {} + | sort && find . -type f -exec md5sum {} + | sort)
[ "$before" = "$after" ] || fail "expected nothing outside changed; before:
$before
after:
$after"
new=env/lib/python3.12/site-packages
[ ! -e env/lib/python3.11 ] || fail "expected lib/python3.11 gone"
for l in beta/__pycache__ beta/sub evil_link; do
	[ -L "$new/$l" ] || fail "expected $new/$l kept as a link, saw: $(ls -ld "$new/$l" 2>&1)"
done
[ "$(readlink "$new/beta/__pycache__")" = "$TMP/outside/pycache" ] ||
	fail "expected beta/__pycache__ to lead where it did, saw: $(readlink "$new/beta/__pycache__")"
grep -q '__pycache__' "$new/beta-1.0.dist-info/RECORD" &&
	fail "expected the old bytecode rows out of RECORD: $(cat "$new/beta-1.0.dist-info/RECORD")"
PYTHONDONTWRITEBYTECODE=1 env/bin/python -c 'import beta' ||
	fail "expected beta to import under 3.12"
"$VENV" check env >out 2>&1 || fail "expected check to find no error, exit $?: $(cat out)"

# The old version's whole lib directory, or its site-packages, a link out
# of the environment: what it holds is not the environment's to move, and an
# upgrade that took it for nothing would leave the new version without a
# package (exit 0 before). A site-packages link was refused with "Not a
# directory"; the error now says it is a link.
for link in lib/python3.11 lib/python3.11/site-packages; do
	rm -rf env2 ext
	"$VENV" create -q -p "$p11" env2 || fail "venv create -p $p11 failed"
	env2/bin/pip install -q "$TMP"/wheels/beta-1.0-*.whl || fail "pip install beta failed"
	mv "env2/$link" ext
	ln -s "$TMP/ext" "env2/$link"
	before=$(find env2 ext -exec ls -ld --time-style=+%s.%N {} + | sort)
	"$VENV" repair --upgrade -p "$p12" env2 >out 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "expected repair --upgrade to refuse a linked $link (exit 2), saw $rc: $(cat out)"
	grep -q "lib/python3.11/site-packages': a symbolic link on the way, not followed" out ||
		fail "expected the error to say lib/python3.11/site-packages is reached through a link ($link), saw: $(cat out)"
	after=$(find env2 ext -exec ls -ld --time-style=+%s.%N {} + | sort)
	[ "$before" = "$after" ] || fail "expected nothing changed, inside or outside ($link); before:
$before
after:
$after"
done

# Names that are not UTF-8 go through the upgrade's journal, then a plain
# repair's after a move.
bad=$(printf 'j\377k')
"$VENV" create -q --without-pip -p "$p11" env3 || fail "venv create -p $p11 failed"
mkdir "env3/lib/python3.11/site-packages/$bad"
echo mine >"env3/lib/python3.11/site-packages/$bad/data"
printf '#!%s/env3/bin/python\nprint("ok")\n' "$TMP" >"env3/bin/x$bad"
chmod 755 "env3/bin/x$bad"
expect_exit 0 "$VENV" repair -q --upgrade -p "$p12" env3
[ "$(cat "env3/lib/python3.12/site-packages/$bad/data")" = mine ] ||
	fail "expected the directory named 'j\\377k' in the new site-packages"
mv env3 env4
expect_exit 0 "$VENV" repair -q -y env4
[ "$(head -n 1 "env4/bin/x$bad")" = "#!$TMP/env4/bin/python" ] ||
	fail "expected bin/x\\377... to name the moved environment, saw: $(head -n 1 "env4/bin/x$bad")"
expect_exit 0 "$VENV" check env4
exit 0
