#!/bin/bash
# suite: long (a sample of fault injection, races or fuzzing: make check-long, CI)
# Crash safety of venv repair (security.md CRA-01, CRA-03, CRA-04, CRA-09):
# the repair of a moved environment and an --upgrade are killed at mutating
# system calls in turn (strace -e inject=SYSCALL:signal=KILL:when=N, which
# stops the process before the call takes effect), and ENOSPC and EIO are
# injected the same way. After each, the environment must be as it was, or
# repaired, or hold a journal that says how to finish; a second repair must
# then leave exactly the repaired environment, with no file of the user's
# changed and nothing of repair's left behind.
#
# By default every ninth point is tried; REPAIR_FAULTS=full tries them all
# (tests/cli/repair-faults.sh, `make faults`), REPAIR_FAULTS=K every
# K-th of each system call's (tests/faults/repair.sh --sample K), from its
# first. With REPAIR_FAULTS_OFFSET=N, every K-th point of all of them in a
# row instead, from the (N modulo K)-th: fewer points (none of a call made
# less than K times, unless the offset lands on it), and a small sample
# (t3401) that does not try the same points in every run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

command -v strace >/dev/null || skip "needs strace"
strace -f -o /dev/null -e inject=getpid:error=EIO true 2>/dev/null || skip "strace cannot inject faults here"
pys=$(find_pythons | grep -v '^/usr/bin/')
py=$(echo "$pys" | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
step=9
[ "${REPAIR_FAULTS:-}" = full ] && step=1
case ${REPAIR_FAULTS:-} in [1-9]|[1-9][0-9]) step=$REPAIR_FAULTS ;; esac
offset=${REPAIR_FAULTS_OFFSET:-}
late=
case $offset in *[!0-9]*) fail "REPAIR_FAULTS_OFFSET must be a number, saw '$offset'" ;; esac
# openat2: repair opens the directories it works in with RESOLVE_NO_SYMLINKS.
# REPAIR_FAULTS_SYSCALLS="..." tries only those.
SYSCALLS=${REPAIR_FAULTS_SYSCALLS:-"write fsync syncfs renameat unlinkat mkdirat symlinkat fchmod openat openat2 ftruncate pwrite64 linkat utimensat"}
cd "$TMP"

# Everything below an environment, repair's own files included.
listing() {
	(cd "$1" && find . -printf '%p %y %m %l\n' && find . -type f -print0 | xargs -0 -r cksum |
		sed 's/^\([0-9]*\) \([0-9]*\) \(.*\)$/\3 sum \1 \2/') | LC_ALL=C sort
}
# The same without repair's lock, journal and staged files.
state() {
	listing "$1" | grep -v '/\.venv-repair'
}

