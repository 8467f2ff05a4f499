#!/bin/bash
# venv create --without-pip vs python -m venv --without-pip (same base
# interpreter, fresh directories, interpreter facts cached).
. "$(dirname "$0")/lib.sh"
py=$(bench_python)
echo "create without pip: $py ($RUNS runs, median; ratio = python -m venv / this)"
"$VENV" create -q --without-pip -p "$py" "$BTMP/warm" # fills the cache
cpy=$(median_ms "$py -m venv --without-pip \$D")
ours=$(median_ms "$VENV create -q --without-pip -p $py \$D")
cold=$(median_ms "env VENV_NO_CACHE=1 $VENV create -q --without-pip -p $py \$D")
row "python -m venv --without-pip" "$cpy" "$cpy"
row "venv create --without-pip (cached facts)" "$ours" "$cpy"
row "venv create --without-pip (no cache)" "$cold" "$cpy"
