#!/bin/bash
# The wheel cache of the fast pip installer: a process killed at any point
# while an entry is being filled leaves no entry that is later used half-made
# (the next create works); a cached file changed in place (an edit or chmod
# made through an environment made with --link-mode=hardlink) is noticed and
# the wheel unpacked again; an unusable cache means a plain unpack; with a
# umask other than 022 or VENV_LINK_MODE=copy files are copied with pip's modes.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
minor=$(py_minor "$py")
cd "$TMP"
cache="$VENV_CACHE_DIR/wheels-v1"
# Learn the interpreter once, so that the kills below land in the pip step.
"$VENV" create -q --without-pip -p "$py" probe || fail "venv create --without-pip failed"

# check_entries: every entry that has its final name is complete.
check_entries() {
	local e n files
	for e in "$cache"/*; do
		[ -d "$e" ] || continue
		case "$(basename "$e")" in .tmp*) continue ;; esac
		[ -f "$e/MANIFEST" ] || fail "cache entry $(basename "$e") has no MANIFEST after a kill ($1)"
		n=$(tail -n 1 "$e/MANIFEST" | sed -n 's/^end //p')
		[ -n "$n" ] || fail "cache entry $(basename "$e") has a truncated MANIFEST ($1)"
		files=$(find "$e/tree" -type f | wc -l)
		[ "$files" -eq "$n" ] || fail "cache entry $(basename "$e") has $files files, MANIFEST says $n ($1)"
	done
}

# check_env DIR: pip runs and its files are the wheel's.
check_env() {
	local out
	out=$("$1/bin/pip" --version 2>&1) || fail "pip does not run in $1: $out"
	out=$(cd "$1/lib/python$minor/site-packages" && "$py" - <<'PY'
import base64, csv, glob, hashlib
bad = 0
for rec in glob.glob("*.dist-info/RECORD"):
    for path, h, size in csv.reader(open(rec, newline="")):
        if not h:
            continue
        algo, _, want = h.partition("=")
        data = open(path, "rb").read()
        got = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
        if got != want or len(data) != int(size):
            print("mismatch:", path); bad += 1
print("bad", bad)
PY
)
	expect_eq "bad 0" "$out" "the RECORD check of $1"
}

# Kills at random moments of the first fill.
i=0
for delay in 0.005 0.01 0.02 0.03 0.05 0.08 0.12 0.2; do
	i=$((i + 1))
	(timeout -s KILL "$delay" "$VENV" create -q -p "$py" "k$i" >/dev/null 2>&1; :) 2>/dev/null
	check_entries "after ${delay}s"
	rm -rf "k$i"
done
# Kills at chosen system calls: mid-unpack, and after the entry is complete
# but before it gets its name (syncfs is only called right before that).
if command -v strace >/dev/null 2>&1; then
	for inject in write:when=40 syncfs:when=1 renameat:when=3; do
		rm -rf "$cache"
		(strace -f -o /dev/null -e inject="${inject%%:*}:signal=KILL:${inject#*:}" \
			"$VENV" create -q -p "$py" ks >/dev/null 2>&1; :) 2>/dev/null
		check_entries "at $inject"
		if [ "$inject" = syncfs:when=1 ]; then
			# Complete, synced, but never renamed: present only as .tmp-.
			[ -z "$(ls "$cache" | grep -v '^\.tmp')" ] ||
				fail "expected no named cache entry after a kill before the rename"
			[ -n "$(ls -A "$cache" | grep '^\.tmp')" ] ||
				fail "expected the kill to land during the fill (a .tmp- directory)"
		fi
		rm -rf ks
	done
fi
"$VENV" create -v -p "$py" good >out 2>err || fail "venv create after the kills failed: $(cat err)"
check_env good
entry=$(ls "$cache" | grep -v '^\.tmp' | head -n 1)
[ -n "$entry" ] || fail "expected a wheel cache entry"
# With --link-mode=hardlink files are linked from the cache (umask 022 in tests).
umask 022
"$VENV" create -q --link-mode=hardlink -p "$py" linked || fail "venv create failed"
links=$(stat -c %h "linked/lib/python$minor/site-packages/pip/__init__.py")
[ "$links" -ge 2 ] || fail "expected pip's files to be hard links into the cache, saw $links link(s)"

# An in-place edit through an environment's link is noticed.
printf '# edited in place\n' >>"linked/lib/python$minor/site-packages/pip/__init__.py"
"$VENV" create -v -p "$py" after-edit >out 2>err || fail "venv create after an edit failed: $(cat err)"
grep -q "was modified" err || fail "expected a warning about the modified cache, saw: $(cat err)"
check_env after-edit
grep -q "edited in place" "after-edit/lib/python$minor/site-packages/pip/__init__.py" &&
	fail "the edited file reached a new environment"
# ... and so is a chmod.
"$VENV" create -q --link-mode=hardlink -p "$py" linked2 || fail "venv create failed"
chmod 600 "linked2/lib/python$minor/site-packages/pip/__main__.py"
"$VENV" create -v -p "$py" after-chmod >out 2>err || fail "venv create after a chmod failed: $(cat err)"
grep -q "was modified" err || fail "expected a warning about the chmod, saw: $(cat err)"
m=$(stat -c %a "after-chmod/lib/python$minor/site-packages/pip/__main__.py")
expect_eq 644 "$m" "the mode of pip/__main__.py in a new environment"
check_env after-chmod

# Copies: with VENV_LINK_MODE=copy, and with another umask (pip's modes).
VENV_LINK_MODE=copy "$VENV" create -q -p "$py" copied || fail "venv create (copy) failed"
links=$(stat -c %h "copied/lib/python$minor/site-packages/pip/__init__.py")
expect_eq 1 "$links" "the link count with VENV_LINK_MODE=copy"
check_env copied
(umask 077 && "$VENV" create -q --link-mode=hardlink -p "$py" private) || fail "venv create with umask 077 failed"
m=$(stat -c %a "private/lib/python$minor/site-packages/pip/__init__.py")
expect_eq 600 "$m" "the mode of a file with umask 077 (as pip would make it)"
m=$(stat -c %a "private/bin/pip")
expect_eq 755 "$m" "the mode of bin/pip with umask 077 (distlib adds 0555)"

# No usable cache: unpacked directly into the environment.
touch afile
VENV_CACHE_DIR="$TMP/afile/cache" "$VENV" create -q -p "$py" nocache 2>err ||
	fail "venv create without a usable cache failed: $(cat err)"
check_env nocache
[ -z "$(ls -A nocache | grep '^\.venv-wheel')" ] || fail "a staging directory was left in nocache"

# No wheel at all: the installer asks for the ensurepip fallback.
expect_exit 3 "$TOP/tests/build/helpers/wheel-install" "$TMP/nowheel" 12 "$TMP/missing-1.0-py3-none-any.whl"
expect_match "does not exist" "$ERR" "the message for a missing wheel"
echo "cache checks done"
