#!/bin/bash
# Two commands that change one environment, started together (issue 14,
# point 2), and `check -r` against a process swapping environments for links
# (point 6): pairs.sh [ROUNDS] [PYTHON] [PAIR...]. ROUNDS defaults to 50
# (`make races`, ROUNDS=N to change it). The pairs:
#   create-create   two creates of one new directory;
#   create-repair   a create and a repair of it;
#   clear-repair    `create --clear` of an environment and a repair of it;
#   restore-repair  `restore --yes` of an archive over an environment and a repair;
#   check-swap      `check -r` of a tree while another process swaps its
#                   environments for links to a sentinel environment beside
#                   the tree (and back): nothing of the sentinel may be reported
#                   (its name, or the findings only it has: VNV409, VNV501).
# The commands take the one lock (common/lock.h), so one waits for the other;
# in every other round VENV_LOCK_TIMEOUT=0, so that the one that comes second
# fails at once with the lock's message instead. After each round, a bad
# outcome is: an exit status other than 0, the lock's exit 1 with its message,
# or a repair's 2 when there is no environment yet (create-repair only); a
# command that exited 0 without a finished, working environment there, or an
# environment that is neither finished nor absent; a lock file, a restore's
# staging directory or .venv-incomplete left (security.md CRA-09).
# Prints per pair "pairs: PAIR N rounds, N bad, S s; outcomes: N WHAT, ..."
# (WHAT: "1st won/2nd waited", "2nd won/1st refused" (the lock's message),
# "no overlap" (one took the lock after the other let go); for check-swap
# also the swaps, and its exit statuses) and one line per bad round; exits 1
# when there was one. VENV (default: ./venv of the tree) is what runs.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-50}
PY=${2:-}
shift 2 2>/dev/null || shift $#
pairs=${*:-create-create create-repair clear-repair restore-repair check-swap}
VENV=${VENV:-$TOP/venv}
# run.sh pairs [ROUNDS] finds an interpreter as the other races do.
[ -n "$PY" ] || PY=$(command -v python3)
W=$(mktemp -d "${TMPDIR:-/tmp}/venv-pairs.XXXXXX")
trap 'rm -f "$W/race-on"; chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
export VENV_CACHE_DIR="$W/cache" ASAN_OPTIONS=detect_leaks=0
unset VIRTUAL_ENV PYTHONHOME PYTHONPATH VENV_LOCK_TIMEOUT
cd "$W" || exit 2

# The environments the rounds start from: a moved one (repair has work) and its archive.
"$VENV" create -q --without-pip -p "$PY" t.tmp >/dev/null || exit 2
mv t.tmp template
"$VENV" create -q --without-pip -p "$PY" a >/dev/null || exit 2
"$VENV" repair -q --archive="$W/env.tar.gz" a >/dev/null || exit 2
rm -rf a

# finished DIR: a complete environment whose python runs as an environment's.
finished() {
	[ -f "$1/pyvenv.cfg" ] && [ ! -e "$1/.venv-incomplete" ] &&
		"$1/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' 2>/dev/null
}

# lockmsg FILE: what the command said about the lock: waited, busy or nothing.
lockmsg() {
	if grep -q 'is changing .*try again when it has finished' "$1"; then
		echo busy
	elif grep -q 'waiting up to .* for another venv command' "$1"; then
		echo waited
	fi
}

# allowed NAME STATUS LOCKMSG PAIR: 0 when the exit status is one the command may give.
allowed() {
	case "$2" in
	0) return 0 ;;
	1) [ "$3" = busy ] ;;
	2) [ "$1" = repair ] && [ "$4" = create-repair ] ;;
	*) return 1 ;;
	esac
}

# The check-swap set-up: six environments in tree/, and a sentinel environment
# beside the tree, full of findings, with a name that shows wherever it is reported.
setup_check_swap() {
	local i m
	"$VENV" create -q --without-pip -p "$PY" SENTINEL >/dev/null || exit 2
	m=$(ls SENTINEL/lib)
	chmod o+w "SENTINEL/lib/$m/site-packages" SENTINEL/bin/activate
	rm -f SENTINEL/bin/activate.fish
	mkdir -p tree
	for i in 1 2 3 4 5 6; do
		"$VENV" create -q --without-pip -p "$PY" "tree/env$i" >/dev/null || exit 2
	done
}

# The swapper: an environment of the tree renamed aside, a link to the
# sentinel in its place, then put back, over and over; counts its swaps. In
# Python, so that it swaps hundreds of times while one check runs, not a
# few as processes for mv and ln would.
swapper() {
	python3 - "$W" <<'PYEOF'
import os, random, sys, time
w = sys.argv[1]
tree, n = os.path.join(w, "tree"), 0
open(os.path.join(w, "swapping"), "w").close()
while os.path.exists(os.path.join(w, "race-on")):
    for i in range(1, 7):
        env, aside = os.path.join(tree, "env%d" % i), os.path.join(tree, ".env%d" % i)
        try:
            os.rename(env, aside)
        except OSError:
            continue
        try:
            os.symlink(os.path.join(w, "SENTINEL"), env)
            n += 1
            time.sleep(random.random() / 500)
            os.unlink(env)
        except OSError:
            pass
        os.rename(aside, env)
        time.sleep(random.random() / 500)
with open(os.path.join(w, "swaps"), "w") as f:
    f.write("%d\n" % n)
PYEOF
}

