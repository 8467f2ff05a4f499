#!/bin/bash
# venv repair --archive and venv restore: the archive is verified and its
# round trip is byte-identical (contents, modes, links, hard links, times:
# security.md ARC-11); restore goes through a staging directory and replaces
# an environment only with --yes (ARC-09); hostile archives are refused with
# nothing written outside: names with '..' or absolute (ARC-01, ARC-02), a
# directory member over a link (ARC-03), hard links out or to links
# (ARC-04, ARC-05), paths longer than PATH_MAX (ARC-06), devices and FIFOs,
# sizes past the cap (ARC-10); absolute link values are kept and never
# written through (ARC-08). Owners, ACLs, extended attributes and flags
# are never applied, as restore has no code that could (ARC-07).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
cd "$TMP"
"$VENV" create -q -p "$py" env || fail "venv create failed"
ln -s /etc/hostname env/abs-link
printf 'x' >env/odd-mode && chmod 640 env/odd-mode
touch -d '2001-02-03 04:05:06.123456789' env/odd-mode
mkdir env/links && ln env/odd-mode env/links/hard
mkdir -p arch

# A repair with --archive writes and checks the archive first, and says where.
snap=$(tree_listing env times)
expect_exit 0 "$VENV" repair --archive="$TMP/arch/env.tar.zst" env
expect_match "archived to $TMP/arch/env.tar.zst" "$OUT" "where the archive is"
expect_eq "$snap" "$(tree_listing env times)" "an environment that needed nothing"
[ -z "$(ls -A env | grep venv-repair)" ] || fail "expected nothing of repair's left in env"

# The compression follows the name: gzip for .gz, zstd for .zst.
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }
expect_eq 28b52ffd "$(magic "$TMP/arch/env.tar.zst")" "the first bytes of a .tar.zst archive"
expect_exit 0 "$VENV" repair --archive="$TMP/arch/env.tar.gz" env
expect_eq 1f8b "$(magic "$TMP/arch/env.tar.gz" | cut -c1-4)" "the first bytes of a .tar.gz archive"

# The default archive goes to the cache directory (where `git add .` in the
# project cannot take it in), printed once, and is never overwritten.
expect_exit 0 "$VENV" repair --archive env
file=$(printf '%s\n' "$OUT" | sed -n 's/^  archived to //p')
case "$file" in "$VENV_CACHE_DIR"/archives/env-*.tar.zst|"$VENV_CACHE_DIR"/archives/env-*.tar.gz) ;;
*) fail "expected an archive in \$VENV_CACHE_DIR/archives, saw '$file'" ;; esac
[ -f "$file" ] || fail "expected the printed archive to exist: $file"
expect_eq 1 "$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -c -F "$file")" "how often the archive's path is printed"
[ -z "$(ls "$TMP" | grep -E '^env-.*\.tar')" ] || fail "expected nothing beside env, saw: $(ls "$TMP")"
expect_exit 2 "$VENV" repair --archive="$file" env
expect_match "exists" "$ERR" "an existing archive"

# Round trip: restored elsewhere, and over the original.
expect_exit 0 "$VENV" restore --as-is "$TMP/arch/env.tar.zst" "$TMP/copy"
expect_eq "$snap" "$(tree_listing copy times)" "the restored tree"
expect_eq "$(stat -c %i copy/odd-mode) 2" "$(stat -c '%i %h' copy/links/hard)" \
	"the inode and link count of a hard link inside the environment"
echo changed >env/bin/activate
# Without DIR only an archive in venv's archive directory names where it
# goes: any other could put a tree wherever its writer chose (it did).
expect_exit 2 "$VENV" restore --yes "$TMP/arch/env.tar.zst"
expect_match "^venv: error: refusing to restore '$TMP/arch/env\.tar\.zst' where it says it was archived from, '$TMP/env': only an archive in venv's archive directory \('$VENV_CACHE_DIR/archives'\) is trusted to name its place; name the directory to restore into: venv restore ARCHIVE DIR\$" \
	"$ERR" "the refusal of an archive outside the archive directory without DIR"
