#!/bin/bash
# venv repair --upgrade across minor versions (3.11 -> 3.12, 3.12 -> 3.13),
# offline (PIP_NO_INDEX, no find-links), on environments made by
# python -m venv, virtualenv (also --symlink-app-data), pipx, pdm, poetry
# and tox (those Debian has: a maker missing here is skipped and named),
# each with pip and its seeds (or none, for pipx and pdm), two local
# pure-Python packages with console scripts (alpha needs beta, and has
# requirements whose markers change value: gamma for Python < 3.12, delta
# for 3.13 and later, whose wheel pip cached), an editable install, a
# user's .pth, module and data file in site-packages, and, in the
# python -m venv one, a package with a C extension (its wheel for the new
# version in pip's cache). After `venv repair --upgrade -p NEW DIR`: exit 0,
# every distribution imports under the new interpreter, pip list shows the
# same set (plus delta where its marker now asks for it), pip check is clean,
# the console scripts run, the user's files are in the new site-packages
# byte for byte, and venv check finds nothing new.
#
# Each maker's environment is upgraded from 3.11 to 3.12; python -m venv's
# also from 3.12 to 3.13 (with the C extension, and delta's marker that
# comes true). The peers' 3.12 environments would add no layout of their
# own: each is its maker's 3.11 layout (made by the same virtualenv, or for
# pipx python -m venv) with fewer seeds, no setuptools nor wheel, as python
# -m venv's 3.12 one is; and making them cost a third of this test on its
# first run. make check-long (t3222) upgrades every maker's 3.12 environment
# to 3.13 too: T3220_ALL_MINORS=1.
#
# The environments, as the makers leave them with the packages installed,
# are made once (prepare, below) and kept as a fixture (lib.sh) for the
# later runs: a tar of the directory W, unpacked at the same place each
# time (an environment names its own path; W's path is fixed, so one run of
# this test at a time uses it: the lock). The assertions all run each time.
. "$(dirname "$0")/lib.sh"
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check): its time is the peers and pip; the upgrade runs instrumented in t3200, t3210 and t3221, the peers' layouts in t3880"
. "$(dirname "$0")/repair-lib.sh"

pys=$(find_pythons | grep -v '^/usr/bin/')
p11=$(echo "$pys" | grep 'python3\.11$' | head -n 1)
p12=$(echo "$pys" | grep 'python3\.12$' | head -n 1)
p13=$(echo "$pys" | grep 'python3\.13$' | head -n 1)
[ -n "$p11" ] && [ -n "$p12" ] || skip "needs pyenv's 3.11 and 3.12"
# T3220_ALL_MINORS=1 (t3222, make check-long): what make check leaves out,
# each peer's environment 3.12 -> 3.13 (not the 3.11 -> 3.12 upgrades and
# python -m venv's 3.12 -> 3.13 again: make check ran those, and CI runs both).
all_minors=${T3220_ALL_MINORS:-}
work_dir "t3220${all_minors:+-all}"
# Our own HOME: virtualenv's app-data, pip's cache, pipx, poetry and pdm live there.
export HOME="$W/home"
unset XDG_DATA_HOME XDG_CACHE_HOME XDG_CONFIG_HOME VIRTUALENV_OVERRIDE_APP_DATA PIP_FIND_LINKS
export PDM_CHECK_UPDATE=false POETRY_VIRTUALENVS_IN_PROJECT=true
makers="venv virtualenv virtualenv-symlink pipx pdm poetry tox"

