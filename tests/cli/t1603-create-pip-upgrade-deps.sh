#!/bin/bash
# --upgrade-deps after the fast pip install runs the environment's own pip,
# offline here: PIP_NO_INDEX=1 and PIP_FIND_LINKS pointing at a newer pip
# wheel, taken from another CPython of the machine. pip's progress is shown.
. "$(dirname "$0")/lib.sh"
cd "$TMP"
mkdir links
# bundled_pip PY: the pip wheel ensurepip of PY would install.
bundled_pip() {
	"$1" -I -c '
import ensurepip, glob, os
d = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
w = sorted(glob.glob(os.path.join(d, "pip-*.whl"))) or sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))
print(w[-1] if w else "")' 2>/dev/null
}
# The environment's Python: one without setuptools (3.12+) with the oldest
# bundled pip; the wheel: the newest pip bundled anywhere.
env_py= env_ver= new_whl= new_ver=
for py in $(find_pythons); do
	whl=$(bundled_pip "$py")
	[ -n "$whl" ] || continue
	ver=$(basename "$whl" | cut -d- -f2)
	if [ -z "$new_ver" ] || [ "$(printf '%s\n%s\n' "$new_ver" "$ver" | sort -V | tail -n 1)" = "$ver" ]; then
		new_ver=$ver new_whl=$whl
	fi
	minor=$(py_minor "$py")
	[ "${minor#3.}" -ge 12 ] || continue
	if [ -z "$env_ver" ] || [ "$(printf '%s\n%s\n' "$env_ver" "$ver" | sort -V | head -n 1)" = "$ver" ]; then
		env_ver=$ver env_py=$py
	fi
done
[ -n "$env_py" ] || skip "no Python 3.12 or later with a bundled pip"
[ "$env_ver" != "$new_ver" ] || skip "no pip wheel newer than $env_ver on this machine"
cp "$new_whl" links/
PIP_NO_INDEX=1 PIP_FIND_LINKS="$TMP/links" "$VENV" create --upgrade-deps -p "$env_py" env \
	>out 2>err || fail "venv create --upgrade-deps failed: $(cat err)"
grep -q "Successfully installed pip-$new_ver" err ||
	fail "expected pip's progress on stderr, saw: $(cat err)"
out=$(env/bin/pip --version 2>&1) || fail "pip --version failed after the upgrade: $out"
expect_match "^pip $new_ver from $TMP/env/" "$out" "pip --version after --upgrade-deps"
out=$(env/bin/python -m pip check 2>&1) || fail "pip check failed: $out"
left=$(ls env/lib/python3.*/site-packages | grep "^pip-$env_ver" || true)
[ -z "$left" ] || fail "expected the old pip's metadata to be gone, saw: $left"
# The old pip's files were links into the wheel cache; pip removed them by
# unlinking, so the cache is intact and the next environment uses it.
"$VENV" create -v -p "$env_py" env2 >out 2>err || fail "venv create failed after the upgrade: $(cat err)"
grep -q "modified" err && fail "expected the wheel cache to be intact, saw: $(cat err)"
out=$(env2/bin/pip --version 2>&1)
expect_match "^pip $env_ver " "$out" "pip --version in a new environment"
echo "upgraded pip $env_ver to $new_ver"
