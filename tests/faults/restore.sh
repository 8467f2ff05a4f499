#!/bin/bash
# Fault injection for `venv restore`: kill the process at each mutating
# system call in turn, and make each of them fail with ENOSPC and EIO; after
# every run the invariant must hold:
#   - nothing outside the environment changed (a sentinel tree beside it,
#     which a symlink inside the archived environment points to);
#   - the environment is either exactly as it was (or still absent) or
#     exactly the archived one; an exit status of 0 always means the latter;
#   (a staging directory beside it may stay: after a kill, or when an
#   injected error stops restore from deleting the old tree, which it says);
#   - running the same restore again succeeds and yields the archived tree.
#
#   tests/faults/restore.sh [--sample K] [PYTHON]
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
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W"' EXIT
export VENV_CACHE_DIR="$W/cache" ASAN_OPTIONS=detect_leaks=0
MUTATING="openat,creat,write,mkdir,mkdirat,symlink,symlinkat,rename,renameat,renameat2,unlink,unlinkat,rmdir,fchmod,fchmodat,chmod,link,linkat,ftruncate,fsync,syncfs,utimensat"
injected=0 violations=0

# Everything below a directory (type, mode, size, link value, checksum),
# without the lock restore takes in an environment it replaces.
listing() {
	[ -e "$1" ] || { echo absent; return; }
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | grep -v '^\./\.venv-repair' &&
		find . -type f ! -name '.venv-repair*' -print0 | xargs -0 -r cksum) | LC_ALL=C sort
}

# The archived environment: a real one with a package, a user file and a
# symlink out of it to the sentinel tree.
mkdir -p "$W/outside/d" && echo keep >"$W/outside/f" && echo keep >"$W/outside/d/f"
"$VENV" create -q --without-pip -p "$PY" "$W/src" >/dev/null || exit 2
site=$(find "$W/src/lib" -maxdepth 2 -name site-packages)
mkdir -p "$site/pkg/sub" && echo 'x = 1' >"$site/pkg/__init__.py" && echo 'y = 2' >"$site/pkg/sub/m.py"
ln -s "$W/outside" "$W/src/link-out"
ln -s "$W/outside/d" "$site/pkg/sub/deep-out"
echo archived >"$W/src/userfile"
"$VENV" repair -q --archive="$W/env.tar.gz" "$W/src" >/dev/null || exit 2
expected_new=$(listing "$W/src")
# The environment restore replaces: another one, with files of its own.
"$VENV" create -q --without-pip -p "$PY" "$W/old-template" >/dev/null || exit 2
echo current >"$W/old-template/userfile" && echo mine >"$W/old-template/only-here"
ln -s "$W/outside" "$W/old-template/link-out"

sentinel_state() { (cd "$W/outside" && find . -printf '%y %m %s %p\n' | sort; cat f d/f); }
expected_sentinel=$(sentinel_state)

prepare() { # $1 = scenario
	rm -rf "$W/p"
	mkdir -p "$W/p"
	[ "$1" = replace ] && cp -a "$W/old-template" "$W/p/env"
	expected_old=$(listing "$W/p/env")
}

check_invariant() { # scenario status what
	local bad="" now
	now=$(listing "$W/p/env")
	[ "$(sentinel_state)" = "$expected_sentinel" ] || bad="the outside tree changed"
	if [ -z "$bad" ] && [ "$2" -eq 0 ] && [ "$now" != "$expected_new" ]; then
		bad="exit 0 but the environment is not the archived one"
	fi
	if [ -z "$bad" ] && [ "$now" != "$expected_new" ] && [ "$now" != "$expected_old" ]; then
		bad="the environment is neither the old nor the archived one: $(diff <(echo "$expected_old") <(echo "$now") | head -n 10)"
	fi
	if [ -z "$bad" ]; then
		"$VENV" restore -q -y --as-is "$W/env.tar.gz" "$W/p/env" >/dev/null 2>&1 || bad="the re-run failed"
		[ -z "$bad" ] && [ "$(listing "$W/p/env")" != "$expected_new" ] &&
			bad="the re-run did not give the archived environment"
		[ -z "$bad" ] && [ "$(sentinel_state)" != "$expected_sentinel" ] && bad="the outside tree changed in the re-run"
	fi
	if [ -n "$bad" ]; then
		echo "VIOLATION ($1, $3, exit $2): $bad"
		violations=$((violations + 1))
	fi
}

for scenario in new replace; do
	prepare "$scenario"
	# Count the mutating calls of one clean run, per system call.
	strace -f -qq -o "$W/trace" -e trace="$MUTATING" \
		"$VENV" restore -q -y --as-is "$W/env.tar.gz" "$W/p/env" >/dev/null 2>&1
	[ "$(listing "$W/p/env")" = "$expected_new" ] || { echo "faults: the clean restore failed"; exit 2; }
	counts=$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$W/trace" | sort | uniq -c)
	while read -r n sc; do
		[ -n "$sc" ] || continue
		for i in $(seq 1 "$n"); do
			[ $(( (i - 1) % sample )) -eq 0 ] || continue
			for fault in signal=KILL error=ENOSPC error=EIO; do
				prepare "$scenario"
				(strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:$fault:when=$i" \
					"$VENV" restore -q -y --as-is "$W/env.tar.gz" "$W/p/env" >/dev/null 2>&1) 2>/dev/null
				status=$?
				injected=$((injected + 1))
				check_invariant "$scenario" "$status" "$sc #$i $fault"
			done
		done
	done <<<"$counts"
done
echo "faults: $injected injected, $violations failed"
[ "$violations" -eq 0 ]
