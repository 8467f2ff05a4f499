#!/bin/bash
# What an error is (venv-diagnostics(7)): a finding is an error exactly when
# something the user runs or installed no longer works. Each case builds a
# real environment, breaks it the way the issue describes, and runs it
# (python, a console script, `source bin/activate`, an import) to prove the
# verdict `check --severity error` gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/home/.cache" XDG_CONFIG_HOME="$TMP/home/.config"
export XDG_DATA_HOME="$TMP/home/.local/share"
mkdir -p "$HOME"
py=$(py_of 3.12 || py_of 3.13 || py_of 3.11)
[ -n "$py" ] || skip "no Python 3.11+ interpreter found"
m=$(py_minor "$py")

errors_of() {
	"$VENV" check --no-progress --severity error -f json-lines "$1" 2>/dev/null |
		grep '"type":"diagnostic"'
}

# --- site-packages deleted: pip no longer runs -> error -----------------------------------
mk_ours nosite -p "$py"
"nosite/bin/pip" --version >/dev/null || fail "pip does not run to begin with"
rm -rf "nosite/lib/python$m/site-packages"
"nosite/bin/pip" --version >/dev/null 2>&1 && fail "pip still runs without site-packages"
expect_exit 1 "$VENV" check --severity error nosite
expect_match 'VNV111' "$OUT" "missing site-packages as an error"
SCRIPTS=pip agree nosite broken VNV111

# --- site-packages a link out of the environment: pip runs -> warning (VNV007) ----------
mk_ours linksite -p "$py"
mv "linksite/lib/python$m/site-packages" outside-site
ln -s "$TMP/outside-site" "linksite/lib/python$m/site-packages"
"linksite/bin/pip" --version >/dev/null || fail "pip does not run through the site-packages link"
expect_exit 0 "$VENV" check --severity error linksite
expect_exit 1 "$VENV" check linksite
expect_match "site-packages: warning: .*symbolic link.*VNV007" "$OUT" "the site-packages link as a warning"
# (pip runs from behind the link, which the oracle's "from inside" test does not admit.)

# --- bin/activate deleted -> error; activate.fish deleted -> warning ----------------------
mk_cpython "$py" noact
rm noact/bin/activate.fish
expect_exit 0 "$VENV" check --severity error noact
expect_exit 1 "$VENV" check noact
expect_match 'activate.fish.*VNV501' "$OUT" "a missing activate.fish as a warning"
rm noact/bin/activate
bash -c '. noact/bin/activate' >/dev/null 2>&1 && fail "sourcing a missing bin/activate worked"
expect_exit 1 "$VENV" check --severity error noact
expect_match "bin/activate: error: .*VNV501" "$OUT" "a missing bin/activate as an error"

# --- a FIFO as bin/activate or a command: sourcing blocks, running fails -> error; -------
# --- as another shell's activation script -> warning (as a missing one is) -------------
mk_cpython "$py" fifo
rm fifo/bin/activate fifo/bin/activate.fish
mkfifo fifo/bin/activate fifo/bin/activate.fish fifo/bin/mycmd
timeout 2 bash -c '. fifo/bin/activate' >/dev/null 2>&1 && fail "sourcing a FIFO bin/activate worked"
fifo/bin/mycmd >/dev/null 2>&1 && fail "running a FIFO in bin/ worked"
expect_exit 1 "$VENV" check --severity error fifo
expect_match "bin/activate: error: .*source bin/activate' blocks or fails \[VNV004" "$OUT" \
	"a FIFO bin/activate as an error"
expect_match "bin/mycmd: error: .*running it blocks or fails \[VNV004" "$OUT" "a FIFO command as an error"
case $OUT in *activate.fish*) fail "a FIFO activate.fish as an error: $OUT" ;; esac
expect_exit 1 "$VENV" check fifo
expect_match "activate.fish: warning: .*VNV004" "$OUT" "a FIFO activate.fish as a warning"

# --- a .pth line naming a missing directory: python runs -> warning, not error ----------
mk_cpython "$py" stray
echo "$TMP/never-there" >"stray/lib/python$m/site-packages/stray.pth"
stray/bin/python -c 'import sys' || fail "python does not run with a stray .pth line"
expect_exit 0 "$VENV" check --severity error stray
expect_exit 1 "$VENV" check stray
expect_match 'warning: .*VNV408' "$OUT" "a stray .pth line as a warning"
agree stray ok VNV408

