#!/bin/bash
# One `venv repair -y` fixes what its own changes reveal. A byte-order mark
# in front of pyvenv.cfg hides its first key, `home`, from Python and from
# check (VNV203, VNV204); when that `home` is also stale (VNV115), check
# sees it only once the mark is gone, and a repair left it for a second
# run (exit 0, "1 problem(s) remain", check still failing). Now the look
# after the changes plans and makes that fix too: one repair exits 0, its
# report lists both fixes, check finds nothing and the environment works.
# The same for an environment moved as well, with CRLF line ends in its
# pyvenv.cfg (VNV401 beside the others). A dry run still changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
cd "$TMP" || fail "cannot enter $TMP"

bom() { { printf '\357\273\277'; cat "$1"; } >"$1.new" && mv "$1.new" "$1"; }
# broken NAME: python -m venv NAME, its `home` stale (the base is still
# there: the interpreter link leads to it), a byte-order mark in front.
broken() {
	"$py" -m venv --without-pip "$TMP/$1" >/dev/null || fail "python -m venv $1 failed"
	home=$(sed -n 's/^home = //p' "$1/pyvenv.cfg")
	[ -n "$home" ] || fail "expected a home in $1/pyvenv.cfg, saw: $(cat "$1/pyvenv.cfg")"
	sed -i 's|^home = .*|home = /nonexistent/bin|' "$1/pyvenv.cfg"
	head -n 1 "$1/pyvenv.cfg" | grep -q '^home = ' ||
		fail "expected home first in $1/pyvenv.cfg (the key the mark hides), saw: $(cat "$1/pyvenv.cfg")"
}

# fixed_once DIR: one repair -y exits 0 with both fixes listed and nothing
# left; then check is clean and the environment works. The repair's output
# is left in $REPAIRED.
fixed_once() {
	local d=$1
	expect_exit 0 "$VENV" repair -y "$TMP/$d"
	REPAIRED=$OUT
	expect_match "^  ~ pyvenv\.cfg: rewritten \(.*VNV203.*\) \[VNV[0-9]+\]$" "$OUT" \
		"the byte-order mark's fix in the report of $d"
	expect_match "^  ~ pyvenv\.cfg: rewritten \[VNV115\]$" "$OUT" "the stale home's fix in the report of $d"
	expect_match "^ +- home = /nonexistent/bin$" "$OUT" "the stale home line in the report of $d"
	expect_match "^ +\+ home = $home$" "$OUT" "the new home line in the report of $d"
	expect_match "^  [0-9]+ change\(s\) made, 0 problem\(s\) remain$" "$OUT" "the summary of $d"
	case "$OUT" in *"  ! "*) fail "expected no remaining problem in $d, saw: $OUT" ;; esac
	expect_exit 0 "$VENV" check "$TMP/$d"
	expect_exit 0 "$VENV" check --severity info --select VNV115,VNV203,VNV204 "$TMP/$d"
	grep -qx "home = $home" "$d/pyvenv.cfg" || fail "expected home = $home in $d, saw: $(cat "$d/pyvenv.cfg")"
	[ "$(head -c 3 "$d/pyvenv.cfg" | od -An -tx1 | tr -d ' ')" != efbbbf ] ||
		fail "expected the byte-order mark gone from $d/pyvenv.cfg"
	env_works "$TMP/$d"
}

# The mark and the stale home, in place.
broken e
bom e/pyvenv.cfg
expect_exit 1 "$VENV" check --severity info "$TMP/e"
expect_match "VNV203" "$OUT" "check's finding of the byte-order mark"
# What this test is about: the stale home shows only once the mark is gone.
case "$OUT" in *VNV115*) fail "expected the stale home hidden by the mark (the premise of this test), saw: $OUT" ;; esac
cp -a e dry
dry_before=$(tree_listing dry times)
expect_exit 1 "$VENV" repair --dry-run "$TMP/dry"
expect_match "VNV203" "$OUT" "the dry run's fix of the byte-order mark"
expect_eq "$dry_before" "$(tree_listing dry times)" "the environment after a dry run"
fixed_once e

# Moved as well, and CRLF line ends: the activation scripts, `command`, the
# mark and then the stale home, in one run.
broken orig
sed -i 's/$/\r/' orig/pyvenv.cfg
bom orig/pyvenv.cfg
mv orig moved
expect_exit 1 "$VENV" check "$TMP/moved"
expect_match "VNV401" "$OUT" "check's finding of the move"
fixed_once moved
expect_match "^  ~ bin/activate: rewritten for '$TMP/moved'.*\[VNV401\]$" "$REPAIRED" \
	"the relocated bin/activate in the report"
grep -q $'\r' moved/pyvenv.cfg && fail "expected pyvenv.cfg without CR, saw: $(od -c moved/pyvenv.cfg | head)"

# Nothing left for a second run.
expect_exit 0 "$VENV" repair -y "$TMP/e"
expect_match "^  nothing to repair$" "$OUT" "a second repair of e"
echo ok
