#!/bin/bash
# The library example extends the builder like CPython's ExtendedEnvBuilder;
# its post_setup hook adds a module that the environment's python can import.
. "$(dirname "$0")/lib.sh"
prog="$TOP/tests/build/example/extended_builder"
[ -x "$prog" ] || fail "expected $prog to be built by make check"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"

expect_exit 0 "$prog" -p "$py" env
expect_match "post_setup: added .*extended_hello.py" "$OUT" "the example's progress"
expect_match "post_setup ran 1 time" "$OUT" "the example's summary"
got=$(env -i env/bin/python -c 'import extended_hello; print(extended_hello.GREETING)')
expect_eq "hello from post_setup in env" "$got" "what the added module says"
# The default steps still ran: configuration and scripts.
[ -f env/pyvenv.cfg ] && [ -f env/bin/activate ] || fail "expected the default steps to run"
# API defaults: no pip, no .gitignore (as EnvBuilder()).
[ ! -e env/.gitignore ] || fail "expected no .gitignore with the API defaults"
grep -q -- "--without-pip --without-scm-ignore-files" env/pyvenv.cfg ||
	grep -q '^version = 3\.\(8\|9\|10\)\.' env/pyvenv.cfg ||
	fail "expected command to record the API defaults, saw: $(cat env/pyvenv.cfg)"

# A hook that fails: the new environment is removed, not left half-made.
expect_exit 1 "$prog" --fail -p "$py" broken
expect_match "post_setup was asked to fail" "$ERR" "the error"
[ ! -e broken ] || fail "expected the unfinished environment to be removed, saw: $(ls -A broken)"
# ...but an existing directory that failed keeps a marker, for `venv check`.
mkdir existing
expect_exit 1 "$prog" --fail -p "$py" existing
[ -f existing/.venv-incomplete ] || fail "expected the unfinished-creation marker"
echo ok
