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
