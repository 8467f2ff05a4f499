#!/bin/bash
# venv repair after a move or a copy, for environments made by python -m
# venv, Debian's virtualenv and venv create: pip's scripts (both shebang
# forms), activation scripts (exactly what venv create writes there, with
# the prompt kept), .pth entries and pyvenv.cfg's `command` follow the new
# location; files repair does not own stay byte-identical; bash, fish and
# tcsh activate the repaired environment; venv check finds nothing after.
# Also a PyPy environment's script and RECORD (lib/pypy3.9).
# The environments python -m venv and virtualenv make (pip's package
# installed) are made once (prepare) and kept as a fixture (lib.sh),
# unpacked each run at the same place (work_dir); venv create's, each run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
work_dir t3000
export PIP_FIND_LINKS="$W/wheels"

# prepare: in W, the wheel, and the environments of python -m venv
# (src-cpython, orig, holes) and virtualenv (src-virtualenv, if it is here).
prepare() {
	rm -rf "$W"
	mkdir -p "$W" && cd "$W" || return 1
	make_wheel "$py" "$W/wheels" tinypkg 1.0 || fail "could not build the test wheel"
	"$py" -m venv --prompt "my prompt" src-cpython >/dev/null || fail "python -m venv failed"
	src-cpython/bin/pip install -q tinypkg || fail "pip install failed in the cpython environment"
	if /usr/bin/python3 -m virtualenv --version >/dev/null 2>&1; then
		/usr/bin/python3 -m virtualenv -q src-virtualenv >/dev/null 2>&1 || fail "virtualenv could not make an environment"
		src-virtualenv/bin/pip install -q tinypkg || fail "pip install failed in the virtualenv environment"
	fi
	"$py" -m venv orig >/dev/null || fail "python -m venv failed"
	"$py" -m venv --without-pip holes >/dev/null || fail "python -m venv failed"
}
key=$(py_facts "$py"; file_facts /usr/bin/python3; tool_facts virtualenv
	cat "$0" "$(dirname "$0")/repair-lib.sh")
work_fixture t3000-environments "$key" prepare || fail "could not prepare the environments (above)"
cd "$W"

# check_env DIR: the repaired environment works from DIR.
check_env() {
	local d=$1 out sh
	out=$("$d/bin/python" -c 'import sys; print(sys.prefix)') || fail "python of $d does not run"
	expect_eq "$d" "$out" "sys.prefix of the repaired environment"
	out=$("$d/bin/pip" --version) || fail "pip of $d does not run"
	expect_match "from $d/lib/" "$out" "pip --version"
	out=$("$d/bin/tinypkg-hello") || fail "the console script of $d does not run"
	expect_eq "hello from tinypkg 1.0" "$out" "the console script's output"
	for sh in bash fish tcsh; do
		command -v "$sh" >/dev/null || continue
		out=$(activate_in "$sh" "$d" 2>&1) || fail "activate in $sh failed: $out"
		expect_eq "$d
$d/bin/python" "$out" "VIRTUAL_ENV and python after activate in $sh"
	done
	# extra.pth's "import os" line is ours and no RECORD lists it: check's
	# warning about unowned start-up code (VNV608) is right, and repair keeps it.
	expect_exit 0 "$VENV" check --ignore VNV608 "$d"
}

# moved CREATOR: an environment with a package installed (venv create's
# made here, the others prepared), moved, repaired.
moved() {
	local creator=$1 name="src-$1" dest="$W/moved to/$1 env"
	if [ "$creator" = venv ]; then
		"$VENV" create -q -p "$py" "$name" || fail "$creator could not make an environment"
		"$name/bin/pip" install -q tinypkg || fail "pip install failed in the $creator environment"
	fi
	# Things repair does not own: a user file, a .pth into the env, one outside.
	echo "user data" >"$name/notes.txt"
	printf '#!/bin/sh\necho mine\n' >"$name/bin/mytool"
	chmod 755 "$name/bin/mytool"
	site=$(cd "$name" && ls -d lib/python3.*/site-packages)
	mkdir -p "$name/src" "$W/outside"
	printf '%s\n' "$W/$name/src" "$W/outside" "import os" >"$name/$site/extra.pth"
	mkdir -p "$W/moved to"
	mv "$name" "$dest"
	# RECORD files change with the scripts they list (hash and size; check's
	# VNV604 in check_env proves they agree); nothing else outside bin/ may.
	before=$(tree_listing "$dest" | grep -v -e ' bin/' -e 'extra.pth' -e 'pyvenv.cfg' \
		 -e '^./bin/' -e 'dist-info/RECORD ')

	expect_exit 1 "$VENV" repair --dry-run "$dest"
	expect_match "moved or copied from $W/$name" "$OUT" "the dry run's header"
	expect_match "~ bin/pip: interpreter" "$OUT" "the dry run's plan"
	expect_exit 0 "$VENV" repair "$dest"
	check_env "$dest"
	expect_eq "$W/moved to/$creator env/src
$W/outside
import os" "$(cat "$dest/$site/extra.pth")" "the .pth file"
	expect_eq "mine" "$("$dest/bin/mytool")" "a user script"
	after=$(tree_listing "$dest" | grep -v -e ' bin/' -e 'extra.pth' -e 'pyvenv.cfg' \
		-e '^./bin/' -e 'dist-info/RECORD ')
	[ "$before" = "$after" ] || fail "expected files repair does not own unchanged, saw: $(diff <(echo "$before") <(echo "$after"))"
	# A space in the path: pip's scripts now use the /bin/sh trampoline.
	expect_eq "#!/bin/sh" "$(head -n 1 "$dest/bin/pip")" "the shebang of bin/pip"
	# Repairing again changes nothing.
	snap=$(tree_listing "$dest" times)
	expect_exit 0 "$VENV" repair "$dest"
	expect_match "nothing to repair|0 change\(s\) made" "$OUT" "a second repair"
	expect_eq "$snap" "$(tree_listing "$dest" times)" "the environment after a second repair"
}

