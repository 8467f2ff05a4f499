#!/bin/bash
# Damaged layouts, each run for real: missing interpreter names, lib64 and
# activation scripts, an unfinished creation, a directory that is not an
# environment, world-writable files, a .pth line to a removed checkout, an
# extension module built for another Python, a #! line longer than the
# kernel reads, a command linked to nothing, site-packages removed, and an
# environment whose path exploits CVE-2024-9287 in an old activate script.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
py=$(py_of 3.12 || py_any)
[ -n "$py" ] || skip "no Python interpreter found"
m=$(py_minor "$py")

fresh() {
	mk_cpython "$py" "$1"
	add_demo "$1" "$m"
}

# --- interpreter names, lib64, activation scripts -----------------------------------
fresh no-python
rm no-python/bin/python
SCRIPTS=demo agree no-python broken VNV113
fresh no-alias
rm no-alias/bin/python3
SCRIPTS=demo agree no-alias ok VNV109
fresh no-lib64
if [ -L no-lib64/lib64 ]; then
	rm no-lib64/lib64
	SCRIPTS=demo agree no-lib64 ok VNV110
fi
fresh no-activate
rm no-activate/bin/activate.fish
SCRIPTS=demo agree no-activate ok VNV501
rm no-activate/bin/activate
SCRIPTS=demo agree no-activate broken VNV501

# --- unfinished creation, not an environment -----------------------------------------
fresh unfinished
rm unfinished/bin/python*
SCRIPTS= agree unfinished broken VNV101
mkdir -p half/bin half/include "half/lib/python$m/site-packages"
SCRIPTS= agree half broken VNV101
# venv create killed half-way (SIGKILL at its first symlink): its marker is left.
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	(strace -f -qq -o /dev/null -e trace=symlink,symlinkat \
		-e inject=symlink,symlinkat:signal=KILL:when=1 \
		"$VENV" create -q --without-pip -p "$py" killed; true) >/dev/null 2>&1
	[ -e killed/.venv-incomplete ] || fail "expected venv create to leave its marker when killed"
	SCRIPTS= agree killed broken VNV101
	expect_exit 1 "$VENV" check -r --no-progress "$TMP/killed/.."
	expect_match 'killed/\.venv-incomplete' "$OUT" "the recursive search"
fi
mkdir plain
echo hello >plain/README
# Not an environment: nothing was checked, so exit 2 (as repair says).
expect_exit 2 "$VENV" check --no-progress plain
expect_match 'VNV001' "$OUT" "check of a plain directory"
# A Python installation is not an environment either.
base=$(dirname "$(dirname "$(realpath "$py")")")
expect_exit 2 "$VENV" check --no-progress "$base"
expect_match 'VNV001' "$OUT" "check of a Python installation"

# --- permissions, .pth, extension modules ---------------------------------------------
fresh writable
chmod o+w "writable/lib/python$m/site-packages" writable/bin/demo
SCRIPTS=demo agree writable ok VNV409

fresh pth
mkdir -p checkout/src
echo 'def main(): print("prefix=editable"); return 0' >checkout/src/editmod.py
echo "$TMP/checkout/src" >"pth/lib/python$m/site-packages/__editable__.editmod-1.0.pth"
printf '#!%s/pth/bin/python\nimport sys\nfrom editmod import main\nsys.exit(main())\n' "$TMP" >pth/bin/edit
chmod 755 pth/bin/edit
"$TMP/pth/bin/edit" >/dev/null || fail "the editable install does not work to begin with"
SCRIPTS=demo agree pth ok
# A line of another .pth naming nothing: site.py skips it, nothing breaks.
echo "$TMP/no-such-dir" >"pth/lib/python$m/site-packages/stray.pth"
SCRIPTS=demo agree pth ok VNV408
rm -rf checkout
SCRIPTS="demo edit" agree pth broken VNV414

# An extension module compiled for this interpreter, then renamed to another
# version's tag: the interpreter no longer considers it.
inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
suffix=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
if command -v gcc >/dev/null 2>&1 && [ -f "$inc/Python.h" ]; then
	fresh ext
	cat >fastdemo.c <<'EOF'
