#!/bin/bash
# The base installation changes under the environment. The test builds a
# base prefix of its own from links to a real installation (bin/pythonX.Y,
# lib, include), makes environments from it, then removes the base, swaps
# it for another minor version, or "upgrades" it within the minor version
# (a copied binary that changes, a newer patchlevel.h). Each time the
# environment is run for real and check must agree: a gone base or another
# minor version breaks symlinked environments (dangling-interpreter-link,
# base-version-mismatch); environments with copied interpreters keep
# starting from their compiled-in prefix, which check reports as warnings.
# (security.md CRA-06: another minor version under a symlinked interpreter
# is flagged; CRA-07: a copied interpreter older than its base is flagged.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"

# prefix_of PYTHON: the installation prefix of an interpreter (bin/..).
prefix_of() {
	dirname "$(dirname "$(realpath "$1")")"
}

# make_base DIR PYTHON [copy]: DIR/bin/pythonX.Y links to (or is a copy of)
# PYTHON, DIR/lib and DIR/include link to its installation's.
make_base() {
	local dir=$1 py=$2 how=${3:-link} m p
	m=$(py_minor "$py")
	p=$(prefix_of "$py")
	rm -rf "$dir"
	mkdir -p "$dir/bin"
	if [ "$how" = copy ]; then
		cp "$(realpath "$py")" "$dir/bin/python$m"
		mkdir -p "$dir/include"
		cp -r "$p/include/python$m" "$dir/include/" 2>/dev/null || true
	else
		ln -s "$(realpath "$py")" "$dir/bin/python$m"
		ln -s "$p/include" "$dir/include"
	fi
	ln -s "$p/lib" "$dir/lib"
}

# Two minor versions from pyenv (links to real installations with their own
# prefix; Debian's /usr is used when only one is there).
old=
new=
for py in $PYTHONS; do
	case $py in */.pyenv/*|*/pyenv/*) ;; *) continue ;; esac
	[ -z "$old" ] && old=$py && continue
	new=$py
done
[ -n "$old" ] && [ -n "$new" ] || skip "need two pyenv interpreters of different minor versions"
mo=$(py_minor "$old")
mn=$(py_minor "$new")

# --- the base is removed ---------------------------------------------------------
make_base base "$new"
"$TMP/base/bin/python$mn" -m venv --without-pip env-sym || fail "cannot create env-sym"
"$TMP/base/bin/python$mn" -m venv --without-pip --copies env-copy || fail "cannot create env-copy"
add_demo env-sym "$mn"
add_demo env-copy "$mn"
SCRIPTS=demo agree env-sym ok
SCRIPTS=demo agree env-copy ok
rm -rf base
SCRIPTS=demo agree env-sym broken VNV104
# The copy still finds its installation by its compiled-in prefix.
SCRIPTS=demo agree env-copy ok VNV115

# --- the base becomes another minor version ----------------------------------------
make_base base2 "$new"
"$TMP/base2/bin/python$mn" -m venv --without-pip up-sym || fail "cannot create up-sym"
"$TMP/base2/bin/python$mn" -m venv --without-pip --copies up-copy || fail "cannot create up-copy"
add_demo up-sym "$mn"
add_demo up-copy "$mn"
# Replace the base's pythonX.Y by the other version, under the old name.
rm -f "base2/bin/python$mn" base2/lib base2/include
ln -s "$(realpath "$old")" "base2/bin/python$mn"
ln -s "$(prefix_of "$old")/lib" base2/lib
ln -s "$(prefix_of "$old")/include" base2/include
SCRIPTS=demo agree up-sym broken VNV106
SCRIPTS=demo agree up-copy ok VNV108

# The same through pyvenv.cfg only: version says another minor than the base.
make_base base3 "$new"
"$TMP/base3/bin/python$mn" -m venv --without-pip cfgver || fail "cannot create cfgver"
sed -i "s/^version = .*/version = $mo.0/" cfgver/pyvenv.cfg
mkdir -p "cfgver/lib/python$mo/site-packages"
mv "cfgver/lib/python$mn/site-packages/"* "cfgver/lib/python$mo/site-packages/" 2>/dev/null
add_demo cfgver "$mo"
SCRIPTS=demo agree cfgver broken VNV106

# --- the base is upgraded within its minor version ------------------------------------
make_base base4 "$new" copy
[ -f "base4/include/python$mn/patchlevel.h" ] || skip "no patchlevel.h in $(prefix_of "$new")"
"$TMP/base4/bin/python$mn" -m venv --without-pip --copies pc || fail "cannot create pc"
add_demo pc "$mn"
SCRIPTS=demo agree pc ok
v=$(sed -n 's/^version = //p' pc/pyvenv.cfg)
# A new binary (the old one with a byte more still runs) and a newer patch release.
printf '\0' >>"base4/bin/python$mn"
sed -i "s/^#define PY_VERSION .*/#define PY_VERSION \"${v%.*}.99\"/" \
	"base4/include/python$mn/patchlevel.h"
SCRIPTS=demo agree pc ok VNV107 VNV108

# A stale `version` alone.
make_base base5 "$new"
"$TMP/base5/bin/python$mn" -m venv --without-pip stale || fail "cannot create stale"
sed -i "s/^version = .*/version = $mn.99/" stale/pyvenv.cfg
agree stale ok VNV107
# A `version` of another minor, nothing left in its lib/: only the line is
# stale (not VNV106, whose packages left behind there are none), and
# repair rewrites it.
"$TMP/base5/bin/python$mn" -m venv --without-pip stale2 || fail "cannot create stale2"
add_demo stale2 "$mn"
sed -i "s/^version = .*/version = $mo.0/" stale2/pyvenv.cfg
SCRIPTS=demo agree stale2 ok VNV107
case $CHK in *VNV106*) fail "stale2: VNV106 for a stale version line: $CHK" ;; esac
expect_exit 0 "$VENV" repair stale2
expect_exit 0 "$VENV" check stale2

# --- a base interpreter that only lives in the environment's home ----------------------
# `home` pointing nowhere while the interpreter link is fine: Python 3.11+
# searches from home first, then its compiled-in prefix, and still starts.
make_base base6 "$new"
"$TMP/base6/bin/python$mn" -m venv --without-pip relinked || fail "cannot create relinked"
rm "relinked/bin/python$mn"
ln -s "$(realpath "$new")" "relinked/bin/python$mn"
rm -rf base6
agree relinked ok VNV115

# Debian's python3.11 through a base prefix of links, base removed.
if [ -x /usr/bin/python3.11 ]; then
	make_base debbase /usr/bin/python3.11
	debbase/bin/python3.11 -m venv --without-pip deb-sym || fail "cannot create deb-sym"
	agree deb-sym ok
	rm -rf debbase
	agree deb-sym broken VNV104
fi
echo ok
