#!/bin/bash
# What the distributions' reader (common/dist.c) cannot read is never taken
# for missing: EIO is injected (strace) into each file of a metadata
# directory it reads (METADATA, WHEEL, RECORD, INSTALLER, REQUESTED,
# entry_points.txt, direct_url.json, an .egg-info's PKG-INFO and
# top_level.txt) and into the opening of the directory itself. Each time
# `venv check` reports VNV003 unreadable-file for that path, once (exit 1,
# not "ok"; with --verify-hashes too), `venv list` fails with the path on
# stderr (exit 2), and `venv repair` (also --upgrade) of a moved copy
# changes nothing and says why (exit 1). As another user than root,
# permission denied is said the same way. A listing of lib/ that fails
# (getdents64) is not taken for its end either: list exit 2, check VNV003.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip "needs strace"
strace -f -o /dev/null -e inject=getpid:error=EIO true 2>/dev/null || skip "strace cannot inject faults here"
py=$(find_pythons | grep -v '/usr/bin' | tail -n 1)
[ -n "$py" ] || skip "no CPython found"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/xdg" PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
unset PIP_FIND_LINKS
mkdir -p "$HOME" "$TMP/w"
cd "$TMP"
expect_exit 0 "$VENV" create -q -p "$py" e
"$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/w" demo 1.0 >/dev/null || fail "make-wheel demo"
expect_exit 0 e/bin/python -m pip install -q --no-index --no-deps "$TMP/w"/demo-1.0-py3-none-any.whl
rel=$(cd e && echo lib/python3.*/site-packages)
site=$TMP/e/$rel
# An old setuptools' metadata: PKG-INFO, and top_level.txt (no RECORD) for its module.
mkdir "$site/old-3.egg-info"
printf 'Metadata-Version: 1.0\nName: old\nVersion: 3\n' >"$site/old-3.egg-info/PKG-INFO"
printf 'old\n' >"$site/old-3.egg-info/top_level.txt"
echo 'x = 1' >"$site/old.py"
for f in METADATA WHEEL RECORD INSTALLER REQUESTED entry_points.txt direct_url.json; do
	[ -e "$site/demo-1.0.dist-info/$f" ] || fail "expected pip to write demo-1.0.dist-info/$f"
done
expect_exit 0 "$VENV" check --no-progress --severity=info e
expect_match ' 1 ok,' "$OUT" "check of the intact environment (old.py is old's: VNV610 would say not)"
expect_exit 0 "$VENV" list e
expect_match 'demo +1\.0' "$OUT" "list of the intact environment"
cp -a e m

# run_eio WHAT ARGS...: venv ARGS under strace, failing with EIO what WHAT says:
#   read:PATH     every read() of the file PATH (absolute)
#   stat:NAME     every newfstatat() of a file named NAME (relative, as the model asks)
#   dents:PATH    every getdents64() of the directory PATH (absolute): its listing
#   open:NAME     every openat() of the directory NAME from the first that is not
#                 the walk's on, in each thread (the walk of rules_tree.c opens with
#                 O_NONBLOCK, the model without; a refused upgrade's second look
#                 walks again)
run_eio() {
	local what=$1 n
	# LeakSanitizer cannot run under ptrace (SANITIZE=1): it would end each
	# traced run with status 1. The permission cases below run untraced.
	local ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
	shift
	case $what in
	read:*) strace -f -qq -o "$TMP/strace.log" -P "${what#read:}" -e trace=read \
		-e inject=read:error=EIO "$VENV" "$@" >"$TMP/.out" 2>"$TMP/.err" ;;
	stat:*) strace -f -qq -o "$TMP/strace.log" -P "${what#stat:}" -e trace=newfstatat \
		-e inject=newfstatat:error=EIO "$VENV" "$@" >"$TMP/.out" 2>"$TMP/.err" ;;
	dents:*) strace -f -qq -o "$TMP/strace.log" -P "${what#dents:}" -e trace=getdents64 \
		-e inject=getdents64:error=EIO "$VENV" "$@" >"$TMP/.out" 2>"$TMP/.err" ;;
	open:*)
		# Counted on a copy: a repair that is not refused changes what it repairs.
		rm -rf "$TMP/count" && cp -a "${@: -1}" "$TMP/count" || fail "cannot copy ${*: -1}"
		strace -f -qq -o "$TMP/count.log" -P "${what#open:}" -e trace=openat "$VENV" \
			"${@:1:$#-1}" "$TMP/count" >/dev/null 2>&1
		# when= counts each thread's calls: n is the first open that is not
		# the walk's among those of the thread that makes it (check reads
		# the distributions on a thread of its own).
		n=$(awk '/openat\(/ { k[$1]++; if (!/O_NONBLOCK/) { print k[$1]; exit } }' "$TMP/count.log")
		[ -n "$n" ] || fail "expected venv $* to open '${what#open:}': $(cat "$TMP/count.log")"
		strace -f -qq -o "$TMP/strace.log" -P "${what#open:}" -e trace=openat \
			-e inject=openat:error=EIO:when="$n+" "$VENV" "$@" >"$TMP/.out" 2>"$TMP/.err" ;;
	esac
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
	grep -q 'INJECTED' "$TMP/strace.log" || fail "expected an injected EIO ($what) in venv $*, saw: $(cat "$TMP/strace.log")"
}

