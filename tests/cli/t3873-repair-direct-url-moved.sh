#!/bin/bash
# A project holding its .venv, with itself installed editable (PEP 660,
# `pip install -e .` of a pyproject.toml project), moved to a path with a
# space. Its direct_url.json still said "url": "file:///old/proj": repair
# fixed the .pth (the package imported) but pip freeze printed "-e" with the
# old path, venv list showed it, and check found nothing. check reports it
# (VNV416, with the fix), `venv repair -y` rewrites the url (the rest of the
# file and the RECORD row following it), then pip freeze and venv list give
# the new path and check finds nothing.
. "$(dirname "$0")/lib.sh"
own_home offline
root=${PYENV_ROOT:-$HOME/.pyenv}
# The wheels of setuptools and wheel that CPython's own tests carry (offline).
py= st= wh=
for d in "$root"/versions/3.12.* "$root"/versions/3.11.*; do
	st=$(ls "$d"/lib/python3.1?/test/setuptools-*.whl "$d"/lib/python3.1?/test/wheeldata/setuptools-*.whl 2>/dev/null | head -n 1)
	wh=$(ls "$d"/lib/python3.1?/test/wheel-*.whl "$d"/lib/python3.1?/test/wheeldata/wheel-*.whl 2>/dev/null | head -n 1)
	if [ -x "$d/bin/python3" ] && [ -n "$st" ] && [ -n "$wh" ]; then
		py=$d/bin/python3
		break
	fi
done
[ -n "$py" ] || skip "needs pyenv's CPython 3.11 or 3.12 with setuptools and wheel wheels under test/"
cd "$TMP"
mkdir -p proj/src/dumod
echo 'WHERE = "dumod"' >proj/src/dumod/__init__.py
cat >proj/pyproject.toml <<'PYEOF'
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "dumod"
version = "0.1"
PYEOF
"$py" -m venv proj/.venv || fail "python -m venv failed"
proj/.venv/bin/pip install -q "$st" "$wh" >pip.log 2>&1 ||
	skip "installing setuptools and wheel offline failed: $(tail -n 3 pip.log)"
proj/.venv/bin/pip install -q --no-build-isolation -e ./proj >pip.log 2>&1 ||
	skip "pip install -e failed offline: $(tail -n 3 pip.log)"
site=$(cd proj/.venv && echo lib/python3.*/site-packages)
du="proj/.venv/$site/dumod-0.1.dist-info/direct_url.json"
[ -f "$du" ] || skip "pip wrote no direct_url.json"
expect_exit 0 "$VENV" check -q proj/.venv

mv proj "new proj"
env=new\ proj/.venv
du="$env/$site/dumod-0.1.dist-info/direct_url.json"
expect_exit 1 "$VENV" check "$env"
expect_match "dumod-0\.1\.dist-info/direct_url\.json: warning: dumod 0\.1 is an editable install of '$TMP/proj', which does not exist.*\[VNV416 direct-url-old-location\]" \
	"$OUT" "check's finding on direct_url.json"
# The project is the place the environment moved with: named once, not as
# "'X', which does not exist (it is under the old location 'X')".
expect_match "'$TMP/proj', which does not exist \(the old location itself\)" "$OUT" \
	"the old location, named once"
expect_match "fix \(venv repair\): rewrite the url to '$TMP/new proj'" "$OUT" "the fix check offers"
expect_exit 0 "$VENV" repair -y "$env"
want="file://$(printf '%s' "$TMP" | sed 's/ /%20/g')/new%20proj"
expect_match "direct_url\.json: url follows the environment .*\[VNV416\]" "$OUT" "repair's change"
expect_match "^ +- file://$TMP/proj$" "$OUT" "the url repair replaced"
expect_match "^ +\+ $want$" "$OUT" "the url repair wrote"
expect_eq "{\"dir_info\": {\"editable\": true}, \"url\": \"$want\"}" "$(cat "$du")" "direct_url.json"
expect_exit 0 "$VENV" check "$env"
expect_exit 0 "$VENV" check --verify-hashes "$env"
expect_eq "-e $TMP/new proj" "$("$env/bin/pip" freeze 2>/dev/null | grep "^-e ")" "pip freeze's line"
expect_exit 0 "$VENV" list --format json "$env"
expect_match "\"$want\"" "$OUT" "venv list's editable location"
expect_eq "dumod" "$("$env/bin/python" -c 'import dumod; print(dumod.WHERE)')" "the import"
echo ok
