#!/bin/bash
# check on distributions tampered with after pip installed them (security.md
# §0: everything inside the environment is untrusted), in a real
# environment (python -m venv, a wheel built here, installed by the real
# pip, offline). A module RECORD lists replaced by a link out of the
# environment (the module then runs from there) is VNV007 without
# --verify-hashes too, and once with it (check said "ok"); one replaced by
# a directory is VNV604 (check said "ok", with --verify-hashes too). A
# METADATA that cannot be used (over the cap, a directory, a link, without
# Name) is VNV006 (check said nothing; list leaves the distribution out);
# a missing one stays VNV603 alone (a warning; a missing module is an error). A RECORD row with a NUL byte is VNV602
# (its path was cut at the NUL: "demo/" taken for a file), and repair of the
# moved environment leaves that RECORD byte for byte (it wrote the cut row
# back); one with a field over 4096 bytes says so, with its line. Repair of a moved environment whose METADATA has no Name still
# makes that distribution's RECORD follow its rewritten console script (it
# left it, so that the repair itself made bin/demo-cli VNV604). A module
# made a 50 GB sparse file is its size (VNV604), and --verify-hashes -j 2
# does not read it (the early hashing read the whole of it: minutes).
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | grep -v '/usr/bin' | tail -n 1)
[ -n "$py" ] || skip "no CPython found"
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/xdg" PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
unset PIP_FIND_LINKS
cd "$TMP" || fail "cannot enter $TMP"
mkdir -p "$HOME" w
expect_exit 0 "$py" -m venv orig
"$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/w" demo 1.0 >/dev/null || fail "make-wheel demo"
expect_exit 0 orig/bin/python -m pip install -q --no-index --no-deps "$TMP/w"/demo-1.0-py3-none-any.whl
expect_exit 0 "$VENV" check orig
rel=$(cd orig && echo lib/python3.*/site-packages)
mod=$rel/demo/__init__.py
meta=$rel/demo-1.0.dist-info/METADATA

# fresh: a copy of the environment as e (check also says it was copied).
fresh() {
	rm -rf e && cp -a orig e || fail "cannot copy the environment"
}
count() { printf '%s\n' "$OUT" | grep -c "$1"; }

echo 'print("from outside")' >outside.py
fresh link
rm "e/$mod" && ln -s "$TMP/outside.py" "e/$mod"
expect_exit 0 e/bin/python -c 'import demo'
expect_eq "from outside" "$OUT" "what the module runs"
expect_exit 1 "$VENV" check e
expect_match "e/$mod: warning: '$mod' of demo 1\\.0 is a symbolic link; not followed.*\\[VNV007 " "$OUT" \
	"the module replaced by a link"
expect_exit 1 "$VENV" check --verify-hashes e
expect_eq 1 "$(count "$mod.*VNV007")" "how often the link is reported with --verify-hashes ($OUT)"

fresh dir
rm "e/$mod" && mkdir "e/$mod"
for opt in --severity=warning --verify-hashes; do
	expect_exit 1 "$VENV" check $opt e
	expect_match "e/$mod: warning: '$mod' of demo 1\\.0 is a directory, RECORD lists a file \\[VNV604 " \
		"$OUT" "the module replaced by a directory ($opt)"
done

# A missing module breaks its import (the README's rule for errors): VNV603
# as an error that names the module; missing metadata stays a warning
# (below). It was a warning for both.
fresh nomod
rm "e/$mod"
expect_exit 0 orig/bin/python -c 'from demo import main'
expect_exit 1 e/bin/python -c 'from demo import main'
expect_exit 1 "$VENV" check --severity=error e
expect_match "e/$mod: error: '$mod' of demo 1\\.0 is missing: its module 'demo' no longer works \\[VNV603 " \
	"$OUT" "the missing module"

for kind in big dir link noname missing; do
	fresh "m$kind"
	rm "e/$meta"
	case $kind in
	big) { printf 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: '
	       head -c 5000000 /dev/zero | tr '\0' x; printf '\n'; } >"e/$meta" ;;
	dir) mkdir "e/$meta" ;;
	link) ln -s /etc/hostname "e/$meta" ;;
	noname) printf 'Metadata-Version: 2.1\nVersion: 1.0\n' >"e/$meta" ;;
	esac
	expect_exit 1 "$VENV" check e
	if [ $kind = missing ]; then
		[ "$(count VNV006)" = 0 ] || fail "expected no VNV006 for a missing METADATA, saw: $OUT"
		expect_match "e/$meta: warning: .* is missing \\[VNV603 " "$OUT" "a missing METADATA"
	else
		expect_eq 1 "$(count "e/$meta: warning: the metadata of demo-1\\.0\\.dist-info cannot be used: .*\\[VNV006 ")" \
			"how often the METADATA ($kind) is reported as VNV006 ($OUT)"
	fi
done

fresh
rec=$(echo e/"$rel"/demo-1.0.dist-info/RECORD)
printf 'demo/\0evil.py,sha256=AAAA,1\n' >>"$rec"
cp "$rec" record.before
expect_exit 1 "$VENV" check e
expect_match "warning: demo-1\\.0\\.dist-info/RECORD: RECORD line [0-9]+: a NUL byte \\[VNV602 " "$OUT" \
	"a RECORD with a NUL byte"
if printf '%s' "$OUT" | grep -q 'is a directory'; then
	fail "expected the row not cut at its NUL, saw: $OUT"
fi
expect_exit 0 "$VENV" repair -q e
cmp -s record.before "$rec" || fail "expected the RECORD with a NUL byte unchanged by repair, saw: $(cat -v "$rec")"
# A field over the cap says which cap and where (it said only "data
# exceeds the limit of 4096 bytes"), for check and for repair.
{ sed '$d' record.before; printf 'demo/%s.py,,\n' "$(head -c 5000 /dev/zero | tr '\0' a)"; } >"$rec"
n=$(wc -l <"$rec")
expect_exit 1 "$VENV" check e
expect_match "warning: demo-1\\.0\\.dist-info/RECORD: RECORD line $n: a field longer than 4096 bytes \\[VNV602 " \
	"$OUT" "a RECORD with a field over the cap"
expect_exit 0 "$VENV" repair --dry-run e
expect_match "demo-1\\.0\\.dist-info/RECORD: RECORD line $n: a field longer than 4096 bytes \\[VNV602\\]" \
	"$OUT" "repair's remaining problem"

fresh
[ -f e/bin/demo-cli ] || fail "expected pip to have installed bin/demo-cli"
printf 'Metadata-Version: 2.1\nSummary: no name\n' >"e/$meta"
expect_exit 0 "$VENV" repair -q e
expect_exit 1 "$VENV" check e
expect_match "VNV006 " "$OUT" "the METADATA without Name"
if printf '%s' "$OUT" | grep -q 'bin/demo-cli.*VNV604'; then
	fail "expected the RECORD to follow the rewritten bin/demo-cli, saw: $OUT"
fi

fresh
truncate -s 50G "e/$mod" || skip "cannot make a sparse file"
expect_exit 1 timeout 60 "$VENV" check --verify-hashes -j 2 e
expect_match "e/$mod: warning: '$mod' of demo 1\\.0 has 53687091200 bytes, RECORD says [0-9]+ \\[VNV604 " \
	"$OUT" "the sparse giant"
echo ok
