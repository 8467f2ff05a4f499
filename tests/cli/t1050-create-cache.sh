#!/bin/bash
# Interpreter facts are learnt once and cached: a repeated create without pip
# starts no Python process, and replacing the interpreter invalidates the cache.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "strace is not installed"

pys=$(find_pythons | grep -v '^/usr/bin/')
a=$(echo "$pys" | tail -n 2 | head -n 1)
b=$(echo "$pys" | tail -n 1)
[ -n "$a" ] && [ "$a" != "$b" ] || skip "needs two Python versions"
cd "$TMP"

count_execs() {
	# LeakSanitizer cannot run under ptrace (SANITIZE=1 builds).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=execve -o "$TMP/trace" "$@" >/dev/null 2>&1 || fail "'$*' failed"
	grep -c 'execve(' "$TMP/trace"
}

n=$(count_execs "$VENV" create --without-pip -p "$a" e1)
[ "$n" -ge 2 ] || fail "expected the first create to run the interpreter (execve count >= 2), saw $n"
n=$(count_execs "$VENV" create --without-pip -p "$a" e2)
expect_eq 1 "$n" "the number of execve calls of a cached create (only venv itself)"
[ -n "$(ls "$VENV_CACHE_DIR"/pyinfo)" ] || fail "expected a cache entry"

# The same path now names another interpreter: the cache must not be used.
mkdir bin && ln -s "$a" bin/python3
"$VENV" create -q --without-pip -p "$TMP/bin/python3" e3 || fail "create failed"
ln -sfn "$b" bin/python3
"$VENV" create -q --without-pip -p "$TMP/bin/python3" e4 || fail "create failed"
v=$(sed -n 's/^version = //p' e4/pyvenv.cfg)
expect_match "^$(py_minor "$b" | sed 's/\./\\./')\." "$v" "the version recorded after relinking the interpreter"

# A cache entry that is garbage is ignored, not trusted.
for f in "$VENV_CACHE_DIR"/pyinfo/*; do head -c 100 /dev/urandom >"$f"; done
"$VENV" create -q --without-pip -p "$a" e5 || fail "create with a corrupt cache failed"
cmp -s <(grep -v '^command' e1/pyvenv.cfg) <(grep -v '^command' e5/pyvenv.cfg) ||
	fail "expected the same pyvenv.cfg after a corrupt cache"

# VENV_NO_CACHE and an unwritable cache location both still work.
n=$(VENV_NO_CACHE=1 count_execs "$VENV" create --without-pip -p "$a" e6)
[ "$n" -ge 2 ] || fail "expected VENV_NO_CACHE to probe again, saw $n execve"
VENV_CACHE_DIR=/proc/nonexistent "$VENV" create -q --without-pip -p "$a" e7 ||
	fail "expected create to work when the cache cannot be written"
echo ok