# listing DIR: everything below it, with modes, sizes and contents.
listing() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' && find . -type f -print0 | xargs -0 -r cksum) |
		LC_ALL=C sort
}

# case WHAT PATH OP [FIRST]: PATH (below site-packages) fails as WHAT says,
# OP is "read" or "open"; list stops at the first failure, FIRST (a regular
# expression) when it may be another of those WHAT fails.
case_() {
	local what=$1 path=$2 op=$3 first=${4:-$2} before
	local msg="cannot $op '$rel/$path': Input/output error"

	run_eio "$what" check --no-progress e
	[ "$RC" -eq 1 ] || fail "expected check to exit 1 when $path cannot be read, saw $RC: $OUT $ERR"
	expect_match "e/$rel/$path: warning: $msg \[VNV003 unreadable-file\]" "$OUT" \
		"check's finding when $path cannot be read"
	expect_match ' 0 ok, 1 with findings' "$OUT" "check's summary when $path cannot be read"
	# Hashing reads the files RECORD lists (METADATA, entry_points.txt...) too, on
	# threads (when= of an injection counts a thread's calls: not for open:).
	if [ "${what%%:*}" != open ]; then
		run_eio "$what" check --no-progress --verify-hashes -j 2 e
		[ "$RC" -eq 1 ] || fail "expected check --verify-hashes to exit 1 when $path cannot be read, saw $RC: $OUT $ERR"
		[ "$(printf '%s\n' "$OUT" | grep -c "^e/$rel/$path: warning: $msg \[VNV003")" = 1 ] ||
			fail "expected check --verify-hashes to say once that $path cannot be read, saw: $OUT"
	fi

	run_eio "$what" list e
	[ "$RC" -eq 2 ] || fail "expected list to exit 2 when $path cannot be read, saw $RC: $OUT $ERR"
	expect_match "^venv: error: cannot $op '$site/$first': Input/output error$" "$ERR" \
		"list's error when $path cannot be read"

	before=$(listing m)
	for args in "repair" "repair --upgrade"; do
		run_eio "${what/\/e\//\/m\/}" $args m
		[ "$RC" -eq 1 ] || fail "expected venv $args to exit 1 when $path cannot be read, saw $RC: $OUT $ERR"
		expect_match "nothing was changed: repair needs to read every file it may fix \[VNV003\]" \
			"$OUT" "venv $args when $path cannot be read"
		expect_match "$msg \[VNV003\]" "$OUT" "venv $args when $path cannot be read"
		[ "$(listing m)" = "$before" ] ||
			fail "expected venv $args to change nothing when $path cannot be read: $(diff <(echo "$before") <(listing m) | head -n 20)"
	done
}

for f in METADATA WHEEL RECORD INSTALLER entry_points.txt direct_url.json; do
	case_ "read:$site/demo-1.0.dist-info/$f" "demo-1.0.dist-info/$f" read
done
case_ "read:$site/old-3.egg-info/PKG-INFO" old-3.egg-info/PKG-INFO read
case_ "read:$site/old-3.egg-info/top_level.txt" old-3.egg-info/top_level.txt read
# Asked only for the rules over distributions, an unreadable RECORD is still said (VNV602, as ever).
run_eio "read:$site/demo-1.0.dist-info/RECORD" check --no-progress --select VNV6 e
[ "$RC" -eq 1 ] || fail "expected check --select VNV6 to exit 1 when RECORD cannot be read, saw $RC: $OUT $ERR"
expect_match "demo-1.0.dist-info/RECORD: cannot read 'RECORD': Input/output error \[VNV602" "$OUT" \
	"check --select VNV6 when RECORD cannot be read"
# Every file of that name fails: pip's too.
case_ stat:REQUESTED demo-1.0.dist-info/REQUESTED read '[^/]*\.dist-info/REQUESTED'
case_ open:demo-1.0.dist-info demo-1.0.dist-info open

# Permission denied, for a user who may not read them (as root, chmod does not stop reads).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@" >"$TMP/.out" 2>"$TMP/.err"
		RC=$?
		OUT=$(cat "$TMP/.out")
		ERR=$(cat "$TMP/.err")
	}
	chmod 755 "$TMP"
	chmod -R a+rX e
	chmod 000 "$site/demo-1.0.dist-info/entry_points.txt"
	msg="cannot read '$rel/demo-1.0.dist-info/entry_points.txt': Permission denied"
	nobody "$VENV" check --no-progress e
	[ "$RC" -eq 1 ] || fail "expected check by another user to exit 1, saw $RC: $OUT $ERR"
	expect_match "$msg \[VNV003 unreadable-file\]" "$OUT" "check by a user who may not read entry_points.txt"
	nobody "$VENV" list e
	[ "$RC" -eq 2 ] || fail "expected list by another user to exit 2, saw $RC: $OUT $ERR"
	expect_match "^venv: error: cannot read '$site/demo-1.0.dist-info/entry_points.txt': Permission denied$" \
		"$ERR" "list by a user who may not read entry_points.txt"
	chmod 644 "$site/demo-1.0.dist-info/entry_points.txt"
	# A directory: the walk cannot open it either; said once.
	chmod 000 "$site/demo-1.0.dist-info"
	nobody "$VENV" check --no-progress e
	[ "$RC" -eq 1 ] || fail "expected check by another user to exit 1, saw $RC: $OUT $ERR"
	[ "$(printf '%s\n' "$OUT" | grep -c "cannot open '$rel/demo-1.0.dist-info': Permission denied \[VNV003")" = 1 ] ||
		fail "expected check by a user who may not open demo-1.0.dist-info to say so once, saw: $OUT"
	nobody "$VENV" list e
	[ "$RC" -eq 2 ] || fail "expected list by another user to exit 2, saw $RC: $OUT $ERR"
	expect_match "^venv: error: cannot open '$site/demo-1.0.dist-info': Permission denied$" \
		"$ERR" "list by a user who may not open demo-1.0.dist-info"
	chmod 755 "$site/demo-1.0.dist-info"
fi

# A listing of lib/ that fails is not the end of lib/: list fails the
# environment (it listed nothing, exit 0), and check reports it.
run_eio "dents:$TMP/e/lib" list e
[ "$RC" -eq 2 ] || fail "expected list to exit 2 when lib/ cannot be listed, saw $RC: $OUT $ERR"
expect_match "^venv: error: cannot read 'e/lib': Input/output error\$" "$ERR" \
	"list's error when lib/ cannot be listed"
run_eio "dents:$TMP/e/lib" check --no-progress e
[ "$RC" -eq 1 ] || fail "expected check to exit 1 when lib/ cannot be listed, saw $RC: $OUT $ERR"
expect_match "^e/lib: warning: cannot list 'lib': Input/output error \[VNV003 unreadable-file\]" \
	"$OUT" "check's finding when lib/ cannot be listed"

# An environment with an error lists none of its distributions, in JSON as
# in text: not those of a site-packages read before the one that failed
# (they were listed beside the error, with exit 2).
cp -a e two || fail "cannot copy e"
mkdir -p two/lib/python3.99/site-packages
cp -a "$site/demo-1.0.dist-info" two/lib/python3.99/site-packages/ || fail "cannot copy demo"
last=$(ls -f two/lib | grep '^python3\.' | tail -n 1)
run_eio "read:$TMP/two/lib/$last/site-packages/demo-1.0.dist-info/METADATA" list --format json two
[ "$RC" -eq 2 ] || fail "expected list to exit 2 when the last site-packages cannot be read, saw $RC: $OUT $ERR"
expect_match "^venv: error: cannot read '$TMP/two/lib/$last/site-packages/demo-1\.0\.dist-info/METADATA': Input/output error\$" \
	"$ERR" "list's error when the last site-packages cannot be read"
expect_match '"error": "cannot read ' "$OUT" "list's JSON error"
if printf '%s' "$OUT" | grep -q '"name"'; then
	fail "expected no distribution listed for an environment with an error, saw: $OUT"
fi

# And nothing of this without the faults: the moved copy is repaired.
expect_exit 0 "$VENV" repair -q m
expect_exit 0 "$VENV" check --no-progress m
exit 0
