#!/bin/bash
# Hostile environments (security.md INS-02..05, CFG-05): symbolic link loops,
# FIFOs, links to /dev/zero, device nodes, 10 GB sparse files, binary
# garbage, files the user may not read, names that are not UTF-8 or carry
# terminal escapes, nesting deeper than PATH_MAX, and a 100,000-file
# environment. check must finish (no hang: every run is under timeout), not
# crash, keep its memory small, report each anomaly, and print only escaped
# names and valid JSON.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
py=$(py_any)
[ -n "$py" ] || skip "no Python interpreter found"
m=$(py_minor "$py")
site="lib/python$m/site-packages"

# checked ENV [ARGS...]: run check under a timeout; it must end with 0, 1 or 2.
checked() {
	local env=$1
	shift
	timeout 120 /usr/bin/time -f '%M' -o "$TMP/.rss" "$VENV" check --no-progress --severity=info \
		"$@" "$env" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	[ "$RC" -le 2 ] || fail "check of $env ended with status $RC (124: a hang): $(tail -c 500 "$TMP/.err")"
	RSS=$(tail -n 1 "$TMP/.rss")
	[ "$RSS" -lt 65536 ] || fail "expected check to stay under 64 MB, saw ${RSS} KB"
}

command -v /usr/bin/time >/dev/null 2>&1 || skip "/usr/bin/time is needed to measure memory"

mk_cpython "$py" h
# Symbolic link loops, in bin/ and in the tree.
ln -s loop2 h/bin/loop1
ln -s loop1 h/bin/loop2
ln -s self "h/$site/self"
ln -s . h/lib/dot
# FIFOs where scripts and .pth files are read.
rm h/bin/activate.csh
mkfifo h/bin/activate.csh
mkfifo "h/$site/pipe.pth"
mkfifo h/bin/fifo-cmd
chmod 755 h/bin/fifo-cmd
# Links to devices.
ln -sf /dev/zero h/bin/activate.fish
ln -s /dev/zero "h/$site/zero.pth"
ln -s /dev/zero h/bin/zero-cmd
mknod h/bin/null c 1 3 2>/dev/null || true
# Sparse giants.
truncate -s 10G h/bin/Activate.ps1
truncate -s 10G h/bin/big-cmd
chmod 755 h/bin/big-cmd
truncate -s 10G "h/$site/big.pth"
# Binary garbage as scripts, and as an activation script.
head -c 65536 /dev/urandom >h/bin/garbage
chmod 755 h/bin/garbage
{ printf '#!'; head -c 5000 /dev/urandom; } >h/bin/garbage2
chmod 755 h/bin/garbage2
{ head -c 50000 /dev/urandom; printf '\0'; } >h/bin/activate.nu
# Names that are not UTF-8, and a name with a terminal escape in it.
esc=$'\033[2J\033]0;pwned\007'
printf '#!/no/such/%s\n' "$esc" >"h/bin/$esc"
chmod 755 "h/bin/$esc"
printf '#!/no/such/\377\376\n' >$'h/bin/\377\376'
chmod 755 $'h/bin/\377\376'
mkdir $'h/lib/\377'
touch $'h/lib/\377/\376\375'
chmod o+w $'h/lib/\377/\376\375'

checked h
[ "$RC" -eq 1 ] || fail "expected findings for the hostile environment, saw status $RC: $OUT"
for code in VNV007 VNV004 VNV005 VNV006 VNV403 VNV409; do
	echo "$OUT" | grep -q "$code" || fail "expected $code for the hostile environment, saw: $OUT"
done
if printf '%s' "$OUT" | grep -q $'\033'; then
	fail "expected escape characters in names to be escaped, saw raw ones: $OUT"
fi
echo "$OUT" | grep -q '\\x1b\[2J' || fail "expected the escaped name in the output, saw: $OUT"
echo "$OUT" | grep -q '\\xff\\xfe' || fail "expected the non-UTF-8 name escaped, saw: $OUT"
echo "$OUT" | grep -q 'zero.pth.*VNV007' || fail "expected the .pth link reported, saw: $OUT"
checked h -f json
"$HARNESS" -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/.out" ||
	fail "expected valid JSON for the hostile environment"
checked h -f sarif
"$HARNESS" -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/.out" ||
	fail "expected valid SARIF for the hostile environment"
# A loop in place of the interpreter.
mk_cpython "$py" iloop
rm iloop/bin/python3
ln -s python3 iloop/bin/python3
checked iloop
echo "$OUT" | grep -q 'VNV116' || fail "expected bad-interpreter for a link loop, saw: $OUT"
# An environment that is a FIFO or a file is not inspected, and says so.
mkfifo notdir-fifo
checked notdir-fifo
[ "$RC" -eq 2 ] || fail "expected status 2 for a FIFO given as environment, saw $RC"

# Deeper than PATH_MAX below site-packages.
mk_cpython "$py" deep
"$HARNESS" - "deep/$site" <<'EOF' || fail "cannot build the deep tree"
import os, sys
os.chdir(sys.argv[1])
for i in range(300):
    name = "d" * 30
    os.mkdir(name)
    os.chdir(name)
open("leaf.pth", "w").write("/nowhere\n")
EOF
checked deep
echo "$OUT" | grep -q 'VNV008' || fail "expected walk-limit for the deep tree, saw: $OUT"

# Unreadable files, seen by a user who may not read them.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$TMP"
	mk_cpython "$py" private
	chmod -R a+rX private
	chmod 000 private/bin/activate "private/$site"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	nobody "$VENV" check --no-progress --severity=info private >"$TMP/.out" 2>&1
	rc=$?
	OUT=$(cat "$TMP/.out")
	[ "$rc" -eq 1 ] || fail "expected status 1 for unreadable files, saw $rc: $OUT"
	echo "$OUT" | grep -q 'VNV003' || fail "expected unreadable-file, saw: $OUT"
	chmod 700 private
	nobody "$VENV" check --no-progress private >"$TMP/.out" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || fail "expected status 2 for an environment that cannot be opened, saw $rc"
	grep -q 'VNV002' "$TMP/.out" || fail "expected cannot-inspect, saw: $(cat "$TMP/.out")"
	chmod -R u+rwx private
fi

# A large environment: 100,000 files in site-packages.
mk_cpython "$py" large
"$HARNESS" - "large/$site" <<'EOF' || fail "cannot build the large tree"
import os, sys
root = sys.argv[1]
for d in range(200):
    p = os.path.join(root, "pkg%03d" % d)
    os.mkdir(p)
    for f in range(500):
        open(os.path.join(p, "m%03d.py" % f), "w").close()
EOF
# No distribution owns these files: one VNV610 note summarises them all, and
# nothing else is reported.
checked large
[ "$RC" -eq 1 ] || fail "expected status 1 (the unowned-files note at --severity=info), saw $RC: $OUT"
n=$(echo "$OUT" | grep -c '\[VNV[0-9]*')
[ "$n" -eq 1 ] && echo "$OUT" | grep -q '100000 files under site-packages .*\[VNV610 unowned-files\]' ||
	fail "expected exactly one finding, VNV610 naming 100000 files, saw: $OUT"
checked large --ignore VNV610
[ "$RC" -eq 0 ] || fail "expected the large environment to be clean but for VNV610, saw status $RC: $OUT"
echo ok
