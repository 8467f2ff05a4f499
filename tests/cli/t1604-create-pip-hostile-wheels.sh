#!/bin/bash
# Hostile wheels made here are refused by the fast pip installer with a
# clear error, and nothing is written outside the target (security.md
# WHL-01..09, WHL-11; WHL-03 is the unknown .data scheme): neither through
# the wheel cache nor when unpacking directly (no cache). A setuid bit is
# dropped, not refused (WHL-06).
. "$(dirname "$0")/lib.sh"
tool="$TOP/tests/build/helpers/wheel-install"
[ -x "$tool" ] || fail "missing $tool (run make test-programs)"
command -v python3 >/dev/null || skip "python3 is needed to build the test wheels"
cd "$TMP"
mkdir wheels outside
echo keep >outside/sentinel
python3 - wheels "$TMP/outside" <<'PY'
import base64, hashlib, os, stat, struct, sys, zipfile
out, outside = sys.argv[1], sys.argv[2]
DI = "demo-1.0.dist-info"
def h(b):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
def base():
    return [("demo/__init__.py", b"def main():\n    pass\n", 0o644),
            (DI + "/METADATA", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0o644),
            (DI + "/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n", 0o644)]
def write(case, entries, record=None, extra_rows=(), skip_rows=(), bad=(), algo="sha256",
          expect=""):
    d = os.path.join(out, case)
    os.mkdir(d)
    rows = []
    for n, b, m in entries:
        if n in skip_rows:
            continue
        hh = h(b)
        if n in bad:
            hh = h(b + b"tampered")
        if algo != "sha256":
            hh = algo + "=" + hashlib.new(algo, b).hexdigest()
        rows.append("%s,%s,%d" % (n, hh, len(b)))
    rows += list(extra_rows)
    rows.append(DI + "/RECORD,,")
    rec = (record if record is not None else "\n".join(rows) + "\n").encode()
    path = os.path.join(d, "demo-1.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b, m in entries + [(DI + "/RECORD", rec, 0o644)]:
            zi = zipfile.ZipInfo(n)
            zi.create_system = 3
            zi.external_attr = (m if m & 0o170000 else (m | stat.S_IFREG)) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, b)
    open(os.path.join(d, "expect"), "w").write(expect)
    return path
b = base()
write("traversal", b + [("../evil.txt", b"x", 0o644)], expect="'\\.' or '\\.\\.' component")
write("traversal-deep", b + [("demo/../../evil.txt", b"x", 0o644)], expect="'\\.' or '\\.\\.' component")
write("sibling-prefix", b + [("../site-packages-evil/pwn.py", b"x", 0o644)], expect="'\\.' or '\\.\\.' component")
write("absolute", b + [(outside + "/evil.txt", b"x", 0o644)], expect="absolute path")
write("backslash", b + [("demo\\..\\..\\evil.txt", b"x", 0o644)], expect="backslash")
write("drive", b + [("C:/evil.txt", b"x", 0o644)], expect="colon")
write("symlink", b + [("demo/link", (outside + "/sentinel").encode(), stat.S_IFLNK | 0o777)],
      expect="is a link")
write("hash-mismatch", b, bad=("demo/__init__.py",), expect="hash mismatch for 'demo/__init__.py'")
write("not-in-record", b + [("demo/extra.py", b"x = 2\n", 0o644)], skip_rows=("demo/extra.py",),
      expect="'demo/extra.py' is in the wheel but not in its RECORD")
write("record-lists-ghost", b, extra_rows=("demo/ghost.py,%s,1" % h(b"x"),),
      expect="RECORD lists 'demo/ghost.py', which is not in the wheel")
write("md5", b, algo="md5", expect="only sha256")
write("zip-bomb", b + [("demo/bomb.bin", b"\0" * (40 * 1024 * 1024), 0o644)], expect="zip bomb")
write("unknown-scheme", b + [("demo-1.0.data/evil/x", b"x", 0o644)], expect="unknown scheme")
write("script-subdir", b + [("demo-1.0.data/scripts/sub/x", b"#!python\n", 0o755)],
      expect="in a subdirectory")
write("entry-point-name", b + [(DI + "/entry_points.txt",
      b"[console_scripts]\n../../evil = demo:main\n", 0o644)], expect="refusing the script name")
