#!/bin/bash
# check --format json and sarif say per finding whether venv repair fixes
# it: "fixable" true and a "fix" only where it does. They gave every
# finding of a fixable code the code's generic fix, also those repair
# declines, which the text output (t2106) already left without one: the
# activation scripts of an environment moved to a path with a line break
# or bytes that are not UTF-8 (no script can carry it), a console script
# whose #! runs something that is no Python (repair leads only a Python's
# script to the environment's interpreter), and a console script whose
# module is gone from a distribution repair does not install (it
# reinstalls pip and setuptools only). Each such finding now says
# "fixable": false and "fix": null, and SARIF gives it no fix; a finding
# repair fixes still says true. Repair agrees: it declines exactly those.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create --without-pip -p "$py" e
site=$(echo e/lib/python3.*/site-packages)
[ -d "$site" ] || fail "no site-packages in e"

# Two console scripts that run the environment's old place: a Python's and
# another program's (ipython is no name repair leads to bin/python).
printf '#!%s/e/bin/python\nprint(1)\n' "$TMP" >e/bin/pytool
printf '#!%s/e/bin/ipython\nprint(1)\n' "$TMP" >e/bin/itool
chmod 755 e/bin/pytool e/bin/itool
# Console scripts whose modules are gone: of pip (reinstalled by repair) and
# of demo (not).
for d in pip:24.0 demo:1.0; do
	n=${d%%:*} v=${d#*:}
	mkdir "$site/$n-$v.dist-info"
	printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$n" "$v" >"$site/$n-$v.dist-info/METADATA"
	printf '[console_scripts]\n%s = %s.cli:main\n' "$n" "$n" >"$site/$n-$v.dist-info/entry_points.txt"
done

# jq over check's JSON: "CODE file fixable fix" per diagnostic, sorted.
json_rows() {
	printf '%s' "$1" | jq -r '.diagnostics[] | select(.code == "VNV401" or .code == "VNV405" or
		.code == "VNV609") | "\(.code) \(.relpath | sub(".*/"; "")) \(.fixable) \(.fix != null)"' | sort
}
sarif_rows() {
	printf '%s' "$1" | jq -r '.runs[0].results[] | select(.ruleId == "VNV401" or .ruleId == "VNV405" or
		.ruleId == "VNV609") | "\(.ruleId) \(.properties.relpath | sub(".*/"; "")) \(.properties.fixable) \(.properties.fix != null) \(has("fixes"))"' | sort
}

# A plain new place: every activation script and the Python's script fixed.
cp -a e moved || fail "cannot copy e"
expect_exit 1 "$VENV" check -f json moved
expect_eq "VNV401 Activate.ps1 true true
VNV401 activate true true
VNV401 activate.csh true true
VNV401 activate.fish true true
VNV401 activate.nu true true
VNV405 itool false false
VNV405 pytool true true
VNV609 entry_points.txt false false
VNV609 entry_points.txt true true" "$(json_rows "$OUT")" "the JSON fixes for a plain place"
# Which VNV609 is which: pip's is fixed, demo's not.
expect_eq "demo false
pip true" "$(printf '%s' "$OUT" | jq -r '.diagnostics[] | select(.code == "VNV609") | "\(.fixData.name) \(.fixable)"' | sort)" \
	"the JSON fixes of VNV609"
expect_eq null "$(printf '%s' "$OUT" | jq -c '.diagnostics[] | select(.code == "VNV609" and .fixData.name == "demo") | .fix')" \
	"the fix of demo's VNV609"
expect_exit 1 "$VENV" check -f sarif moved
expect_eq "VNV401 Activate.ps1 true true false
VNV401 activate true true false
VNV401 activate.csh true true false
VNV401 activate.fish true true false
VNV401 activate.nu true true false
VNV405 itool false false false
VNV405 pytool true true false
VNV609 entry_points.txt false false false
VNV609 entry_points.txt true true false" "$(sarif_rows "$OUT")" "the SARIF fixes for a plain place"
# The text output agrees: no fix line under itool's finding.
expect_exit 1 "$VENV" check moved
if printf '%s\n' "$OUT" | grep -A1 'moved/bin/itool:' | grep -q 'fix (venv repair)'; then
	fail "expected no fix offered for bin/itool, saw: $OUT"
fi
# And repair declines exactly what was not offered.
expect_exit 1 "$VENV" repair --dry-run moved
expect_match "bin/itool.*not a Python of this environment" "$OUT" "repair's reason for bin/itool"
expect_match "demo.*pip install --force-reinstall" "$OUT" "repair's reason for demo"

# Places no activation script can carry: none of them is fixable.
nl=$'n\nl'
bad=$'b\xffd'
for d in "$nl" "$bad"; do
	cp -a e "$d" || fail "cannot copy e"
	expect_exit 1 "$VENV" check -f json "$d"
	expect_eq "VNV401 Activate.ps1 false false
VNV401 activate false false
VNV401 activate.csh false false
VNV401 activate.fish false false
VNV401 activate.nu false false" "$(json_rows "$OUT" | grep VNV401)" "the JSON fixes for a place no script carries"
	expect_exit 1 "$VENV" check -f sarif "$d"
	expect_eq "VNV401 Activate.ps1 false false false
VNV401 activate false false false
VNV401 activate.csh false false false
VNV401 activate.fish false false false
VNV401 activate.nu false false false" "$(sarif_rows "$OUT" | grep VNV401)" "the SARIF fixes for a place no script carries"
	expect_exit 1 "$VENV" repair --dry-run "$d"
	expect_eq 5 "$(printf '%s\n' "$OUT" | grep -c 'move the environment to a plain name \[VNV401\]')" \
		"repair's declined activation scripts"
done
echo ok