# check_state WHAT: the environment w after a fault is as it was, or
# repaired, or its journal says how to get to one of them: "prepared" (fix)
# and "backup" (upgrade) promise the old state, "applying" a complete
# backup of bin/ and pyvenv.cfg, "committing" the new state (but the old
# bytecode it lists as "stale", which the commit removes); only a
# "committed" fix may leave a mix, which the staged files complete.
# With $late (paths a second transaction changes once an upgrade is
# committed: repair.c's early activation fixes), the state between the two
# is also whole: is $now the new state but at those paths, which are as old?
# (between STATE: is STATE that, instead of $now.)
between() {
	local p x=${1:-$now} a b=$nonew c= d=
	a=$x
	[ -n "$late" ] || return 1
	for p in $late; do
		a=$(echo "$a" | awk -v p="./$p" 'index($0, p " ") != 1')
		b=$(echo "$b" | awk -v p="./$p" 'index($0, p " ") != 1')
		c="$c$(echo "$x" | awk -v p="./$p" 'index($0, p " ") == 1')"
		d="$d$(echo "$old" | awk -v p="./$p" 'index($0, p " ") == 1')"
	done
	[ "$a" = "$b" ] && [ "$c" = "$d" ]
}
check_state() {
	local nonew=$(echo "$new" | grep -v '/\.venv-repair')
	js=
	[ -e w/.venv-repair.journal ] &&
		js=$(sed -n 's/.*"state": "\([a-z]*\)".*/\1/p' w/.venv-repair.journal)
	case "${js:-none}" in
	none)
		# An injected error may make repair skip a file it could not read;
		# then it must say so (exit status not 0). A kill never may.
		[ "$now" = "$old" ] || [ "$now" = "$nonew" ] || between ||
			{ [ "$mode" != signal=KILL ] && [ "$rc" -ne 0 ]; } ||
			fail "$1 left a half-repaired environment and no journal (exit $rc): $(diff <(echo "$old") <(echo "$now") | head -n 20)" ;;
	prepared|backup)
		[ "$now" = "$old" ] || { [ "$js" = prepared ] && between; } ||
			fail "$1: the journal says '$js' but the environment changed: $(diff <(echo "$old") <(echo "$now") | head -n 20)" ;;
	applying)
		[ "$(cd w/.venv-repair-backup && listing bin | sed 's|^\./|./bin/|;s|^\. |./bin |')" = "$(echo "$old" | grep '^\./bin')" ] ||
			fail "$1: the journal says 'applying' but the backup of bin/ is not complete" ;;
	committing)
		# The commit itself still moves the old version's lib directory
		# and the bytecode the journal lists ("old_lib", "stale") into
		# the trash: the rest must be new.
		local rest=$now s
		for s in $(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("\n".join(j.get("stale", []) + ([j["old_lib"]] if j.get("old_lib") else [])))' w/.venv-repair.journal); do
			rest=$(echo "$rest" | awk -v p="./$s" 'index($0, p " ") != 1 && index($0, p "/") != 1')
		done
		[ "$rest" = "$nonew" ] || between "$rest" || fail "$1: the journal says 'committing' but the environment is not the new one: $(diff <(echo "$nonew") <(echo "$rest") | head -n 20)" ;;
	committed) ;;
	*) fail "$1: unknown journal state '$js'" ;;
	esac
}

# count CMD...: how many times each syscall runs, "name count" lines.
count() {
	strace -f -o "$TMP/count.log" -e trace="$(echo $SYSCALLS | tr ' ' ,)" "$@" >/dev/null 2>&1
	sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$TMP/count.log" | sort | uniq -c
}

# faults NAME SETUP REPAIR-ARGS...: SETUP makes $TMP/w; the repair is run on
# it under each fault in turn.
faults() {
	local name=$1 setup=$2 old new sc n k i tried=0 mode seen= points at=0
	shift 2
	$setup || fail "$name: setup failed"
	old=$(state w)
	"$VENV" repair -q "$@" w >/dev/null 2>&1 || fail "$name: the reference repair failed"
	new=$(listing w)
	[ "$old" != "$(state w)" ] || fail "$name: the reference repair changed nothing"
	rm -rf w
	$setup
	counts=$(count "$VENV" repair -q "$@" w)
	rm -rf w
	for mode in signal=KILL error=ENOSPC error=EIO; do
		while read -r k sc; do
			[ -n "$sc" ] || continue
			case "$mode:$sc" in
			error=ENOSPC:write|error=ENOSPC:pwrite64|error=ENOSPC:mkdirat|error=ENOSPC:symlinkat|error=ENOSPC:openat|error=ENOSPC:openat2) ;;
			error=EIO:fsync|error=EIO:write|error=EIO:renameat) ;;
			error=*) continue ;;
			esac
			if [ -z "$offset" ]; then
				points=$(seq 1 "$step" "$k")
			else
				# The calls n at which at + n - 1 + offset is a multiple of step.
				points=$(seq $(((step - (at + offset) % step) % step + 1)) "$step" "$k")
				at=$((at + k))
			fi
			for n in $points; do
				tried=$((tried + 1))
				$setup
				strace -f -o /dev/null -e inject="$sc:$mode:when=$n" \
					"$VENV" repair -q "$@" w >"$TMP/out" 2>&1
				rc=$?
				now=$(state w)
				check_state "$name: $sc $mode at call $n"
				seen="$seen ${js:-none}"
				if [ "$mode" != signal=KILL ] && [ "$rc" -eq 0 ] && [ "$now" != "$(echo "$new" | grep -v '/\.venv-repair')" ]; then
					fail "$name: $sc $mode at call $n exited 0 without repairing: $(cat "$TMP/out")"
				fi
				"$VENV" repair -q "$@" w >"$TMP/out2" 2>&1 ||
					fail "$name: the repair after $sc $mode at call $n failed: $(cat "$TMP/out2")"
				[ "$(listing w)" = "$new" ] ||
					fail "$name: after $sc $mode at call $n and a second repair: $(diff <(echo "$new") <(listing w) | head -n 20)"
				rm -rf w
			done
		done <<<"$counts"
	done
	echo "$name: $tried fault points, all old or repaired; journal states seen:" \
		$(echo $seen | tr ' ' '\n' | sort | uniq -c | tr '\n' ' ')
}

