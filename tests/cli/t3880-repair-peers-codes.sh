#!/bin/bash
# Per code, plain `venv repair -y DIR` (no other flag) on environments the
# peers make here, offline: pipx (its home in the test's directory, `pipx
# install` of a wheel the test builds), pdm (`pdm venv create`, then `pdm add
# --no-self` of that wheel), tox (a testenv whose only dependency is the
# wheel), virtualenv --symlink-app-data, and venv create. Each environment is
# damaged one way at a time: a world-writable file (VNV409), bin/activate
# deleted (VNV501), an interpreter name deleted (VNV109), the package of pip
# (or setuptools') deleted while its .dist-info remains (VNV609, reinstalled
# from the wheel cache), and last moved (VNV401). Each time check reports the
# code, repair exits 0, `venv check DIR` exits 0, and the environment's
# python, its console scripts and `source bin/activate` in bash work. A peer
# that cannot make an environment offline here is skipped alone, saying why.
#
# The peers' environments are made once (prepare, below) and kept as a
# fixture (lib.sh) for the later runs: a tar of the directory W, unpacked at
# the same place each time (an environment names its own path; W's path is
# fixed, so one run of this test at a time uses it: the lock).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || skip "needs Debian's python3 (the peers' interpreter)"
work_dir t3880
export HOME="$W/home" XDG_CACHE_HOME="$W/home/.cache" XDG_CONFIG_HOME="$W/home/.config"
export XDG_DATA_HOME="$W/home/.local/share" TMPDIR="$TMP/tmp"
mkdir -p "$TMPDIR"
unset PIP_FIND_LINKS PIP_CACHE_DIR
export PIP_NO_INDEX=1 PDM_CHECK_UPDATE=false VIRTUALENV_OVERRIDE_APP_DATA="$W/appdata"
whl=$W/wheels/tinypkg-1.0-py3-none-any.whl
made=0

# prepare: in W, the test's wheel and each peer's environment with it
# installed, or W/PEER.skip saying why the peer could not make one; then
# DIR/work.tar of W, the fixture.
prepare() {
	rm -rf "$W"
	mkdir -p "$W" "$HOME" && cd "$W" || return 1
	make_wheel "$py" "$W/wheels" tinypkg 1.0 || fail "could not build the test wheel"
	if ! command -v pipx >/dev/null; then
		echo "pipx is not installed" >pipx.skip
	elif ! pipx_shared "$W/pipx/shared"; then
		echo "venv create could not make pipx's shared libraries" >pipx.skip
	elif ! PIPX_HOME="$W/pipx" PIPX_BIN_DIR="$W/pipx-bin" PIPX_MAN_DIR="$W/pipx-man" \
		timeout 600 pipx install "$whl" >pipx.log 2>&1; then
		echo "pipx install of a local wheel failed offline: $(tail -n 3 pipx.log)" >pipx.skip
	fi
	mkdir -p pdmproj
	cat >pdmproj/pyproject.toml <<'EOF'
[project]
name = "pdmproj"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []
EOF
	if ! command -v pdm >/dev/null; then
		echo "pdm is not installed" >pdm.skip
	elif ! (cd pdmproj && timeout 600 pdm venv create "$py" && \
		timeout 600 pdm add --no-self "tinypkg @ file://$whl") >pdm.log 2>&1; then
		echo "pdm could not make its environment offline: $(tail -n 3 pdm.log)" >pdm.skip
	fi
	mkdir -p toxproj
	cat >toxproj/tox.ini <<EOF
[tox]
envlist = py
skipsdist = true

[testenv]
skip_install = true
deps = $whl
commands = tinypkg-hello
EOF
	if ! command -v tox >/dev/null; then
		echo "tox is not installed" >tox.skip
	elif ! (cd toxproj && timeout 600 tox -e py) >tox.log 2>&1; then
		echo "tox could not make its environment offline: $(tail -n 3 tox.log)" >tox.skip
	fi
	if ! "$py" -m virtualenv --version >/dev/null 2>&1; then
		echo "Debian's virtualenv is not installed" >virtualenv.skip
	elif ! "$py" -m virtualenv -q --symlink-app-data ve >ve.log 2>&1; then
		echo "virtualenv --symlink-app-data failed offline: $(tail -n 3 ve.log)" >virtualenv.skip
	else
		ve/bin/pip install -q "$whl" || fail "pip install failed in ve"
	fi
}
# The key of the fixture: everything prepare's result depends on.
key=$(py_facts "$(readlink -f "$py")"; tool_facts pipx pdm tox virtualenv; venv_facts
	cat "$0" "$(dirname "$0")/repair-lib.sh")
work_fixture t3880-environments "$key" prepare || fail "could not prepare the environments (above)"
cd "$TMP"

# A peer that cannot make its environment here: said, and the others go on.
peer_skip() {
	echo "skipped for $1: $2"
}

# damage DIR: VNV409, VNV501 and VNV109, one at a time, each repaired.
damage() {
	local d=$1 m
	chmod o+w "$d/bin/tinypkg-hello"
	repaired VNV409 "$d"
	m=$(stat -c %a "$d/bin/tinypkg-hello")
	[ $((0$m & 2)) -eq 0 ] || fail "bin/tinypkg-hello of $d is still world-writable ($m)"
	expect_eq "hello from tinypkg 1.0" "$("$d/bin/tinypkg-hello")" "the console script of $d"

	rm "$d/bin/activate"
	repaired VNV501 "$d"
	[ -f "$d/bin/activate" ] || fail "bin/activate of $d was not written again"

	rm "$d/bin/python3"
	repaired VNV109 "$d"
	"$d/bin/python3" -c 'import sys; assert sys.prefix != sys.base_prefix' ||
		fail "bin/python3 of $d does not run the environment"
}

