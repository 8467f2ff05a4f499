# Helpers for the venv repair tests (t3NNN-repair-*.sh), sourced after lib.sh.

# make_wheel PYTHON OUTDIR NAME VERSION [ext]
# Build a wheel offline by zipping a dist-info by hand: a module NAME with
# hello() and a console script NAME-hello; with "ext", a C extension
# NAME._speed compiled with gcc for PYTHON (a wheel tagged for its ABI).
make_wheel() {
	local py=$1 out=$2 name=$3 version=$4 ext=${5:-}
	mkdir -p "$out"
	"$py" - "$out" "$name" "$version" "$ext" <<'PYEOF' || return 1
import base64, hashlib, os, subprocess, sys, sysconfig, tempfile, zipfile
out, name, version, ext = sys.argv[1:5]
files = {}
files[name + "/__init__.py"] = ("VERSION = %r\n"
    "def hello():\n    print('hello from %s', VERSION)\n" % (version, name)).encode()
tag = "py3-none-any"
if ext:
    src = ("#include <Python.h>\n"
           "static PyObject *twice(PyObject *s, PyObject *a) {\n"
           "  long v = PyLong_AsLong(a); return PyLong_FromLong(2 * v); }\n"
           "static PyMethodDef m[] = {{\"twice\", twice, METH_O, NULL}, {NULL}};\n"
           "static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"_speed\", NULL, -1, m};\n"
           "PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&d); }\n")
    with tempfile.TemporaryDirectory() as t:
        c = os.path.join(t, "speed.c")
        so = os.path.join(t, "_speed" + sysconfig.get_config_var("EXT_SUFFIX"))
        open(c, "w").write(src)
        subprocess.check_call(["gcc", "-shared", "-fPIC", "-O0", "-I",
                               sysconfig.get_paths()["include"], c, "-o", so])
        files[name + "/" + os.path.basename(so)] = open(so, "rb").read()
    abi = "cp%d%d" % sys.version_info[:2]
    tag = "%s-%s-%s" % (abi, abi, sysconfig.get_platform().replace("-", "_").replace(".", "_"))
di = "%s-%s.dist-info" % (name, version)
files[di + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode()
files[di + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: venv-tests\nRoot-Is-Purelib: %s\nTag: %s\n"
                        % ("false" if ext else "true", tag)).encode()
files[di + "/entry_points.txt"] = ("[console_scripts]\n%s-hello = %s:hello\n" % (name, name)).encode()
record = []
for p, data in files.items():
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append("%s,sha256=%s,%d" % (p, h, len(data)))
record.append(di + "/RECORD,,")
files[di + "/RECORD"] = ("\n".join(record) + "\n").encode()
whl = os.path.join(out, "%s-%s-%s.whl" % (name, version, tag))
with zipfile.ZipFile(whl, "w") as z:
    for p, data in files.items():
        z.writestr(p, data)
PYEOF
}

# tree_listing DIR [times]: every entry below DIR with its type, mode, link
# value and content checksum (and mtime with "times"), one per line, sorted;
# the files repair keeps for itself (.venv-repair*) are left out.
tree_listing() {
	(cd "$1" || exit 1
	{
		if [ -n "${2:-}" ]; then
			find . -path './.venv-repair*' -prune -o -printf '%p %y %m %l %T@\n'
		else
			find . -path './.venv-repair*' -prune -o -printf '%p %y %m %l\n'
		fi
		find . -path './.venv-repair*' -prune -o -type f -print0 | xargs -0 -r cksum |
			sed 's/^\([0-9]*\) \([0-9]*\) \(.*\)$/\3 sum \1 \2/'
	} | LC_ALL=C sort)
}

# The interpreters of two different minor versions: "OLD NEW" (pyenv's).
two_minors() {
	local pys
	pys=$(find_pythons | grep -v '^/usr/bin/')
	echo "$pys"
}

# Activate ENV in SHELL (bash, fish, tcsh) and print VIRTUAL_ENV and the python found.
activate_in() {
	local shell=$1 env=$2
	case "$shell" in
	bash) bash -c ". '$env/bin/activate' && echo \"\$VIRTUAL_ENV\" && command -v python" ;;
	fish) fish -c "source '$env/bin/activate.fish'; and echo \$VIRTUAL_ENV; and command -v python" ;;
	tcsh) tcsh -c "source '$env/bin/activate.csh' && echo \$VIRTUAL_ENV && which python" ;;
	esac
}