expect_eq changed "$(cat env/bin/activate)" "bin/activate after the refusal"
expect_exit 2 "$VENV" restore "$TMP/arch/env.tar.zst" env
expect_match "use --yes" "$ERR" "restore over an environment"
expect_exit 0 "$VENV" restore --yes "$TMP/arch/env.tar.zst" env
expect_eq "$snap" "$(tree_listing env times)" "the environment restored in place"
# The default archive, in venv's archive directory, goes back where it came from.
echo changed >env/bin/activate
expect_exit 0 "$VENV" restore --yes "$file"
expect_eq "restored $TMP/env" "$OUT" "restore's report of the default archive without DIR"
[ "$(cat env/bin/activate)" != changed ] || fail "expected bin/activate restored from '$file'"
[ -z "$(ls -A "$TMP" | grep venv-restore)" ] || fail "expected no staging directory left"
expect_exit 0 "$VENV" check env

# Restore refuses to replace something that is not an environment.
mkdir notenv && echo precious >notenv/file
expect_exit 2 "$VENV" restore --yes "$TMP/arch/env.tar.zst" "$TMP/notenv"
expect_eq precious "$(cat notenv/file)" "a directory that is not an environment"

# Hostile archives, built with Python's tarfile.
mkdir outside && echo sentinel >outside/target
sentinel=$(tree_listing outside times)
hostile() {
	local name=$1
	"$py" - "$TMP/arch/$name.tar.gz" "$name" "$TMP" <<'PYEOF'
import io, json, sys, tarfile
out, case, tmp = sys.argv[1:4]
t = tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT)
def add(name, data=b"", **kw):
    i = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(i, k, v)
    if i.type == tarfile.REGTYPE:
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
meta = json.dumps({"venv-archive": 1, "path": tmp + "/restored"}).encode()
add("venv-archive.json", meta)
add("env", type=tarfile.DIRTYPE, mode=0o755)
add("env/pyvenv.cfg", b"home = /usr/bin\n")
if case == "dotdot":
    add("env/../outside/target", b"owned")
elif case == "absolute":
    add(tmp + "/outside/target", b"owned")
elif case == "notenv":
    add("outside/target", b"owned")
elif case == "linkfile":
    add("env/d", type=tarfile.SYMTYPE, linkname="../../outside")
    add("env/d/target", b"owned")
elif case == "linkdir":
    add("env/d", type=tarfile.SYMTYPE, linkname=tmp + "/outside")
    add("env/d", type=tarfile.DIRTYPE, mode=0o777)
elif case == "hardout":
    add("env/h", type=tarfile.LNKTYPE, linkname="../outside/target")
elif case == "hardlater":
    add("env/h", type=tarfile.LNKTYPE, linkname="env/later")
    add("env/later", b"x")
elif case == "hardlink2link":
    add("env/l", type=tarfile.SYMTYPE, linkname=tmp + "/outside/target")
    add("env/h", type=tarfile.LNKTYPE, linkname="env/l")
