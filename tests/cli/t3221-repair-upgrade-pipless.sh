#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12), offline, of an
# environment without pip (venv create --without-pip; pip ran from the base
# interpreter with --python, as pipx and pdm do) holding:
# - beta, a pure wheel (py3-none-any): moved;
# - tagged, built from a local source tree by its own in-tree backend into a
#   pure wheel tagged for one version (py311-none-any): its WHEEL tag makes it
#   not movable, no local wheel for 3.12 exists, so pip installs it again from
#   its source tree, and pip is put in first by the fast installer;
# - local_settings.py, which no distribution owns, while the new
#   site-packages already has a file of that name: both are kept, and the
#   report says where the old one went.
# Then the same with tagged's source tree gone: pip cannot install it, the
# repair fails naming it, and the environment is put back as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
"$p11" -m pip --version >/dev/null 2>&1 || skip "needs pip in pyenv's 3.11"
cd "$TMP"
export HOME="$TMP/home"
unset XDG_CACHE_HOME PIP_FIND_LINKS
mkdir -p "$HOME"

make_wheel "$p11" "$TMP/wheels" beta 1.0 || fail "could not build beta's wheel"

# tagged: a source tree whose in-tree backend (no build requirements, so
# pip's isolated build needs no index) builds a wheel for the running minor.
mkdir -p tagged
cat >tagged/pyproject.toml <<'EOF'
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]
EOF
cat >tagged/backend.py <<'EOF'
import base64, hashlib, os, sys, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    tag = "py%d%d-none-any" % sys.version_info[:2]
    di = "tagged-1.0.dist-info"
    files = {
        "tagged.py": ("BUILT_FOR = %r\n" % tag).encode(),
        di + "/METADATA": b"Metadata-Version: 2.1\nName: tagged\nVersion: 1.0\n",
        di + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: venv-tests\nRoot-Is-Purelib: true\n"
                        "Tag: %s\n" % tag).encode(),
    }
    rows = ["%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest())
                                 .rstrip(b"=").decode(), len(d)) for p, d in files.items()]
    files[di + "/RECORD"] = ("\n".join(rows + [di + "/RECORD,,"]) + "\n").encode()
    name = "tagged-1.0-%s.whl" % tag
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
    return name
EOF
cp -r tagged tagged.orig

# make_env DIR: the pip-less 3.11 environment with beta, tagged and the
# colliding local_settings.py.
make_env() {
	local d=$1
	expect_exit 0 "$VENV" create --without-pip -p "$p11" "$d"
	"$p11" -m pip --python "$d/bin/python" install -q "$TMP/wheels/beta-1.0-py3-none-any.whl" \
		"$TMP/tagged" >/dev/null 2>"$TMP/pip.err" || fail "pip install failed: $(cat "$TMP/pip.err")"
	[ ! -e "$d/lib/python3.11/site-packages/pip" ] || fail "expected no pip in $d"
	grep -qx 'Tag: py311-none-any' "$d/lib/python3.11/site-packages/tagged-1.0.dist-info/WHEEL" ||
		fail "expected tagged built for 3.11"
	echo 'SECRET = "old"' >"$d/lib/python3.11/site-packages/local_settings.py"
	mkdir -p "$d/lib/python3.12/site-packages"
	echo 'SECRET = "new"' >"$d/lib/python3.12/site-packages/local_settings.py"
}

make_env "$TMP/env"
expect_exit 0 "$VENV" repair --upgrade -p "$p12" --format json "$TMP/env"
printf '%s' "$OUT" >report.json
"$p12" - "$TMP/env" <<'EOF' || fail "unexpected JSON report: $OUT"
import json, sys
env = sys.argv[1]
r = json.load(open("report.json"))["environments"][0]
assert r["status"] == "repaired", r
d = {x["name"]: x for x in r["distributions"]}
assert d["beta"]["action"] == "moved", d["beta"]
t = d["tagged"]
assert t["action"] == "reinstalled", t
assert t["why"] == "not pure (WHEEL tag py311-none-any)", t
assert t["source"].startswith("pip install tagged @ file://"), t
old = "lib/python3.11/site-packages/local_settings.py"
new = "lib/python3.12/site-packages/local_settings.py.python3.11"
assert r["unowned"] == [{"from": old, "to": new}], r["unowned"]
EOF
site="$TMP/env/lib/python3.12/site-packages"
expect_eq 'SECRET = "new"' "$(cat "$site/local_settings.py")" "the new site-packages' own file"
expect_eq 'SECRET = "old"' "$(cat "$site/local_settings.py.python3.11")" "the old file, kept beside it"
[ ! -e "$TMP/env/lib/python3.11" ] || fail "expected lib/python3.11 removed"
# pip was put in first (by the fast installer: no pip ran to install it).
[ -d "$site/pip" ] || fail "expected pip in the new site-packages"
expect_match '^pip ' "$("$TMP/env/bin/python" -m pip --version)" "the environment's pip"
expect_eq 'py312-none-any' "$(cd / && "$TMP/env/bin/python" -c 'import tagged; print(tagged.BUILT_FOR)')" \
	"tagged, built again for 3.12"
grep -qx 'Tag: py312-none-any' "$site/tagged-1.0.dist-info/WHEEL" || fail "expected tagged's new WHEEL"
expect_eq "beta
pip
tagged" "$("$TMP/env/bin/python" -m pip list --format freeze | cut -d= -f1 | sort)" "pip list"
expect_match "No broken requirements found" "$("$TMP/env/bin/python" -m pip check 2>&1)" "pip check"
expect_eq "hello from beta 1.0" "$("$TMP/env/bin/beta-hello")" "beta's console script"

# The text report says where the colliding file went.
make_env "$TMP/env2"
expect_exit 0 "$VENV" repair --upgrade -p "$p12" "$TMP/env2"
expect_match "lib/python3.11/site-packages/local_settings.py: moved to lib/python3.12/site-packages/local_settings.py.python3.11 \(no distribution owns it\); the new site-packages has one of that name, both are kept" \
	"$OUT$ERR" "the text report of the collision"

# Without its source tree, pip cannot install tagged again: a clean failure
# that names it, and the environment as it was.
make_env "$TMP/env3"
rm -rf "$TMP/tagged"
before=$(tree_listing "$TMP/env3")
expect_exit 2 "$VENV" repair --upgrade -p "$p12" "$TMP/env3"
expect_match "cannot install again: tagged==1.0 " "$ERR" "the failure names tagged (its source tree gone, by name and version)"
expect_match "put back as it was" "$ERR" "the failure says the environment was put back"
expect_eq "$before" "$(tree_listing "$TMP/env3")" "the environment after the failed repair"
expect_match "^3\.11\." "$("$TMP/env3/bin/python" -c 'import platform; print(platform.python_version())')" \
	"the environment's Python after the failed repair"
echo ok
