#!/bin/bash
# virtualenv --activators fish,python makes the activation scripts of those
# shells only: no bin/activate, by the user's choice. check called that an
# error ("'source bin/activate' fails", VNV501) on a fresh environment, and
# repair wrote a bash script nobody asked for. Now it is an info that says
# why, with no fix, and repair leaves bin/ as virtualenv made it. A
# bin/activate lost from virtualenv's default set is still the error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
mk_virtualenv chosen --without-pip --activators fish,python || skip "no virtualenv"
[ -e chosen/bin/activate.fish ] && [ ! -e chosen/bin/activate ] ||
	fail "expected virtualenv to make activate.fish only, saw: $(ls chosen/bin)"
expect_exit 0 "$VENV" check --severity warning chosen
expect_match "0 errors, 0 warnings" "$OUT" "check of the chosen activators"
expect_exit 1 "$VENV" check --severity info --select VNV501 chosen
expect_match "bin/activate: info: 'bin/activate' is missing, like other shells' scripts: virtualenv was asked for some activators only \(--activators\) \[VNV501 " \
	"$OUT" "the info on bin/activate"
if printf '%s' "$OUT" | grep -q 'fix (venv repair)'; then
	fail "expected no fix offered for activators left out by choice, saw: $OUT"
fi
expect_exit 0 "$VENV" repair -y chosen
[ ! -e chosen/bin/activate ] || fail "expected repair not to write bin/activate, saw: $OUT"

mk_virtualenv lost --without-pip
rm lost/bin/activate
expect_exit 1 "$VENV" check lost
expect_match "bin/activate: error: 'bin/activate' is missing: 'source bin/activate' fails \[VNV501 " \
	"$OUT" "a lost bin/activate"
expect_exit 0 "$VENV" repair -y lost
[ -f lost/bin/activate ] || fail "expected repair to restore bin/activate, saw: $(ls lost/bin)"
echo ok
