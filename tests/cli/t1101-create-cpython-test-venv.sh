#!/bin/bash
# CPython's own test_venv checks of pyvenv.cfg (test_defaults_with_* and
# test_config_file_command_key) pass against `venv create`, for every CPython
# 3.11+ of the machine whose test package is installed: `command` is what
# `python -m venv` of that base writes.
. "$(dirname "$0")/lib.sh"
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check): its time is CPython's test_venv"
export HOME="$TMP/home"
mkdir -p "$HOME"
ran=0
for py in $(find_pythons); do
	minor=$(py_minor "$py")
	[ "${minor#3.}" -ge 11 ] || continue
	"$py" -c 'import test.test_venv' 2>/dev/null || continue
	expect_exit 0 env VENV_BIN="$VENV" PIP_NO_INDEX=1 "$py" "$TOP/tests/helpers/cpython-test-venv.py"
	expect_match "Ran 3 tests" "$ERR" "CPython's test_venv run with $py"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || skip "no CPython 3.11+ with its test package"
echo "ran CPython's test_venv checks with $ran interpreters"
