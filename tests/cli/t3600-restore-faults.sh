#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# Kill `venv restore` (into a new directory and over an existing environment)
# at a sample of its mutating system calls, and fail those calls with ENOSPC
# and EIO: nothing outside the environment changes, the environment is the
# old one or the archived one, exit 0 always means the archived one, and a
# re-run converges (security.md CRA-02, CRA-03). `make faults` runs every
# point (tests/faults/restore.sh).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "strace is not installed"
strace -f -qq -o /dev/null -e inject=getpid:error=EIO:when=1 true 2>/dev/null || skip "strace cannot inject faults here"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"
out=$(bash "$TOP/tests/faults/restore.sh" --sample 7 "$py" 2>/dev/null)
echo "$out" | tail -n 5
echo "$out" | grep -q '^faults: [1-9][0-9]* injected, 0 failed$' ||
	fail "expected every injected fault to keep the invariant, saw: $(echo "$out" | tail -n 10)"