elif case == "device":
    add("env/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
elif case == "fifo":
    add("env/fifo", type=tarfile.FIFOTYPE)
elif case == "twice":
    add("env/x", b"1")
    add("env/x", b"2")
elif case == "orphan":
    add("env/a/b", b"owned")
elif case == "longpath":
    d = "env"
    for k in range(20):
        d += "/" + "d" * 250
        add(d, type=tarfile.DIRTYPE, mode=0o755)
    add(d + "/file", b"x")
elif case == "huge":
    # A header that promises 100 GiB, with no data behind it.
    i = tarfile.TarInfo("env/huge")
    i.size = 100 << 30
    t.fileobj.write(i.tobuf(tarfile.PAX_FORMAT))
elif case == "nometa":
    pass
elif case == "big":
    add("env/blob", b"x" * 300000)
elif case == "ok":
    add("env/suid", b"#!/bin/sh\n", mode=0o4755)
    add("env/abs", type=tarfile.SYMTYPE, linkname="/etc/hostname")
    add("env/h", type=tarfile.LNKTYPE, linkname="env/pyvenv.cfg")
    add("env/ro", type=tarfile.DIRTYPE, mode=0o555, mtime=1000000000)
    add("env/ro/f", b"in a read-only directory", mode=0o444, mtime=1000000001)
t.close()
if case == "nometa":
    t = tarfile.open(out, "w:gz")
    i = tarfile.TarInfo("env/pyvenv.cfg")
    t.addfile(i, io.BytesIO(b""))
    t.close()
PYEOF
}
for c in dotdot absolute notenv linkfile linkdir hardout hardlater hardlink2link device fifo \
	 twice orphan longpath huge nometa; do
	hostile "$c" || fail "could not build the hostile archive '$c'"
	expect_exit 2 "$VENV" restore "$TMP/arch/$c.tar.gz" "$TMP/restored"
	expect_match "refusing the archive '$TMP/arch/$c\.tar\.gz': |'$TMP/arch/$c\.tar\.gz' is not an environment archive" \
		"$ERR" "the refusal of '$c', which names the archive"
	expect_eq "$sentinel" "$(tree_listing outside times)" "the directory outside after '$c'"
	[ ! -e "$TMP/restored" ] || fail "expected nothing restored from '$c'"
	[ -z "$(ls -A "$TMP" | grep venv-restore)" ] || fail "expected no staging left after '$c'"
done
# A harmless one: set-user-ID bits are dropped, absolute link values and
# hard links to earlier files are kept, nothing is written through links.
hostile ok || fail "could not build the archive"
expect_exit 0 "$VENV" restore "$TMP/arch/ok.tar.gz" "$TMP/restored"
expect_eq 755 "$(stat -c %a restored/suid)" "the mode of a set-user-ID member"
expect_eq /etc/hostname "$(readlink restored/abs)" "an absolute link value"
expect_eq "$(stat -c %i restored/pyvenv.cfg)" "$(stat -c %i restored/h)" "a hard link"
# Directories get their mode and time once everything below them is in.
expect_eq "555 1000000000" "$(stat -c '%a %Y' restored/ro)" "the mode and time of a directory"
expect_eq "444 1000000001" "$(stat -c '%a %Y' restored/ro/f)" "the mode and time of a file in it"
chmod u+w restored/ro
expect_eq "$sentinel" "$(tree_listing outside times)" "the directory outside"

# What failed is named as the user knows it: the environment's path and the
# archive's, never the member name inside it ('env/...') alone. A file size
# limit (SIGXFSZ ignored: EFBIG) fails a member of the restore, and the
# writing of the archive; a special file cannot be archived; a truncated
# archive is named with the member it broke off in (or after).
no_big() { bash -c 'trap "" XFSZ; ulimit -f 100; exec "$@"' sh "$@"; }
hostile big || fail "could not build the archive"
expect_exit 2 no_big "$VENV" restore "$TMP/arch/big.tar.gz" "$TMP/big"
expect_eq "venv: error: cannot write '$TMP/big/blob' from '$TMP/arch/big.tar.gz': File too large" \
	"$ERR" "a member restore could not write"
[ ! -e big ] || fail "expected nothing restored at big"
expect_exit 2 no_big "$VENV" repair --archive="$TMP/arch/limited.tar.zst" env
expect_match "^venv: error: cannot write '$TMP/arch/limited\.tar\.zst'( while adding '$TMP/env/[^']*')?: File too large$" \
	"$ERR" "an archive repair could not write"
mkfifo env/fifo
expect_exit 2 "$VENV" repair --archive="$TMP/arch/fifo.tar.zst" env
expect_eq "venv: error: '$TMP/env/fifo' is not a file, a directory or a link; it cannot be archived" \
	"$ERR" "a special file in the environment"
rm env/fifo
head -c $(($(stat -c %s arch/env.tar.zst) / 2)) arch/env.tar.zst >arch/half.tar.zst
expect_exit 2 "$VENV" restore "$TMP/arch/half.tar.zst" "$TMP/half"
expect_match "^venv: error: cannot read '$TMP/arch/half\.tar\.zst' (in|after) member 'env/[^']*': " \
	"$ERR" "a truncated archive"
echo ok