moved cpython
if [ -d src-virtualenv ]; then
	moved virtualenv
else
	echo "note: Debian's virtualenv is not installed; its case is skipped"
fi
moved venv

# The activation scripts are exactly what venv create writes at that place
# with that prompt.
mv "$W/moved to/cpython env" "$W/repaired"
expect_exit 0 "$VENV" repair -q "$W/repaired"
mv "$W/repaired" "$W/repaired.bak"
"$VENV" create -q --without-pip -p "$py" --prompt "my prompt" "$W/repaired" ||
	fail "venv create failed"
for s in activate activate.fish activate.csh; do
	cmp -s "$W/repaired/bin/$s" "$W/repaired.bak/bin/$s" ||
		fail "expected bin/$s as venv create writes it, saw: $(diff "$W/repaired/bin/$s" "$W/repaired.bak/bin/$s" | head -n 10)"
done

# A copy: the copy is repaired, the original is left alone.
orig_before=$(tree_listing orig times)
cp -a orig copy
expect_exit 0 "$VENV" repair copy
expect_match "VNV405" "$OUT" "the code of a shebang into the original"
expect_eq "$orig_before" "$(tree_listing orig times)" "the original environment"
out=$(copy/bin/pip --version) || fail "pip of the copy does not run"
expect_match "from $W/copy/" "$out" "pip of the copy"
expect_exit 0 "$VENV" check copy

# Missing pieces come back: an interpreter name, lib64, an activation script.
rm holes/bin/python3 holes/lib64 holes/bin/activate.fish
home=$(sed -n 's/^home = //p' holes/pyvenv.cfg)
sed -i 's|^home = .*|home = /nonexistent/bin|' holes/pyvenv.cfg
expect_exit 0 "$VENV" repair holes
expect_match "VNV115" "$OUT" "the stale home"
grep -qx "home = $home" holes/pyvenv.cfg || fail "expected home = $home, saw: $(cat holes/pyvenv.cfg)"
expect_eq "$(readlink holes/bin/python)" "$(readlink holes/bin/python3)" "the restored bin/python3"
expect_eq lib "$(readlink holes/lib64)" "the restored lib64"
[ -f holes/bin/activate.fish ] || fail "expected bin/activate.fish restored"
expect_eq "$W/holes
$W/holes/bin/python" "$(activate_in fish "$W/holes" 2>&1)" "the restored activate.fish"
# A PyPy environment moved (built by hand as Debian's PyPy makes it, lib.sh):
# its script runs bin/pypy3, which is rewritten (repair said it was "not a
# Python of this environment"), and its RECORD row follows in
# lib/pypy3.9/site-packages (repair looked for lib/python3.9).
mk_pypy_env "$py" "$W/pypy-base" "$W/pypy-env" || fail "mk_pypy_env"
mv "$W/pypy-env" "$W/pypy-moved"
expect_exit 0 "$VENV" repair "$W/pypy-moved"
expect_match "lib/pypy3\.9/site-packages/hello_pp-1\.2\.3\.dist-info/RECORD: 1 row\(s\) follow" "$OUT" \
	"the PyPy environment's RECORD"
expect_eq "#!$W/pypy-moved/bin/pypy3" "$(head -n 1 "$W/pypy-moved/bin/hello-pp")" "the PyPy script's #! line"
expect_exit 0 "$VENV" check --verify-hashes "$W/pypy-moved"
# Upgraded onto a CPython: refused, nothing changed (it kept bin/pypy3 and
# lib/pypy3.9, made a lib/pypy3.X beside them, and exited 1).
before=$(cd "$W/pypy-moved" && find . -exec ls -ld --time-style=+%s.%N {} + | sort)
expect_exit 2 "$VENV" repair --upgrade --python "$py" "$W/pypy-moved"
expect_match "^venv: error: cannot upgrade '$W/pypy-moved' from PyPy to CPython \('[^']*'\): repair does not move packages from one Python implementation to another" \
	"$ERR" "repair --upgrade of a PyPy environment onto a CPython"
expect_eq "$before" "$(cd "$W/pypy-moved" && find . -exec ls -ld --time-style=+%s.%N {} + | sort)" \
	"the PyPy environment after the refused upgrade"
echo ok
