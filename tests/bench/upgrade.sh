#!/bin/bash
# venv repair --upgrade across a minor version (3.11 -> 3.12, or the two
# newest pyenv minors) of an environment with pip and 20 pure packages,
# against what users do today: python -m venv --clear with the new Python,
# then pip install of the same wheels from a local directory (offline).
# Times are medians; the slow baseline runs at most 5 times.
#
# Each run works on a fresh copy of a template. The upgrade the issue
# describes is of an environment where it was made: that template is made
# at the very path the runs work on, so repair finds it in place. A copy of
# one made elsewhere is also an environment moved, which repair fixes as
# well (activation scripts, pyvenv.cfg's command, one more check): the
# second row.
#
# Each run's copy is made afresh and then written out (sync), for every row
# alike: an environment that is upgraded is at rest on disk, not a copy still
# in the page cache, whose dirty pages the first fsync or syncfs of repair
# (or pip's) would write out on its behalf and be charged for. Nothing is
# deleted before a run either: the copy the last run worked on is moved
# aside, and all are removed once every row is measured. A run right after
# thousands of files were deleted is charged for that too: ext4 without a
# journal scans past each inode number freed in the last minute whenever it
# allocates one (recently_deleted()), a cost no environment at rest has. The
# runs' own deletions (a repair removes the 1,200 files the old version
# leaves; --clear removes the whole copy) would reach the next run that way,
# so each copy is put in a block group of its own: $BTMP gets ext2/3/4's
# "top of directory hierarchy" attribute (chattr +T), with which the
# allocator spreads its subdirectories as it does the file system's top
# directories (elsewhere the chattr fails, harmlessly).
. "$(dirname "$0")/lib.sh"
chattr +T "$BTMP" 2>/dev/null || :
. "$TOP/tests/cli/repair-lib.sh"
root=${PYENV_ROOT:-$HOME/.pyenv}
old=$(ls -d "$root"/versions/3.11.*/bin/python3.11 2>/dev/null | tail -n 1)
new=$(ls -d "$root"/versions/3.12.*/bin/python3.12 2>/dev/null | tail -n 1)
if [ -z "$old" ] || [ -z "$new" ]; then
	echo "upgrade across a minor version: needs pyenv's 3.11 and 3.12 (skipped)"
	exit 0
fi
N=${BENCH_UPGRADE_RUNS:-$RUNS}
[ "$N" -gt 11 ] && N=11
SLOW=$(slow_runs "$N")

for i in $(seq -w 1 20); do
	make_wheel "$old" "$BTMP/wheels" "pkg$i" 1.0 || exit 1
done
export PIP_NO_INDEX=1
bench_template "$old" "$BTMP"/wheels/*.whl || exit 1
"$old" -m venv "$BTMP/target" && "$BTMP/target/bin/pip" install -q "$BTMP"/wheels/*.whl &&
	mv "$BTMP/target" "$BTMP/itmpl" || exit 1
# The interpreter facts of both, cached, as after any earlier use.
"$VENV" repair -q --upgrade -p "$new" --dry-run "$BTMP/tmpl" >/dev/null

# prep_copy TEMPLATE: the fresh, written-out copy a run works on (see above).
prep_copy() {
	if [ -e "$D" ]; then
		mv "$D" "$(mktemp -d "$BTMP/used.XXXXXX")/" || return 1
	fi
	cp -a "$1" "$D" && sync
}

echo "repair --upgrade across a minor version, pip + 20 pure packages: $old -> $new"
echo "($N runs of repair, $SLOW of the baseline, median; ratio = recreate / this;" \
	"cpu = user + system)"
TIMED_CPU=$BTMP/cpu.recreate
recreate=$(timed 'prep_copy $BTMP/tmpl' \
	"$new -m venv --clear \$D && \$D/bin/pip install -q $BTMP/wheels/*.whl" "$SLOW") || exit 1
TIMED_CPU=$BTMP/cpu.inplace
inplace=$(timed 'prep_copy $BTMP/itmpl' "$VENV repair -q --upgrade -p $new \$D" "$N") ||
	exit 1
TIMED_CPU=$BTMP/cpu.moved
moved=$(timed 'prep_copy $BTMP/tmpl' "$VENV repair -q --upgrade -p $new \$D" "$N") || exit 1
rc=$(cat "$BTMP/cpu.recreate")
row_cpu "python -m venv --clear + pip install" "$recreate" "$recreate" "$rc" "$rc"
row_cpu "venv repair --upgrade (in place)" "$inplace" "$recreate" "$(cat "$BTMP/cpu.inplace")" "$rc"
row_cpu "venv repair --upgrade (moved too)" "$moved" "$recreate" "$(cat "$BTMP/cpu.moved")" "$rc"
