#!/bin/bash
# A virtualenv older than 20.26.6 (CVE-2024-53899) pastes the path into its
# activation scripts unquoted; check says so from the version pyvenv.cfg
# records (VNV502, info, "harmless for this path"), and venv repair writes
# our own scripts in their place. pyvenv.cfg still names that virtualenv
# afterwards, and check kept reporting VNV502 on our scripts, offering
# "regenerate with quoting", while a second repair found "nothing to
# repair": the two never agreed. Check now leaves out the version rule for
# a script that is ours (our template's header); what the script holds is
# still read (an unquoted form or injected text is reported whoever wrote it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
ver=$("$HARNESS" -m virtualenv --version 2>/dev/null | sed -n 's/^virtualenv \([0-9.]*\).*/\1/p')
[ -n "$ver" ] || skip "no virtualenv"
"$HARNESS" -c 'import sys; v = tuple(map(int, sys.argv[1].split(".")[:3])); sys.exit(v >= (20, 26, 6))' "$ver" ||
	skip "virtualenv $ver quotes the path already"
mk_virtualenv ve --without-pip

expect_exit 1 "$VENV" check --severity info --select VNV502 ve
expect_match "bin/activate:[0-9]+: info: .*\[VNV502 unquoted-activation-template\]" "$OUT" \
	"VNV502 for virtualenv $ver's own script"
expect_exit 0 "$VENV" repair -y ve
expect_match "bin/activate: rewritten .*\[VNV502\]" "$OUT" "repair's rewrite"
expect_exit 0 "$VENV" check --severity info --select VNV502 ve
expect_match "0 infos" "$OUT" "check after repair"
expect_exit 0 "$VENV" repair -y ve
expect_match "nothing to repair" "$OUT" "the second repair"

# What the script holds still counts: our header over virtualenv's
# double-quoted form (CPython's pre-fix "VIRTUAL_ENV=\"...\"") is reported.
sed -i 's|^VIRTUAL_ENV=.*|VIRTUAL_ENV="'"$TMP"'/ve"|' ve/bin/activate
grep -q '^VIRTUAL_ENV="' ve/bin/activate || fail "cannot plant the unquoted form"
expect_exit 1 "$VENV" check --severity info --select VNV502 ve
expect_match "bin/activate:[0-9]+: info: .*\[VNV502 unquoted-activation-template\]" "$OUT" \
	"VNV502 for an unquoted form under our header"
echo ok
