#!/bin/bash
# Repair on a file system where nothing can be created (EROFS, injected by
# strace on every call naming the journal's temporary file, as a read-only
# mount fails them): the error says the journal cannot be written, and
# nothing else. It said "cannot remove '.venv-repair.journal.new'" (the
# removal of a leftover that was not there) and then "the staged files could
# not be removed ... run venv repair again", when nothing had been staged
# or changed. Exit 2, the environment as it was, no journal left.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "needs strace"
strace -f -o /dev/null -e inject=getpid:error=EIO true 2>/dev/null || skip "strace cannot inject faults here"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"
cd "$TMP"
# LeakSanitizer cannot run under ptrace (SANITIZE=1).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

"$py" -m venv --without-pip made >/dev/null || fail "python -m venv failed"
mv made moved
listing() { (cd "$1" && find . -printf '%p %y %m %s\n' | LC_ALL=C sort && cat pyvenv.cfg bin/activate); }
before=$(listing moved)
strace -f -qq -o "$TMP/strace.log" -P .venv-repair.journal.new \
	-e trace=openat,unlinkat -e inject=openat,unlinkat:error=EROFS \
	"$VENV" repair -y moved >out 2>err
rc=$?
grep -q INJECTED strace.log || fail "expected an injected EROFS, saw: $(cat strace.log)"
[ "$rc" = 2 ] || fail "expected exit 2, saw $rc: $(cat out err)"
expect_match "^venv: error: cannot write the journal of '.*/moved': cannot create '\.venv-repair\.journal\.new': Read-only file system$" \
	"$(cat err)" "repair's error"
grep -q 'staged files\|cannot remove' err && fail "expected no word of staged files or removal, saw: $(cat err)"
[ ! -e moved/.venv-repair.journal ] || fail "expected no journal left"
[ "$(listing moved)" = "$before" ] || fail "expected the environment unchanged"
expect_exit 0 "$VENV" repair -y moved
exit 0
