#!/bin/bash
# Every archive repair writes restores, byte for byte (issue 14, point 5):
# broken environments as repair's tests build them (moved, pyvenv.cfg lost,
# a dangling interpreter, a 1777 directory, names that are not ASCII or
# not UTF-8, as files, directories, links and hard links), restored in place and
# elsewhere; elsewhere, restore relocates the environment as repair would
# and says so, or with --as-is leaves it and says that; staging directories
# an earlier restore left behind are removed by the next (security.md
# ARC-09, ARC-11). The archive ends with the SHA-256 of every file, which
# restore checks: a byte changed inside a file of a .tar.zst (zstd frames
# without a checksum of their own) or digests that are cut, name a file
# twice or one not archived fail the restore with nothing replaced.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
mkdir "$TMP/w" && cd "$TMP/w"
ff=$(printf '\377') eacute=$(printf '\303\251')

# make_broken KIND DIR: an environment broken the way KIND says.
make_broken() {
	local sp
	"$VENV" create -q --without-pip -p "$py" "$2.tmp" || fail "create failed"
	mkdir -m 1777 "$2.tmp/share" && mkdir "$2.tmp/share/tmp"
	chmod 1777 "$2.tmp/share/tmp"
	# Names that are not ASCII: not UTF-8 (\377), and UTF-8 (\303\251), which
	# venv (the C locale) cannot convert either; as names, link values and
	# hard link targets.
	sp=$(echo "$2.tmp"/lib/python3*/site-packages)
	mkdir "$sp/j${ff}k" && echo 'print(1)' >"$sp/j${ff}k/__init__.py"
	printf '#!/bin/sh\n' >"$2.tmp/bin/x$ff" && chmod 755 "$2.tmp/bin/x$ff"
	ln -s "x$ff" "$2.tmp/bin/caf$eacute"
	echo shared >"$2.tmp/share/a$ff"
	ln "$2.tmp/share/a$ff" "$2.tmp/share/b" && ln "$2.tmp/share/b" "$2.tmp/share/c$eacute"
	case "$1" in
	moved) ;;
	nocfg) rm "$2.tmp/pyvenv.cfg" ;;
	dangling) ln -sfn "$TMP/nowhere/python3" "$2.tmp/bin/python3" ;;
	esac
	mv "$2.tmp" "$2"
}

for kind in moved nocfg dangling; do
	make_broken "$kind" "$kind"
	snap=$(tree_listing "$kind" times)
	# --upgrade writes pyvenv.cfg again where it was lost; the archive comes first.
	"$VENV" repair -q --upgrade -y -p "$py" --archive="$TMP/$kind.tar.gz" "$kind" >/dev/null 2>&1
	[ -f "$TMP/$kind.tar.gz" ] || fail "$kind: no archive written"
	# Elsewhere, as it was: byte for byte, the sticky bit included.
	expect_exit 0 "$VENV" restore --as-is "$TMP/$kind.tar.gz" "$TMP/w/$kind-copy"
	expect_match "as archived from .*/$kind, not relocated" "$OUT" "stdout"
	expect_eq "$snap" "$(tree_listing "$kind-copy" times)" "$kind restored elsewhere as it was"
	expect_eq 1777 "$(stat -c %a "$kind-copy/share/tmp")" "the mode of a 1777 directory"
	# In place, over what repair made of it.
	expect_exit 0 "$VENV" restore --yes "$TMP/$kind.tar.gz" "$kind"
	expect_eq "$snap" "$(tree_listing "$kind" times)" "$kind restored in place"
done

# Elsewhere, relocated: the activation script and pyvenv.cfg name the new
# place, and check finds nothing to say about it.
"$VENV" create -q --without-pip -p "$py" orig || fail "create failed"
"$VENV" repair -q --archive="$TMP/orig.tar.gz" orig >/dev/null || fail "archive failed"
expect_exit 0 "$VENV" restore "$TMP/orig.tar.gz" "$TMP/w/elsewhere"
expect_match "archived from .*/w/orig\\) and relocated it there" "$OUT" "stdout"
grep -q "$TMP/w/elsewhere" elsewhere/bin/activate || fail "expected the activation script relocated"
grep -q "$TMP/w/orig" elsewhere/bin/activate && fail "expected no mention of the old place"
expect_exit 0 "$VENV" check elsewhere
# Only the members named (or linking) otherwise than in ASCII carry
# hdrcharset=BINARY, to be read back as the bytes they are: an archive of
# ASCII names is as it always was, and GNU tar says nothing about it.
"$py" - "$TMP/moved.tar.gz" "$TMP/orig.tar.gz" <<'PYEOF' || fail "expected hdrcharset on exactly the members whose names are not ASCII"
import sys, tarfile
for f, want in zip(sys.argv[1:], (7, 0)):
    odd = 0
    with tarfile.open(f) as t:
        for m in t.getmembers():
            binary = not (m.name + m.linkname).isascii()
            odd += binary
            if m.pax_headers.get("hdrcharset") != ("BINARY" if binary else None):
                sys.exit("%s: %r has hdrcharset %r" % (f, m.name, m.pax_headers.get("hdrcharset")))
    if odd != want:
        sys.exit("%s: %d members with names that are not ASCII, not %d" % (f, odd, want))
