#!/bin/sh
# Regenerate the seed corpus of tests/fuzz/fuzz_zip.c (FUZ-07) in
# tests/fuzz/corpus/zip/. Each seed is one flag byte (bit 0: unpack with
# VENV_WHEEL_FIXED; bit 1: plant symbolic links to the sentinels in the
# target directory first) followed by a wheel, built with a real Python's
# zipfile module and then, for the hostile seeds, patched byte by byte.
# The wheels are named pkg-1.0-py3-none-any.whl by the fuzz target, so
# their .dist-info is pkg-1.0.dist-info.
#
#   sh tests/fuzz/corpus/gen-zip.sh [python]
#
# Without an argument the interpreter is found as tests/cli/lib.sh's
# find_pythons finds them (pyenv's 3.8 and later, else python3 on PATH).
# The seeds are checked in; rerunning this rewrites them (deflate output
# may differ slightly between zlib versions, which does not matter).
set -eu

dir=$(cd "$(dirname "$0")" && pwd)/zip
py=${1:-}
if [ -z "$py" ]; then
	root=${PYENV_ROOT:-$HOME/.pyenv}
	for d in "$root"/versions/3.*; do
		[ -d "$d" ] || continue
		v=${d##*/}
		case "$v" in 3.[0-7].*|3.[0-7]) continue ;; esac
		v=$(echo "$v" | cut -d. -f1,2)
		[ -x "$d/bin/python$v" ] && py="$d/bin/python$v"
	done
fi
if [ -z "$py" ]; then
	py=$(command -v python3 || true)
fi
[ -n "$py" ] || { echo "gen-zip: no Python interpreter found" >&2; exit 1; }
mkdir -p "$dir"

"$py" - "$dir" <<'EOF'
import base64, hashlib, io, os, struct, sys, warnings, zipfile

# Duplicate names are what some seeds are about.
warnings.simplefilter("ignore")

out = sys.argv[1]
DI = "pkg-1.0.dist-info"
WHEEL = b"Wheel-Version: 1.0\nGenerator: gen-zip\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
META = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"
DATE = (2020, 1, 1, 0, 0, 0)


def rec_hash(data):
    d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + d.decode()


def record(files, extra=""):
    """RECORD text for [(name, data)], plus extra rows."""
    rows = ["%s,%s,%d" % (n, rec_hash(d), len(d)) for n, d in files if not n.endswith("/")]
    rows.append(DI + "/RECORD,,")
    return ("\n".join(rows) + "\n" + extra).encode()


def base_files():
    return [
        ("pkg/__init__.py", b"VERSION = '1.0'\n"),
        ("pkg/mod.py", b"def main():\n    return 0\n"),
        (DI + "/METADATA", META),
        (DI + "/WHEEL", WHEEL),
    ]


