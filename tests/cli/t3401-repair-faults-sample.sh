#!/bin/bash
# The sample of repair's fault injection that make check runs (issue 14;
# security.md CRA-01, CRA-03, CRA-04):
# t3400's checks (the repair of a moved environment and an --upgrade killed
# at mutating system calls, ENOSPC and EIO injected; after each, the
# environment is the old one, the repaired one, or its journal says how to
# finish, exit 0 never comes with damage, and a second repair converges) at
# every 30th point of all of them. Each run starts at another point (the
# offset it prints; REPAIR_FAULTS_OFFSET=N repeats a run), so that runs
# together cover more than the same few points. t3400 (every 7th of each
# system call, make check-long) and `make faults` (all of them) try more.
. "$(dirname "$0")/lib.sh"
# LeakSanitizer cannot run under ptrace: in the instrumented pass every
# traced repair would end in its fatal error, not in what is tested here.
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check): strace and LeakSanitizer exclude each other"
offset=${REPAIR_FAULTS_OFFSET:-$RANDOM}
echo "fault points: every 30th, offset $offset (REPAIR_FAULTS_OFFSET=$offset repeats this run)"
# bash's notices of the repairs killed on purpose ("line N: PID Killed") are not news.
REPAIR_FAULTS=30 REPAIR_FAULTS_OFFSET=$offset bash "$TOP/tests/cli/t3400-repair-crash.sh" 2>&1 |
	grep -v '^[^ ]*: line [0-9]*: *[0-9]* Killed '
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] ||
	fail "expected every sampled fault point to leave the old or the repaired environment, saw exit $rc (above; REPAIR_FAULTS_OFFSET=$offset repeats it)"
exit "$rc"