# env_works DIR: the environment's python, its console scripts and
# `source bin/activate` in bash work from DIR.
env_works() {
	local d=$1 out s
	out=$("$d/bin/python" -c 'import sys; print(sys.prefix)' 2>&1) ||
		fail "the python of $d does not run: $out"
	expect_eq "$d" "$out" "sys.prefix of $d"
	if [ -e "$d/bin/pip" ]; then
		out=$("$d/bin/pip" --version 2>&1) || fail "bin/pip of $d does not run: $out"
		expect_match "from $d/lib/" "$out" "pip --version of $d"
	fi
	for s in "$d"/bin/*-hello; do
		[ -e "$s" ] || continue
		out=$("$s" 2>&1) || fail "$s does not run: $out"
	done
	out=$(bash -c '. "$1/bin/activate" && echo "$VIRTUAL_ENV" && command -v python' _ "$d" 2>&1) ||
		fail "source bin/activate of $d failed in bash: $out"
	expect_eq "$d
$d/bin/python" "$out" "VIRTUAL_ENV and python after activate in bash ($d)"
}

# repaired CODE DIR: check reports CODE on DIR, plain `venv repair -y DIR`
# exits 0, then check finds nothing (not even CODE at info) and the
# environment works. The repair's output is left in $REPAIRED.
repaired() {
	local code=$1 d=$2
	expect_exit 1 "$VENV" check --severity info --select "$code" "$d"
	expect_match "$code" "$OUT" "check's finding on $d"
	expect_exit 0 "$VENV" repair -y "$d"
	REPAIRED=$OUT
	expect_match "$code" "$REPAIRED" "the change that fixed $code"
	expect_exit 0 "$VENV" check "$d"
	expect_exit 0 "$VENV" check --severity info --select "$code" "$d"
	env_works "$d"
}

# first_name DIR: the interpreter name in DIR/bin that links out of it.
first_name() {
	local n
	for n in "$1"/bin/python*; do
		case "$(readlink "$n")" in /*) basename "$n"; return 0 ;; esac
	done
	return 1
}

# pipx_shared DIR [PYTHON]: pipx's shared libraries (the environment whose
# pip pipx runs, PIPX_SHARED_LIBS or PIPX_HOME/shared) made in DIR by venv
# create of PYTHON (default: the interpreter pipx runs on, as pipx makes
# them), which unpacks pip's wheel where pipx would run python -m venv
# (ensurepip) and then, offline in vain, pip to upgrade them. pipx takes
# them as they are (pip there, younger than its 30 days): the environments
# it makes are the same, and their tests cost seconds less.
pipx_shared() {
	local py=${2:-}
	[ -n "$py" ] || py=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$(command -v pipx)")
	case $py in */env | "") py=python3 ;; esac
	"$VENV" create -q -p "$py" "$1" || return 1
}

# need_p11_p12: p11 and p12, pyenv's 3.11 and 3.12 (not Debian's), or the test is skipped.
need_p11_p12() {
	local pys
	pys=$(find_pythons | grep -v '^/usr/bin/')
	p11=$(echo "$pys" | grep 'python3\.11$' | head -n 1)
	p12=$(echo "$pys" | grep 'python3\.12$' | head -n 1)
	[ -n "$p11" ] && [ -n "$p12" ] || skip "needs pyenv's 3.11 and 3.12"
}

# offline_pip: pip and Python as a test needs them, whatever the machine sets
# (PIP_FIND_LINKS, PYTHONDONTWRITEBYTECODE): no index, a home of the test's
# own (pip's cache and config), bytecode written as users' pip writes it.
offline_pip() {
	export HOME="$TMP/home" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
	unset XDG_CACHE_HOME PIP_FIND_LINKS PYTHONDONTWRITEBYTECODE
	mkdir -p "$HOME"
}

# trace STRACE-ARGS... CMD...: CMD under strace, its calls in $TMP/st.log
# (LeakSanitizer cannot work under ptrace: off for the traced run). Skips
# the test without strace.
trace() {
	command -v strace >/dev/null || skip "needs strace"
	env ASAN_OPTIONS=detect_leaks=0 strace -qq -o "$TMP/st.log" "$@"
}
