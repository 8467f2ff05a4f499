#!/bin/bash
# A console script that lost its execute permission (chmod 644 bin/pip3)
# no longer runs ('Permission denied'): check reports it as an error
# (VNV415, naming the file; check said ok), `venv repair -y` gives the
# execute bits back as chmod a+X does and says so, and afterwards check is
# clean and the script runs. The script is known from pip's entry points
# when its RECORD is gone; a file of bin/ no distribution installed is left
# alone; one its owner may not read either gets no fix (repair declines
# it); and a moved environment gets both the #! and the mode (the rewrite
# of the #! kept the old mode: the script stayed 0644).
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | grep 'python3\.12$' | tail -n 1)
[ -n "$py" ] || skip "needs pyenv's Python 3.12"
own_home offline
cd "$TMP" || fail "cannot enter $TMP"

expect_exit 0 "$VENV" create -q -p 3.12 e
chmod 644 e/bin/pip3
echo 'not a command' >e/bin/notes.txt
expect_exit 1 "$VENV" check e
expect_match "^e/bin/pip3: error: 'bin/pip3', a console script of pip, is not executable \\(mode 0644\\).*\\[VNV415 script-not-executable\\]" \
	"$OUT" "check's finding on bin/pip3"
expect_match "fix \\(venv repair\\): give 'bin/pip3' its execute permission: mode 0644 -> 0755" \
	"$OUT" "the fix check offers"
case "$OUT" in *notes.txt*) fail "expected bin/notes.txt (no distribution's) left alone, saw: $OUT" ;; esac
expect_exit 1 "$VENV" check --select VNV415 -f json e
expect_match '"mode": ?420' "$OUT" "the mode in the JSON fix data"
expect_exit 0 "$VENV" repair -y e
expect_match "bin/pip3: mode 0644 -> 0755 .*\\[VNV415\\]" "$OUT" "repair's change"
expect_exit 0 "$VENV" check e
expect_eq 755 "$(stat -c %a e/bin/pip3)" "the mode of bin/pip3 after repair"
expect_eq 644 "$(stat -c %a e/bin/notes.txt)" "the mode of bin/notes.txt after repair"
out=$(e/bin/pip3 --version 2>&1) || fail "bin/pip3 does not run after repair: $out"
expect_match "^pip .* from $TMP/e/lib/python3\\.12/site-packages/pip " "$out" "pip3 --version"

# chmod a+X: execute where read is. Without RECORD, pip's entry points name it.
chmod 640 e/bin/pip3
mv e/lib/python3.12/site-packages/pip-*.dist-info/RECORD RECORD.saved
expect_exit 1 "$VENV" check --select VNV415 e
expect_match "mode 0640 -> 0750" "$OUT" "the fix for a script others may not read"
expect_exit 0 "$VENV" repair -y e   # the missing RECORD (VNV601, a warning) stays
expect_eq 750 "$(stat -c %a e/bin/pip3)" "the mode after repair (no RECORD)"
mv RECORD.saved e/lib/python3.12/site-packages/pip-*.dist-info/RECORD

# Neither executable nor readable by its owner: reported, no fix, declined.
chmod 000 e/bin/pip3
expect_exit 1 "$VENV" check e
expect_match "'bin/pip3', a console script of pip, is neither executable nor readable by its owner \\(mode 0000\\).*VNV415" \
	"$OUT" "check's finding on a script of mode 0000"
case "$OUT" in *"fix (venv repair)"*) fail "expected no fix offered for mode 0000, saw: $OUT" ;; esac
expect_exit 1 "$VENV" repair -y e
expect_match "chmod u\\+rx' by hand.*VNV415" "$OUT" "repair's reason"
expect_eq 0 "$(stat -c %a e/bin/pip3)" "the mode of a script repair declined"
chmod 755 e/bin/pip3

# Moved, with bin/pip3 0644 and bin/pip3.12 0646 (world-writable too,
# VNV409): each #! is rewritten and the mode given back, in one repair.
expect_exit 0 "$VENV" create -q -p 3.12 m
chmod 644 m/bin/pip3
chmod 646 m/bin/pip3.12
mv m m2
expect_exit 1 "$VENV" check m2
expect_match "bin/pip3: error: .*VNV415" "$OUT" "check's finding on the moved bin/pip3"
expect_exit 0 "$VENV" repair -y m2
expect_exit 0 "$VENV" check m2
expect_eq 755 "$(stat -c %a m2/bin/pip3)" "the mode of the moved bin/pip3 after repair"
expect_eq 755 "$(stat -c %a m2/bin/pip3.12)" "the mode of the moved bin/pip3.12 after repair"
out=$(m2/bin/pip3 --version 2>&1) || fail "the moved bin/pip3 does not run after repair: $out"
expect_match "from $TMP/m2/lib/python3\\.12/" "$out" "the moved pip3 --version"
exit 0