# A moved environment with console scripts in both of pip's forms, a .pth
# into it and user files (no pip itself: copying it for each point is slow).
"$VENV" create -q --without-pip -p "$py" tmpl || fail "venv create failed"
echo "user data" >tmpl/notes.txt
for s in tool1 tool2 tool3; do
	printf '#!%s/tmpl/bin/python\nimport sys\nprint(sys.argv)\n' "$TMP" >"tmpl/bin/$s"
	chmod 755 "tmpl/bin/$s"
done
printf "#!/bin/sh\n'''exec' \"%s/tmpl/bin/python\" \"\$0\" \"\$@\"\n' '''\nprint(1)\n" "$TMP" >tmpl/bin/tramp
chmod 755 tmpl/bin/tramp
site=$(cd tmpl && ls -d lib/python3.*/site-packages)
mkdir tmpl/src && echo "$TMP/tmpl/src" >"tmpl/$site/extra.pth"
rm tmpl/bin/activate.fish
setup_moved() {
	rm -rf w && cp -a tmpl w
}
faults moved setup_moved

# pyvenv.cfg or bin/ unreadable for a moment (EIO, ENOSPC at each of their
# opens after the lock up to the plan's read of pyvenv.cfg; --sample 3 found
# the 10th and 40th openat, the full sweep the 41st, the plan's open of bin/:
# without it, the scripts got bin/python3.13 instead of the bin/python they
# named, and exit 0): it is not a bad pyvenv.cfg to write anew, nor one to
# leave naming the old place, nor a bin/ to plan without. Nothing changes,
# and the exit status says something could not be read.
setup_moved
strace -f -o "$TMP/cfg.log" -e trace=openat "$VENV" repair -q w >/dev/null 2>&1
# Up to the second open of pyvenv.cfg: the inspection and the plan, before
# anything is written (a later one, the check after the repair, may only
# report what it cannot read). The main thread's opens only: strace counts
# each thread's calls on their own for when=, and check reads the
# installed distributions on a thread of its own meanwhile.
awk 'NR == 1 { main = $1 } $1 == main' "$TMP/cfg.log" | grep -v 'resumed>' > "$TMP/cfg.main"
opens=$(awk '/venv-lock/ { l = 1 } l && /"(pyvenv\.cfg|bin)"/ { print NR } l && /"pyvenv\.cfg"/ && ++c == 2 { exit }' "$TMP/cfg.main")
[ "$(echo "$opens" | wc -w)" -ge 3 ] ||
	fail "expected opens of pyvenv.cfg and bin after the lock, saw $opens in: $(head -n 30 "$TMP/cfg.log")"
