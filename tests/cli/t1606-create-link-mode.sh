#!/bin/bash
# --link-mode and VENV_LINK_MODE (issue 14, point 8): by default no file of
# a new environment is shared with the wheel cache or with another
# environment, so appending to one environment's pip/__init__.py leaves the
# other's alone; a reflink (FICLONE) is tried before copy_file_range().
# With hardlink (asked for) the files are the cache's, and the same append
# shows in the other environment: that is the documented cost of the mode.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
minor=$(py_minor "$py")
cd "$TMP"
umask 022
init="lib/python$minor/site-packages/pip/__init__.py"

# The default: copies.
"$VENV" create -q -p "$py" a || fail "venv create a failed"
"$VENV" create -q -p "$py" b || fail "venv create b failed"
expect_eq 1 "$(stat -c %h "a/$init")" "the link count of pip/__init__.py by default"
[ "$(stat -c %i "a/$init")" != "$(stat -c %i "b/$init")" ] ||
	fail "two default environments share the inode of pip/__init__.py"
before=$(cat "b/$init")
printf '# edited in a\n' >>"a/$init"
expect_eq "$before" "$(cat "b/$init")" "b's pip/__init__.py after appending to a's"
out=$(b/bin/pip --version 2>&1) || fail "pip does not run in b: $out"
# The edit in a does not reach an environment made after it either.
"$VENV" create -q -p "$py" c || fail "venv create c failed"
grep -q "edited in a" "c/$init" && fail "the edit made in a reached c"

# A reflink is tried first, then copy_file_range (this file system may have no reflinks).
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: leaks are checked by the other runs.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o trace -e trace=ioctl,copy_file_range "$VENV" create -q -p "$py" traced ||
		fail "venv create under strace failed"
	grep -q 'FICLONE' trace || fail "expected a FICLONE attempt, saw: $(head -n 5 trace)"
	if grep -q 'FICLONE.* = 0' trace; then
		echo "this file system reflinks"
	else
		grep -q 'copy_file_range(' trace || fail "expected copy_file_range after the failed reflink"
		expect_eq 1 "$(grep -c 'FICLONE' trace)" "the FICLONE attempts once the file system said no"
	fi
fi

# VENV_LINK_MODE and --link-mode=hardlink: the cache's files, shared.
VENV_LINK_MODE=hardlink "$VENV" create -q -p "$py" h1 || fail "venv create h1 failed"
"$VENV" create -q --link-mode=hardlink -p "$py" h2 || fail "venv create h2 failed"
[ "$(stat -c %h "h1/$init")" -ge 3 ] ||
	fail "expected h1 and h2 to share pip/__init__.py with the cache, saw $(stat -c %h "h1/$init") links"
printf '# edited in h1\n' >>"h1/$init"
grep -q "edited in h1" "h2/$init" || fail "with hardlink mode the edit in h1 should show in h2 (documented)"
grep -q "edited in h1" "a/$init" && fail "the edit in a hard-linked environment reached a copied one"
# The option wins over the variable.
VENV_LINK_MODE=hardlink "$VENV" create -q --link-mode copy -p "$py" h3 || fail "venv create h3 failed"
expect_eq 1 "$(stat -c %h "h3/$init")" "the link count with --link-mode copy over VENV_LINK_MODE=hardlink"
grep -q "edited in h1" "h3/$init" && fail "the edit in h1 reached h3 (a new cache entry was expected)"

# auto: a reflink where it can, else a hard link (then shared, as with hardlink).
"$VENV" create -q --link-mode=auto -p "$py" au || fail "venv create --link-mode=auto failed"
out=$(au/bin/pip --version 2>&1) || fail "pip does not run in au: $out"
n=$(stat -c %h "au/$init")
if [ "$n" -eq 1 ]; then echo "auto made reflinks or copies"; else echo "auto made hard links ($n)"; fi

# Bad values change nothing and exit 2.
expect_exit 2 "$VENV" create --link-mode=symlink -p "$py" bad1
expect_match "invalid choice: 'symlink'" "$ERR" "the message for a bad --link-mode"
VENV_LINK_MODE=reflink expect_exit 2 "$VENV" create -p "$py" bad2
expect_match "VENV_LINK_MODE: invalid link mode 'reflink'" "$ERR" "the message for a bad VENV_LINK_MODE"
[ ! -e bad1 ] && [ ! -e bad2 ] || fail "a refused create wrote something"
echo "link modes checked"
