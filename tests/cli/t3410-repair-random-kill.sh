#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# A repair of a moved environment killed at random moments (not only at
# system calls chosen in advance): the next repair always finishes, the
# environment works, and the user's own files come out byte-identical.
# REPAIR_KILLS=N sets the number of rounds (default 28).
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"
rounds=${REPAIR_KILLS:-28}

"$VENV" create -q -p "$py" env || fail "create failed"
printf 'precious\n' >env/userdata.txt
printf '#!/bin/sh\necho mine\n' >env/bin/my-tool && chmod 0755 env/bin/my-tool
mkdir -p env/lib/extra && head -c 4096 /dev/urandom >env/lib/extra/blob
mv env template
user_sum() { (cd "$1" && cksum userdata.txt bin/my-tool lib/extra/blob); }
want=$(user_sum template)

killed=0 before=0 midway=0 after=0
for i in $(seq 1 "$rounds"); do
	rm -rf work && cp -a template work
	"$VENV" repair -q -y work >/dev/null 2>&1 &
	pid=$!
	# Somewhere inside the repair (it takes a few milliseconds here).
	sleep "0.00$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	# Where did the kill land? Count the files the first repair had changed.
	n=0
	for f in activate activate.fish activate.csh pip pip3; do
		cmp -s "work/bin/$f" "template/bin/$f" || n=$((n + 1))
	done
	case $n in 0) before=$((before + 1)) ;; 5) after=$((after + 1)) ;; *) midway=$((midway + 1)) ;; esac
	out=$("$VENV" repair -y work 2>&1) || fail "round $i: the repair after a kill failed: $out"
	"$VENV" check -q work >/dev/null 2>&1 || fail "round $i: venv check found problems after the second repair: $("$VENV" check work 2>&1 | tail -n 5)"
	[ "$(user_sum work)" = "$want" ] || fail "round $i: a user file changed"
	[ "$(env -i work/bin/python -c 'import sys; print(sys.prefix)')" = "$TMP/work" ] ||
		fail "round $i: the environment's python does not run from its new place"
	work/bin/pip --version >/dev/null 2>&1 || fail "round $i: pip does not run after the repair"
done
echo "$rounds rounds, $killed killed while running: $before before any change, $midway midway, $after after the scripts were rewritten"
