#!/bin/bash
# An environment moved to a path that an activation script cannot carry (a
# line break: no shell's; invalid UTF-8: every one but sh's, and the
# scripts would print it to the terminal). venv repair declines to write
# such a script (repair/fix_scripts.c: as venv create refuses such a
# name), so check must not offer "fix (venv repair)" for it, nor count it
# in "venv repair fixes N files": it did, for every script, sending the
# user to a repair that could not do it. Repair itself declines each script
# and goes on (it failed outright, --dry-run too, on pyvenv.cfg's command,
# which cannot name such a place), and check after it agrees. A path every
# script carries still gets the fix. (Text output; JSON and SARIF say the
# same, "fixable": false: t2109.)
# Likewise an activation script that is a link (see the end).
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create --without-pip -p "$py" e

# The scripts whose finding offers a fix: "fix (venv repair): ... in 'bin/X'".
fixes() {
	printf '%s\n' "$1" | sed -n "s/^    fix (venv repair): .* '\\(bin\/[^']*\\)'.*/\\1/p; s/^    fix (venv repair): write the script\$/written/p" | sort
}

cp -a e moved || fail "cannot copy e"
rm moved/bin/activate.fish
expect_exit 1 "$VENV" check moved
expect_eq "bin/Activate.ps1
bin/activate
bin/activate.csh
bin/activate.nu
written" "$(fixes "$OUT")" "the fixes for a path every script carries"
expect_match "venv repair fixes 4 files" "$OUT" "the count of files repair fixes (moved)"

nl=$'n\nl'
cp -a e "$nl" || fail "cannot copy e"
rm "$nl/bin/activate.fish"
expect_exit 1 "$VENV" check "$nl"
if printf '%s' "$OUT" | grep -q 'fix (venv repair)\|venv repair fixes'; then
	fail "expected no repair offered for a path with a line break, saw: $OUT"
fi

bad=$'b\xffd'
cp -a e "$bad" || fail "cannot copy e"
rm "$bad/bin/activate.fish"
expect_exit 1 "$VENV" check "$bad"
if printf '%s' "$OUT" | grep -q 'fix (venv repair)\|venv repair fixes'; then
	fail "expected no repair offered for a path that is not UTF-8, saw: $OUT"
fi

# Repair of both: each script declined, exit 1 (not 2), nothing changed, and
# check after it reports the same four scripts (and the missing fifth).
for d in "$nl" "$bad"; do
	before=$(cd "$d" && find . -type f -exec sha256sum {} + | sort)
	expect_exit 1 "$VENV" repair --dry-run "$d"
	expect_match "5 problem\\(s\\) would remain" "$OUT" "repair --dry-run of a place no script can name"
	expect_exit 1 "$VENV" repair -y "$d"
	expect_match "0 change\\(s\\) made, 5 problem\\(s\\) remain" "$OUT" "repair of a place no script can name"
	expect_match "move the environment to a plain name \[VNV401\]" "$OUT" "repair's reason"
	expect_eq "$before" "$(cd "$d" && find . -type f -exec sha256sum {} + | sort)" \
		"the files after a repair that changed nothing"
	expect_exit 1 "$VENV" check "$d"
	expect_eq 4 "$(printf '%s\n' "$OUT" | grep -c 'error: .*\[VNV401 relocated-environment\]')" \
		"check's findings after repair"
done

# An activation script that is a link: repair replaces it with our script
# where it has one for that name, so check offers that fix (it offered none,
# and repair did it), and none for a name it has no script for.
ln -sf /dev/zero e/bin/activate.fish
ln -s /dev/zero e/bin/activate.xsh
expect_exit 1 "$VENV" check e
expect_eq "bin/activate.fish" "$(printf '%s\n' "$OUT" | grep -B1 "^    fix (venv repair): replace the link with the script for '$TMP/e'\$" |
	sed -n "s/^e\/\(bin\/[^:]*\): warning: .*\[VNV007 link-not-followed\]\$/\1/p")" "the links check offers to replace"
expect_exit 0 "$VENV" repair -y e
expect_match "bin/activate\.fish: replaced the link" "$OUT" "repair's replacement"
expect_match "activate\.xsh.*venv has no script of that name" "$OUT" "repair's reason for the link it leaves"
expect_exit 1 "$VENV" check e
expect_match "bin/activate\.xsh: warning: .*VNV007" "$OUT" "the link repair leaves"
if printf '%s' "$OUT" | grep -q 'fix (venv repair)'; then
	fail "expected no fix offered after repair, saw: $OUT"
fi
echo ok