# mkwheel PY NAME VERSION [REQUIRES-DIST...]: a pure wheel with module NAME
# and console script NAME-hello.
mkwheel() {
	"$1" - wheels "${@:2}" <<'PYEOF' || fail "could not build the wheel $2"
import base64, hashlib, os, sys, zipfile
out, name, version, *requires = sys.argv[1:]
files = {name + "/__init__.py": ("def hello():\n    print('hello from %s %s')\n" % (name, version)).encode()}
di = "%s-%s.dist-info" % (name, version)
files[di + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Python: >=3.8\n%s"
    % (name, version, "".join("Requires-Dist: %s\n" % r for r in requires))).encode()
files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: venv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
files[di + "/entry_points.txt"] = ("[console_scripts]\n%s-hello = %s:hello\n" % (name, name)).encode()
rows = ["%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d))
        for p, d in files.items()] + [di + "/RECORD,,"]
files[di + "/RECORD"] = ("\n".join(rows) + "\n").encode()
with zipfile.ZipFile(os.path.join(out, "%s-%s-py3-none-any.whl" % (name, version)), "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
PYEOF
}

# pip_in ENV PYTHON ARGS...: pip for an environment, its own or the base's
# (--python; pipx's environments see the pip of its shared directory, of
# the Python that pipx runs on, which 3.12 may not run).
pip_in() {
	local env=$1 py=$2
	shift 2
	if ls -d "$env"/lib/python3.*/site-packages/pip >/dev/null 2>&1; then
		"$env/bin/python" -m pip "$@"
	else
		"$py" -m pip --python "$env/bin/python" "$@"
	fi
}

# Offline, Debian's virtualenv 20.17.1+ds (and tox 3, which runs it) cannot
# make a 3.12 or 3.13 environment: its patched seed/wheels/embed lists the
# wheels of /usr/share/python-wheels only for the versions of upstream's
# table (2.7 to 3.11), so for 3.12 get_embed_wheel raises "Wheel for pip for
# Python 3.12 is unavailable" and every seeder falls back on `pip download`.
# The wheels it has would not do either: pip 23.0.1's vendored pkg_resources
# needs pkgutil.ImpImporter (gone in 3.12), and setuptools 66 breaks the same
# way. So, as upstream's virtualenv does for 3.12: its table extended by
# Debian's own list_available_wheels (a sitecustomize on PYTHONPATH, for
# virtualenv's process only), no setuptools and no wheel, and pip from the
# new interpreter's ensurepip directory (--extra-search-dir; a newer wheel
# found there wins over the embedded one). Debian's pipx 1.1.0 runs on
# python3.11 and its shared libraries are that pip 23.0.1, which 3.12 cannot
# run, and which pipx would upgrade from an index: PIPX_SHARED_LIBS names
# shared libraries of the interpreter's own pip (made by pipx_shared, as
# those of 3.11 are: repair-lib.sh).
# new_virtualenv PYTHON CMD...: run CMD (virtualenv or tox) so that it makes
# an environment of PYTHON offline (see above; as it is for 3.11 and older).
new_virtualenv() {
	local py=$1 bundled
	shift
	case "$(py_minor "$py")" in 3.8 | 3.9 | 3.10 | 3.11) "$@"; return ;; esac
	bundled=$("$py" -c 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))') || return 1
	PYTHONPATH="$W/vfix" VIRTUALENV_NO_SETUPTOOLS=1 VIRTUALENV_NO_WHEEL=1 \
		VIRTUALENV_EXTRA_SEARCH_DIR="$bundled" "$@"
}

# make_env MAKER PYTHON: print the environment's directory (made offline), or fail.
make_env() {
	local maker=$1 py=$2 m shared
	m=$(py_minor "$py")
	shared="$W/pipx-$m/shared"
	case "$m" in
	3.8 | 3.9 | 3.10 | 3.11) [ "$maker" != pipx ] || pipx_shared "$shared" || return 1 ;;
	*) [ "$maker" != pipx ] || pipx_shared "$W/pipx-shared-$m" "$py" || return 1
		shared="$W/pipx-shared-$m" ;;
	esac
	case "$maker" in
	venv) "$py" -m venv "$W/$maker-$m" >/dev/null && echo "$W/$maker-$m" ;;
	virtualenv) new_virtualenv "$py" virtualenv -q -p "$py" "$W/$maker-$m" >/dev/null && echo "$W/$maker-$m" ;;
	virtualenv-symlink)
		new_virtualenv "$py" virtualenv -q --symlink-app-data -p "$py" "$W/$maker-$m" >/dev/null &&
			echo "$W/$maker-$m" ;;
	pipx)
		PIPX_SHARED_LIBS="$shared" PIPX_HOME="$W/pipx-$m" PIPX_BIN_DIR="$W/pipx-$m/bin" pipx install --python "$py" \
			"$W/wheels/beta-1.0-py3-none-any.whl" >/dev/null 2>&1 &&
			echo "$W/pipx-$m/venvs/beta" ;;
	pdm)
		mkdir -p "$W/pdm-$m" && (cd "$W/pdm-$m" &&
			printf '[project]\nname = "p"\nversion = "0.1"\n' >pyproject.toml &&
			pdm venv create "$py" >/dev/null 2>&1; [ -f .venv/pyvenv.cfg ]) &&
			echo "$W/pdm-$m/.venv" ;;
	poetry)
		mkdir -p "$W/poetry-$m" && (cd "$W/poetry-$m" &&
			printf '[tool.poetry]\nname = "p"\nversion = "0.1"\ndescription = ""\nauthors = ["a <a@b.c>"]\n[tool.poetry.dependencies]\npython = ">=3.8"\n' >pyproject.toml &&
			poetry env use "$py" >/dev/null 2>&1; [ -f .venv/pyvenv.cfg ]) &&
			echo "$W/poetry-$m/.venv" ;;
	tox)
		mkdir -p "$W/tox-$m" && (cd "$W/tox-$m" &&
			printf '[tox]\nskipsdist = true\n[testenv:old]\nbasepython = %s\ndeps = %s\ncommands = python -c ""\n' \
				"$py" "$W/wheels/beta-1.0-py3-none-any.whl" >tox.ini &&
			new_virtualenv "$py" tox -e old --notest >/dev/null 2>&1) && echo "$W/tox-$m/.tox/old" ;;
	esac
}

