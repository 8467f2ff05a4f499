#!/bin/bash
# check's audit rules (issue 13) on real environments with packages built
# here and installed by the real pip, offline:
#  - a file modified and one truncated, both keeping their size: plain
#    check sees nothing, --verify-hashes (any -j) and --strict report each
#    as VNV604, and agree with a Python RECORD verifier (importlib.metadata
#    + hashlib, tests/helpers/record-verify.py); hashes in wrong encodings
#    are VNV602 findings, never a crash; a FIFO and links where RECORD
#    lists files are reported, never read; -j 1, 2 and 4 find the same;
#  - files no distribution owns: one VNV610 info per environment with the
#    count, bytecode Python wrote not counted;
#  - sitecustomize: unowned a warning (VNV611), owned by a distribution an
#    info, and Python really imports it;
#  - hard links shared by two environments (venv create --link-mode
#    hardlink, and pip's wheel cache): one VNV612 info each, none with copies.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
mk() { "$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/w" "$@" >/dev/null || fail "make-wheel $*"; }
mk demo-a 1.0 'Requires-Dist: b.pkg'
mk b.pkg 1.5
mk c 2.0
mk sitecustomize 1.0
pipi() { expect_exit 0 "$1/bin/python" -m pip install -q --no-index --no-deps "${@:2}"; }
count() { printf '%s\n' "$2" | grep -c -- "$1"; }

# 1. Integrity: same-size edits only the hashes catch.
env="$TMP/e1"
expect_exit 0 "$VENV" create -q -p "$py" "$env"
pipi "$env" "$TMP/w"/demo_a-*.whl "$TMP/w"/b_pkg-*.whl "$TMP/w"/c-*.whl
site=$(echo "$env"/lib/python3.*/site-packages)
expect_exit 0 "$VENV" check --verify-hashes "$env"
expect_exit 0 "$VENV" check --strict "$env"
"$py" -I "$TOP/tests/helpers/record-verify.py" "$site" >/dev/null ||
	fail "expected the Python verifier to find a fresh environment clean"
# One byte changed; a file cut short and padded back to its size with zeros.
f="$site/demo_a/__init__.py"
size=$(stat -c %s "$f")
"$py" -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[3] ^= 0x20; open(p, "wb").write(b)' "$f"
g="$site/b_pkg/__init__.py"
gsize=$(stat -c %s "$g")
truncate -s 5 "$g" && truncate -s "$gsize" "$g"
expect_eq "$size" "$(stat -c %s "$f")" "the size of the modified file"
expect_eq "$gsize" "$(stat -c %s "$g")" "the size of the truncated file"
# Sizes agree: without hashes nothing is found.
expect_exit 0 "$VENV" check "$env"
expect_exit 0 "$VENV" check --select VNV6 --severity info "$env"
for j in 1 3; do
	expect_exit 1 "$VENV" check --verify-hashes -j "$j" --select VNV6 "$env"
	expect_eq 2 "$(count 'VNV604' "$OUT")" "VNV604 findings with -j $j"
	expect_match "demo_a/__init__.py' of demo-a 1.0 was modified: its sha256 is .*, RECORD says" \
		"$OUT" "the finding for the modified file"
	expect_match "b_pkg/__init__.py' of b.pkg 1.5 was modified" "$OUT" "the finding for the truncated file"