# One round of check-swap: sets bad and outcome.
round_check_swap() {
	local rc spid
	rm -f "$W/swapping"
	touch "$W/race-on"
	swapper &
	spid=$!
	# check starts once the swapper is swapping.
	while [ ! -e "$W/swapping" ] && kill -0 "$spid" 2>/dev/null; do sleep 0.01; done
	"$VENV" check -r -j 2 --severity info -f json-lines tree >out 2>err
	rc=$?
	rm -f "$W/race-on"
	wait "$spid"
	swaps=$((swaps + $(cat "$W/swaps")))
	# The outcome: the exit status and the codes reported (the tree's own are none).
	outcome="exit $rc$(sed -n 's/.*"code":"\(VNV[0-9]*\)".*/\1/p' out | sort -u | tr '\n' ' ' |
		sed 's/^\(..*\) $/ (\1)/')"
	# Only the sentinel has world-writable files (VNV409) and a missing activation
	# script (VNV501): either, or its name, means check -r inspected it.
	if grep -q -e SENTINEL -e '"code":"VNV409"' -e '"code":"VNV501"' out err; then
		bad="the sentinel outside the tree was reported: $(grep -h -e SENTINEL -e VNV409 -e VNV501 out err | head -n 2)"
	elif [ "$rc" -gt 2 ]; then
		bad="check -r exited $rc: $(head -n 3 err)"
	elif [ -L tree/env1 ] || [ ! -f tree/env1/pyvenv.cfg ]; then
		bad="the swapper did not put the tree back"
	fi
}

# One round of a pair of commands: sets bad and outcome.
round_pair() {
	local pair=$1 n=$2 name1 name2 r1 r2 m1 m2 p1 p2 maker_ok=0
	rm -rf env .env.venv-lock .env.venv-restore-*
	case "$pair" in
	clear-repair|restore-repair) cp -a template env ;;
	esac
	# Odd rounds wait for the lock (the default), even rounds do not wait at all.
	if [ $((n % 2)) -eq 0 ]; then export VENV_LOCK_TIMEOUT=0; else unset VENV_LOCK_TIMEOUT; fi
	name2=repair
	case "$pair" in
	create-create)
		name1=create name2=create
		"$VENV" create --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
		"$VENV" create --without-pip -p "$PY" env >/dev/null 2>e2 & p2=$! ;;
	create-repair)
		name1=create
		"$VENV" create --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
		"$VENV" repair env >/dev/null 2>e2 & p2=$! ;;
	clear-repair)
		name1=create
		"$VENV" create --clear --without-pip -p "$PY" env >/dev/null 2>e1 & p1=$!
		"$VENV" repair env >/dev/null 2>e2 & p2=$! ;;
	restore-repair)
		name1=restore
		"$VENV" restore -y "$W/env.tar.gz" env >/dev/null 2>e1 & p1=$!
		"$VENV" repair env >/dev/null 2>e2 & p2=$! ;;
	esac
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	unset VENV_LOCK_TIMEOUT
	m1=$(lockmsg e1) m2=$(lockmsg e2)
	# Who won: the one that neither waited nor was refused, when the other was.
	case "$m1/$m2" in
	/waited) outcome="1st won/2nd waited" ;;
	/busy) outcome="1st won/2nd refused" ;;
	waited/) outcome="2nd won/1st waited" ;;
	busy/) outcome="2nd won/1st refused" ;;
	/) outcome="no overlap" ;;
	*) outcome="1st $m1/2nd $m2" ;;
	esac
	[ "$r2" -eq 2 ] && outcome="$outcome (2nd exit 2)"
	if ! allowed "$name1" "$r1" "$m1" "$pair"; then
		bad="$name1 exited $r1: $(head -n 2 e1 | tr '\n' ' ')"
	elif ! allowed "$name2" "$r2" "$m2" "$pair"; then
		bad="$name2 exited $r2: $(head -n 2 e2 | tr '\n' ' ')"
	fi
	[ "$r1" -eq 0 ] && [ "$name1" != repair ] && maker_ok=1
	[ "$r2" -eq 0 ] && [ "$name2" != repair ] && maker_ok=1
	if [ -n "$bad" ]; then
		:
	elif [ "$maker_ok" = 1 ] || [ -e env ]; then
		# Made, or there before: it must be finished (a repair never removes it).
		finished env || bad="the environment is not finished: $(ls -A env 2>&1 | tr '\n' ' ')"
	fi
	if [ -z "$bad" ]; then
		if [ -e .env.venv-lock ]; then
			bad="a lock file was left"
		elif ls -d .env.venv-restore-* >/dev/null 2>&1; then
			bad="a staging directory was left: $(ls -d .env.venv-restore-*)"
		fi
	fi
}

total=0
for pair in $pairs; do
	case "$pair" in
	create-create|create-repair|clear-repair|restore-repair) ;;
	check-swap) setup_check_swap ;;
	*) echo "pairs: unknown pair $pair"; exit 2 ;;
	esac
	bad_rounds=0 swaps=0 start=$(date +%s)
	: >"$W/outcomes"
	for n in $(seq 1 "$rounds"); do
		bad="" outcome=""
		if [ "$pair" = check-swap ]; then
			round_check_swap
		else
			round_pair "$pair" "$n"
		fi
		echo "$outcome" >>"$W/outcomes"
		if [ -n "$bad" ]; then
			bad_rounds=$((bad_rounds + 1))
			echo "BAD ($pair, round $n, $outcome): $bad"
		fi
	done
	mix=$(sort "$W/outcomes" | uniq -c | sort -rn | awk '{ c = $1; $1 = ""; printf "%s%s%s", sep, c, $0; sep = ", " }')
	extra=""
	[ "$pair" = check-swap ] && extra=", $swaps swaps"
	echo "pairs: $pair $rounds rounds, $bad_rounds bad$extra, $(($(date +%s) - start)) s; outcomes: $mix"
	total=$((total + bad_rounds))
done
[ "$total" -eq 0 ]