# no_seed DIR NAME: the package of pip or setuptools deleted, its .dist-info
# (and pip's scripts) kept: VNV609, reinstalled from the wheel cache.
no_seed() {
	local d=$1 name=$2 site
	site=$(echo "$d"/lib/python3*/site-packages)
	[ -d "$site/$name" ] || fail "no $name package in $d"
	rm -rf "${site:?}/$name"
	expect_exit 1 "$VENV" check --severity error "$d"
	expect_match "VNV609" "$OUT" "$name's .dist-info without its package in $d"
	repaired VNV609 "$d"
	expect_match "$name [0-9.]+: reinstalled from the wheel cache \([0-9]+ changes\)" "$REPAIRED" \
		"the reinstall of $name in $d"
	"$d/bin/python" -c "import $name" || fail "$name does not import in $d"
}

# --- venv create: the seed distribution reinstalled, then the other damages -----
"$VENV" create -q -p "$py" vc || fail "venv create failed"
vc/bin/pip install -q "$whl" || fail "pip install failed in vc"
no_seed "$TMP/vc" pip
expect_match "^pip [0-9.]+ from $TMP/vc/lib/" "$(vc/bin/pip --version 2>&1)" "pip --version"
# setuptools, which venv create installs up to Python 3.11 and which has no scripts.
if [ -d "$(echo vc/lib/python3*/site-packages)/setuptools" ]; then
	no_seed "$TMP/vc" setuptools
fi
damage "$TMP/vc"
mv vc vc-moved
repaired VNV401 "$TMP/vc-moved"
made=$((made + 1))
# A pip of a version no wheel here has: the remaining problem says where it looked.
"$VENV" create -q -p "$py" vv || fail "venv create failed"
site=$(echo vv/lib/python3*/site-packages)
di=$(echo "$site"/pip-*.dist-info)
rm -rf "$site/pip"
mv "$di" "$site/pip-0.0.1.dist-info"
sed -i 's/^Version: .*/Version: 0.0.1/' "$site/pip-0.0.1.dist-info/METADATA"
expect_exit 1 "$VENV" repair -y vv
expect_match "bin/pip of pip 0.0.1 .*: not reinstalled: no wheel of pip 0.0.1 is in the wheel cache '$VENV_CACHE_DIR/wheels-v1', nor among the base interpreter's wheels \('/.*pip-.*\.whl'.*\) \[VNV609\]" \
	"$OUT" "the remaining problem of a pip no wheel has"

# --- pipx ------------------------------------------------------------------------
cd "$W"
if [ -e pipx.skip ]; then
	peer_skip pipx "$(cat pipx.skip)"
else
	d=$W/pipx/venvs/tinypkg
	expect_eq "hello from tinypkg 1.0" "$("$W/pipx-bin/tinypkg-hello")" "pipx's app"
	expect_exit 0 "$VENV" check "$d"
	damage "$d"
	mv "$W/pipx/venvs/tinypkg" "$W/pipx/venvs/moved"
	repaired VNV401 "$W/pipx/venvs/moved"
	made=$((made + 1))
fi

# --- pdm: its in-project .venv, moved with the project ------------------------------
if [ -e pdm.skip ]; then
	peer_skip pdm "$(cat pdm.skip)"
else
	d=$W/pdmproj/.venv
	expect_eq "hello from tinypkg 1.0" "$("$d/bin/tinypkg-hello")" "pdm's console script"
	expect_exit 0 "$VENV" check "$d"
	damage "$d"
	mv pdmproj pdmproj-moved
	repaired VNV401 "$W/pdmproj-moved/.venv"
	made=$((made + 1))
fi

# --- tox: a testenv (virtualenv's seeded pip), pip's package deleted too ----------------
if [ -e tox.skip ]; then
	peer_skip tox "$(cat tox.skip)"
else
	d=$W/toxproj/.tox/py
	expect_exit 0 "$VENV" check "$d"
	damage "$d"
	no_seed "$d" pip
	mv toxproj toxproj-moved
	repaired VNV401 "$W/toxproj-moved/.tox/py"
	made=$((made + 1))
fi

# --- virtualenv --symlink-app-data: its .dist-info are links into the app data -----------
if [ -e virtualenv.skip ]; then
	peer_skip virtualenv "$(cat virtualenv.skip)"
else
	expect_exit 0 "$VENV" check "$W/ve"
	damage "$W/ve"
	# pip's package was a link into the app data too: linked again.
	site=$(echo ve/lib/python3*/site-packages)
	[ -L "$site/pip" ] || fail "expected pip's package to be a link in a --symlink-app-data environment"
	rm "$site/pip"
	repaired VNV609 "$W/ve"
	[ -L "$site/pip" ] || fail "expected pip's package linked again"
	expect_match "^pip [0-9.]+ from " "$(ve/bin/pip --version 2>&1)" "pip --version of ve"
	mv ve ve-moved
	repaired VNV401 "$W/ve-moved"
	made=$((made + 1))
fi

[ "$made" -ge 2 ] || skip "only venv create could make an environment here"
echo ok
