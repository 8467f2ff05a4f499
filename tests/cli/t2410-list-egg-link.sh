#!/bin/bash
# venv list of a virtualenv environment holding a legacy editable install:
# pip (Debian's 23.0.1) runs `setup.py develop` for a project without
# pyproject.toml, which leaves NAME.egg-link in site-packages and
# NAME.egg-info in the project. pip lists it; so do list's table, its JSON
# (editable) and its CycloneDX SBOM (a component with its purl), exit 0.
# With the project gone, neither lists it. list used to leave it out: the
# SBOM missed a distribution that Python imports.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -m virtualenv --version >/dev/null 2>&1 || skip "needs Debian's python3-virtualenv"
cd "$TMP"
export VIRTUALENV_OVERRIDE_APP_DATA="$TMP/appdata"
/usr/bin/python3 -m virtualenv -q --no-wheel env >/dev/null 2>&1 || fail "virtualenv failed"
mkdir -p "my proj/legmod"
echo 'def hello():
    print("hello from legmod")' >"my proj/legmod/__init__.py"
cat >"my proj/setup.py" <<'PYEOF'
from setuptools import setup
setup(name="legmod", version="0.3", packages=["legmod"],
      entry_points={"console_scripts": ["legmod-hello = legmod:hello"]})
PYEOF
env/bin/pip install -q -e "./my proj" >pip.log 2>&1 ||
	skip "pip install -e of a setup.py project failed offline: $(tail -n 3 pip.log)"
site=$(cd env && echo lib/python3.*/site-packages)
[ -f "env/$site/legmod.egg-link" ] || skip "pip made no legmod.egg-link (not a legacy editable install)"
env/bin/pip list 2>/dev/null | grep -q '^legmod  *0\.3' || fail "expected pip to list legmod"
expect_eq "hello from legmod" "$(env/bin/legmod-hello)" "the console script"

expect_exit 0 "$VENV" list env
expect_match "^  legmod +0\.3 +- +yes " "$OUT" "list's row of the legacy editable install"
expect_exit 0 "$VENV" list --format json env
echo "$OUT" | /usr/bin/python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["environments"][0]["distributions"] if x["name"] == "legmod"]
assert len(d) == 1 and d[0]["version"] == "0.3" and d[0]["editable"] is True, d
' || fail "expected legmod 0.3, editable, in list's JSON: $OUT"
expect_exit 0 "$VENV" list --format cyclonedx env
expect_match '"purl": "pkg:pypi/legmod@0\.3"' "$OUT" "the SBOM's component"
expect_exit 0 "$VENV" check -q env

mv "my proj" gone
env/bin/pip list 2>/dev/null | grep -q '^legmod ' && fail "expected pip not to list legmod any more"
expect_exit 0 "$VENV" list env
case $OUT in *legmod*) fail "expected list not to list legmod with its project gone: $OUT" ;; esac
echo ok
