#!/bin/bash
# lib/pythonX.Y of a real environment (python -m venv) made a symbolic link
# to a directory outside it, where its packages now are: the interpreter
# still imports them through the link, so check must not say that
# site-packages "is missing" (VNV111, fix "create" it, which was said) but
# that the link was not followed (VNV007), as it says of a lib/ that is a
# link; and nothing outside is changed by check or by repair. list does
# not follow it either, and says so (exit 2).
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$py" -m venv e
lib=$(cd e && echo lib/python3.*)
mv "e/$lib" outside
ln -s "$TMP/outside" "e/$lib"
expect_exit 0 e/bin/python -c 'import pip, sys; print(pip.__file__)'
expect_match "^$TMP/e/$lib/site-packages/pip/__init__\\.py\$" "$OUT" "where pip is imported from"
before=$(cd outside && find . -printf '%p %s %T@\n' | LC_ALL=C sort)

expect_exit 1 "$VENV" check e
expect_match "^e/$lib: warning: '$lib' is a symbolic link; not followed, its site-packages not inspected \\[VNV007 " \
	"$OUT" "the link"
if printf '%s' "$OUT" | grep -q VNV111; then
	fail "expected no 'missing site-packages' for a link, saw: $OUT"
fi
expect_exit 0 "$VENV" repair e
expect_match "! '$lib' is a symbolic link" "$OUT" "repair's remaining problem"
[ "$before" = "$(cd outside && find . -printf '%p %s %T@\n' | LC_ALL=C sort)" ] ||
	fail "expected nothing outside the environment changed"
[ -L "e/$lib" ] || fail "expected the link kept"

# list reads the environment as check does: the link is not followed, and
# said (list read pip from outside through it).
for fmt in text json; do
	expect_exit 2 "$VENV" list --format $fmt e
	expect_match "^venv: error: cannot list 'e': its $lib is a symbolic link; not followed\$" \
		"$ERR" "list's error for the link ($fmt)"
	if printf '%s' "$OUT" | grep -q '"pip"\|  pip '; then
		fail "expected pip not listed through the link ($fmt), saw: $OUT"
	fi
done

# A lib/pypyX.Y link is said too: the model keeps the first link in lib/'s
# order, and list skipped a PyPy one, so that one before a lib/pythonX.Y
# link hid it (nothing listed, exit 0).
mkdir -p p/lib
echo 'home = /usr/bin' >p/pyvenv.cfg
ln -s "$TMP/outside" p/lib/pypy3.10
expect_exit 2 "$VENV" list p
expect_match "^venv: error: cannot list 'p': its lib/pypy3\\.10 is a symbolic link; not followed\$" \
	"$ERR" "list's error for a lib/pypyX.Y link"

# lib/ itself a link to a directory, or a file: said as what it is (a link
# was "cannot open 'l/lib': Not a directory", the errno of O_NOFOLLOW).
mkdir l f
cp p/pyvenv.cfg l/ && cp p/pyvenv.cfg f/
ln -s "$TMP/e/lib" l/lib
: >f/lib
expect_exit 2 "$VENV" list l f
expect_match "^venv: error: cannot list 'l': its lib is a symbolic link; not followed\$" "$ERR" \
	"list's error for a lib/ link"
expect_match "^venv: error: cannot list 'f': its lib is a regular file, not a directory\$" "$ERR" \
	"list's error for a lib/ file"
echo ok