done
expect_exit 1 "$VENV" check --strict --format json "$env"
printf '%s' "$OUT" | "$py" -c '
import json, sys
d = json.load(sys.stdin)["diagnostics"]
got = sorted("modified " + x["file"].split("site-packages/", 1)[1] for x in d if x["code"] == "VNV604")
print("\n".join(got))' >"$TMP/got"
"$py" -I "$TOP/tests/helpers/record-verify.py" "$site" >"$TMP/want"
[ $? -eq 1 ] || fail "expected the Python verifier to find the edits"
cmp -s "$TMP/want" "$TMP/got" || fail "expected venv check --strict and the Python verifier to agree: $(diff "$TMP/want" "$TMP/got")"
# Hashes RECORD should not hold: hex, standard base64, another algorithm.
rec=$(echo "$site"/c-2.0.dist-info/RECORD)
hex=$(sha256sum "$site/c/__init__.py" | cut -d' ' -f1)
sed -i "s|^c/__init__.py,sha256=[^,]*,|c/__init__.py,sha256=$hex,|" "$rec"
sed -i 's|^\(c-2.0.dist-info/METADATA\),sha256=[^,]*,|\1,md5=kAFQmDzST7DWlj99KOF_cg,|' "$rec"
sed -i 's|^\(c-2.0.dist-info/WHEEL\),sha256=\([^,]*\)-\([^,]*\),|\1,sha256=\2+\3,|' "$rec"
sed -i 's|^\(c-2.0.dist-info/WHEEL\),sha256=\([^,]*\)_\([^,]*\),|\1,sha256=\2/\3,|' "$rec"
expect_exit 0 "$VENV" check "$env"
expect_exit 1 "$VENV" check --verify-hashes --select VNV602 "$env"
expect_match "c/__init__.py' the hash 'sha256=$hex': the sha256 digest is hexadecimal" "$OUT" "the hex hash finding"
expect_match "the hash algorithm 'md5' is not sha256" "$OUT" "the md5 finding"
grep -q "^c-2.0.dist-info/WHEEL,sha256=.*[+/]" "$rec" &&
	expect_match "WHEEL' the hash .*standard base64" "$OUT" "the standard base64 finding"
expect_eq 3 "$(count 'VNV602' "$OUT")" "VNV602 findings (hex, md5, standard base64)"
# Files RECORD lists replaced by a FIFO, a link out, and a directory reached
# through a link out: never read, each reported; and hashing while the walk
# goes on (-j 2 and more) finds exactly what one thread finds.
pipdir="$site/pip"
rm "$pipdir/__main__.py" && mkfifo "$pipdir/__main__.py"
echo 'SECRET = 1' >"$TMP/outside.py"
rm "$pipdir/py.typed" && ln -s "$TMP/outside.py" "$pipdir/py.typed"
mv "$pipdir/_vendor/idna" "$TMP/idna" && ln -s "$TMP/idna" "$pipdir/_vendor/idna"
expect_exit 1 timeout 60 "$VENV" check --strict -j 1 "$env"
one=$OUT
expect_match "pip/__main__.py: warning: .*is a named pipe \\(FIFO\\)" "$OUT" "the FIFO finding"
expect_match "pip/py.typed' of pip .* is a symbolic link; not followed" "$OUT" "the link finding"
expect_match "pip/_vendor/idna/__init__.py' of pip .* is reached through a symbolic link out of" \
	"$OUT" "the finding for a file below a link out"
for j in 2 4; do
	expect_exit 1 timeout 60 "$VENV" check --strict -j "$j" "$env"
	[ "$OUT" = "$one" ] || fail "expected check --strict -j $j to find what -j 1 finds: $(diff <(echo "$one") <(echo "$OUT"))"
done

