#!/bin/bash
# venv create with pip (the wheel unpacked once into the cache, then copied,
# the default, or hard-linked with --link-mode=hardlink)
# vs python -m venv with pip (ensurepip runs pip) vs Debian's virtualenv with
# its app-data seeder warm; same base interpreter, same packages (what
# ensurepip installs for that version), fresh directories, medians.
# BENCH_SLOW_RUNS (default 5) sets the runs of python -m venv.
. "$(dirname "$0")/lib.sh"
export VIRTUALENV_OVERRIDE_APP_DATA="$BTMP/appdata"
# ve_works PY: Debian's virtualenv can seed an environment for PY from its
# own wheels (it has them for Debian's Python only, and cannot download here).
ve_opts_for() {
	local minor
	minor=$("$1" -c 'import sys; print(sys.version_info[1])')
	# The same package set as ensurepip: pip, and setuptools before 3.12.
	if [ "$minor" -ge 12 ]; then
		echo "--no-wheel --no-setuptools --no-periodic-update"
	else
		echo "--no-wheel --no-periodic-update"
	fi
}
ve_works() {
	[ -x /usr/bin/virtualenv ] &&
		/usr/bin/virtualenv -q $(ve_opts_for "$1") -p "$1" "$BTMP/ve-warm" >/dev/null 2>&1
}
# One base interpreter for all three: BENCH_PYTHON, else the newest one
# virtualenv can seed (falling back to the newest one without virtualenv).
py=$(bench_python)
ve=
if ve_works "$py"; then
	ve=/usr/bin/virtualenv
elif [ -z "${BENCH_PYTHON:-}" ] && [ -x /usr/bin/python3 ] &&
	ve_works "$(readlink -f /usr/bin/python3)"; then
	py=$(readlink -f /usr/bin/python3)
	ve=/usr/bin/virtualenv
fi
ve_opts=$(ve_opts_for "$py")
slow_runs=${BENCH_SLOW_RUNS:-5}
echo "create with pip: $py ($RUNS runs, python -m venv $slow_runs runs; median)"
echo "  ratios: python -m venv / this, virtualenv / this"
"$VENV" create -q -p "$py" "$BTMP/warm" || exit 1 # fills both caches
ours=$(median_ms "$VENV create -q -p $py \$D")
direct=$(median_ms "env VENV_NO_CACHE=1 $VENV create -q -p $py \$D")
linked=$(median_ms "$VENV create -q --link-mode=hardlink -p $py \$D")
vtime=0
[ -n "$ve" ] && vtime=$(median_ms "$ve -q $ve_opts -p $py \$D")
cpy=$(RUNS=$slow_runs median_ms "$py -m venv \$D")
row2() {
	awk -v n="$1" -v t="$2" -v a="$cpy" -v b="$vtime" 'BEGIN {
		printf "  %-44s %9.2f ms %8.1fx", n, t, a / t;
		if (b > 0) printf " %7.1fx", b / t;
		printf "\n" }'
}
row2 "python -m venv (ensurepip)" "$cpy"
if [ -n "$ve" ]; then
	row2 "virtualenv $($ve --version | cut -d' ' -f2) (app-data, warm)" "$vtime"
else
	echo "  virtualenv: not available for $py (install python3-virtualenv)"
fi
row2 "venv create (wheel cache, copies: default)" "$ours"
row2 "venv create (wheel cache, --link-mode=hardlink)" "$linked"
row2 "venv create (no cache: unpack and verify)" "$direct"
