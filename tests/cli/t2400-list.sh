#!/bin/bash
# venv list: the distributions of real environments (pip, and wheels built
# here and installed by the real pip, offline) in text, JSON and CycloneDX
# 1.5; the names and versions are pip list's, the SBOM validates against the
# published schema (vendored, tests/data/cyclonedx) with Debian's
# python3-jsonschema, purls are encoded as the purl spec says, the hash is
# RECORD's for METADATA; -r finds environments; with no DIR it lists
# $VIRTUAL_ENV, else ./.venv; bad input is exit 2. A PyPy environment's
# lib/pypy3.9/site-packages is listed (and checked), and repair sends it
# to a PyPy when its base is gone.
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | grep -v '/usr/bin' | tail -n 1)
[ -n "$py" ] || skip "no CPython found"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/xdg" PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
unset PIP_FIND_LINKS
mkdir -p "$HOME" "$TMP/wheels" "$TMP/tree"
expect_exit 0 "$VENV" create -q -p "$py" "$TMP/tree/e1"
env1="$TMP/tree/e1"
"$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/wheels" Demo_Lib 2.3.0+cpu \
	'License-Expression: MIT OR Apache-2.0' 'Requires-Dist: zope.iface>=1' >/dev/null || fail "make-wheel"
"$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/wheels" zope.iface 1!2.0 'License: ZPL 2.1' >/dev/null ||
	fail "make-wheel"
expect_exit 0 "$env1/bin/python" -m pip install -q --no-index "$TMP/wheels"/*.whl
# An editable install, as pip records it (direct_url.json).
site=$(echo "$env1"/lib/python3.*/site-packages)
mkdir "$site/edit_me-0.1.dist-info"
printf 'Metadata-Version: 2.1\nName: edit-me\nVersion: 0.1\n' >"$site/edit_me-0.1.dist-info/METADATA"
printf 'pip\n' >"$site/edit_me-0.1.dist-info/INSTALLER"
printf '{"dir_info": {"editable": true}, "url": "file:///src/edit-me"}' >"$site/edit_me-0.1.dist-info/direct_url.json"
: >"$site/edit_me-0.1.dist-info/RECORD"

# Names and versions: the same set as pip list.
expect_exit 0 "$env1/bin/python" -m pip list --format json
want=$(printf '%s' "$OUT" | "$py" -c 'import json,sys; print("\n".join(sorted("%s %s" % (d["name"], d["version"]) for d in json.load(sys.stdin))))')
expect_exit 0 "$VENV" list --format json "$env1"
json=$OUT
got=$(printf '%s' "$json" | "$py" -c 'import json,sys; print("\n".join(sorted("%s %s" % (d["name"], d["version"]) for e in json.load(sys.stdin)["environments"] for d in e["distributions"])))')
# pip list prints versions normalised: compare after packaging's normalisation.
norm='import sys
from pip._vendor.packaging.version import Version
print("\n".join(sorted(l.split()[0].lower().replace("_", "-") + " " + str(Version(l.split()[1])) for l in sys.stdin.read().split("\n") if l)))'
expect_eq "$(printf '%s\n' "$want" | "$env1/bin/python" -c "$norm")" \
	"$(printf '%s\n' "$got" | "$env1/bin/python" -c "$norm")" "venv list's distributions (vs pip list)"
printf '%s' "$json" | "$py" -c '
import json, sys
e = json.load(sys.stdin)["environments"][0]
d = {x["name"]: x for x in e["distributions"]}
assert d["Demo_Lib"]["license_expression"] == "MIT OR Apache-2.0", d["Demo_Lib"]
assert d["Demo_Lib"]["installer"] == "pip" and d["Demo_Lib"]["editable"] is False
assert d["zope.iface"]["license"] == "ZPL 2.1"
assert d["edit-me"]["editable"] is True and d["edit-me"]["editable_location"] == "file:///src/edit-me"
assert d["pip"]["location"].startswith("lib/python3.") and d["pip"]["location"].endswith("/site-packages")
' || fail "expected the fields of each distribution in: $json"

