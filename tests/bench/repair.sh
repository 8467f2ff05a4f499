#!/bin/bash
# venv repair against what users do today (same base interpreter, offline
# wheels, interpreter facts cached):
#  - a moved environment with pip and a package: venv repair, vs deleting
#    it and making it again (python -m venv --clear, then pip install);
#  - a base upgraded in place within a minor version: venv repair --upgrade,
#    vs python -m venv --upgrade.
# Times are medians; the slow baselines run at most 5 times.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/cli/repair-lib.sh"
py=$(bench_python)
SLOW=$(slow_runs "$RUNS")

make_wheel "$py" "$BTMP/wheels" tinypkg 1.0 || exit 1
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$BTMP/wheels"
bench_template "$py" tinypkg || exit 1
"$VENV" repair -q --dry-run "$BTMP/tmpl" >/dev/null

echo "repair of a moved environment with pip and a package: $py"
echo "($RUNS runs of repair, $SLOW of the baseline, median; ratio = recreate / this)"
recreate=$(timed "$FRESH_COPY" \
	"$py -m venv --clear \$D && \$D/bin/pip install -q tinypkg" "$SLOW") || exit 1
ours=$(timed "$FRESH_COPY" "$VENV repair -q \$D" "$RUNS") || exit 1
row "python -m venv --clear + pip install" "$recreate" "$recreate"
row "venv repair (moved)" "$ours" "$recreate"

# An in-place upgrade: a link the environment was made from, moved from one
# 3.11 patch release to another (or left alone when there is only one).
p311=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11.*/bin/python3.11 2>/dev/null | tail -n 1)
old=/usr/bin/python3.11
if [ -z "$p311" ] || [ ! -x "$old" ]; then
	old=$py
	p311=$py
fi
mkdir -p "$BTMP/base"
ln -sfn "$old" "$BTMP/base/python3"
"$BTMP/base/python3" -m venv "$BTMP/utmpl" || exit 1
ln -sfn "$p311" "$BTMP/base/python3"
"$VENV" repair -q --upgrade --dry-run "$BTMP/utmpl" >/dev/null
echo
echo "--upgrade within a minor version: $old -> $p311"
echo "($RUNS runs of repair, $SLOW of the baseline, median; ratio = python -m venv --upgrade / this)"
cpy=$(timed 'rm -rf $D; cp -a $BTMP/utmpl $D' "$BTMP/base/python3 -m venv --upgrade \$D" "$SLOW") ||
	exit 1
ours=$(timed 'rm -rf $D; cp -a $BTMP/utmpl $D' "$VENV repair -q --upgrade \$D" "$RUNS") || exit 1
row "python -m venv --upgrade" "$cpy" "$cpy"
row "venv repair --upgrade" "$ours" "$cpy"