#include <Python.h>
static PyObject *prefix(PyObject *self, PyObject *args)
{
	return PySys_GetObject("prefix");
}
static PyMethodDef methods[] = { { "prefix", prefix, METH_NOARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef mod = { PyModuleDef_HEAD_INIT, "fastdemo", NULL, -1, methods };
PyMODINIT_FUNC PyInit_fastdemo(void) { return PyModule_Create(&mod); }
EOF
	site=$(site_of ext "$m")
	gcc -shared -fPIC -I"$inc" -o "$site/fastdemo$suffix" fastdemo.c || fail "cannot build fastdemo"
	printf '#!%s/ext/bin/python\nimport sys, fastdemo\nprint("prefix=" + sys.prefix)\n' "$TMP" >ext/bin/fast
	chmod 755 ext/bin/fast
	SCRIPTS="demo fast" agree ext ok
	other=$(echo "$suffix" | sed -E 's/cpython-3[0-9]+/cpython-39/')
	[ "$other" != "$suffix" ] || other=$(echo "$suffix" | sed -E 's/cpython-3[0-9]+/cpython-310/')
	mv "$site/fastdemo$suffix" "$site/fastdemo$other"
	SCRIPTS="demo fast" agree ext broken VNV112
fi

# site-packages removed: the interpreter runs, nothing can be imported.
mk_cpython "$py" no-site
rm -rf "no-site/lib/python$m/site-packages"
SCRIPTS= agree no-site ok VNV111
# With a console script (pip's shape) its package went with it: an error.
fresh no-site2
rm -rf "no-site2/lib/python$m/site-packages"
SCRIPTS=demo agree no-site2 broken VNV111

# --- console scripts ---------------------------------------------------------------------
# A #! line longer than the kernel's 256 bytes, to the environment through a link.
long="$TMP/$(printf 'l%.0s' $(seq 1 120))/$(printf 'm%.0s' $(seq 1 120))"
mkdir -p "$long"
fresh shebang
ln -s "$TMP/shebang" "$long/env"
printf '#!%s/env/bin/python\nimport sys\nprint("prefix=" + sys.prefix)\n' "$long" >shebang/bin/longone
chmod 755 shebang/bin/longone
SCRIPTS="demo longone" agree shebang broken VNV406
# Between 128 and 255 bytes: fine on Linux since 5.1, not portable.
mid="$TMP/$(printf 'p%.0s' $(seq 1 130))"
mkdir -p "$mid"
fresh mid-shebang
ln -s "$TMP/mid-shebang" "$mid/env"
printf '#!%s/env/bin/python\nimport sys\nprint("prefix=" + sys.prefix)\n' "$mid" >mid-shebang/bin/midone
chmod 755 mid-shebang/bin/midone
SCRIPTS="demo midone" agree mid-shebang ok VNV407

fresh dangling
ln -s "$TMP/nowhere/tool" dangling/bin/tool
SCRIPTS="demo tool" agree dangling broken VNV412

fresh gone
printf '#!%s/nowhere/bin/python\nprint(1)\n' "$TMP" >gone/bin/gone
chmod 755 gone/bin/gone
SCRIPTS="demo gone" agree gone broken VNV403

# --- CVE-2024-9287 ----------------------------------------------------------------------
# An environment made by a CPython without the fix in a directory whose name
# closes the quotes: sourcing activate runs the command in the name.
prefix=
for p in $PYTHONS; do
	[ -x "$p" ] || continue
	mk_cpython "$p" probe-$$
	if grep -q '^ *\(export \)\{0,1\}VIRTUAL_ENV="' probe-$$/bin/activate; then
		prefix=$p
		break
	fi
	rm -rf probe-$$
done
if [ -n "$prefix" ]; then
	hostile="$TMP/cve/x\";touch SENTINEL;\"y"
	mkdir -p "$TMP/cve"
	mk_cpython "$prefix" "$hostile"
	rm -f "$TMP/SENTINEL"
	SCRIPTS= agree "$hostile" broken VNV410
	[ -e "$TMP/SENTINEL" ] || fail "expected the oracle's activation to run the injected command"
	# The same directory with a fixed template (if there is one) is fine, and inert.
	if [ -x /usr/bin/python3.11 ] && ! grep -q 'VIRTUAL_ENV="' "$TMP/cve/"*/bin/activate 2>/dev/null; then :; fi
fi
echo ok
