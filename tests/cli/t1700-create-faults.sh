#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# Kill `venv create` and `venv create --clear` at (a sample of) their mutating
# system calls, and fail those calls with ENOSPC and EIO: nothing outside the
# environment changes, exit 0 always means a working environment, and a re-run
# converges. `make faults` runs every point. (security.md CRA-02 for create
# and --clear, CRA-03, DEL-06: a --clear killed mid-delete.)
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "strace is not installed"
strace -f -qq -o /dev/null -e inject=getpid:error=EIO:when=1 true 2>/dev/null || skip "strace cannot inject faults here"
out=$(bash "$TOP/tests/faults/create.sh" --sample 3 2>/dev/null | grep -v Killed)
echo "$out" | tail -n 5
echo "$out" | grep -q '^faults: [1-9][0-9]* injected, 0 failed$' ||
	fail "expected every injected fault to keep the invariant, saw: $(echo "$out" | tail -n 10)"
