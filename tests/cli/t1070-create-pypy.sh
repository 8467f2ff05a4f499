#!/bin/bash
# PyPy as the base interpreter (Debian's pypy3 7.3.11; skipped without a
# pypy3 on PATH, which CI does not install: its byte-compiling postinst made
# `apt-get install pypy3` take 35 s). `venv create -p pypy3` makes what
# `pypy3 -m venv` makes: lib/pypyX.Y/site-packages (no lib/pythonX.Y), bin/pypy3
# and the aliases pypy, python, python3 and python3.X, the same pyvenv.cfg,
# and a python that says the same; with pip too (Debian's ensurepip takes
# /usr/share/python-wheels' newest; its copies of them in share/python-wheels
# we leave out). venv check finds ours and PyPy's clean, repair --upgrade
# --python pypy3 leaves lib/pypyX.Y alone (and, from an older PyPy minor,
# moves its packages from lib/pypyX.Y), a PyPy environment whose base is
# gone is sent to a PyPy, not to a CPython of the same version, and a CPython
# environment is not upgraded onto PyPy. -p pypy3.X, pypy3, pypy, pp3X find
# a PyPy on PATH or in pyenv's pypyX.Y-A.B.C; without Debian's wheels (no
# pypy3-venv), create names that package.
# pypy3 -m venv with pip (24 s) and pip under PyPy (6 s) are not run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare.sh"
pypy=$(command -v pypy3) || skip "no pypy3 on PATH (apt-get install pypy3)"
ver=$("$pypy" -I -S -c 'import sys; print("%d.%d" % sys.version_info[:2])') || fail "pypy3 does not run"
cd "$TMP" || exit 1
listing() { tree_listing "$1" | grep -v -e '^f 644 \./\.gitignore$' -e '^f 644 \./bin/activate\.nu$'; }

# --without-pip: the same files, links, pyvenv.cfg and runtime facts.
"$pypy" -m venv --without-pip "$TMP/ref" || fail "pypy3 -m venv --without-pip failed"
expect_exit 0 "$VENV" create -q --without-pip -p pypy3 "$TMP/ours"
[ ! -e "ours/lib/python$ver" ] || fail "expected no lib/python$ver in the PyPy environment"
expect_eq "$(listing "$TMP/ref")" "$(listing "$TMP/ours")" "our PyPy environment's tree (left: pypy3 -m venv's)"
expect_eq "$(cfg_normalized "$TMP/ref")" "$(cfg_normalized "$TMP/ours")" "our PyPy environment's pyvenv.cfg"
expect_eq "$(runtime_facts "$TMP/ref")" "$(runtime_facts "$TMP/ours")" "what our PyPy environment's python says"
expect_exit 0 "$VENV" check "$TMP/ref" "$TMP/ours"
expect_match '2 ok, 0 with findings' "$OUT" "check of both PyPy environments"

# --copies: copies under every name, and they run.
expect_exit 0 "$VENV" create -q --without-pip --copies -p pypy3 copies
for n in pypy pypy3 python python3 "python$ver"; do
	if [ ! -f "copies/bin/$n" ] || [ -L "copies/bin/$n" ]; then fail "expected a copy at bin/$n"; fi
done
expect_exit 0 copies/bin/python3 -c 'import sys; assert sys.prefix != sys.base_prefix'
expect_exit 0 "$VENV" check copies
expect_match '1 ok, 0 with findings' "$OUT" "check of a PyPy environment of copies"

# repair --upgrade onto the same PyPy: lib/pypyX.Y stays the only one.
cp -a ref upgraded
expect_exit 0 "$VENV" repair -q --upgrade --python pypy3 upgraded
expect_eq "pypy$ver" "$(ls upgraded/lib)" "lib/ after repair --upgrade --python pypy3"
expect_exit 0 "$VENV" check upgraded
expect_match '1 ok, 0 with findings' "$OUT" "check after repair --upgrade"

# With pip: Debian's wheels, unpacked into lib/pypyX.Y, scripts run by bin/pypy3.
expect_exit 0 "$VENV" create -q -p pypy3 withpip
ls "withpip/lib/pypy$ver"/site-packages/pip-*.dist-info/RECORD >/dev/null 2>&1 ||
	fail "expected pip in lib/pypy$ver/site-packages, saw: $(find withpip/lib -maxdepth 3)"