def build(members, compress=zipfile.ZIP_DEFLATED):
    """members: (name, data, mode or None, compression or None)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for m in members:
            name, data = m[0], m[1]
            mode = m[2] if len(m) > 2 else None
            comp = m[3] if len(m) > 3 and m[3] is not None else compress
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = comp
            zi.create_system = 3
            if mode is not None:
                zi.external_attr = (mode & 0xFFFF) << 16
            elif name.endswith("/"):
                zi.external_attr = (0o40755 << 16) | 0x10
            else:
                zi.external_attr = 0o100644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def wheel(files, rec=None, compress=zipfile.ZIP_DEFLATED, extra_members=()):
    """A wheel of files [(name, data[, mode])], RECORD last unless given."""
    if rec is None:
        rec = record([(f[0], f[1]) for f in files])
    members = list(files) + list(extra_members) + [(DI + "/RECORD", rec)]
    return build(members, compress)


def save(name, flags, data):
    assert len(data) < 16384, name
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([flags]) + data)


def patch_all(data, old, new):
    assert len(old) == len(new)
    return data.replace(old, new)


for f in os.listdir(out):
    os.unlink(os.path.join(out, f))

# ---- valid wheels ----
save("valid-deflated", 0, wheel(base_files()))
save("valid-fixed", 1, wheel(base_files()))
save("valid-stored", 0, wheel(base_files(), compress=zipfile.ZIP_STORED))
mixed = [(n, d, None, zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED)
         for i, (n, d) in enumerate(base_files())]
save("valid-mixed-compression", 1, wheel(mixed))
full = base_files() + [
    ("pkg-1.0.data/scripts/run", b"#!python\nimport pkg\n", 0o100755),
    ("pkg-1.0.data/purelib/extra.py", b"X = 1\n"),
    ("pkg-1.0.data/headers/pkg.h", b"int pkg(void);\n"),
    ("pkg-1.0.data/data/share/pkg.txt", b"data\n"),
    (DI + "/entry_points.txt", b"[console_scripts]\npkg = pkg.mod:main\n"),
    ("pkg/bin.py", b"#!/usr/bin/env python\n", 0o100755),
]
save("valid-data-scripts", 0, wheel(full))
save("valid-data-scripts-fixed", 1, wheel(full))
save("valid-dir-entries", 0, wheel([("pkg/", b""), (DI + "/", b"")] + base_files()))
# zipfile writes the zip64 end records when there are more entries than this.
limit = zipfile.ZIP_FILECOUNT_LIMIT
zipfile.ZIP_FILECOUNT_LIMIT = 1
save("valid-zip64", 0, wheel(base_files()))
zipfile.ZIP_FILECOUNT_LIMIT = limit
# A valid wheel unpacked into a target with links to the sentinels in it.
save("planted-links", 2, wheel(base_files()))
save("planted-links-fixed", 3, wheel(base_files() + [("mod.py", b"x = 1\n")]))
# Modes the archive asks for that the unpacker must not give.
save("mode-setuid-world-writable", 0,
     wheel(base_files() + [("pkg/suid", b"x\n", 0o106777), ("pkg/ww.py", b"y\n", 0o100666)]))
save("mode-setuid-fixed", 1, wheel(base_files() + [("pkg/suid", b"x\n", 0o104755)]))

# ---- hostile names ----
save("name-dotdot", 0, wheel(base_files() + [("../outside/evil.py", b"evil\n")]))
save("name-dotdot-inner", 0, wheel(base_files() + [("pkg/../../evil.py", b"evil\n")]))
save("name-absolute", 0, wheel(base_files() + [("/tmp/venv-fuzz-evil.py", b"evil\n")]))
save("name-backslash", 0, wheel(base_files() + [("pkg\\..\\..\\evil.py", b"evil\n")]))
nl = wheel(base_files() + [("pkg/a\nb.py", b"nl\n")])
save("name-newline", 0, nl)
nul = wheel(base_files() + [("pkg/aZb.py", b"nul\n")])
save("name-nul", 0, patch_all(nul, b"pkg/aZb.py", b"pkg/a\0b.py"))
save("name-case-twins", 0, wheel(base_files() + [("pkg/A.py", b"a\n"), ("pkg/a.py", b"b\n")]))
save("name-non-ascii", 0, wheel(base_files() + [("pkg/caf\u00e9.py", b"u\n")]))
save("name-bad-utf8", 0, patch_all(wheel(base_files() + [("pkg/ZZ.py", b"u\n")]),
                                    b"pkg/ZZ.py", b"pkg/\xff\xfe.py"))

# ---- links and special files ----
save("entry-symlink", 0, wheel(base_files() + [("pkg/link", b"../../outside/sentinel", 0o120777)]))
save("entry-symlink-dir", 0, wheel([("pkg", b"/", 0o120777)] + base_files()))
save("entry-fifo", 0, wheel(base_files() + [("pkg/fifo", b"", 0o010644)]))
save("entry-chardev", 1, wheel(base_files() + [("pkg/dev", b"", 0o020644)]))

# ---- RECORD ----
files = base_files()
bad = record(files).replace(rec_hash(files[0][1]).encode(), rec_hash(b"other").encode())
save("record-wrong-hash", 0, wheel(files, rec=bad))
save("record-wrong-size", 0, wheel(files, rec=record(files).replace(b",16\n", b",17\n", 1)))
save("record-missing", 0, build(base_files()))
save("record-missing-file", 0, wheel(files, rec=record(files[1:])))
save("record-extra-row", 0, wheel(files, rec=record(files, "pkg/ghost.py,%s,1\n" % rec_hash(b"g"))))
save("record-md5", 0, wheel(files, rec=record(files).replace(b"sha256=", b"md5=")))
save("record-two", 0, wheel(files, extra_members=[("other-1.0.dist-info/RECORD", b"")]))
save("record-quoted", 0, wheel(files, rec=b'"pkg/__init__.py","' + rec_hash(files[0][1]).encode() +
                                b'","16"\r\n' + record(files[1:])))
save("wheel-version-2", 0, wheel([f if f[0] != DI + "/WHEEL" else (f[0], b"Wheel-Version: 2.0\n")
                                  for f in files]))
save("dist-info-mismatch", 0,
     build([(n.replace("pkg-1.0", "other-2.0"), d) for n, d in files] +
           [("other-2.0.dist-info/RECORD", record(files).replace(b"pkg-1.0", b"other-2.0"))]))
save("data-unknown-scheme", 0, wheel(files + [("pkg-1.0.data/evil/x", b"x\n")]))
save("entry-points-bad", 0, wheel(files + [(DI + "/entry_points.txt",
                                            b"[console_scripts]\n../evil = os:system\n")]))

# ---- duplicates, dir and file ----
dup = files + [("pkg/dup.py", b"one\n")]
save("duplicate-entry", 0, build(dup + [("pkg/dup.py", b"two\n"), (DI + "/RECORD", record(dup))]))
save("duplicate-record", 0, build(files + [(DI + "/RECORD", record(files)),
                                           (DI + "/RECORD", record(files))]))
both = files + [("pkg/x", b"file\n")]
save("dir-and-file", 0, wheel(both, extra_members=[("pkg/x/", b""), ("pkg/x/y.py", b"y\n")]))
save("file-then-dir-entry", 1, wheel(both, extra_members=[("pkg/x/", b"")]))
save("dir-entry-with-data", 0, wheel(files, extra_members=[("pkg/d/", b"not empty")]))

# ---- sizes and damaged zips ----
v = wheel(files)
# The central directory's uncompressed size of pkg/__init__.py (16) -> 0x7fff0000.
cd = v.find(b"PK\x01\x02")
huge = bytearray(v)
huge[cd + 24:cd + 28] = struct.pack("<I", 0x7FFF0000)
save("huge-declared-size", 0, bytes(huge))
small = bytearray(v)
small[cd + 24:cd + 28] = struct.pack("<I", 3)
save("short-declared-size", 1, bytes(small))
# Both headers say 2 GiB: over the per-file cap.
lh = bytearray(huge)
lh[22:26] = struct.pack("<I", 0x7FFF0000)
save("huge-declared-size-both", 0, bytes(lh))
# The central directory and the local header disagree on the name or CRC
# (WHL-08). libarchive 3.6 warns about a CRC or size mismatch, which the
# unpacker refuses, but it takes the local header's name without comparing
# it to the directory's (zipfile refuses that): the name seed still unpacks.
renamed = v[cd:].replace(b"pkg/__init__.py", b"pkg/__evil__.py", 1)
save("cd-local-name-mismatch", 0, v[:cd] + renamed)
crc = bytearray(v)
crc[cd + 16] ^= 0x55
save("cd-local-crc-mismatch", 0, bytes(crc))
eocd = v.rfind(b"PK\x05\x06")
save("truncated-central-directory", 0, v[:eocd - 40])
many = bytearray(v)
many[eocd + 8:eocd + 12] = struct.pack("<HH", 0xFFFF, 0xFFFF)
save("eocd-too-many-entries", 0, bytes(many))
cdbig = bytearray(v)
cdbig[eocd + 12:eocd + 16] = struct.pack("<I", 0xFFFFFF00)
save("eocd-huge-directory", 0, bytes(cdbig))
save("truncated-data", 0, v[:len(v) // 2] + v[len(v) // 2 + 20:])
flip = bytearray(v)
flip[len(v) // 3] ^= 0xFF
save("corrupt-deflate", 0, bytes(flip))
save("not-a-zip", 0, b"PK\x03\x04 this is not a wheel")
bomb = files + [("pkg/zeros.bin", bytes(3 << 20))]
save("ratio-bomb", 0, wheel(bomb))

# ---- member lists (flag bit 2): the fuzz target writes the zip itself ----
# A member is a type byte (bits 0-1: file, directory, link, file or fifo;
# bit 2: stored; bits 3-5: the mode; bit 6: "/" after a directory; bit 7:
# fifo), a token count (n % 5 + 1) and token numbers (see add_tokens() in
# fuzz_zip.c: 0 pkg, 2 pkg-1.0.data, 3 .., 8 scripts, 11 a.py, 13 x,
# 15 mod.py, 23 the private root), a link's tokens, and a length and bytes.
def member(t, tokens, data=b"", link=None):
    b = bytes([t, len(tokens) - 1]) + bytes(tokens)
    if link is not None:
        b += bytes([len(link) - 1]) + bytes(link)
    if t & 3 in (0, 3) and not t & 0x80:
        b += bytes([len(data)]) + data
    return b


two = member(0, [0, 11], b"x = 1\n") + member(4 | 8, [0, 15], b"y\n")
save("list-valid", 4, two)
save("list-valid-fixed-planted", 4 | 2 | 1, two)
save("list-missing-row", 4 | 8, two)
save("list-symlink-out", 4, two + member(2, [0, 13], link=[3, 3, 23]))
save("list-script-exec", 4 | 1, two + member(8, [2, 8, 13], b"#!python\n"))
save("list-dir-then-file", 4, member(0x41, [0]) + two + member(0x41, [0, 13]))
save("list-setuid", 4, two + member(2 << 3, [0, 13], b"s\n"))
save("list-fifo", 4, two + member(0x83, [0, 13]))
EOF
ls "$dir" | wc -l
