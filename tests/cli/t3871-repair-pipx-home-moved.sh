#!/bin/bash
# pipx's whole home moved (PIPX_HOME to a path with a space): an app's
# environment, PIPX_HOME/venvs/NAME, finds pip through pipx_shared.pth,
# which names PIPX_HOME/shared/lib/pythonX.Y/site-packages, two levels
# above it. check reports the move and that line (VNV408, with the fix
# repair makes: the entry rewritten under the new home); `venv repair -r`
# of the new home makes its paths follow the move, the .pth line too, and
# check finds nothing after; the app's console script runs and its python
# imports the app and pip from the moved shared libraries. The .pth line
# was followed only one level up (a project holding its .venv): check
# offered no fix, repair left it naming the old home, and `python -m pip`,
# which pipx runs in the app's environment, failed with "No module named
# pip".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"
command -v pipx >/dev/null || skip "needs pipx"
[ -x /usr/bin/python3 ] || skip "needs Debian's python3 (pipx's interpreter)"
cd "$TMP"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/home/.cache" XDG_DATA_HOME="$TMP/home/.local/share"
mkdir -p "$HOME"
make_wheel /usr/bin/python3 "$TMP/wheels" tinypkg 1.0 || fail "could not build the test wheel"
pipx_shared "$TMP/old/shared" || fail "venv create could not make pipx's shared libraries"
PIPX_HOME="$TMP/old" PIPX_BIN_DIR="$TMP/bin" PIPX_MAN_DIR="$TMP/man" \
	timeout 300 pipx install "$TMP/wheels/tinypkg-1.0-py3-none-any.whl" >pipx.log 2>&1 ||
	skip "pipx install of a local wheel failed offline: $(tail -n 3 pipx.log)"
app=venvs/tinypkg
site=$(cd "old/$app" && echo lib/python3.*/site-packages)
[ -f "old/$app/$site/pipx_shared.pth" ] || fail "expected pipx_shared.pth in the app's site-packages"
expect_exit 0 "$VENV" check -q "old/$app"

mv old "new home"
expect_exit 1 "$VENV" check "new home/$app"
expect_match "pipx_shared\.pth:1: warning: .*under the old location '$TMP/old'.*\[VNV408 pth-missing-path\]" \
	"$OUT" "check of the moved app"
expect_match "fix \(venv repair\): rewrite the entry to '$TMP/new home/shared/$site'" "$OUT" \
	"the fix check offers"
expect_exit 0 "$VENV" repair -y -r "new home"
expect_eq "$TMP/new home/shared/$site" "$(cat "new home/$app/$site/pipx_shared.pth")" \
	"pipx_shared.pth after repair"
expect_exit 0 "$VENV" check -r "new home"
expect_eq "hello from tinypkg 1.0" "$("new home/$app/bin/tinypkg-hello")" "the app's console script"
out=$("new home/$app/bin/python" -c 'import tinypkg, pip; print(pip.__file__)') ||
	fail "the app's python does not import tinypkg and pip"
expect_eq "$TMP/new home/shared/$site/pip/__init__.py" "$out" "pip of the app's environment"
"new home/$app/bin/python" -m pip --version >/dev/null || fail "python -m pip in the app's environment"
echo ok