expect_eq "#!$TMP/withpip/bin/pypy3" "$(head -n 1 withpip/bin/pip)" "bin/pip's interpreter line"
expect_exit 0 "$VENV" check --verify-hashes withpip
expect_match '1 ok, 0 with findings' "$OUT" "check of a PyPy environment with pip"

# Its base gone: repair names a PyPy of its version to move to.
mkdir gone && ln -s "$pypy" gone/pypy3
expect_exit 0 "$VENV" create -q --without-pip -p "$TMP/gone/pypy3" orphan
rm gone/pypy3
expect_exit 1 "$VENV" repair --dry-run orphan
expect_match "the base interpreter is gone; run 'venv repair --upgrade --python [^ ]*pypy3[^ ]*' \(PyPy $ver, the version it was made for\)" \
	"$OUT" "repair's advice for a PyPy environment whose base is gone"
# CPython's lib/pythonX.Y of the same version beside it (what repair --upgrade
# --python pypy3 of a CPython environment leaves): PyPy does not read it.
expect_exit 0 "$VENV" create -q --without-pip -p pypy3 mixed
mkdir -p "mixed/lib/python$ver/site-packages/pkg" && : >"mixed/lib/python$ver/site-packages/pkg/__init__.py"
expect_exit 1 "$VENV" check mixed
expect_match "'lib/python$ver/site-packages' holds packages, but the interpreter is PyPy $ver and does not look there \[VNV114" \
	"$OUT" "check of a PyPy environment with CPython's lib/python$ver"
expect_exit 0 "$VENV" repair --dry-run mixed
expect_match "another implementation's .*venv repair does not move them" "$OUT" \
	"repair's reason for leaving CPython's lib/python$ver in a PyPy environment"

# A PyPy 3.X environment upgraded onto this PyPy 3.Y, as an older PyPy's
# would be: made here, then named 3.(Y-1) (lib/pypy3.(Y-1), bin/python3.(Y-1),
# pyvenv.cfg's version), as only one PyPy minor is installed. Its packages
# move to lib/pypy3.Y (--upgrade read lib/python3.(Y-1): nothing moved, and
# pip was left where PyPy does not look).
old="${ver%%.*}.$((${ver#*.} - 1))"
expect_exit 0 "$VENV" create -q -p pypy3 cross
mv "cross/lib/pypy$ver" "cross/lib/pypy$old" && mv "cross/bin/python$ver" "cross/bin/python$old" &&
	sed -i "s/^version = $ver\./version = $old./" cross/pyvenv.cfg || fail "making a PyPy $old environment"
expect_exit 1 "$VENV" repair --dry-run --upgrade --python pypy3 cross
expect_match "lib/pypy$ver/site-packages: [1-9][0-9]* distribution\(s\) moved" "$OUT" "the cross-minor plan"
expect_match "lib/pypy$old: removed once the rest is moved" "$OUT" "the cross-minor plan's old lib/"
expect_exit 0 "$VENV" repair -q --upgrade --python pypy3 cross
expect_eq "pypy$ver" "$(ls cross/lib)" "lib/ after the cross-minor repair --upgrade"
ls "cross/lib/pypy$ver"/site-packages/pip-*.dist-info/RECORD >/dev/null 2>&1 ||
	fail "expected pip moved to lib/pypy$ver/site-packages"
[ ! -e "cross/bin/python$old" ] || fail "expected bin/python$old removed"
expect_exit 0 cross/bin/pip --version
expect_exit 0 "$VENV" check --verify-hashes cross
expect_match '1 ok, 0 with findings' "$OUT" "check after the cross-minor repair --upgrade"

# Its base gone, repair --upgrade with no --python finds a PyPy of its version
# (it looked for a Python 3.X, and was refused a CPython's).
cp -a orphan orphan2
expect_exit 0 "$VENV" repair -q --upgrade orphan2
expect_eq "$(dirname "$(realpath "$pypy")")" "$(dirname "$(realpath orphan2/bin/pypy3)")" \
	"the interpreter of a PyPy environment upgraded without --python"

# A CPython environment onto PyPy: refused, nothing changed.
cpy=$(command -v python3) &&
	"$cpy" -c 'import sys; sys.exit(sys.implementation.name != "cpython")' 2>/dev/null || cpy=