for n in $opens; do
	what=$(sed -n "${n}s/.*openat([^,]*, \"\([^\"]*\)\".*/\1/p" "$TMP/cfg.main")
	for mode in error=EIO error=ENOSPC; do
		setup_moved
		old=$(state w)
		strace -f -o /dev/null -e inject="openat:$mode:when=$n" "$VENV" repair -q w >"$TMP/out" 2>&1
		rc=$?
		[ "$rc" -ne 0 ] || fail "$what unreadable ($mode, openat $n): repair exited 0: $(cat "$TMP/out")"
		[ "$(state w)" = "$old" ] ||
			fail "$what unreadable ($mode, openat $n): repair changed the environment: $(cat "$TMP/out")"
	done
done
rm -rf w

# An upgrade within a minor version: the base behind the same path changed.
p311=$(echo "$pys" | grep 'python3\.11$' | head -n 1)
if [ -n "$p311" ] && [ -x /usr/bin/python3.11 ]; then
	mkdir base
	ln -s /usr/bin/python3.11 base/python3.11
	# Made at w itself, so that only the upgrade has work to do.
	"$VENV" create -q --without-pip -p "$TMP/base/python3.11" w || fail "venv create failed"
	echo "user data" >w/notes.txt
	ln -sfn "$p311" base/python3.11
	"$VENV" repair -q --upgrade --dry-run w >/dev/null 2>&1   # fills the interpreter cache
	mv w utmpl
	setup_upgrade() {
		rm -rf w && cp -a utmpl w
	}
	faults upgrade setup_upgrade --upgrade
fi

# An upgrade across a minor version (issue 12), 3.11 -> 3.12: two pure
# distributions with console scripts and their bytecode (installed by 3.11's
# own pip with --python, which writes the bytecode and lists it in RECORD),
# and a user's module in site-packages, no distribution's. The packages are
# moved, their RECORDs written again, the old bytecode and lib/python3.11
# deleted through the trash: each kill must still leave the old or the
# upgraded environment, or a journal to finish from. Made by 3.11's own
# venv, whose activation scripts (3.11.7's unquoted template, VNV502) repair
# rewrites once the upgrade is committed, while the trash is emptied: that
# second transaction is killed and failed too. Its points are every
# (4 x step)-th: each costs a copy and two upgrades.
p312=$(echo "$pys" | grep 'python3\.12$' | head -n 1)
if [ -n "$p311" ] && [ -n "$p312" ] && "$p311" -m pip --version >/dev/null 2>&1; then
	make_wheel "$p311" wheels mpa 1.0 >/dev/null && make_wheel "$p311" wheels mpb 1.0 >/dev/null ||
		fail "could not build the test wheels"
	"$p311" -m venv --without-pip w || fail "python3.11 -m venv failed"
	grep -q 'VIRTUAL_ENV="' w/bin/activate ||
		fail "expected 3.11's unquoted activation template: $(grep VIRTUAL_ENV= w/bin/activate)"
	"$p311" -m pip --python w/bin/python install -q --no-index wheels/*.whl ||
		fail "pip --python install of the test wheels failed"
	echo "USER = 1" >w/lib/python3.11/site-packages/usermod.py
	"$VENV" repair -q --upgrade -p "$p312" --dry-run w >/dev/null 2>&1   # fills the interpreter cache
	mv w mtmpl
	setup_minor() {
		rm -rf w && cp -a mtmpl w
	}
	save_step=$step
	step=$((step * 4))
	late="bin/activate bin/activate.csh bin/activate.fish"
	faults upgrade-minor setup_minor --upgrade -p "$p312"
	# Every openat2 (each directory repair works in), killed and failing:
	# where one failing open once lost every package (a second pass moved
	# the new lib aside and never brought it back) or a user's module (an
	# entry that could not be stat'ed was taken for one that was gone).
	if [ -z "$offset" ]; then
		save_calls=$SYSCALLS
		SYSCALLS=openat2
		step=1
		faults upgrade-minor-dirs setup_minor --upgrade -p "$p312"
		SYSCALLS=$save_calls
	fi
	step=$save_step
	late=
fi
echo ok
