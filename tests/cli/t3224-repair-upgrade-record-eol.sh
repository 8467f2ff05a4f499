#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12) writes each
# moved distribution's RECORD again with the line ends it had: pip writes
# csv's "\r\n", other installers (pdm, uv, installer) "\n". A RECORD whose
# line ends changed would still parse, but every tool that compares it
# byte for byte (a SBOM's hash of it, a diff in review) would see a change
# nobody made. check --verify-hashes is clean after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
cd "$TMP"
offline_pip

make_wheel "$p11" "$TMP/wheels" crlf 1.0 || fail "could not build crlf's wheel"
make_wheel "$p11" "$TMP/wheels" lf 1.0 || fail "could not build lf's wheel"
"$VENV" create -q -p "$p11" env || fail "venv create -p $p11 failed"
env/bin/pip install -q "$TMP"/wheels/*.whl || fail "pip install of the two wheels failed"
old=env/lib/python3.11/site-packages
grep -q $'\r$' "$old/crlf-1.0.dist-info/RECORD" || fail "expected pip to write RECORD with \\r\\n"
sed -i 's/\r$//' "$old/lf-1.0.dist-info/RECORD"

"$VENV" repair -q --upgrade -p "$p12" env >out 2>&1 ||
	fail "expected repair --upgrade to succeed, exit $?: $(cat out)"
new=env/lib/python3.12/site-packages
for d in crlf lf; do
	[ -f "$new/$d-1.0.dist-info/RECORD" ] || fail "expected $d moved to $new"
done
n=$(grep -c . "$new/crlf-1.0.dist-info/RECORD")
c=$(grep -c $'\r$' "$new/crlf-1.0.dist-info/RECORD")
[ "$n" -gt 2 ] && [ "$n" = "$c" ] ||
	fail "expected every line of crlf's RECORD to end in \\r\\n ($n lines), saw $c"
c=$(grep -c $'\r' "$new/lf-1.0.dist-info/RECORD")
[ "$c" = 0 ] || fail "expected lf's RECORD to keep its \\n line ends, saw $c lines with \\r"
grep -q '^\.\./\.\./\.\./bin/lf-hello,sha256=' "$new/lf-1.0.dist-info/RECORD" ||
	fail "expected lf's console script in its RECORD, saw: $(cat "$new/lf-1.0.dist-info/RECORD")"
"$VENV" check --verify-hashes env >out 2>&1 ||
	fail "expected check --verify-hashes to find no error, exit $?: $(cat out)"
grep -q "1 ok" out || fail "expected check to say ok, saw: $(cat out)"
exit 0
