#!/bin/bash
# venv create --without-pip vs python -m venv --without-pip (same base
# interpreter, fresh directories, interpreter facts cached). Measured on the
# temporary directory's file system and, where there is one, on tmpfs
# (/dev/shm): on a disk file system that has just seen many deletions (ext4
# scans its recently deleted inodes on every create), the file system's own
# cost can dominate the 20-odd files and links an environment is made of.
. "$(dirname "$0")/lib.sh"
py=$(bench_python)
echo "create without pip: $py ($RUNS runs, median; ratio = python -m venv / this)"
"$VENV" create -q --without-pip -p "$py" "$BTMP/warm" # fills the cache
places="$BTMP"
[ -d /dev/shm ] && [ -w /dev/shm ] && places="$places /dev/shm"
for place in $places; do
	dir=$(mktemp -d "$place/venv-bench-create.XXXXXX")
	fs=$(stat -f -c %T "$dir" 2>/dev/null || echo "?")
	cpy=$(BTMP=$dir median_ms "$py -m venv --without-pip \$D")
	ours=$(BTMP=$dir median_ms "$VENV create -q --without-pip -p $py \$D")
	echo " on $fs ($place):"
	row "python -m venv --without-pip" "$cpy" "$cpy"
	row "venv create --without-pip (cached facts)" "$ours" "$cpy"
	rm -rf "$dir"
done
cold=$(median_ms "env VENV_NO_CACHE=1 $VENV create -q --without-pip -p $py \$D")
row "venv create --without-pip (no cache, probes)" "$cold" "$cpy"
