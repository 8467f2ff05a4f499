#!/bin/sh
# Run one test of the suite for tests/run.sh and print its result line the
# moment it finishes:  run-one.sh RESDIR unit|cli PATH
# The test gets a HOME and caches of its own under RESDIR (never the user's
# ~/.cache/venv); its output goes to RESDIR/NAME.log, its counts to
# RESDIR/NAME.res ("passed failed skipped"), its times to RESDIR/NAME.time
# ("wall user system", in seconds, the test's children included).
set -u
resdir=$1 kind=$2 t=$3
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$kind" = unit ]; then
	name=${t#"$top/tests/build/unit/"}
	name=unit-$(echo "$name" | tr / -)
else
	name=$(basename "$t" .sh)
fi
log="$resdir/$name.log"
home="$resdir/home/$name"
rm -rf "$home"
mkdir -p "$home/.cache"
export HOME="$home" XDG_CACHE_HOME="$home/.cache" VENV_CACHE_DIR="$home/.cache/venv"
export VENV_TEST_HOME="$home"

if [ "$kind" = unit ]; then
	set -- "$t"
else
	set -- bash "$t"
fi
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%e %U %S' -o "$resdir/$name.time" "$@" >"$log" 2>&1
	rc=$?
	# time(1) says "Command exited with non-zero status N" first.
	tail -n 1 "$resdir/$name.time" >"$resdir/$name.time.tmp" &&
		mv "$resdir/$name.time.tmp" "$resdir/$name.time"
else
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	echo "$(($(date +%s) - start)) ? ?" >"$resdir/$name.time"
fi
read -r wall user sys <"$resdir/$name.time" || wall=? user=? sys=?
if [ "$user" != "?" ]; then
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
else
	cpu="?"
fi
times="${wall}s, cpu ${cpu}s"

# Print each result with one write, so that parallel tests do not interleave.
if [ "$kind" = unit ]; then
	line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	else
		n=1 f=1 e=0
	fi
	if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
		f=1
	fi
	echo "$((n - f - e < 0 ? 0 : n - f - e)) $((f + e)) 0" >"$resdir/$name.res"
	if [ "$rc" -ne 0 ] || [ $((f + e)) -ne 0 ]; then
		printf 'FAIL %s (exit %s, %s)\n%s\n' "$name" "$rc" "$times" \
			"$(sed -n '1,40p' "$log" | sed 's/^/    /')"
	else
		printf 'ok   %s (%s; %s)\n' "$name" "$line" "$times"
	fi
	exit 0
fi
case "$rc" in
0)	echo "1 0 0" >"$resdir/$name.res"
	printf 'ok   %s (%s)\n' "$name" "$times" ;;
77)	echo "0 0 1" >"$resdir/$name.res"
	printf 'skip %s: %s\n' "$name" "$(tail -n 1 "$log")" ;;
*)	echo "0 1 0" >"$resdir/$name.res"
	printf 'FAIL %s (exit %s, %s)\n%s\n' "$name" "$rc" "$times" \
		"$(tail -n 30 "$log" | sed 's/^/    /')" ;;
esac
exit 0
