#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12) writes each
# moved distribution's RECORD again with the line ends it had: pip writes
# csv's "\r\n", other installers (pdm, uv, installer) "\n". A RECORD whose
# line ends changed would still parse, but every tool that compares it
# byte for byte (a SBOM's hash of it, a diff in review) would see a change
# nobody made. check --verify-hashes is clean after.
#
# The console scripts written again come from the one model of installed
# distributions (common/dist.c: entry_points.txt as importlib.metadata, and
# so pip, reads it), never from a reader of repair's own: lf's file holds
# what importlib.metadata reads and pip's strict reading refused (a
# no-break space before "=", an unclosed "[" line in another group), and
# its script is written for 3.12. One that names a script out of bin/ or
# over the interpreter is refused: nothing is written, the upgrade is
# rolled back, and the error names the distribution.
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

# set_entry_points DIST BYTES: DIST's entry_points.txt, its RECORD row kept true.
set_entry_points() {
	"$p11" - "$old/$1-1.0.dist-info" "$2" <<'PYEOF' || fail "could not write $1's entry_points.txt"
import base64, hashlib, sys
d, text = sys.argv[1], sys.argv[2].encode("utf-8").decode("unicode_escape").encode("latin-1")
open(d + "/entry_points.txt", "wb").write(text)
h = base64.urlsafe_b64encode(hashlib.sha256(text).digest()).rstrip(b"=").decode()
rec = open(d + "/RECORD", "rb").read().decode()
out = []
for line in rec.splitlines(True):
    if line.split(",")[0].endswith("/entry_points.txt"):
        eol = line[len(line.rstrip("\r\n")):]
        line = "%s,sha256=%s,%d%s" % (line.split(",")[0], h, len(text), eol)
    out.append(line)
open(d + "/RECORD", "wb").write("".join(out).encode())
PYEOF
}

# Unsafe names: refused, nothing written out of bin/ or over python3, all put back.
cp "$old/crlf-1.0.dist-info/entry_points.txt" "$old/crlf-1.0.dist-info/RECORD" .
for bad in '../../evil' 'python3'; do
	set_entry_points crlf "[console_scripts]\\ncrlf-hello = crlf:hello\\n$bad = crlf:hello\\n"
	snap=$(tree_listing env)
	expect_exit 2 "$VENV" repair -q --upgrade -p "$p12" env
	expect_match "crlf 1\\.0 \\(crlf-1\\.0\\.dist-info\\): entry_points\\.txt: refusing the script name '${bad//./\\.}'" \
		"$ERR" "the refusal of '$bad'"
	expect_eq "$snap" "$(tree_listing env)" "the environment after refusing '$bad'"
	[ ! -e evil ] && [ ! -e env/evil ] || fail "expected nothing written for '$bad'"
done
cp entry_points.txt RECORD "$old/crlf-1.0.dist-info/"
# What importlib.metadata reads and pip's strict reading refused (U+00A0 is white space to Python).
set_entry_points lf "[console_scripts]\\nlf-hello\\xc2\\xa0= lf:hello\\n[lf.plugins]\\n[draft = lf:hello\\n"

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
expect_eq "hello from lf 1.0" "$(env/bin/lf-hello)" "lf's console script after the upgrade"
head -n 1 env/bin/lf-hello | grep -q "python3\.11" && fail "expected lf-hello written for 3.12: $(head -n 1 env/bin/lf-hello)"
grep -q '^\.\./\.\./\.\./bin/lf-hello,sha256=' "$new/lf-1.0.dist-info/RECORD" ||
	fail "expected lf's console script in its RECORD, saw: $(cat "$new/lf-1.0.dist-info/RECORD")"
"$VENV" check --verify-hashes env >out 2>&1 ||
	fail "expected check --verify-hashes to find no error, exit $?: $(cat out)"
grep -q "1 ok" out || fail "expected check to say ok, saw: $(cat out)"

# Moved: crlf's RECORD follows its rewritten script with its \r\n, and a
# line break inside a quoted path (csv allows it) stays as it was.
"$p12" - "$new" <<'PYEOF' || fail "could not add a file with a line break in its name"
import base64, csv, hashlib, sys
site = sys.argv[1]
name = "crlf/new\nline.py"
open(site + "/" + name, "wb").write(b"x = 1\n")
h = base64.urlsafe_b64encode(hashlib.sha256(b"x = 1\n").digest()).rstrip(b"=").decode()
with open(site + "/crlf-1.0.dist-info/RECORD", "a", newline="") as f:
    csv.writer(f).writerow([name, "sha256=" + h, 6])
PYEOF
mv env moved
expect_exit 0 "$VENV" repair -q moved
new=moved/lib/python3.12/site-packages
"$p12" - "$new/crlf-1.0.dist-info/RECORD" <<'PYEOF' || fail "expected crlf's RECORD to keep the quoted line break: $(od -c "$new/crlf-1.0.dist-info/RECORD" | tail -n 5)"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
sys.exit(0 if any(r[0] == "crlf/new\nline.py" for r in rows) else 1)
PYEOF
"$VENV" check --verify-hashes moved >out 2>&1 ||
	fail "expected check --verify-hashes to find no error after the move, exit $?: $(cat out)"
exit 0
