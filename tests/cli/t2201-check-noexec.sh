#!/bin/bash
# Nothing is ever executed (security.md INS-01, R9): strace shows exactly one
# execve, of venv itself, while check inspects environments full of things
# that would run if anything were started: interpreters, console scripts,
# an activation script whose path injects a command, a trampoline that
# expands $(...), with several threads and with --recursive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

command -v strace >/dev/null 2>&1 || skip "strace is not installed"
strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
cd "$TMP" || fail "cannot enter $TMP"
[ -n "$PYTHONS" ] || skip "no Python interpreters found"

mkdir tree
n=0
for py in $PYTHONS; do
	n=$((n + 1))
	mk_cpython "$py" "tree/env$n"
	add_demo "tree/env$n" "$(py_minor "$py")"
	[ $n -ge 3 ] && break
done
py=$(py_any)
mk_cpython "$py" tree/copies --copies
mk_cpython "$py" 'tree/inj";touch SENTINEL;"x'
printf '#!/bin/sh\n'"'''"'exec'"'"' "/tmp/a b$(touch SENTINEL2)/bin/python" "$0" "$@"\n'"' '''"'\n' >tree/env1/bin/tramp
chmod 755 tree/env1/bin/tramp
mv tree/env2 tree/env2-moved
if mk_virtualenv tree/ve; then :; fi

for args in "tree/env1 tree/env2-moved tree/copies" "-j 4 -r tree" "-j 1 -r -f sarif tree"; do
	# shellcheck disable=SC2086
	strace -f -qq -e trace=execve,execveat -o "$TMP/trace" "$VENV" check --no-progress $args >/dev/null 2>&1
	rc=$?
	[ "$rc" -le 2 ] || fail "check failed under strace with status $rc"
	n=$(grep -c 'execve' "$TMP/trace")
	[ "$n" -eq 1 ] || fail "expected exactly one execve (venv itself) for 'check $args', saw $n: $(cat "$TMP/trace")"
	grep -q "execve(\"$VENV\"" "$TMP/trace" || fail "expected the one execve to be venv, saw: $(cat "$TMP/trace")"
done
[ ! -e SENTINEL ] && [ ! -e tree/SENTINEL ] && [ ! -e SENTINEL2 ] || fail "something ran the injected command"
echo ok
