# Shared helpers for the CLI tests (bash). Each test script sources this
# file, works in its own temporary directory, and exits 0 (pass), 77 (skip)
# or anything else (fail). A failure names what was expected and what was seen.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$TOP/venv"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/venv-test.XXXXXX")
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
# Our own cache, so tests never depend on (or pollute) the user's; run alone
# (not from tests/run.sh), a test also gets a HOME of its own, with pyenv's
# root pinned first so that the interpreters are still found.
if [ -z "${VENV_TEST_HOME:-}" ]; then
	export PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv}"
	mkdir -p "$TMP/home/.cache"
	export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/home/.cache" VENV_TEST_HOME="$TMP/home"
fi
export VENV_CACHE_DIR="$TMP/cache"
# The machine may set PIP_* and PYTHON* variables; tests set what they need.
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p;s/^\(PYTHON[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INDEX=1

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "skipped: $*"
	exit 77
}

# expect_exit STATUS CMD...: run CMD, keep its output in $OUT/$ERR, check status.
expect_exit() {
	local want=$1
	shift
	"$@" >"$TMP/.out" 2>"$TMP/.err"
	local got=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
	if [ "$got" -ne "$want" ]; then
		echo "command: $*" >&2
		echo "stdout: $OUT" >&2
		echo "stderr: $ERR" >&2
		fail "expected exit status $want, saw $got"
	fi
}

# expect_match REGEX TEXT WHAT
expect_match() {
	if ! printf '%s' "$2" | grep -Eq -- "$1"; then
		fail "expected $3 to match /$1/, saw: $2"
	fi
}

expect_eq() {
	[ "$1" = "$2" ] || fail "expected $3 to be '$1', saw '$2'"
}

# newest_pyenv_python: $py, the newest of pyenv's CPythons (not Debian's), or skip.
newest_pyenv_python() {
	py=$(find_pythons | grep -v '/usr/bin' | tail -n 1)
	[ -n "$py" ] || skip "no CPython found"
}

# own_home [offline]: a HOME and cache of the test's own (pip's config and
# cache, the wheel cache); with "offline", pip without an index or cache and
# without the machine's PIP_FIND_LINKS, and $TMP/w for the test's wheels.
own_home() {
	export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/xdg"
	mkdir -p "$HOME"
	if [ "${1:-}" = offline ]; then
		export PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
		unset PIP_FIND_LINKS
		mkdir -p "$TMP/w"
	fi
}

# The real CPython interpreters of this machine: pyenv's 3.8+ and Debian's.
# Prints one absolute path per line, oldest first.
find_pythons() {
	local root=${PYENV_ROOT:-$HOME/.pyenv}
	local d v
	for d in "$root"/versions/3.*; do
		[ -d "$d" ] || continue
		v=${d##*/}
		case "$v" in 3.[0-7].*|3.[0-7]) continue ;; esac
		v=$(echo "$v" | cut -d. -f1,2)
		[ -x "$d/bin/python$v" ] && echo "${v#3.} $d/bin/python$v"
	done | sort -n -k1,1 -u | cut -d' ' -f2-
	[ -x /usr/bin/python3.11 ] && echo /usr/bin/python3.11
	return 0
}

# Minor version ("3.12") of an interpreter, without running it: from its name.
py_minor() {
	basename "$1" | sed 's/^python//'
}

# fixture NAME KEY BUILD [ARGS...]: print the directory of a fixture that the
# tests of a run share (and later runs reuse): tests/build/fixtures/NAME-HASH,
# HASH a digest of KEY, which must name everything the fixture depends on
# (interpreters, tools and their versions: see file_facts), so that it is
# never stale. It is made once, by `BUILD ARGS... DIR` filling DIR, a
# temporary name renamed when complete, under a lock: a test that wants it
# meanwhile waits, then uses it. Tests read it or copy from it, never change it.
fixture() {
	local name=$1 key=$2 dir
	shift 2
	dir="$TOP/tests/build/fixtures/$name-$(printf '%s' "$key" | sha256sum | cut -c1-16)"
	mkdir -p "${dir%/*}" || return 1
	(
		flock 9 || exit 1
		[ -d "$dir" ] && exit 0
		rm -rf "$dir.tmp"
		mkdir "$dir.tmp" || exit 1
		if ! "$@" "$dir.tmp" >&2; then
			rm -rf "$dir.tmp"
			exit 1
		fi
		mv -T "$dir.tmp" "$dir"
	) 9>"$dir.lock" || return 1
	echo "$dir"
}

# file_facts PATH...: what identifies files and directories without reading
# them (for a fixture's key): each one's real path, and the name, size and
# time of everything below it (but the bytecode Python writes there).
file_facts() {
	local f
	for f; do
		readlink -f "$f"
		[ -e "$f" ] && find -L "$f" -name __pycache__ -prune -o -printf '%P %s %T@\n' 2>/dev/null |
			LC_ALL=C sort
	done
	return 0
}

# py_facts PYTHON: what decides the environments PYTHON makes, for a
# fixture's key: the interpreter (file_facts) and the size and time of the
# files of its venv and ensurepip packages and of the wheels they install
# (the bundled ones, or Debian's python-wheels).
py_facts() {
	local real lib
	real=$(readlink -f "$1")
	lib="${real%/bin/*}/lib/python$(py_minor "$1")"
	file_facts "$1"
	stat -L -c '%n %s %Y' "$lib"/venv/*.py "$lib"/venv/scripts/*/* "$lib"/ensurepip/*.py \
		"$lib"/ensurepip/_bundled/* /usr/share/python-wheels/* 2>/dev/null
	return 0
}

# tool_facts COMMAND...: what identifies the commands' versions, for a
# fixture's key: each one's file_facts ("none" if missing), and when the
# package manager last changed the system (a tool upgraded in place).
tool_facts() {
	local c
	for c; do
		if command -v "$c" >/dev/null; then
			file_facts "$(command -v "$c")"
		else
			echo "$c: none"
		fi
	done
	stat -c '%n %Y' /var/lib/dpkg/status /var/lib/rpm/rpmdb.sqlite 2>/dev/null
	return 0
}

# venv_facts: what decides the environments venv create makes, for the key
# of a fixture some of whose environments it makes: a digest of the sources
# ./venv is built from (create/, common/, templates/ but what the build
# writes there), so that a build of the same sources (make clean,
# SANITIZE=1) keeps the fixture and a change of them makes a new one.
venv_facts() {
	(cd "$TOP" && find create common templates -type f \( -name '*.[ch]' -o -path 'templates/*' \) \
		! -name '*.o' ! -name '*.d' ! -path templates/templates.c ! -path templates/embed \
		-print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum)
}

# work_dir NAME: set W to tests/build/NAME-work, the directory of fixed path
# in which a test keeps environments made once (an environment names its own
# path, so they are unpacked at the same place each run), locked for this
# test until it exits.
work_dir() {
	W="$TOP/tests/build/$1-work"
	mkdir -p "${W%/*}" || fail "cannot make ${W%/*}"
	exec 8>"$W.lock"
	flock 8 || fail "cannot lock $W.lock"
}

# work_fixture NAME KEY PREPARE [ARGS...]: W (work_dir) as `PREPARE ARGS...`
# makes it, kept as a fixture (a tar of W: see fixture; W is part of the
# key): W is left as PREPARE left it when just made, else unpacked again.
work_fixture() {
	local name=$1 key=$2 fx
	shift 2
	fx=$(fixture "$name" "$key
$W" work_fixture_make "$@") || return 1
	if [ -e "$W/.just-made" ]; then
		rm "$W/.just-made"
	else
		rm -rf "$W" && mkdir -p "$W" && tar -C "$W" -xf "$fx/work.tar"
	fi
}

# work_fixture_make PREPARE [ARGS...] DIR: run PREPARE, then DIR/work.tar of W.
work_fixture_make() {
	"${@:1:$#-1}" || return 1
	tar -C "$W" -cf "${!#}/work.tar" . && touch "$W/.just-made"
}

# mk_pypy_env PY BASE ENV: a PyPy 3.9 base installation at BASE (what venv
# check looks at: bin/pypy3 -> pypy3.9, a script standing in for the binary,
# and the landmark lib/pypy3.9/os.py) and at ENV the environment Debian's
# PyPy 7.3.11 makes with `pypy3 -m venv` and pip then fills, as recorded on
# a real one: bin/pypy3 -> BASE/bin/pypy3 and pypy, python, python3,
# python3.9 -> pypy3; pyvenv.cfg of three keys; lib/pypy3.9/site-packages
# (there is no lib/pythonX.Y) holding hello-pp 1.2.3 as pip installs it (a
# RECORD of sha256 rows, a console script bin/hello-pp run by ENV/bin/pypy3).
# PY (any CPython) only writes RECORD's hashes: PyPy need not be installed.
mk_pypy_env() {
	local py=$1 base=$2 env=$3 site di f
	mkdir -p "$base/bin" "$base/lib/pypy3.9" "$env/bin" "$env/include" || return 1
	printf '#!/bin/sh\nexit 0\n' >"$base/bin/pypy3.9" && chmod 755 "$base/bin/pypy3.9" &&
		ln -s pypy3.9 "$base/bin/pypy3" && : >"$base/lib/pypy3.9/os.py" || return 1
	printf 'home = %s/bin\ninclude-system-site-packages = false\nversion = 3.9.16\n' \
		"$base" >"$env/pyvenv.cfg" || return 1
	ln -s "$base/bin/pypy3" "$env/bin/pypy3" && ln -s lib "$env/lib64" || return 1
	for f in pypy python python3 python3.9; do ln -s pypy3 "$env/bin/$f" || return 1; done
	# The lines of PyPy's activation scripts that name the environment.
	printf 'deactivate () {\n    unset VIRTUAL_ENV\n}\nVIRTUAL_ENV=%s\nexport VIRTUAL_ENV\nPATH="$VIRTUAL_ENV/"bin":$PATH"\nexport PATH\n' \
		"$env" >"$env/bin/activate"
	printf 'setenv VIRTUAL_ENV %s\nsetenv PATH "$VIRTUAL_ENV/"bin":$PATH"\n' "$env" >"$env/bin/activate.csh"
	printf 'set -gx VIRTUAL_ENV %s\nset -gx PATH "$VIRTUAL_ENV/"bin $PATH\n' "$env" >"$env/bin/activate.fish"
	printf '<#\n.Synopsis\nActivate a Python virtual environment for the current PowerShell session.\n#>\n' \
		>"$env/bin/Activate.ps1"
	site=$env/lib/pypy3.9/site-packages
	di=$site/hello_pp-1.2.3.dist-info
	mkdir -p "$site/hello_pp/__pycache__" "$di" || return 1
	printf 'def main():\n    print("hello from pypy")\n' >"$site/hello_pp/__init__.py"
	: >"$site/hello_pp/__pycache__/__init__.pypy39.pyc"
	printf 'Metadata-Version: 2.1\nName: hello-pp\nVersion: 1.2.3\n\n' >"$di/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: bdist_wheel (0.38.4)\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n' >"$di/WHEEL"
	printf '[console_scripts]\nhello-pp = hello_pp:main\n' >"$di/entry_points.txt"
	printf 'pip\n' >"$di/INSTALLER"
	printf '#!%s/bin/pypy3\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom hello_pp import main\nif __name__ == %s:\n    sys.exit(main())\n' \
		"$env" "'__main__'" >"$env/bin/hello-pp" && chmod 755 "$env/bin/hello-pp" || return 1
	(cd "$site" && "$py" -I -c '
import base64, hashlib, sys
rows = []
for p in sys.argv[1:]:
    data = open(p, "rb").read()
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append("%s,sha256=%s,%d" % (p, h, len(data)))
rows += ["hello_pp-1.2.3.dist-info/RECORD,,", "hello_pp/__pycache__/__init__.pypy39.pyc,,"]
open("hello_pp-1.2.3.dist-info/RECORD", "w").write("\n".join(sorted(rows)) + "\n")
' ../../../bin/hello-pp hello_pp-1.2.3.dist-info/INSTALLER hello_pp-1.2.3.dist-info/METADATA \
		hello_pp-1.2.3.dist-info/WHEEL hello_pp-1.2.3.dist-info/entry_points.txt hello_pp/__init__.py)
}
