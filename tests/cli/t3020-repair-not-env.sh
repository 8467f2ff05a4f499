#!/bin/bash
# Repair acts only on environments (issue 14, point 1): a home directory,
# /usr and a home-like tree with its own old-path scripts are refused with
# exit 2 and come out unchanged, not even a lock file written; --force does
# not change that for a directory holding what no creator makes. An
# environment without pyvenv.cfg but with its activation script and
# site-packages is still one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
v=$(py_minor "$py")
mkdir "$TMP/w" && cd "$TMP/w"

# Everything below DIR and DIR's parent's entries, with modes and times.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %l %s %T@\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
	ls -a "$1/.."
}

# A home directory: dot files, documents, and bin/python linking to the system's.
mkdir -p home/Documents home/bin home/.config
echo 'export PS1=x' >home/.bashrc
echo report >home/Documents/report.txt
ln -s "$py" home/bin/python
before=$(snapshot home)
for args in "" "--upgrade -y -p $py" "--force" "--force --upgrade -y -p $py" "--archive=$TMP/h.tar.gz"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$VENV" repair $args home
	expect_match "'$TMP/w/home' is not a virtual environment" "$ERR" "stderr of repair $args"
	expect_match "'Documents'" "$ERR" "the entries named"
	[ "$(snapshot home)" = "$before" ] || fail "repair $args changed the home directory"
done
[ ! -e "$TMP/h.tar.gz" ] || fail "expected no archive of a home directory"
expect_exit 2 "$VENV" repair --dry-run home
[ -z "$OUT" ] || fail "expected no plan for a home directory, saw: $OUT"

# A home-like tree that looks like an installation: bin/ with a script whose
# #! names an old place, lib/pythonX.Y/site-packages with a .pth naming it.
mkdir -p old/.local/bin old/.local/lib/python$v/site-packages old/.local/share
printf '#!%s/w/old/.local/bin/python\nprint(1)\n' "$TMP" >old/.local/bin/tool
chmod 755 old/.local/bin/tool
echo "$TMP/w/old/.local/src" >old/.local/lib/python$v/site-packages/mine.pth
echo keep >old/.profile
mv old newhome
before=$(snapshot newhome)
expect_exit 2 "$VENV" repair newhome
expect_exit 2 "$VENV" repair --force newhome
expect_match "'.profile'" "$ERR" "the foreign entry named"
[ "$(snapshot newhome)" = "$before" ] || fail "repair changed the home-like tree"
# ~/.local itself holds only names environments are made of: refused, and
# only --force (which says the user means it) lets repair look at it.
before=$(snapshot newhome/.local)
expect_exit 2 "$VENV" repair newhome/.local
expect_match "--force treats it as one" "$ERR" "stderr"
[ "$(snapshot newhome/.local)" = "$before" ] || fail "repair changed ~/.local"

# /usr, read-only in a mount namespace of our own so that nothing can go wrong.
if unshare -rm true 2>/dev/null; then
	usr_before=$(ls -la --time-style=full-iso /usr /usr/bin | sha256sum)
	unshare -rm bash -c '
		mount --bind /usr /usr && mount -o remount,bind,ro /usr || exit 3
		"$1" repair --dry-run /usr >"$2/usr.out" 2>"$2/usr.err"; echo $? >"$2/usr.rc1"
		"$1" repair /usr >>"$2/usr.out" 2>>"$2/usr.err"; echo $? >"$2/usr.rc2"
	' sh "$VENV" "$TMP" || fail "could not set up the mount namespace"
	expect_eq 2 "$(cat $TMP/usr.rc1)" "the exit status of repair --dry-run /usr"
	expect_eq 2 "$(cat $TMP/usr.rc2)" "the exit status of repair /usr"
	[ ! -s $TMP/usr.out ] || fail "expected no plan for /usr, saw: $(cat $TMP/usr.out)"
	expect_match "'/usr' is not a virtual environment" "$(cat $TMP/usr.err)" "stderr for /usr"
	expect_eq "$usr_before" "$(ls -la --time-style=full-iso /usr /usr/bin | sha256sum)" "/usr"
else
	expect_exit 2 "$VENV" repair --dry-run /usr
	[ -z "$OUT" ] || fail "expected no plan for /usr, saw: $OUT"
fi

# A moved environment whose pyvenv.cfg was lost is still an environment: its
# activation script names where it was and it has site-packages.
"$VENV" create -q --without-pip -p "$py" env || fail "create failed"
mv env moved && rm moved/pyvenv.cfg
expect_exit 0 "$VENV" repair -q --upgrade -y -p "$py" moved
[ -f moved/pyvenv.cfg ] || fail "expected pyvenv.cfg written again"
moved/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix' ||
	fail "expected the repaired environment to run"

# Without the activation scripts it is refused, and changed in no way.
"$VENV" create -q --without-pip -p "$py" bare || fail "create failed"
rm bare/pyvenv.cfg bare/bin/activate* bare/bin/Activate.ps1 bare/.gitignore
before=$(snapshot bare)
expect_exit 2 "$VENV" repair bare
[ "$(snapshot bare)" = "$before" ] || fail "repair changed a bare tree it refused"

# A pyvenv.cfg that is a FIFO or a directory is refused the same way, and the
# message says what it is (it said "it has no pyvenv.cfg ... (it holds
# 'pyvenv.cfg', ...)"); the FIFO is never opened, so nothing hangs.
mkfifo bare/pyvenv.cfg
before=$(snapshot bare)
expect_exit 2 timeout 60 "$VENV" repair bare
expect_match "'$TMP/w/bare' is not a virtual environment: its pyvenv\.cfg is a named pipe \(FIFO\), not a regular file, and it has no activation script" \
	"$ERR" "the refusal of a FIFO pyvenv.cfg"
[ "$(snapshot bare)" = "$before" ] || fail "repair changed a tree with a FIFO pyvenv.cfg"
rm bare/pyvenv.cfg && mkdir bare/pyvenv.cfg
expect_exit 2 "$VENV" repair bare
expect_match "its pyvenv\.cfg is a directory, not a regular file, and it has no activation script" \
	"$ERR" "the refusal of a directory pyvenv.cfg"
echo ok
