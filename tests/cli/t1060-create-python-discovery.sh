#!/bin/bash
# -p/--python takes a path, a command name, a version ("3", "3.12",
# "3.12.1", "cpython3.12", "cpython@3.12", "py312"; "pypy3", "pp39" for a
# PyPy, as --help says) or a PEP 440 range, and
# a version picks the newest match; pyenv shims are resolved, never run; the
# default is ./.python-version, else python3 on PATH; whatever is not a usable
# Python 3.8+ is refused in one line.
. "$(dirname "$0")/lib.sh"

# --help names the PyPy forms venv-create(1) and README document (it named none).
expect_exit 0 "$VENV" create --help
for form in pypy3 pypy3.9 pypy@3.9 pp39; do
	expect_match "[ (]$form[,;)]" "$OUT" "'venv create --help' (the PyPy form $form of -p)"
done

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
expect_match "^venv: error: no Python matching '3.99' found" "$ERR" "stderr"
[ ! -e x ] || fail "expected nothing created"

# ---- The real pyenv root: every form, the newest match. ----
root=${PYENV_ROOT:-$HOME/.pyenv}
cfg_version() { sed -n 's/^version = //p' "$1/pyvenv.cfg"; }
newest_of() { # newest pyenv release named MAJOR.MINOR.*
	ls "$root/versions" | grep -E "^${1//./\\.}\.[0-9]+$" | sort -t. -k3,3n | tail -n 1
}
v12=$(newest_of 3.12)
v13=$(newest_of 3.13)
if [ -n "$v12" ] && [ -n "$v13" ]; then
	export PYENV_ROOT="$root"
	n=0
	for form in "$v12" cpython3.12 cpython@3.12 py312 cp312 "cpython-$v12" '>=3.11,<3.13' \
		'==3.12.*' '~=3.12.0'; do
		n=$((n + 1))
		expect_exit 0 "$VENV" create -v --without-pip -p "$form" "form$n"
		expect_eq "$v12" "$(cfg_version "form$n")" "the version -p '$form' chose"
		expect_match "^venv: '.*' matches [0-9]+ interpreters?; using the newest, Python $v12 at " \
			"$ERR" "-v's note for -p '$form'"
	done
	# `3` is the newest Python 3 installed.
	expect_exit 0 "$VENV" create -v --without-pip -p 3 three
	expect_eq "$v13" "$(cfg_version three)" "the version -p 3 chose"
	# python3.13 through pyenv's shims directory (the selected version lacks it
	# unless it is 3.13; the shim is never run either way).
	if [ -x "$root/shims/python3.13" ]; then
		expect_exit 0 env PATH="$root/shims:/usr/bin:/bin" PYENV_VERSION="$v12" \
			"$VENV" create -v --without-pip -p python3.13 shim13
		expect_eq "$v13" "$(cfg_version shim13)" "the version -p python3.13 chose through pyenv's shim"
		expect_match "pyenv's shim" "$ERR" "-v's note for a shim"
	fi
	# Pythons older than 3.8 and things that are no Python: one line, exit 1.
	for old in 2.7 3.6 3.7 py27; do
		expect_exit 1 "$VENV" create --without-pip -p "$old" "old$old"
		expect_eq "venv: error: '$old' asks for a Python older than 3.8, which venv does not support" \
			"$ERR" "the error for -p $old"
	done
	for d in "$root"/versions/2.* "$root"/versions/3.[0-7].*; do
		[ -d "$d" ] || continue
		exe=$(ls "$d"/bin/python[23].* 2>/dev/null | grep -E 'python[23]\.[0-9]+$' | head -n 1)
		[ -n "$exe" ] || continue
		expect_exit 1 "$VENV" create --without-pip -p "$exe" oldpath
		expect_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "lines of the error for $exe"
		expect_match "^venv: error: '$exe' (is not a usable Python 3.8 or later|is Python 3\.[0-7];)" \
			"$ERR" "the error for $exe"
		[ ! -e oldpath ] || fail "expected nothing created for $exe"
	done
	unset PYENV_ROOT
fi
ls=$(command -v ls)
expect_exit 1 "$VENV" create --without-pip -p "$ls" notpython
expect_eq "venv: error: '$ls' is not a usable Python 3.8 or later (asked for its facts with -I -S, it exited with status 2)" \
	"$ERR" "the whole stderr for -p $ls"

