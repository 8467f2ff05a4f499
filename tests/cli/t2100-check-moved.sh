#!/bin/bash
# Moved and renamed environments, from every creator: python -m venv of
# every version (symlinks and copies), virtualenv with pip, venv create with
# pip. The interpreter still starts (pyvenv.cfg only names the base), but
# activation points at the old place and every console script's #! line
# names an interpreter that is gone: check must say relocated-environment
# and shebang-old-location, and the oracle must find the environment broken.
# Moving it back makes both agree it is healthy again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

[ -n "$PYTHONS" ] || skip "no Python interpreters found"
cd "$TMP" || fail "cannot enter $TMP"

n=0
for py in $PYTHONS; do
	m=$(py_minor "$py")
	n=$((n + 1))
	for kind in sym copies; do
		if [ $kind = copies ]; then mk_cpython "$py" "a$n-$kind" --copies; else mk_cpython "$py" "a$n-$kind"; fi
		add_demo "a$n-$kind" "$m"
		mv "a$n-$kind" "b$n-$kind"
		SCRIPTS=demo agree "b$n-$kind" broken VNV401 VNV404
		# The finding names the file and line of the assignment.
		echo "$CHK" | grep -q "\"file\":\"b$n-$kind/bin/activate\",\"line\":[1-9]" ||
			fail "expected bin/activate with a line number, saw: $CHK"
		mv "b$n-$kind" "a$n-$kind"
		SCRIPTS=demo agree "a$n-$kind" ok
	done
done

# virtualenv: real pip, wheel console scripts, and an activate.nu.
if mk_virtualenv ve; then
	mv ve ve-moved
	SCRIPTS=pip agree ve-moved broken VNV401 VNV404
	has_code VNV401 && echo "$CHK" | grep -q 'bin/activate.nu' ||
		fail "expected activate.nu to be read, saw: $CHK"
fi

# venv create with pip (pip installed by venv itself).
py=$(py_any)
if "$VENV" create -q -p "$py" ours 2>/dev/null && [ -x ours/bin/pip ]; then
	SCRIPTS=pip agree ours ok
	mv ours ours-moved
	SCRIPTS=pip agree ours-moved broken VNV401 VNV404
fi

# A move within the same parent through a symbolic link to the parent is
# not a move: the recorded path still names this directory.
mk_cpython "$py" real-env
ln -s "$TMP" parent-link
agree parent-link/real-env ok

# Renamed to a path with a ':' (the PATH separator): activation cannot work.
mk_cpython "$py" sep-src
mv sep-src 'odd:name'
agree 'odd:name' broken VNV411
echo ok
