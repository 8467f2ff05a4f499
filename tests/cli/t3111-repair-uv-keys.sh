#!/bin/bash
# repair --upgrade of an environment whose pyvenv.cfg is uv's (`uv = ...`,
# version_info "X.Y.Z", no `version`; written here as uv writes it, uv is
# not needed) brings uv's version_info up to date in uv's own form, keeps
# uv's keys, and check finds nothing after. It used to stay at the old
# version beside the `version` the upgrade adds: check read `version` and
# saw nothing, uv reads version_info and took the environment for the old
# Python.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"
need_p11_p12
cd "$TMP"
"$VENV" create -q --without-pip -p "$p11" env || fail "venv create failed"
old=$(env -i "$p11" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
new=$(env -i "$p12" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
printf 'home = %s\nimplementation = CPython\nuv = 0.5.0\nversion_info = %s\ninclude-system-site-packages = false\nprompt = env\n' \
	"$(dirname "$p11")" "$old" >env/pyvenv.cfg
expect_exit 0 "$VENV" check -q env
expect_exit 0 "$VENV" repair -q -y --upgrade -p "$p12" env
cfg=$(cat env/pyvenv.cfg)
expect_match "^version_info = ${new//./\\.}$" "$cfg" "uv's version_info after the upgrade"
expect_match "^uv = 0\.5\.0$" "$cfg" "uv's own key"
expect_match "^implementation = CPython$" "$cfg" "implementation"
expect_eq "$new" "$(env/bin/python -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" \
	"the upgraded environment's python"
expect_exit 0 "$VENV" check -q env
echo ok