# prepare_case MAKER OLD: in W, MAKER's environment of OLD with the packages
# installed (cases/MAKER-OLD.dir names it), and what pip lists in it
# (cases/MAKER-OLD.before).
prepare_case() {
	local maker=$1 old=$2 d om site
	om=$(py_minor "$old")
	d=$(make_env "$maker" "$old") && [ -f "$d/pyvenv.cfg" ] || fail "$maker could not make a $om environment offline"
	site="$d/lib/python$om/site-packages"
	local pkgs="$W/wheels/alpha-1.0-py3-none-any.whl $W/wheels/beta-1.0-py3-none-any.whl $W/wheels/edproj-0.1-py3-none-any.whl"
	[ "$om" = 3.11 ] && pkgs="$pkgs $W/wheels/gamma-1.0-py3-none-any.whl"
	[ "$maker" = venv ] && pkgs="$pkgs $(ls "$W"/cwheels/cext-2.0-cp3${om#3.}-*.whl)"
	# shellcheck disable=SC2086
	pip_in "$d" "$old" install -q $pkgs >/dev/null || fail "$maker: pip install failed"
	# The editable install, as pip records it: direct_url.json, and its row in
	# RECORD (hash and size) as pip writes it, or check's VNV604 rightly finds
	# a file that differs from its RECORD and repair's verdict is "problems".
	printf '{"dir_info": {"editable": true}, "url": "file://%s"}' "$W/proj" \
		>"$site/edproj-0.1.dist-info/direct_url.json"
	"$old" - "$site/edproj-0.1.dist-info" <<'PYEOF' || fail "$maker: could not record direct_url.json"
import base64, csv, hashlib, io, os, sys
di = sys.argv[1]
name = os.path.basename(di) + "/direct_url.json"
data = open(os.path.join(di, "direct_url.json"), "rb").read()
row = [name, "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(),
       str(len(data))]
with open(os.path.join(di, "RECORD"), newline="") as f:
    rows = [r for r in csv.reader(f) if r and r[0] != name]
out = io.StringIO()
csv.writer(out, lineterminator="\n").writerows(rows + [row])
open(os.path.join(di, "RECORD"), "w", newline="").write(out.getvalue())
PYEOF
	echo "$W/userlib" >"$site/zz_user.pth"
	echo 'SECRET = "local"' >"$site/local_settings.py"
	printf 'user data\0\001\377' >"$site/userdata.bin"
	mkdir -p "$W/cases" && echo "$d" >"$W/cases/$maker-$om.dir" || return 1
	pip_in "$d" "$old" list --format freeze 2>/dev/null | cut -d= -f1 | tr A-Z a-z | sort \
		>"$W/cases/$maker-$om.before"
}

