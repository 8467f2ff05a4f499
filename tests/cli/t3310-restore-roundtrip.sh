#!/bin/bash
# Every archive repair writes restores, byte for byte (issue 14, point 5):
# broken environments as repair's tests build them (moved, pyvenv.cfg lost,
# a dangling interpreter, a 1777 directory), restored in place and
# elsewhere; elsewhere, restore relocates the environment as repair would
# and says so, or with --as-is leaves it and says that; staging directories
# an earlier restore left behind are removed by the next (security.md
# ARC-09, ARC-11).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
mkdir "$TMP/w" && cd "$TMP/w"

# make_broken KIND DIR: an environment broken the way KIND says.
make_broken() {
	"$VENV" create -q --without-pip -p "$py" "$2.tmp" || fail "create failed"
	mkdir -m 1777 "$2.tmp/share" && mkdir "$2.tmp/share/tmp"
	chmod 1777 "$2.tmp/share/tmp"
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
	expect_match "as it was archived from .*/$kind: its scripts still name that place" "$OUT" "stdout"
	expect_eq "$snap" "$(tree_listing "$kind-copy" times)" "$kind restored elsewhere as it was"
	expect_eq 1777 "$(stat -c %a "$kind-copy/share/tmp")" "the mode of a 1777 directory"
	# In place, over what repair made of it.
	expect_exit 0 "$VENV" restore --yes "$TMP/$kind.tar.gz"
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
bash -c ". elsewhere/bin/activate && [ \"\$VIRTUAL_ENV\" = '$TMP/w/elsewhere' ]" ||
	fail "expected the relocated environment to activate as itself"

# Staging directories a failed restore left behind go with the next restore
# of the same target; another target's are left alone.
mkdir -p .again.venv-restore-AbC123/env/lib .other.venv-restore-XyZ789/env
echo x >.again.venv-restore-AbC123/env/lib/f
expect_exit 0 "$VENV" restore -q "$TMP/orig.tar.gz" "$TMP/w/again"
[ ! -e .again.venv-restore-AbC123 ] || fail "expected the stale staging directory removed"
[ -d .other.venv-restore-XyZ789 ] || fail "expected another target's staging directory kept"
echo ok
