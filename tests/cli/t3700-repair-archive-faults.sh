#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# Writing an archive (venv repair --archive) killed at its mutating system
# calls, and with EIO and ENOSPC injected into them (security.md CRA-02 for
# archive; CRA-03): no partial archive is ever left under the archive's
# name, the environment is untouched, an exit status of 0 always means an
# archive that restores to the same tree, and a re-run converges.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"
command -v strace >/dev/null || skip "strace is not installed"
strace -f -qq -o /dev/null -e inject=getpid:error=EIO:when=1 true 2>/dev/null ||
	skip "strace cannot inject faults here"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"

cd "$TMP" || fail "cannot enter $TMP"
"$VENV" create -q --without-pip -p "$py" env || fail "venv create failed"
echo data >env/userfile
snap=$(tree_listing env times)
# The environment as the user sees it: a killed run may leave repair's lock
# behind (the next repair takes it over, CRA-09), which changes the time of
# the directory itself and nothing else.
user_view() { tree_listing "$1" times | grep -v '^\. d '; }
usnap=$(user_view env)
mkdir arch

# check_round WHAT RC: the invariant after one run that ended with status RC.
check_round() {
	local what=$1 rc=$2 a=arch/env.tar.gz left
	expect_eq "$usnap" "$(user_view env)" "the environment after $what"
	if [ -e "$a" ]; then
		rm -rf restored
		"$VENV" restore --as-is "$TMP/$a" "$TMP/restored" >/dev/null 2>"$TMP/.rerr" ||
			fail "$what: an archive was left under its name that does not restore: $(cat "$TMP/.rerr")"
		expect_eq "$usnap" "$(user_view restored)" "the tree restored after $what"
	elif [ "$rc" -eq 0 ]; then
		fail "$what: exit status 0 but no archive"
	fi
	# A re-run converges: a complete archive is there, or one can be made.
	if [ ! -e "$a" ]; then
		"$VENV" repair -q --archive="$TMP/$a" env >/dev/null 2>"$TMP/.rerr" ||
			fail "$what: the re-run failed: $(cat "$TMP/.rerr")"
		[ -e "$a" ] || fail "$what: the re-run left no archive"
	fi
	rm -f "$a"
	# A temporary file of a killed run may stay; nothing else may.
	left=$(ls -A arch | grep -v '^\.env\.tar\.gz\.tmp-[0-9]*$')
	[ -z "$left" ] || fail "$what: unexpected files in the archive directory: $left"
	rm -f arch/.env.tar.gz.tmp-*
}

# run_faulted INJECT: one repair --archive under strace's fault injection.
run_faulted() {
	strace -f -qq -o /dev/null -e inject="$1" \
		"$VENV" repair -q --archive="$TMP/arch/env.tar.gz" env >/dev/null 2>&1
}

rounds=0
for sc in write fsync linkat unlinkat openat; do
	# Every point of the rare calls, every third openat (most only read).
	step=1
	[ "$sc" = openat ] && step=3
	n=$(strace -f -qq -c -o "$TMP/.count" -e trace="$sc" \
		"$VENV" repair -q --archive="$TMP/arch/count.tar.gz" env >/dev/null 2>&1;
	    awk -v s="$sc" '$NF == s { print $4 }' "$TMP/.count")
	rm -f arch/count.tar.gz
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "expected repair --archive to call $sc"
	for i in $(seq 1 "$step" "$n"); do
		run_faulted "$sc:signal=KILL:when=$i"
		check_round "a kill at $sc #$i" $?
		rounds=$((rounds + 1))
	done
	case $sc in write | fsync)
		for e in EIO ENOSPC; do
			for i in $(seq 1 "$n"); do
				run_faulted "$sc:error=$e:when=$i"
				rc=$?
				[ "$rc" -ne 0 ] || fail "expected $e from $sc #$i to fail the archive, saw exit 0"
				# An archive may stand only if it was complete before
				# the failure (the last write is the "archived to" line);
				# check_round restores it to make sure.
				check_round "$e at $sc #$i" "$rc"
				rounds=$((rounds + 1))
			done
		done
		;;
	esac
done
[ "$rounds" -gt 10 ] || fail "expected more than 10 fault points, saw $rounds"
echo "archive faults: $rounds points"