expect_exit 0 "$VENV" list "$env1"
expect_match 'Package +Version +Installer +Editable +Location +License' "$OUT" "the text header"
expect_match 'Demo_Lib +2\.3\.0\+cpu +pip +no +lib/python3\.[0-9]+/site-packages +MIT OR Apache-2\.0' "$OUT" "the Demo_Lib row"
expect_match 'edit-me +0\.1 +pip +yes +file:///src/edit-me' "$OUT" "the editable row"

# A PyPy environment (built by hand as Debian's PyPy 7.3.11 makes it, lib.sh):
# its distributions are in lib/pypy3.9/site-packages, which list and check
# read (list saw none, check said the standard library was missing, VNV105).
mk_pypy_env "$py" "$TMP/pypy-base" "$TMP/pp/env" || fail "mk_pypy_env"
expect_exit 0 "$VENV" list "$TMP/pp/env"
expect_match 'hello-pp +1\.2\.3 +pip +no +lib/pypy3\.9/site-packages +-' "$OUT" "the PyPy environment's row"
expect_exit 0 "$VENV" list --format json "$TMP/pp/env"
printf '%s' "$OUT" | "$py" -c '
import json, sys
d = json.load(sys.stdin)["environments"][0]["distributions"]
assert [(x["name"], x["version"], x["location"]) for x in d] == [("hello-pp", "1.2.3", "lib/pypy3.9/site-packages")], d
' || fail "expected hello-pp in lib/pypy3.9/site-packages, saw: $OUT"
expect_exit 0 "$VENV" check --verify-hashes "$TMP/pp/env"
expect_match '1 ok, 0 with findings' "$OUT" "check of a healthy PyPy environment"
printf '# edited\n' >>"$TMP/pp/env/lib/pypy3.9/site-packages/hello_pp/__init__.py"
expect_exit 1 "$VENV" check --verify-hashes "$TMP/pp/env"
expect_match "'lib/pypy3\.9/site-packages/hello_pp/__init__\.py' of hello-pp 1\.2\.3 has 50 bytes, RECORD says 41 \[VNV604 " \
	"$OUT" "the edited file of the PyPy environment"
# Its base upgraded to PyPy 3.10 and the packages moved along: the version
# is read from the name pypy3.10, and pyvenv.cfg's is stale (VNV107).
mv "$TMP/pypy-base/bin/pypy3.9" "$TMP/pypy-base/bin/pypy3.10"
ln -sfn pypy3.10 "$TMP/pypy-base/bin/pypy3"
mv "$TMP/pypy-base/lib/pypy3.9" "$TMP/pypy-base/lib/pypy3.10"
mv "$TMP/pp/env/lib/pypy3.9" "$TMP/pp/env/lib/pypy3.10"
expect_exit 1 "$VENV" check "$TMP/pp/env"
expect_match "pyvenv.cfg records Python 3\.9\.16 but 'bin/pypy3' runs Python 3\.10, whose 'lib/pypy3\.10' holds the packages \[VNV107 " \
	"$OUT" "the PyPy environment's stale version"
# Its base gone and no PyPy on PATH: repair sends it to no CPython 3.9.
mk_pypy_env "$py" "$TMP/pypy-gone" "$TMP/pp2/env" || fail "mk_pypy_env"
rm -rf "$TMP/pypy-gone" && mkdir "$TMP/nopypy"
expect_exit 1 env PATH="$TMP/nopypy" "$VENV" repair --dry-run "$TMP/pp2/env"
expect_match "the base interpreter is gone; no PyPy 3\.9 was found here: install it" "$OUT" \
	"repair's advice for a PyPy environment whose base is gone"

