#!/bin/bash
# What a committed upgrade across minor versions no longer needs (the old
# version's lib, bytecode, the backup) is not deleted while venv repair
# runs (on a disk that discards freed blocks at once, most of its wait):
# it is moved out of the environment to .NAME.venv-trash beside it and
# deleted by a process of its own once repair has exited (issue 12). The
# environment is final when the command returns: nothing of repair's in
# it, check clean at once (VNV117 would say "unfinished repair"); the
# deleting process holds neither the lock (the next repair does not wait)
# nor the command's output (a $(...) returns); the trash is gone soon
# after; and one left by a deleting process that was killed is removed by
# the next repair of the environment. What the upgrade replaces or removes
# before its commit (bin/python3.11, the activation scripts) goes to the
# trash too, not freed while it runs: a freed inode costs the removal's
# wait and a look by each file created after it (ext4's recently_deleted).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
cd "$TMP" || fail "cannot enter $TMP"

"$p11" -m venv --without-pip w || fail "python3.11 -m venv failed"
echo "USER = 1" >w/lib/python3.11/site-packages/usermod.py
mkdir -p w/lib/python3.11/site-packages/__pycache__
echo stale >w/lib/python3.11/site-packages/__pycache__/usermod.cpython-311.pyc
# The command itself (strace without -f: not the deleting process) moves the
# trash out of the environment in one rename.
tracer=
# (LeakSanitizer cannot work under ptrace: off for this run in the sanitizer pass.)
command -v strace >/dev/null &&
	tracer="env ASAN_OPTIONS=detect_leaks=0 strace -qq -o $TMP/st.log -e trace=renameat,renameat2,linkat,unlinkat,wait4,clone,clone3,fork"
out=$($tracer "$VENV" repair -y --upgrade -p "$p12" w 2>&1) || fail "repair --upgrade failed: $out"
if [ -n "$tracer" ]; then
	grep -q '"\.venv-repair-deleting", [0-9]*, "\.w\.venv-trash"' st.log ||
		fail "expected the trash renamed to .w.venv-trash beside the environment, saw: $(grep -i deleting st.log)"
	# Nor is what the upgrade replaces or removes freed while it runs: the
	# old interpreter name goes into the trash, not away; a replaced
	# activation script is linked there before the new one takes its name.
	grep -q 'unlinkat([0-9]*, "python3\.11"' st.log &&
		fail "expected bin/python3.11 moved into the trash, not removed: $(grep python3.11 st.log)"
	grep -q 'renameat([0-9]*, "python3\.11", [0-9]*, "[0-9]*")' st.log ||
		fail "expected bin/python3.11 moved into the trash, saw: $(grep python3.11 st.log)"
	# The deleting process is forked once and not waited for (it waits
	# for the command to exit): the command waits for no child.
	# (The last process it starts; the interpreters it asks run before.)
	pid=$(grep -E '^(clone3?|fork)\(' st.log | tail -n 1 | sed -n 's/.* = \([0-9][0-9]*\)$/\1/p')
	[ -n "$pid" ] || fail "expected repair to fork the deleting process, saw: $(grep -E '^(clone|fork)' st.log)"
	grep -q "^wait4($pid," st.log && fail "expected repair not to wait for the deleting process $pid"
	grep -q "^wait4(-1," st.log && fail "expected repair not to wait for any child: $(grep '^wait4' st.log)"
	a=$(grep -n '^linkat([0-9]*, "activate", [0-9]*, "[0-9]*", 0)' st.log | head -n 1 | cut -d: -f1)
	b=$(grep -n 'renameat([0-9]*, "\.venv-repair-new\.[0-9]*", [0-9]*, "activate")' st.log |
		head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] ||
		fail "expected the old bin/activate linked into the trash before it is replaced, saw: $(grep '"activate"' st.log)"
fi
[ ! -e w/.venv-repair-deleting ] || fail "expected no trash left in the environment, saw: $(ls -A w)"
[ ! -e w/lib/python3.11 ] || fail "expected lib/python3.11 gone from the environment"
expect_eq "USER = 1" "$(cat w/lib/python3.12/site-packages/usermod.py)" "the user's module, moved"
expect_exit 0 "$VENV" check --severity info --select VNV117 w
expect_exit 0 "$VENV" check w
expect_exit 0 env VENV_LOCK_TIMEOUT=0 "$VENV" repair -y w
if printf '%s' "$ERR" | grep -q 'wait'; then
	fail "expected the next repair not to wait for the deleting process, saw: $ERR"
fi
for i in $(seq 1 100); do
	[ -e .w.venv-trash ] || break
	sleep 0.1
done
[ ! -e .w.venv-trash ] || fail "expected .w.venv-trash deleted within 10 s, saw: $(find .w.venv-trash | head)"
[ ! -e .w.venv-lock ] || fail "expected no lock file left"

# A trash a killed deleting process left beside the environment: the next
# repair (which takes the lock) removes it, and nothing else beside it.
mkdir -p .w.venv-trash/0/lib/python3.11/site-packages && echo x >.w.venv-trash/0/lib/python3.11/site-packages/old.py
echo keep >.w.venv-trash-not-ours
# While it is there, check -r does not take the backup in it (bin/ and
# pyvenv.cfg) for an environment.
mkdir -p .w.venv-trash/1/bin && cp w/pyvenv.cfg .w.venv-trash/1/
expect_exit 0 "$VENV" check -r .
expect_match "checked 1 environment" "$OUT" "check -r beside a trash"
expect_exit 0 "$VENV" repair -y w
[ ! -e .w.venv-trash ] || fail "expected the left trash removed by the next repair, saw: $(find .w.venv-trash)"
expect_eq keep "$(cat .w.venv-trash-not-ours)" "a file beside the environment that is not the trash"
echo ok
