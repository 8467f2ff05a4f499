#!/bin/bash
# Fault injection for `venv create` and `venv create --clear --force`: kill the
# process at each mutating system call in turn, and make each of them fail
# with ENOSPC and EIO; after every run the invariant must hold:
#   - nothing outside the environment changed (a sentinel tree, and the
#     targets of symlinks planted inside the environment);
#   - the environment is either absent, marked unfinished (.venv-incomplete),
#     or complete and working; an exit status of 0 always means complete;
#   - running the same command again succeeds and yields a working environment.
# (security.md CRA-02, CRA-03, DEL-06.)
#
#   tests/faults/create.sh [--sample K] [PYTHON]
# --sample K tries every K-th injection point only (CI); the default is all.
# Prints "faults: N injected, N failed" and exits non-zero on any violation.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$TOP/venv}   # what runs: a copy lets the tree be rebuilt meanwhile
sample=1
if [ "${1:-}" = --sample ]; then sample=$2; shift 2; fi
PY=${1:-}
if [ -z "$PY" ]; then
	for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[0-9].*; do
		v=$(basename "$d" | cut -d. -f1,2)
		[ -x "$d/bin/python$v" ] && PY="$d/bin/python$v"
	done
fi
[ -n "$PY" ] || PY=$(command -v python3)
command -v strace >/dev/null || { echo "faults: strace is not installed"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/venv-faults.XXXXXX")
trap 'rm -rf "$W"' EXIT
export VENV_CACHE_DIR="$W/cache" ASAN_OPTIONS=detect_leaks=0
"$VENV" create -q --without-pip -p "$PY" "$W/warm" >/dev/null # cache the facts first
MUTATING="openat,creat,write,mkdir,mkdirat,symlink,symlinkat,rename,renameat,renameat2,unlink,unlinkat,rmdir,fchmod,fchmodat,chmod,link,linkat,ftruncate"
injected=0 violations=0

sentinel_state() { (cd "$W/outside" && find . -printf '%y %m %s %p\n' | sort; cat f d/f); }

prepare() { # $1 = scenario
	rm -rf "$W/env" "$W/outside"
	mkdir -p "$W/outside/d" && echo keep >"$W/outside/f" && echo keep >"$W/outside/d/f"
	if [ "$1" = clear ]; then
		"$VENV" create -q --without-pip -p "$PY" "$W/env" || exit 2
		ln -s "$W/outside" "$W/env/link-out"
		ln -s "$W/outside/f" "$W/env/lib/file-out"
		mkdir -p "$W/env/lib/x/y" && ln -s "$W/outside/d" "$W/env/lib/x/y/deep"
		echo user >"$W/env/userfile" # only --force clears what is not an environment's
	fi
}

args_for() { # scenario -> the command's arguments
	if [ "$1" = clear ]; then
		echo "create -q --clear --force --without-pip -p $PY $W/env"
	else
		echo "create -q --without-pip -p $PY $W/env"
	fi
}

env_works() {
	[ -f "$W/env/pyvenv.cfg" ] && [ ! -e "$W/env/.venv-incomplete" ] &&
		[ -f "$W/env/bin/activate" ] &&
		[ "$(env -i "$W/env/bin/python" -c 'import sys; print(sys.prefix)' 2>/dev/null)" = "$W/env" ]
}

check_invariant() { # scenario status what
	local bad=""
	[ "$(sentinel_state)" = "$expected_sentinel" ] || bad="outside tree changed"
	if [ -z "$bad" ] && [ "$2" -eq 0 ] && ! env_works; then
		bad="exit 0 but the environment is not complete"
	fi
	if [ -z "$bad" ] && [ -e "$W/env" ] && [ -n "$(ls -A "$W/env")" ] && ! env_works &&
		[ ! -e "$W/env/.venv-incomplete" ] && [ "$1" != clear ]; then
		bad="a half-made environment without the unfinished marker"
	fi
	if [ -z "$bad" ]; then
		# Re-running converges (after --clear, a plain create finishes it too).
		"$VENV" $(args_for "$1") >/dev/null 2>&1 || bad="the re-run failed"
		[ -z "$bad" ] && ! env_works && bad="the re-run did not give a working environment"
		[ -z "$bad" ] && [ "$(sentinel_state)" != "$expected_sentinel" ] && bad="outside tree changed by the re-run"
	fi
	if [ -n "$bad" ]; then
		echo "VIOLATION ($1, $3): $bad"
		violations=$((violations + 1))
	fi
}

for scenario in new clear; do
	prepare "$scenario"
	expected_sentinel=$(sentinel_state)
	# Count the mutating calls of one clean run, per system call.
	strace -f -qq -c -o "$W/counts" -e trace="$MUTATING" "$VENV" $(args_for "$scenario") >/dev/null 2>&1
	counts=$(awk '$NF ~ /^[a-z0-9_]+$/ && $(NF-1) ~ /^[0-9]+$/ && $NF != "total" { print $NF, ($(NF-2) ~ /^[0-9]+$/ && NF == 6) ? $(NF-2) : $(NF-1) }' "$W/counts")
	while read -r sc n; do
		[ -n "$sc" ] || continue
		# strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall
		n=$(awk -v s="$sc" '$NF == s { print $4 }' "$W/counts")
		for i in $(seq 1 "$n"); do
			[ $(( (i - 1) % sample )) -eq 0 ] || continue
			for fault in signal=KILL error=ENOSPC error=EIO; do
				prepare "$scenario"
				(strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:$fault:when=$i" \
					"$VENV" $(args_for "$scenario") >/dev/null 2>&1) 2>/dev/null
				status=$?
				injected=$((injected + 1))
				check_invariant "$scenario" "$status" "$sc #$i $fault"
			done
		done
	done <<<"$counts"
done
echo "faults: $injected injected, $violations failed"
[ "$violations" -eq 0 ]