# CycloneDX: valid against the schema, purls encoded, RECORD's hash of METADATA.
expect_exit 0 "$VENV" list --format cyclonedx "$env1"
printf '%s' "$OUT" >"$TMP/bom.json"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
expect_exit 0 /usr/bin/python3 -W ignore "$TOP/tests/helpers/cdx-validate.py" "$TMP/bom.json"
metadata_hex=$(sha256sum "$site/Demo_Lib-2.3.0+cpu.dist-info/METADATA" | cut -d' ' -f1)
"$py" - "$TMP/bom.json" "$metadata_hex" <<'PY' || fail "expected purls and hashes in the SBOM: $(cat "$TMP/bom.json")"
import json, sys
bom = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in bom["components"] if x["type"] == "library"}
assert c["Demo_Lib"]["purl"] == "pkg:pypi/demo-lib@2.3.0%2Bcpu", c["Demo_Lib"]["purl"]
assert c["zope.iface"]["purl"] == "pkg:pypi/zope.iface@1%212.0", c["zope.iface"]["purl"]
assert c["Demo_Lib"]["hashes"] == [{"alg": "SHA-256", "content": sys.argv[2]}], c["Demo_Lib"]
assert c["Demo_Lib"]["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
assert c["zope.iface"]["licenses"] == [{"license": {"name": "ZPL 2.1"}}]
env = [x for x in bom["components"] if x["type"] == "application"][0]
deps = {d["ref"]: d["dependsOn"] for d in bom["dependencies"]}
assert sorted(deps[env["bom-ref"]]) == sorted(x["bom-ref"] for x in c.values())
PY
# The validator can fail: a wrong type is refused.
sed 's/"specVersion": "1.5"/"specVersion": 1.5/' "$TMP/bom.json" >"$TMP/bad.json"
expect_exit 1 /usr/bin/python3 -W ignore "$TOP/tests/helpers/cdx-validate.py" "$TMP/bad.json"

# -r: both environments of a tree, one SBOM valid with two of them.
expect_exit 0 "$VENV" create -q --without-pip -p "$py" "$TMP/tree/sub/e2"
expect_exit 0 "$VENV" list -r --format cyclonedx "$TMP/tree"
printf '%s' "$OUT" >"$TMP/bom2.json"
expect_exit 0 /usr/bin/python3 -W ignore "$TOP/tests/helpers/cdx-validate.py" "$TMP/bom2.json"
expect_exit 0 "$VENV" list -r --format json "$TMP/tree"
n=$(printf '%s' "$OUT" | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)["environments"]))')
expect_eq 2 "$n" "the environments found by -r"

# Bad input.
expect_exit 2 "$VENV" list "$TMP/nothing-here"
expect_match "cannot open" "$ERR" "the error for a missing directory"
expect_exit 2 "$VENV" list --format xml "$env1"

# No DIR: $VIRTUAL_ENV, else ./.venv, else exit 2 with a message (as check and repair).
mkdir -p "$TMP/proj" "$TMP/empty"
expect_exit 0 "$VENV" create -q --without-pip -p "$py" "$TMP/proj/.venv"
# list_in DIR [VIRTUAL_ENV]: venv list --format json run in DIR; output in $TMP/o, $TMP/e, $TMP/rc.
list_in() {
	(cd "$1" && if [ -n "${2:-}" ]; then export VIRTUAL_ENV=$2; else unset VIRTUAL_ENV; fi &&
		"$VENV" list --format json >"$TMP/o" 2>"$TMP/e"; echo $? >"$TMP/rc")
}
list_in "$TMP/empty"
expect_eq 2 "$(cat "$TMP/rc")" "venv list with no DIR, no VIRTUAL_ENV and no .venv"
expect_match "VIRTUAL_ENV is not set and there is no \.venv" "$(cat "$TMP/e")" "the message without a default"
list_in "$TMP/proj"
expect_eq 0 "$(cat "$TMP/rc")" "venv list in a project with .venv: $(cat "$TMP/e")"
expect_eq ".venv" "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["environments"][0]["path"])' "$TMP/o")" \
	"the environment listed by default in a project"
# $VIRTUAL_ENV wins over ./.venv.
list_in "$TMP/proj" "$env1"
expect_eq 0 "$(cat "$TMP/rc")" "venv list with VIRTUAL_ENV: $(cat "$TMP/e")"
got=$("$py" -c 'import json,sys; e=json.load(open(sys.argv[1]))["environments"]; print(len(e), e[0]["path"], len(e[0]["distributions"]))' "$TMP/o")
expect_match "^1 $env1 [4-9]" "$got" "the active environment (with its distributions) listed by default"
expect_exit 2 "$VENV" list -r
expect_match "-r needs a ROOT" "$ERR" "list -r without ROOT"
exit 0