# 2. Unowned files and sitecustomize.
env2="$TMP/e2"
expect_exit 0 "$VENV" create -q -p "$py" "$env2"
pipi "$env2" "$TMP/w"/demo_a-*.whl "$TMP/w"/b_pkg-*.whl
site2=$(echo "$env2"/lib/python3.*/site-packages)
# Python writes bytecode: never counted.
expect_exit 0 "$env2/bin/python" -c 'import demo_a, b_pkg, pip'
ls "$site2"/demo_a/__pycache__/*.pyc >/dev/null 2>&1 || fail "expected Python to write bytecode"
expect_exit 0 "$VENV" check --select VNV610 --severity info "$env2"
echo 'SECRET = 1' >"$site2/local_settings.py"
mkdir -p "$site2/vendored/sub"
echo x >"$site2/vendored/a.py"
echo y >"$site2/vendored/sub/b.py"
echo z >"$site2/demo_a/extra.dat"
expect_exit 0 "$VENV" check "$env2"       # an info: below the default threshold
expect_exit 1 "$VENV" check --severity info --select VNV610 "$env2"
expect_eq 1 "$(count 'VNV610' "$OUT")" "VNV610 findings (one per environment)"
expect_match "site-packages: info: 4 files under site-packages belong to no installed distribution: demo_a/extra.dat, local_settings.py, vendored/ \(2 files\)" \
	"$OUT" "the unowned-files finding"
expect_exit 1 "$VENV" check --strict "$env2"
expect_match "VNV610" "$OUT" "--strict's findings"
expect_exit 0 "$VENV" check --strict --severity warning "$env2"
# An unowned sitecustomize runs at every start: a warning.
echo 'import os; os.environ["AUDIT_MARK"] = "ran"' >"$site2/sitecustomize.py"
expect_exit 0 "$env2/bin/python" -c 'import os; assert os.environ.get("AUDIT_MARK") == "ran"'
expect_exit 1 "$VENV" check "$env2"
expect_match "sitecustomize.py: warning: .*runs at every start-up and no distribution's RECORD lists it \[VNV611 customize-module\]" \
	"$OUT" "the unowned sitecustomize finding"
rm "$site2/sitecustomize.py"
echo 'pass' >"$site2/usercustomize.py"
expect_exit 1 "$VENV" check --select VNV611 "$env2"
expect_match "usercustomize.py' runs at every start-up when the user site is enabled" "$OUT" "usercustomize"
rm "$site2/usercustomize.py"
# One a distribution installed (a package here): an info naming it, and Python imports it.
pipi "$env2" "$TMP/w"/sitecustomize-*.whl
expect_exit 0 "$env2/bin/python" -c 'import sys; assert "sitecustomize" in sys.modules, sorted(sys.modules)'
expect_exit 0 "$VENV" check --select VNV611 "$env2"
expect_exit 1 "$VENV" check --select VNV611 --severity info "$env2"
expect_match "site-packages/sitecustomize: info: .*runs at every start-up \(installed by sitecustomize 1.0\)" \
	"$OUT" "the owned sitecustomize finding"

# 3. Hard links: two environments that share pip's files with the wheel cache.
expect_exit 0 "$VENV" create -q --link-mode hardlink -p "$py" "$TMP/h1"
expect_exit 0 "$VENV" create -q --link-mode hardlink -p "$py" "$TMP/h2"
h1site=$(echo "$TMP"/h1/lib/python3.*/site-packages)
h2site=$(echo "$TMP"/h2/lib/python3.*/site-packages)
[ "$(stat -c %i "$h1site/pip/__init__.py")" = "$(stat -c %i "$h2site/pip/__init__.py")" ] ||
	skip "venv create --link-mode hardlink made copies here (file system without links?)"
nfiles=$(find "$h1site" -type f -links +1 | wc -l)
[ "$nfiles" -gt 100 ] || fail "expected pip's files to be hard links, saw $nfiles"
for e in "$TMP/h1" "$TMP/h2"; do
	expect_exit 1 "$VENV" check --severity info --select VNV612 "$e"
	expect_eq 1 "$(count 'VNV612' "$OUT")" "VNV612 findings in $e"
	expect_match "info: [0-9]+ files of installed distributions have other hard links \(first: .*\): an edit made in place here also changes them" \
		"$OUT" "the shared-hard-links finding"
	n=$(printf '%s' "$OUT" | sed -n 's/.*info: \([0-9]*\) files of installed.*/\1/p')
	# RECORD lists the files pip owns; bytecode is not linked.
	[ "$n" -ge 100 ] && [ "$n" -le "$nfiles" ] || fail "expected about $nfiles linked files, saw $n"
done
# What the note is about: an edit in one shows in the other, and both checks catch it.
echo '# edited in h1' >>"$h1site/pip/__init__.py"
tail -n 1 "$h2site/pip/__init__.py" | grep -q 'edited in h1' || fail "expected the edit to show in h2"
expect_exit 1 "$VENV" check --select VNV604 "$TMP/h2"
# Copies (the default) share nothing.
expect_exit 0 "$VENV" check --severity info --select VNV612 "$env2"
# The rules are in the registry.
for code in VNV610 VNV611 VNV612; do
	expect_exit 0 "$VENV" check --explain "$code"
done
exit 0
