#!/bin/bash
# Plain `venv repair -y` on environments other tools made: a virtualenv made
# with --activators bash,python and moved (no fish or csh script appears), a
# virtualenv whose pyvenv.cfg was deleted, and poetry's in-project
# environment moved with its project (the editable install of the project
# follows). Each time check finds nothing after, and python, the console
# scripts and `source bin/activate` work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

/usr/bin/python3 -m virtualenv --version >/dev/null 2>&1 || skip "needs Debian's virtualenv"
cd "$TMP"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/home/.cache" XDG_CONFIG_HOME="$TMP/home/.config"
mkdir -p "$HOME"
unset PIP_FIND_LINKS

# virtualenv --activators bash,python, moved.
/usr/bin/python3 -m virtualenv -q --activators bash,python src-va >/dev/null 2>&1 ||
	fail "virtualenv failed"
mv src-va va
repaired VNV401 "$TMP/va"
for s in activate.fish activate.csh activate.nu Activate.ps1 activate.ps1; do
	[ -e "va/bin/$s" ] && fail "expected no bin/$s in a virtualenv made with bash,python"
done
va/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix' || fail "python of va"

# virtualenv without pyvenv.cfg: written again from the interpreter link, its keys kept.
/usr/bin/python3 -m virtualenv -q vc >/dev/null 2>&1 || fail "virtualenv failed"
rm vc/pyvenv.cfg
repaired VNV102 "$TMP/vc"

# poetry's in-project environment, moved with its project.
if command -v poetry >/dev/null; then
	mkdir -p proj/src/mymod
	printf 'def hello():\n    print("hello from mymod")\n' >proj/src/mymod/__init__.py
	cat >proj/pyproject.toml <<'EOF'
[tool.poetry]
name = "mymod"
version = "0.1.0"
description = ""
authors = ["T <t@example.com>"]
packages = [{ include = "mymod", from = "src" }]

[tool.poetry.dependencies]
python = "^3.8"

[tool.poetry.scripts]
mymod-hello = "mymod:hello"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
EOF
	(cd proj && POETRY_VIRTUALENVS_IN_PROJECT=true PIP_NO_INDEX=1 \
		timeout 300 poetry install --no-interaction >/dev/null 2>&1) ||
		fail "poetry install failed"
	expect_eq "hello from mymod" "$(proj/.venv/bin/mymod-hello)" "poetry's console script"
	mv proj proj-moved
	# poetry's editable install (direct_url.json "editable", its .pth in RECORD):
	# the source it names is gone, an error (VNV414), fixed by following the move.
	repaired VNV414 "$TMP/proj-moved/.venv"
	expect_eq "hello from mymod" "$(proj-moved/.venv/bin/mymod-hello)" \
		"the console script of the moved project"
	out=$(proj-moved/.venv/bin/python -c 'import mymod; print(mymod.__file__)')
	expect_eq "$TMP/proj-moved/src/mymod/__init__.py" "$out" "the editable install"
else
	echo "note: poetry is not installed; its case is skipped"
fi
echo ok