# prepare: in W, the wheels, the editable project, the user's files,
# the scripts and, for each maker here and each OLD -> NEW, the
# environment of OLD (prepare_case); then DIR/work.tar of W, the fixture.
prepare() {
	rm -rf "$W"
	mkdir -p "$W" && cd "$W" || return 1
	mkdir -p "$HOME" wheels
	mkwheel "$p12" beta 1.0
	mkwheel "$p12" alpha 1.0 'beta>=1.0' 'gamma; python_version < "3.12"' 'delta; python_version >= "3.13"'
	mkwheel "$p12" gamma 1.0
	mkwheel "$p12" delta 1.0
	# delta's wheel, where pip keeps the wheels it built: found there, never on an index.
	mkdir -p "$HOME/.cache/pip/wheels/4e/2f/9a"
	mv wheels/delta-1.0-py3-none-any.whl "$HOME/.cache/pip/wheels/4e/2f/9a/"

	# The editable project: its package lives in proj/src, a PEP 660 .pth names it.
	mkdir -p proj/src/edmod
	echo 'WORD = "editable"' >proj/src/edmod/__init__.py
	"$p12" - wheels "$W/proj/src" <<'PYEOF' || fail "could not build the editable wheel"
import base64, hashlib, os, sys, zipfile
out, src = sys.argv[1:]
di = "edproj-0.1.dist-info"
files = {"__editable__.edproj-0.1.pth": (src + "\n").encode(),
         di + "/METADATA": b"Metadata-Version: 2.1\nName: edproj\nVersion: 0.1\n",
         di + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: venv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
rows = ["%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d))
        for p, d in files.items()] + [di + "/RECORD,,"]
files[di + "/RECORD"] = ("\n".join(rows) + "\n").encode()
with zipfile.ZipFile(os.path.join(out, "edproj-0.1-py3-none-any.whl"), "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
PYEOF
	# The C extension, for every version, the new ones only in pip's cache.
	for p in "$p11" "$p12" ${p13:+"$p13"}; do
		make_wheel "$p" "$W/cwheels" cext 2.0 ext || fail "could not build the extension for $p"
	done
	mkdir -p userlib
	echo 'WHO = "user lib"' >userlib/userlibmod.py
	mkdir -p vfix
	cat >vfix/sitecustomize.py <<'EOF'
try:
    from virtualenv.seed.wheels import embed
except ImportError:
    pass
else:
    for v in ("3.12", "3.13"):
        if v not in embed.BUNDLE_SUPPORT:
            embed.BUNDLE_SUPPORT[v] = embed.list_available_wheels([v])[v]
EOF
	# A script that imports every distribution's top-level packages and modules,
	# each distribution in a fresh interpreter (pip imported before setuptools
	# 66 breaks it on 3.12 in a fresh environment too), private ones left out.
	cat >importall.py <<'EOF'
import importlib.metadata as md, subprocess, sys
bad = []
for d in md.distributions():
    tops = set()
    for f in d.files or ():
        parts = f.parts
        if len(parts) == 2 and parts[1] == "__init__.py" and "." not in parts[0]:
            tops.add(parts[0])
        elif len(parts) == 1 and f.suffix == ".py":
            tops.add(f.stem)
    tops = sorted(t for t in tops if not t.startswith("_"))
    if tops:
        r = subprocess.run([sys.executable, "-c", "import " + ", ".join(tops)],
                           capture_output=True, text=True)
        if r.returncode:
            bad.append("%s: %s" % (d.metadata["Name"], r.stderr.strip().splitlines()[-1]))
r = subprocess.run([sys.executable, "-c", "import edmod, userlibmod, local_settings"],
                   capture_output=True, text=True)
if r.returncode:
    bad.append("user modules: " + r.stderr)
print("\n".join(bad) or "ok")
EOF
	local maker
	for maker in $makers; do
		case "$maker" in venv) ;; *) command -v "${maker%-symlink}" >/dev/null || continue ;; esac
		# t3222: only the peers' 3.12 environments (make check did the rest).
		if [ -n "$all_minors" ]; then
			[ "$maker" = venv ] || [ -z "$p13" ] || prepare_case "$maker" "$p12" || return 1
			continue
		fi
		prepare_case "$maker" "$p11" || return 1
		if [ -n "$p13" ] && [ "$maker" = venv ]; then prepare_case "$maker" "$p12" || return 1; fi
	done
}

