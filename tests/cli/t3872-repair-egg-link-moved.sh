#!/bin/bash
# A project holding its virtualenv .venv, with itself installed by pip's
# legacy `setup.py develop` (no pyproject.toml: Debian's pip 23.0.1 writes
# NAME.egg-link and easy-install.pth, each naming the project directory),
# moved to a path with a space. check reports both files' stale first line
# (VNV408, with the fix), `venv repair -y` rewrites both, check finds
# nothing after; the console script runs, venv list lists the project and
# `pip uninstall` removes it. The .egg-link was neither reported nor
# rewritten: list left the project out and pip uninstall failed ("Egg-link
# ... does not match installed location").
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -m virtualenv --version >/dev/null 2>&1 || skip "needs Debian's python3-virtualenv"
cd "$TMP"
export VIRTUALENV_OVERRIDE_APP_DATA="$TMP/appdata"
mkdir -p proj/legmod
echo 'def hello():
    print("hello from legmod")' >proj/legmod/__init__.py
cat >proj/setup.py <<'PYEOF'
from setuptools import setup
setup(name="legmod", version="0.3", packages=["legmod"],
      entry_points={"console_scripts": ["legmod-hello = legmod:hello"]})
PYEOF
/usr/bin/python3 -m virtualenv -q --no-wheel proj/.venv >/dev/null 2>&1 || fail "virtualenv failed"
proj/.venv/bin/pip install -q -e ./proj >pip.log 2>&1 ||
	skip "pip install -e of a setup.py project failed offline: $(tail -n 3 pip.log)"
site=$(cd proj/.venv && echo lib/python3.*/site-packages)
[ -f "proj/.venv/$site/legmod.egg-link" ] || skip "pip made no legmod.egg-link (not a legacy editable install)"
expect_exit 0 "$VENV" check -q proj/.venv

mv proj "new proj"
env=new\ proj/.venv
expect_exit 1 "$VENV" check "$env"
for f in easy-install.pth legmod.egg-link; do
	expect_match "$f:1: warning: .*\[VNV408 pth-missing-path\]" "$OUT" "check's finding on $f"
done
expect_match "fix \(venv repair\): rewrite the entry to '$TMP/new proj'" "$OUT" "the fix check offers"
expect_exit 0 "$VENV" repair -y "$env"
expect_eq "$TMP/new proj" "$(head -n 1 "$env/$site/legmod.egg-link")" "legmod.egg-link's first line"
expect_eq "$TMP/new proj" "$(head -n 1 "$env/$site/easy-install.pth")" "easy-install.pth's line"
expect_exit 0 "$VENV" check "$env"
expect_eq "hello from legmod" "$("$env/bin/legmod-hello")" "the console script"
expect_exit 0 "$VENV" list "$env"
expect_match "^  legmod +0\.3 " "$OUT" "list's row of the project"
"$env/bin/pip" uninstall -q -y legmod >uninstall.log 2>&1 ||
	fail "pip uninstall failed: $(cat uninstall.log)"
[ -e "$env/$site/legmod.egg-link" ] && fail "expected pip uninstall to remove legmod.egg-link"
echo ok
