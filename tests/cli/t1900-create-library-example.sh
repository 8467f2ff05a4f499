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
# (CPython's spelling; links, as the example chooses; the scm option from 3.13.)
case $(sed -n 's/^version = //p' env/pyvenv.cfg) in
3.8.* | 3.9.* | 3.10.*) want= ;;
3.11.* | 3.12.*) want=" -m venv --without-pip $TMP/env" ;;
*) want=" -m venv --without-pip --without-scm-ignore-files $TMP/env" ;;
esac
[ -z "$want" ] || grep -q -F -- "$want" env/pyvenv.cfg ||
	fail "expected command to record the API defaults ($want), saw: $(cat env/pyvenv.cfg)"

# A hook that fails: the new environment is removed, not left half-made.
expect_exit 1 "$prog" --fail -p "$py" broken
expect_match "post_setup was asked to fail" "$ERR" "the error"
[ ! -e broken ] || fail "expected the unfinished environment to be removed, saw: $(ls -A broken)"
# ...but an existing directory that failed keeps a marker, for `venv check`.
mkdir existing
expect_exit 1 "$prog" --fail -p "$py" existing
[ -f existing/.venv-incomplete ] || fail "expected the unfinished-creation marker"

# install_scripts(context, path): only common/ and posix/ are read, files keep
# their place below bin/, placeholders are replaced (quoted per shell), and a
# file that is not UTF-8 is skipped with a warning.
mkdir -p tpl/common tpl/posix/sub tpl/nt
printf 'dir=__VENV_DIR__ name=__VENV_NAME__ prompt=__VENV_PROMPT__ bin=__VENV_BIN_NAME__ py=__VENV_PYTHON__\n' >tpl/common/info.sh
printf 'set -gx X __VENV_PROMPT__\n' >tpl/posix/sub/info.fish
echo windows >tpl/nt/only-windows.bat
echo top >tpl/toplevel
printf '\377\376binary' >tpl/common/blob
chmod 0640 tpl/common/info.sh
expect_exit 0 "$prog" --scripts "$TMP/tpl" -p "$py" "s env"
expect_eq "dir='$TMP/s env' name='s env' prompt='s env' bin=bin py='$TMP/s env/bin/$(basename "$py")'" \
	"$(cat "s env/bin/info.sh")" "the substituted sh template"
expect_eq "set -gx X 's env'" "$(cat "s env/bin/sub/info.fish")" "the substituted fish template"
[ ! -e "s env/bin/only-windows.bat" ] && [ ! -e "s env/bin/toplevel" ] ||
	fail "expected only common/ and posix/ to be installed"
[ ! -e "s env/bin/blob" ] || fail "expected the binary template to be skipped"
expect_match "unable to copy script 'blob', may be binary" "$OUT" "the warning for a binary template"
expect_eq 640 "$(stat -c %a "s env/bin/info.sh")" "the installed script's mode (the template's)"
echo ok
