#!/bin/bash
# An environment made by virtualenv --symlink-app-data whose app-data was
# cleared since (virtualenv --reset-app-data, a removed ~/.local/share):
# each seed's .dist-info in site-packages is a link to nothing, and bin/pip
# fails. check reports each link (VNV007, a warning, exit 1), list and its
# CycloneDX SBOM name each and exit 2, and the environment moved to a path
# with a space is still repaired (exit 0: only warnings remain, as venv
# repair's exit status documents), its python running from the new place.
# Both used to find nothing: check exited 0 and list printed an empty table
# with exit 0, the links dropped in silence. With the app-data back, check
# is clean again.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -m virtualenv --version >/dev/null 2>&1 || skip "needs Debian's python3-virtualenv"
cd "$TMP"
export VIRTUALENV_OVERRIDE_APP_DATA="$TMP/appdata"
/usr/bin/python3 -m virtualenv -q --symlink-app-data --no-setuptools --no-wheel env >/dev/null 2>&1 ||
	fail "virtualenv --symlink-app-data failed"
dist=$(cd env/lib/python3.*/site-packages && echo pip-*.dist-info)
site=$(cd env && echo lib/python3.*/site-packages)
[ -L "env/$site/$dist" ] || fail "expected $dist to be a link into the app-data"
expect_exit 0 "$VENV" check -q env
expect_exit 0 "$VENV" list env
expect_match "^  pip  " "$OUT" "pip in list before the app-data is cleared"

mv appdata appdata.gone
expect_exit 1 "$VENV" check env
expect_match "env/$site/$dist: warning: .* symbolic link to nothing.* \[VNV007 link-not-followed\]" \
	"$OUT" "check of the cleared app-data"
expect_exit 2 "$VENV" list env
expect_match "cannot list 'env/$site/$dist'" "$ERR" "list's error"
expect_exit 2 "$VENV" list --format cyclonedx env
expect_match "cannot list 'env/$site/$dist'" "$ERR" "list --format cyclonedx's error"

mkdir "new place"
mv env "new place/env"
expect_exit 0 "$VENV" repair -y "new place/env"
expect_match "VNV007" "$OUT" "repair's report of what remains"
expect_exit 1 "$VENV" check -q "new place/env"
expect_exit 0 "$VENV" check -q --severity error "new place/env"
[ "$("new place/env/bin/python" -c 'import sys; print(sys.prefix)')" = "$TMP/new place/env" ] ||
	fail "expected the moved environment's python to run from its new place"
mv appdata.gone appdata
expect_exit 0 "$VENV" check -q "new place/env"
echo ok