write("entry-point-callable", b + [(DI + "/entry_points.txt",
      b"[console_scripts]\ndemo = os:system('touch pwned')\n", 0o644)], expect="refusing the callable")
write("case-twins", b + [("demo/A.py", b"", 0o644), ("demo/a.py", b"", 0o644)],
      expect="differ only in case")
write("two-dist-info", b + [("other-1.0.dist-info/METADATA", b"", 0o644)],
      expect="more than one .dist-info")
# Many entries: a valid wheel whose directory claims 60000 of them.
p = write("many-entries", b, expect="60000 entries")
data = bytearray(open(p, "rb").read())
i = data.rfind(b"PK\x05\x06")
struct.pack_into("<HH", data, i + 8, 60000, 60000)
open(p, "wb").write(data)
# Duplicate names (zipfile warns but writes them).
import warnings
warnings.simplefilter("ignore")
write("duplicate", b + [("demo/__init__.py", b"other\n", 0o644)], expect="twice")
# Accepted, but without the setuid bit (WHL-06), and a FIFO entry becomes a
# plain file: libarchive's zip reader itself turns every type but directory
# and symbolic link into a regular file, so no node is ever made (WHL-05).
write("setuid-fifo", b + [("demo/tool.py", b"x\n", stat.S_ISUID | 0o755),
                          ("demo/fifo", b"", stat.S_IFIFO | 0o644)], expect="")
PY
[ -d wheels/traversal ] || fail "the test wheels were not made"

# check_clean CASE DIR: nothing escaped, nothing installed, nothing cached.
check_clean() {
	local c=$1 d=$2
	[ "$(ls -A outside)" = sentinel ] || fail "$c: expected only the sentinel outside, saw: $(ls -A outside)"
	[ "$(cat outside/sentinel)" = keep ] || fail "$c: the sentinel was changed"
	[ -z "$(find "$TMP" -name 'evil*' -o -name 'pwn*' -o -name 'site-packages-evil')" ] ||
		fail "$c: a file escaped: $(find "$TMP" -name 'evil*' -o -name 'pwn*')"
	[ "$(ls -A "$d")" = env ] || fail "$c: expected only env/ in $d, saw: $(ls -A "$d")"
	[ -z "$(find "$d/env" ! -type d)" ] || fail "$c: expected nothing installed, saw: $(find "$d/env" ! -type d)"
	[ -z "$(find "$d/env" -name '.venv-wheel*')" ] || fail "$c: a staging directory was left behind"
	if [ -d "$VENV_CACHE_DIR/wheels-v1" ]; then
		[ -z "$(ls -A "$VENV_CACHE_DIR/wheels-v1")" ] ||
			fail "$c: expected an empty wheel cache, saw: $(ls -A "$VENV_CACHE_DIR/wheels-v1")"
	fi
}

n=0
for d in wheels/*/; do
	c=$(basename "$d")
	want=$(cat "$d/expect")
	for mode in cache direct; do
		t="$TMP/t-$c-$mode"
		mkdir -p "$t/env"
		if [ "$mode" = direct ]; then
			export VENV_NO_CACHE=1
		else
			unset VENV_NO_CACHE
		fi
		if [ -z "$want" ]; then
			expect_exit 0 "$tool" "$t/env" 12 "$TMP/$d/demo-1.0-py3-none-any.whl"
			m=$(stat -c %a "$t/env/lib/python3.12/site-packages/demo/tool.py")
			expect_eq 755 "$m" "the mode of a file that had the setuid bit ($mode)"
			m=$(stat -c %F "$t/env/lib/python3.12/site-packages/demo/fifo")
			expect_eq "regular empty file" "$m" "the type of a FIFO entry ($mode)"
			rm -rf "$t" "$VENV_CACHE_DIR"
			continue
		fi
		expect_exit 1 "$tool" "$t/env" 12 "$TMP/$d/demo-1.0-py3-none-any.whl"
		expect_match "$want" "$ERR" "the error for the '$c' wheel ($mode)"
		check_clean "$c ($mode)" "$t"
		rm -rf "$t"
	done
	n=$((n + 1))
done
unset VENV_NO_CACHE
echo "refused $((n - 1)) hostile wheels"
