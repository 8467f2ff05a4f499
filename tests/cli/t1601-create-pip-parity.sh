#!/bin/bash
# pip installed by unpacking the wheel (no Python run) against pip installed
# by `python -m venv` (ensurepip), for every CPython of the machine: the same
# files in site-packages and bin/ (names, types, modes, bytes), the same
# RECORD but for the .pyc rows, the same `pip list` and `pip --version`;
# then in our environment `pip check` is clean, a local wheel installs
# offline, and `pip uninstall` removes every file pip was installed with.
#
# Bytecode: pip's ensurepip always compiles .pyc files (and lists them in
# RECORD without a hash); we write none, since that needs Python, and Python
# writes them on first import. So __pycache__ directories and the ".pyc,,"
# rows of RECORD are left out of the comparison, on both sides.
# PYTHONDONTWRITEBYTECODE stays unset (lib.sh), so that running pip in our
# environment does write .pyc files, which `pip uninstall` must remove too.
# The environments are compared by pip_snapshot (compare.sh), each one's own
# path written ENV; python -m venv's side is made once per interpreter for
# the tests of a run (cpython_pip_reference).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare.sh"
# CI's second pass, under the sanitizers, leaves this one out: its time is
# pip's and Python's (pip list, check, install and uninstall in each
# environment), and the installer it runs for each CPython's pip wheel runs
# under the sanitizers in t1100 too, which creates the same environments.
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check)"
cd "$TMP"
mkdir links

# A tiny wheel with a module and a console script, made here (no network).
python3 - links <<'PY'
import base64, hashlib, sys, zipfile
d = sys.argv[1]
files = {
    "venvdemo/__init__.py": b"def main():\n    print('venvdemo ok')\n",
    "venvdemo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: venvdemo\nVersion: 1.0\n",
    "venvdemo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "venvdemo-1.0.dist-info/entry_points.txt": b"[console_scripts]\nvenvdemo-hello = venvdemo:main\n",
}
rec = ""
for n, b in files.items():
    h = base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
    rec += "%s,sha256=%s,%d\n" % (n, h, len(b))
rec += "venvdemo-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(d + "/venvdemo-1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for n, b in files.items():
        z.writestr(n, b)
    z.writestr("venvdemo-1.0.dist-info/RECORD", rec)
PY

# The interpreters compared: each one whose wheels (the versions of pip and
# setuptools its ensurepip would install, as venv create unpacks them) are
# not all compared with another one already. What this test checks is how a
# wheel is unpacked: the rest (lib/pythonX.Y, the pipX.Y script) is the same
# code for every version, so an interpreter that brings no wheel of its own
# adds only the cost of python -m venv (the oldest and the newest are always
# kept). Here that leaves out 3.10 (pip 23.0.1 as 3.8 and 3.9, setuptools
# 65.5.0 as 3.11) and 3.12 (pip 23.2.1 as 3.11; no setuptools as 3.13).
all=$(find_pythons)
declare -A wheels
for py in $all; do
	rm -rf env
	"$VENV" create -q -p "$py" env 2>err || fail "venv create failed for $py: $(cat err)"
	wheels[$py]=$(cd env/lib/python3.*/site-packages && ls -d *.dist-info) ||
		fail "expected .dist-info directories from venv create for $py"
done
kept=$all
for py in $(echo "$all" | grep -v '^/usr/bin/' | sed '1d;$d'); do
	others=$(for o in $kept; do [ "$o" = "$py" ] || echo "${wheels[$o]}"; done)
	if [ -z "$(echo "${wheels[$py]}" | grep -vxF -e "$others")" ]; then
		kept=$(echo "$kept" | grep -vxF -e "$py")
		echo "left out $py: its wheels ($(echo ${wheels[$py]})) are compared with another"
	fi
done

checked=0
for py in $kept; do
	minor=$(py_minor "$py")
	rm -rf env ours
	"$VENV" create -q -p "$py" env 2>err || fail "venv create failed for $py: $(cat err)"
	[ -e env/bin/pip ] || fail "expected bin/pip from venv create for $py"
	pip_snapshot env ours
	# python -m venv's, made once for the tests of a run (compare.sh).
	cpy=$(cpython_pip_reference "$py") || fail "python -m venv failed for $py"
	for what in tree record content version list list.err; do
		if ! diff -u "$cpy/$what" "ours/$what" >diff.out; then
			cat diff.out >&2
			fail "expected the same $what as python -m venv for $py (diff above)"
		fi
	done
	grep -q " lib/python$minor/site-packages/pip/__init__.py " ours/tree ||
		fail "expected pip's files in the listing for $py, saw: $(head -n 5 ours/tree)"
	grep -q "^pip==" ours/list || fail "expected pip in pip list for $py, saw: $(cat ours/list)"

	# Now use our environment for real (the same one: pip_snapshot only ran
	# its pip, which wrote the bytecode that pip's runs below would write).
	out=$(env/bin/python -m pip check 2>&1) || fail "pip check failed for $py: $out"
	expect_match "No broken requirements" "$out" "pip check for $py"
	out=$(PIP_NO_INDEX=1 PIP_FIND_LINKS="$TMP/links" env/bin/pip install venvdemo 2>&1) ||
		fail "pip install of a local wheel failed for $py: $out"
	out=$(env/bin/venvdemo-hello 2>&1) || fail "venvdemo-hello failed for $py: $out"
	expect_eq "venvdemo ok" "$out" "the output of a script pip installed ($py)"
	# pip ran (and so wrote .pyc files) before it uninstalls itself.
	for pkg in setuptools pip; do
		ls env/lib/python3.*/site-packages | grep -q "^$pkg-" || continue
		out=$(env/bin/python -m pip uninstall -y "$pkg" 2>&1) ||
			fail "pip uninstall $pkg failed for $py: $out"
	done
	left=$(cd env && find lib bin -mindepth 1 ! -path '*/site-packages/venvdemo*' \
		! -path 'bin/venvdemo-hello' ! -name 'python*' ! -name 'activate*' \
		! -name 'Activate*' ! -path "lib/python$minor" ! -path "lib/python$minor/site-packages" \
		| LC_ALL=C sort)
	[ -z "$left" ] || fail "expected pip uninstall to leave nothing of pip for $py, saw: $left"
	checked=$((checked + 1))
done
[ "$checked" -ge 1 ] || skip "no Python found"
echo "compared $checked"