if [ -n "$cpy" ]; then
	expect_exit 0 "$VENV" create -q --without-pip -p "$cpy" cpython
	before=$(cd cpython && find . -exec ls -ld --time-style=+%s.%N {} + | sort)
	expect_exit 2 "$VENV" repair --upgrade --python pypy3 cpython
	expect_match "^venv: error: cannot upgrade '[^']*cpython' from CPython to PyPy" "$ERR" \
		"repair --upgrade of a CPython environment onto PyPy"
	expect_eq "$before" "$(cd cpython && find . -exec ls -ld --time-style=+%s.%N {} + | sort)" \
		"the CPython environment after the refused upgrade"
fi

# -p names of PyPy resolve as CPython's do: on PATH, else as a version among
# PATH's pypy3 and pypy3.N and pyenv's pypyX.Y-A.B.C (a fake root whose
# versions lead to this PyPy; pypyX.Y-c-jit-latest is no release).
root="$TMP/pyenv"
rel="pypy$ver-7.3.99"
mkdir -p "$root/versions/$rel/bin" "$root/versions/pypy$ver-c-jit-latest/bin" "$root/shims" nopath
ln -s "$(realpath "$pypy")" "$root/versions/$rel/bin/pypy$ver"
ln -s "pypy$ver" "$root/versions/$rel/bin/pypy3"
ln -s "$(realpath "$pypy")" "$root/versions/pypy$ver-c-jit-latest/bin/pypy$ver"
n=0
for form in "pypy$ver" pypy3 pypy "pypy@$ver" "pp${ver/./}"; do
	n=$((n + 1))
	expect_exit 0 env -u PYENV_VERSION PATH="$TMP/nopath" PYENV_ROOT="$root" \
		"$VENV" create -v --without-pip -p "$form" "byname$n"
	expect_eq "$root/versions/$rel/bin" "$(sed -n 's/^home = //p' "byname$n/pyvenv.cfg")" \
		"home for -p $form from pyenv's versions"
	expect_match "matches 1 interpreter; using the newest, Python $ver\.[0-9]+ \(PyPy\)" "$ERR" \
		"-v's note for -p $form"
done
# On PATH first, as python3.X is.
expect_exit 0 env PYENV_ROOT="$root" "$VENV" create -q --without-pip -p "pypy$ver" onpath
expect_eq "$(dirname "$pypy")" "$(sed -n 's/^home = //p' onpath/pyvenv.cfg)" \
	"home for -p pypy$ver on PATH"
# A CPython version is not a PyPy's, nor the other way round.
expect_exit 1 env PATH="$TMP/nopath" PYENV_ROOT="$root" "$VENV" create -p "$ver" cpyonly
expect_match "^venv: error: no Python matching '$ver' found" "$ERR" "-p $ver with only a PyPy"
expect_exit 1 env PATH="$TMP/nopath" PYENV_ROOT="$TMP/none" "$VENV" create -p "pypy$ver" none
expect_match "^venv: error: no PyPy matching 'pypy$ver' found" "$ERR" "-p pypy$ver with no PyPy"
# pyenv's shim, whose selected version has no pypyX.Y: the newest pyenv PyPy that has it.
printf '#!/bin/sh\nexport PYENV_ROOT="%s"\necho "pyenv: $0: the shim was run" >&2\nexit 127\n' \
	"$root" >"$root/shims/pypy$ver"
chmod +x "$root/shims/pypy$ver"
mkdir -p "$root/versions/3.99.0/bin"
expect_exit 0 env PATH="$root/shims:$TMP/nopath" PYENV_ROOT="$root" PYENV_VERSION=3.99.0 \
	"$VENV" create -v --without-pip -p "pypy$ver" byshim
expect_eq "$root/versions/$rel/bin" "$(sed -n 's/^home = //p' byshim/pyvenv.cfg)" \
	"home for -p pypy$ver through pyenv's shim"

# Debian's PyPy without pypy3-venv: ensurepip is there, the wheels it
# installs are not (a tmpfs over them, in a mount namespace of our own).
if [ -d /usr/share/python-wheels ] && unshare -m true 2>/dev/null; then
	expect_exit 1 env VENV_NO_CACHE=1 unshare -m sh -c \
		'mount -t tmpfs none /usr/share/python-wheels && exec "$@"' sh \
		"$VENV" create -q -p pypy3 nowheels
	expect_match "^venv: error: ensurepip of '[^']*' has no wheels to install \(on Debian, install the pypy3-venv package\)" \
		"$ERR" "the error for a PyPy without Debian's wheels"
fi
exit 0
