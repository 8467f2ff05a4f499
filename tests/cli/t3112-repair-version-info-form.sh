#!/bin/bash
# VNV107's fix (pyvenv.cfg records another version than its base's) brings
# version_info up to date in the form it has: virtualenv's
# "X.Y.Z.releaselevel.serial" stays long, uv's "X.Y.Z" stays short. The fix
# used to write X.Y.Z over virtualenv's long form.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"
need_p11_p12
cd "$TMP"
now=$(env -i "$p11" -c 'import sys; print("%d.%d.%d.%s.%d" % sys.version_info)')
short=${now%.*.*}
stale() {
	# $1: the environment; $2: the value version_info had, as its maker wrote it
	{
		echo "home = $(dirname "$p11")"
		echo "implementation = CPython"
		echo "$3"
		echo "version_info = $2"
		echo "include-system-site-packages = false"
	} >"$1/pyvenv.cfg"
}
for form in long short; do
	"$VENV" create -q --without-pip -p "$p11" "$form" || fail "venv create failed"
done
# virtualenv's form (its key beside it), at an older micro version.
stale long "3.11.0.final.0" "virtualenv = 20.17.1"
stale short "3.11.0" "uv = 0.5.0"
for form in long short; do
	out=$("$VENV" check "$form" 2>&1)
	expect_match "VNV107" "$out" "check of the $form form"
	expect_exit 0 "$VENV" repair -q -y "$form"
done
expect_match "^version_info = ${now//./\\.}$" "$(cat long/pyvenv.cfg)" "virtualenv's long form"
expect_match "^version_info = ${short//./\\.}$" "$(cat short/pyvenv.cfg)" "uv's short form"
for form in long short; do
	expect_exit 0 "$VENV" check -q "$form"
done
echo ok