PYEOF
expect_eq "" "$(tar -tzf "$TMP/orig.tar.gz" 2>&1 >/dev/null)" "what tar says of an archive of ASCII names"
bash -c ". elsewhere/bin/activate && [ \"\$VIRTUAL_ENV\" = '$TMP/w/elsewhere' ]" ||
	fail "expected the relocated environment to activate as itself"

# Staging directories a failed restore left behind go with the next restore
# of the same target; another target's are left alone.
mkdir -p .again.venv-restore-AbC123/env/lib .other.venv-restore-XyZ789/env
echo x >.again.venv-restore-AbC123/env/lib/f
expect_exit 0 "$VENV" restore -q "$TMP/orig.tar.gz" "$TMP/w/again"
[ ! -e .again.venv-restore-AbC123 ] || fail "expected the stale staging directory removed"
[ -d .other.venv-restore-XyZ789 ] || fail "expected another target's staging directory kept"

# tamper CASE: $TMP/tam.tar.zst changed as CASE says, as $TMP/CASE.tar.zst.
"$VENV" create -q --without-pip -p "$py" tam || fail "create failed"
printf 'odd\n' >"tam/back\\slash
newline"
"$VENV" repair -q --archive="$TMP/tam.tar.zst" tam >/dev/null || fail "archive failed"
zstd -q -d -c "$TMP/tam.tar.zst" >"$TMP/tam.tar" || fail "zstd -d failed"
"$py" - "$TMP" <<'PYEOF' || fail "could not build the damaged archives"
import io, sys, tarfile
tmp = sys.argv[1]
with tarfile.open(tmp + "/tam.tar") as t:
    members = [(m, t.extractfile(m).read() if m.isreg() else None) for m in t.getmembers()]
    act = t.getmember("env/bin/activate")
# flip: 100 bytes inside the data of a stored file, everything else as written.
with open(tmp + "/tam.tar", "rb") as f:
    raw = bytearray(f.read())
at = act.offset_data + 100
raw[at:at + 100] = bytes(c ^ 0x20 for c in raw[at:at + 100])
with open(tmp + "/flip.tar", "wb") as f:
    f.write(raw)
for case in ("cut", "midline", "stranger", "twice", "long", "gone", "after"):
    out = tarfile.open(tmp + "/" + case + ".tar", "w", format=tarfile.PAX_FORMAT)
    for m, data in members:
        if m.name == "venv-archive-digests":
            lines = data.splitlines(keepends=True)
            data = {"cut": b"".join(lines[:len(lines) // 2]), "midline": data[:-10],
                    "stranger": data + b"0" * 64 + b"  env/not-there\n",
                    "twice": data + lines[0], "long": data + b"0" * 64 + b"  " + b"x" * 9000,
                    }.get(case, data)
            if case == "gone":
                continue
            m.size = len(data)
        out.addfile(m, io.BytesIO(data) if data is not None else None)
        if case == "after" and m.name == "venv-archive-digests":
            out.addfile(tarfile.TarInfo("env/late"), io.BytesIO(b""))
    out.close()
PYEOF
expect_exit 0 "$VENV" restore -q --as-is "$TMP/tam.tar.zst" "$TMP/w/tam-copy"
expect_eq odd "$(cat "tam-copy/back\\slash
newline")" "a file whose name has a backslash and a newline"
snap=$(tree_listing tam times)
for case in flip cut midline stranger twice long gone after; do
	zstd -q -f "$TMP/$case.tar" -o "$TMP/$case.tar.zst" || fail "zstd failed"
	case $case in
	flip) want="the archive '$TMP/flip.tar.zst' is damaged: the contents of '$TMP/w/tam/bin/activate' differ from what was archived \(SHA-256 mismatch\)" ;;
	cut) want="the archive '$TMP/cut.tar.zst' is damaged: its venv-archive-digests have none for '$TMP/w/tam/[^']*'" ;;
	midline) want="the archive '$TMP/midline.tar.zst' is damaged: its venv-archive-digests end in the middle of a line" ;;
	stranger) want="refusing the archive '$TMP/stranger.tar.zst': its venv-archive-digests name '$TMP/w/tam/not-there', which is not a file in it" ;;
	twice) want="refusing the archive '$TMP/twice.tar.zst': its venv-archive-digests name '$TMP/w/tam/[^']*' twice" ;;
	long) want="refusing the archive '$TMP/long.tar.zst': line [0-9]* of its venv-archive-digests is longer than [0-9]* bytes" ;;
	gone) want="the archive '$TMP/gone.tar.zst' is damaged: its venv-archive-digests are missing" ;;
	after) want="refusing the archive '$TMP/after.tar.zst': a member follows its venv-archive-digests" ;;
	esac
	expect_exit 2 "$VENV" restore --yes "$TMP/$case.tar.zst" "$TMP/w/tam"
	expect_match "^venv: error: $want\$" "$ERR" "restoring the archive '$case'"
	expect_eq "$snap" "$(tree_listing tam times)" "the environment after the archive '$case'"
	[ -z "$(ls -A | grep "^\.tam\.venv-restore")" ] || fail "expected no staging left after '$case'"
done
echo ok
