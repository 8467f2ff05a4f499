#!/bin/bash
# venv check against the only thing users have today: running each
# environment's interpreter (ENV/bin/python -c pass, what pipx health and
# most CI guards do). Two parts: one pip-seeded environment, and
# `check --recursive` over 1,000 environments (copies of one, as a fleet of
# project environments would be). Goal (issue 5): at most 2 ms per
# environment and at least 20 times faster than running each interpreter.
# BENCH_ENVS (default 1000) and BENCH_SLOW_RUNS (default 3) size part two.
. "$(dirname "$0")/lib.sh"
py=$(bench_python)
nenvs=${BENCH_ENVS:-1000}
slow_runs=${BENCH_SLOW_RUNS:-3}

# One environment with pip: venv create's, else python -m venv's.
env1="$BTMP/one"
"$VENV" create -q -p "$py" "$env1" 2>/dev/null && [ -x "$env1/bin/pip" ] ||
	{ rm -rf "$env1"; "$py" -m venv "$env1" || exit 1; }
files=$(find "$env1" | wc -l)
echo "check: $py; one pip-seeded environment ($files files), $RUNS runs, median"
"$VENV" check -q "$env1" >/dev/null # warm the page cache
interp=$(median_ms "$env1/bin/python -c pass")
one=$(median_ms "$VENV check -q $env1")
row "ENV/bin/python -c pass" "$interp" "$interp"
row "venv check ENV" "$one" "$interp"

# A fleet: one small environment copied nenvs times.
fleet="$BTMP/fleet"
mkdir -p "$fleet"
"$VENV" create -q --without-pip -p "$py" "$fleet/e0" || exit 1
i=1
while [ "$i" -lt "$nenvs" ]; do
	cp -a "$fleet/e0" "$fleet/e$i"
	i=$((i + 1))
done
# Each copy names e0 in its scripts: make every one a healthy environment of its own.
for e in "$fleet"/e*; do
	[ "$e" = "$fleet/e0" ] && continue
	sed -i "s|$fleet/e0|$e|g" "$e/bin/"[Aa]ctivate* "$e/pyvenv.cfg"
done
"$VENV" check -q -r "$fleet" >/dev/null
echo "check --recursive over $nenvs environments ($slow_runs runs for the interpreter loop)"
save=$RUNS
RUNS=$slow_runs
# A script, so that hyperfine -N (no shell) can run the loop too.
printf 'for e in %s/*; do "$e/bin/python" -c pass || exit 1; done\n' "$fleet" >"$BTMP/loop.sh"
loop=$(median_ms "bash $BTMP/loop.sh")
RUNS=$save
rec=$(median_ms "$VENV check -q -r $fleet")
rec1=$(median_ms "$VENV check -q -r -j 1 $fleet")
row "for each ENV: ENV/bin/python -c pass" "$loop" "$loop"
row "venv check -r (default -j)" "$rec" "$loop"
row "venv check -r -j 1" "$rec1" "$loop"
awk -v n="$nenvs" -v a="$loop" -v b="$rec" -v c="$rec1" 'BEGIN {
	printf "  per environment: interpreter %.3f ms, check %.3f ms (-j 1: %.3f ms)\n", a / n, b / n, c / n
	printf "  goal: <= 2 ms per environment (%s), >= 20x faster (%.1fx: %s)\n",
		(b / n <= 2 ? "met" : "NOT met"), a / b, (a / b >= 20 ? "met" : "NOT met") }'
