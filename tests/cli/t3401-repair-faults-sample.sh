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
offset=${REPAIR_FAULTS_OFFSET:-$RANDOM}
echo "fault points: every 30th, offset $offset (REPAIR_FAULTS_OFFSET=$offset repeats this run)"
REPAIR_FAULTS=30 REPAIR_FAULTS_OFFSET=$offset bash "$TOP/tests/cli/t3400-repair-crash.sh"
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] ||
	fail "expected every sampled fault point to leave the old or the repaired environment, saw exit $rc (above; REPAIR_FAULTS_OFFSET=$offset repeats it)"
exit "$rc"