# --- pyvenv.cfg not UTF-8 (3.11+): python stops -> error ---------------------------------
mk_cpython "$py" latin
printf 'prompt = caf\351\n' >>latin/pyvenv.cfg
latin/bin/python -c 'pass' >/dev/null 2>&1 && fail "python started with a non-UTF-8 pyvenv.cfg"
expect_exit 1 "$VENV" check --severity error latin
expect_match 'VNV202' "$OUT" "a non-UTF-8 pyvenv.cfg as an error"
agree latin broken VNV202

# --- venv create -p NEW over an OLD environment: both run, versions mixed -> warning ------
old=$(py_of 3.11)
new=$(py_of 3.12)
if [ -n "$old" ] && [ -n "$new" ]; then
	mk_ours mixed -p "$old" --without-pip
	"$VENV" create -q -p "$new" --without-pip mixed 2>/dev/null
	if [ "$(mixed/bin/python -c 'import sys; print(sys.version_info[1])')" = 11 ] &&
	   [ -e mixed/bin/python3.12 ]; then
		mixed/bin/python3.12 -c 'pass' || fail "python3.12 of the mixed environment does not run"
		expect_exit 1 "$VENV" check mixed
		expect_match "bin/python: warning: the environment mixes two versions: 'bin/python' runs Python 3.11" \
			"$OUT" "the mixed environment's wording"
		case $OUT in *"does not look there"*) fail "VNV114 misreads the mixed environment: $OUT" ;; esac
		expect_exit 0 "$VENV" check --severity error mixed
	fi
fi

# --- poetry: an in-project .venv with the project installed editable, project moved ------
if command -v poetry >/dev/null 2>&1; then
	mkdir -p proj/src/demopkg
	cat >proj/pyproject.toml <<'EOF'
[tool.poetry]
name = "demopkg"
version = "0.1.0"
description = ""
authors = ["t <t@example.invalid>"]
packages = [{ include = "demopkg", from = "src" }]

[tool.poetry.dependencies]
python = "^3.8"

[tool.poetry.scripts]
demo = "demopkg:main"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
EOF
	printf 'import sys\ndef main():\n    print("prefix=" + sys.prefix)\n    return 0\n' \
		>proj/src/demopkg/__init__.py
	if (cd proj && POETRY_VIRTUALENVS_IN_PROJECT=true timeout 300 poetry install -n >/dev/null 2>&1) &&
	   [ -x proj/.venv/bin/demo ]; then
		proj/.venv/bin/python -c 'import demopkg' || fail "the editable install does not import"
		expect_exit 0 "$VENV" check --severity error proj/.venv
		mv proj moved
		moved/.venv/bin/python -c 'import demopkg' >/dev/null 2>&1 &&
			fail "the editable install still imports after the move"
		errs=$(errors_of moved/.venv)
		expect_match '"code":"VNV414"' "$errs" "the editable install as an error"
		expect_match "rewrite the entry to '$TMP/moved/src'" "$errs" "the fix naming the new source"
		# The .pth written as the fix says makes it import again.
		pth=$(ls moved/.venv/lib/python3*/site-packages/demopkg.pth)
		echo "$TMP/moved/src" >"$pth"
		moved/.venv/bin/python -c 'import demopkg' || fail "the fix of VNV414 does not work"
		errs=$(errors_of moved/.venv)
		case $errs in *VNV414*) fail "VNV414 after the fix: $errs" ;; esac
	else
		echo "note: poetry could not install offline; poetry case not run"
	fi
fi

# --- virtualenv --symlink-app-data: links into the app data are not errors ---------------
if mk_virtualenv symapp --symlink-app-data; then
	# (pip lives behind a link into the app data, so the oracle's "pip runs from
	# inside the environment" test does not apply; pip must simply run.)
	symapp/bin/pip --version >/dev/null || fail "pip of --symlink-app-data does not run"
	agree symapp ok
	expect_exit 0 "$VENV" check --severity error symapp
fi
echo ok