# upgrade MAKER OLD NEW: repair --upgrade of MAKER's environment of OLD
# (prepared) to NEW, and what the result must be.
upgrade() {
	local maker=$1 old=$2 new=$3 d om nm site nsite before after
	om=$(py_minor "$old")
	nm=$(py_minor "$new")
	d=$(cat "$W/cases/$maker-$om.dir") || fail "$maker: no $om environment prepared"
	site="$d/lib/python$om/site-packages"
	nsite="$d/lib/python$nm/site-packages"
	cp "$site/zz_user.pth" "$site/local_settings.py" "$site/userdata.bin" "$TMP/"
	[ "$maker" = venv ] && mkdir -p "$HOME/.cache/pip/wheels/c1/00" &&
		cp "$W"/cwheels/cext-2.0-cp3${nm#3.}-*.whl "$HOME/.cache/pip/wheels/c1/00/"
	before=$(cat "$W/cases/$maker-$om.before")
	"$VENV" check -q "$d" >"$TMP/check-before" 2>&1
	expect_exit 0 "$VENV" repair --upgrade -p "$new" --format json "$d"
	# The verdict is check's on the result: "repaired", or "problems" when
	# what is left is only what check found before (virtualenv
	# --symlink-app-data's linked .pth, VNV007), never anything new.
	printf '%s' "$OUT" | "$new" -c '
import json, re, sys
r = json.load(sys.stdin)["environments"][0]
before = []
for line in open(sys.argv[3]):
    f = re.match(r".*?: (?:error|warning|info): (.*) \[(VNV[0-9]+) ", line.replace("python" + sys.argv[1], "python" + sys.argv[2]))
    if f:
        before.append((f.group(2), f.group(1)))
assert r["status"] in ("repaired", "problems"), r
assert r["status"] == "repaired" or r["problems"], r
for p in r["problems"]:
    assert any(c == p["code"] and p["message"].startswith(m) for c, m in before), (p, before, r)
d = {x["name"]: x for x in r["distributions"]}
for n in ("alpha", "beta", "edproj"):
    assert d[n]["action"] == "moved", d[n]
if "cext" in d:
    assert d["cext"]["action"] == "reinstalled" and "/.cache/pip/wheels/" in d["cext"]["source"], d["cext"]
moved = {u["to"].rsplit("/", 1)[-1] for u in r["unowned"]}
assert {"zz_user.pth", "local_settings.py", "userdata.bin"} <= moved, r["unowned"]
m = " ".join(r["markers"])
if sys.argv[1] == "3.11":
    assert "gamma" in m and "no longer applies" in m, m
if sys.argv[2] == "3.13":
    assert "delta" in m and "installed from" in m, m
' "$om" "$nm" "$TMP/check-before" || fail "$maker $om -> $nm: unexpected JSON report: $OUT"
	[ ! -e "$d/lib/python$om" ] || fail "$maker: expected lib/python$om removed"
	expect_eq "ok" "$(cd / && "$d/bin/python" "$W/importall.py" 2>&1)" "$maker $om -> $nm: the imports"
	after=$(pip_in "$d" "$new" list --format freeze 2>/dev/null | cut -d= -f1 | tr A-Z a-z | sort)
	[ "$nm" = 3.13 ] && before=$(printf '%s\ndelta\n' "$before" | sort)
	expect_eq "$before" "$after" "$maker $om -> $nm: the distributions pip lists"
	expect_match "No broken requirements found" "$(pip_in "$d" "$new" check 2>&1)" "$maker $om -> $nm: pip check"
	expect_eq "hello from alpha 1.0" "$("$d/bin/alpha-hello")" "$maker: alpha's console script"
	expect_eq "hello from beta 1.0" "$("$d/bin/beta-hello")" "$maker: beta's console script"
	for f in zz_user.pth local_settings.py userdata.bin; do
		cmp -s "$TMP/$f" "$nsite/$f" || fail "$maker $om -> $nm: $f not moved byte for byte"
	done
	[ "$maker" = venv ] && expect_eq "42" "$("$d/bin/python" -c 'import cext._speed as s; print(s.twice(21))')" "the C extension"
	# Nothing new for venv check (virtualenv --symlink-app-data's linked .pth was there before).
	"$VENV" check -q "$d" >"$TMP/check-after" 2>&1
	expect_eq "" "$(grep -vxFf <(sed "s/python$om/python$nm/g" "$TMP/check-before") "$TMP/check-after")" \
		"$maker $om -> $nm: what venv check finds that it did not before"
	rm -f "$HOME"/.cache/pip/wheels/c1/00/*
	echo "$maker $om -> $nm: ok"
}
# The key of the fixture: everything prepare's result depends on.
key=$(echo "all minors: $all_minors"; py_facts "$p11"; py_facts "$p12"; [ -z "$p13" ] || py_facts "$p13"; venv_facts
	file_facts /usr/bin/python3; tool_facts virtualenv pipx pdm poetry tox gcc
	cat "$0" "$(dirname "$0")/repair-lib.sh")
work_fixture t3220-environments "$key" prepare || fail "could not prepare the environments (above)"
cd "$W"
skipped=
[ -n "$all_minors" ] && [ -z "$p13" ] && skip "no Python 3.13 for the peers' 3.12 -> 3.13 upgrades"
for maker in $makers; do
	if [ -n "$all_minors" ]; then
		[ "$maker" = venv ] && continue
		[ -e "$W/cases/$maker-3.12.dir" ] || { skipped="$skipped $maker"; continue; }
		upgrade "$maker" "$p12" "$p13"
		continue
	fi
	[ -e "$W/cases/$maker-3.11.dir" ] || { skipped="$skipped $maker"; continue; }
	upgrade "$maker" "$p11" "$p12"
	[ -n "$p13" ] && [ "$maker" = venv ] && upgrade "$maker" "$p12" "$p13"
done
[ -z "$skipped" ] || echo "not here:$skipped"
echo ok