# ---- A fake pyenv root: links to real interpreters, and shims that must not run. ----
fake="$TMP/fakepyenv"
pys=$(find_pythons | grep -v '^/usr/bin/')
[ "$(echo "$pys" | wc -l)" -ge 2 ] || { echo ok; exit 0; }
older=$(echo "$pys" | tail -n 2 | head -n 1)
newer=$(echo "$pys" | tail -n 1)
om=$(py_minor "$older")
nm=$(py_minor "$newer")
mkdir -p "$fake/shims" "$fake/versions/$om.0/bin" "$fake/versions/$nm.0/bin" "$fake/versions/myenv/bin"
ln -s "$older" "$fake/versions/$om.0/bin/python$om"
ln -s "$older" "$fake/versions/$om.0/bin/python3"
ln -s "$newer" "$fake/versions/$nm.0/bin/python$nm"
ln -s "$newer" "$fake/versions/myenv/bin/python3"
for s in python3 "python$om" "python$nm"; do
	printf '#!/bin/sh\nexport PYENV_ROOT="%s"\necho "pyenv: $0: the shim was run" >&2\nexit 127\n' \
		"$fake" >"$fake/shims/$s"
	chmod +x "$fake/shims/$s"
done
echo "$om.0" >"$fake/version"
fenv() { env -u PYENV_VERSION PYENV_ROOT="$fake" PATH="$fake/shims:/usr/bin:/bin" "$@"; }
mkdir proj && cd proj
# No -p: python3 is the shim; it runs the global version ($om.0).
expect_exit 0 fenv "$VENV" create -v --without-pip d1
expect_eq "$fake/versions/$om.0/bin" "$(sed -n 's/^home = //p' d1/pyvenv.cfg)" "home with no -p (the shim's version)"
expect_match "pyenv's shim 'python3' runs pyenv version '$om.0'" "$ERR" "-v's note with no -p"
# -p python$nm: the global version lacks it; the newest version that has it.
expect_exit 0 fenv "$VENV" create -q --without-pip -p "python$nm" d2
expect_eq "$fake/versions/$nm.0/bin" "$(sed -n 's/^home = //p' d2/pyvenv.cfg)" "home for -p python$nm"
# -p 3 and a range: the newest; -p $om: that one.
expect_exit 0 fenv "$VENV" create -q --without-pip -p 3 d3
expect_eq "$fake/versions/$nm.0/bin" "$(sed -n 's/^home = //p' d3/pyvenv.cfg)" "home for -p 3"
expect_exit 0 fenv "$VENV" create -q --without-pip -p "<$nm" d4
expect_eq "$fake/versions/$om.0/bin" "$(sed -n 's/^home = //p' d4/pyvenv.cfg)" "home for -p '<$nm'"
# .python-version in the current directory, when no -p is given (as uv).
echo "$nm" >.python-version
expect_exit 0 fenv "$VENV" create -v --without-pip d5
expect_eq "$fake/versions/$nm.0/bin" "$(sed -n 's/^home = //p' d5/pyvenv.cfg)" "home from .python-version"
expect_match "^venv: \.python-version asks for '$nm'" "$ERR" "-v's note for .python-version"
expect_exit 0 fenv "$VENV" create -q --without-pip -p "$om" d6
expect_eq "$fake/versions/$om.0/bin" "$(sed -n 's/^home = //p' d6/pyvenv.cfg)" "-p over .python-version"
echo myenv >.python-version
expect_exit 0 fenv "$VENV" create -q --without-pip d7
expect_eq "$fake/versions/myenv/bin" "$(sed -n 's/^home = //p' d7/pyvenv.cfg)" "a pyenv version name in .python-version"
echo 3.99 >.python-version
expect_exit 1 fenv "$VENV" create -q --without-pip d8
expect_match "^venv: error: '\.python-version': no Python matching '3\.99' found" "$ERR" "the error for .python-version"
rm .python-version
# PYENV_VERSION names a version: the shim resolves to it.
expect_exit 0 fenv PYENV_VERSION=myenv "$VENV" create -q --without-pip d9
expect_eq "$fake/versions/myenv/bin" "$(sed -n 's/^home = //p' d9/pyvenv.cfg)" "home for PYENV_VERSION=myenv"
echo ok
