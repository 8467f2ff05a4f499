#!/bin/bash
# The waits for the device of `repair --upgrade` (issue 12): the journal
# that says "applying" is written by the syncfs that makes the backup
# durable, the one that says "committing" by the syncfs that makes the
# changes durable, and no journal is written before the backup at all
# (the environment is not changed until "applying"). So, in place:
#   - three journal writes (applying, the moves, committing), not four;
#   - one fsync of a journal of its own (the moves'), each other one
#     renamed into place only after a syncfs;
#   - a repair killed at that first syncfs leaves the environment as it
#     was and a backup without a journal, which the next repair removes.
# Needs strace.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
command -v strace >/dev/null || skip "needs strace"
cd "$TMP" || fail "cannot enter $TMP"

"$p11" -m venv --without-pip tmpl || fail "python3.11 -m venv failed"
# A file of the user's in site-packages: moved, so the moves are journaled.
echo 'DEBUG = False' > tmpl/lib/python3.11/site-packages/local_settings.py
cp -a tmpl w
trace -y -e trace=fsync,syncfs,renameat "$VENV" repair -q --upgrade -p "$p12" w >out 2>&1 ||
	fail "repair --upgrade failed: $(cat out)"
cmp -s tmpl/lib/python3.11/site-packages/local_settings.py \
	w/lib/python3.12/site-packages/local_settings.py ||
	fail "expected local_settings.py moved to the new site-packages"
writes=$(grep -c 'renameat(.*"\.venv-repair\.journal\.new", .*"\.venv-repair\.journal")' st.log)
expect_eq 3 "$writes" "journal writes (applying, the moves, committing)"
fsyncs=$(grep -c '^fsync(.*\.venv-repair\.journal\.new>)' st.log)
expect_eq 1 "$fsyncs" "journals synced on their own (the moves'; the others by a syncfs)"
# Each journal renamed into place was synced first: by its own fsync or a syncfs.
bad=$(awk '/^(fsync\(.*journal\.new>\)|syncfs\()/ { synced = 1; next }
	/renameat\(.*"\.venv-repair\.journal\.new", .*"\.venv-repair\.journal"\)/ { if (!synced) print NR; synced = 0 }' st.log)
[ -z "$bad" ] || fail "expected every journal synced before its rename, saw one not at line $bad of: $(cat st.log)"
first=$(grep -n -m 1 -E '^(syncfs\(|renameat\(.*"\.venv-repair\.journal")' st.log)
expect_match '^[0-9]+:syncfs\(' "$first" "the first sync or journal of the upgrade (the backup's syncfs)"
expect_exit 0 "$VENV" check w

# Killed at the backup's syncfs: nothing changed, a backup and no journal.
rm -rf w && cp -a tmpl w
# (In a subshell: the shell's "Killed" notice is not news.)
(env ASAN_OPTIONS=detect_leaks=0 strace -qq -f -o /dev/null -e inject=syncfs:signal=KILL:when=1 \
	"$VENV" repair -q --upgrade -p "$p12" w >out 2>&1; echo $? >rc) 2>/dev/null
[ "$(cat rc)" -ne 0 ] || fail "expected the repair killed"
[ -d w/.venv-repair-backup ] || fail "expected the backup left by the killed repair, saw: $(ls -A w)"
[ ! -e w/.venv-repair.journal ] || fail "expected no journal before the backup is durable"
grep -q '^version = 3\.11\.' w/pyvenv.cfg && [ -d w/lib/python3.11 ] && [ ! -e w/lib/python3.12 ] ||
	fail "expected the environment unchanged (3.11), saw: $(grep version w/pyvenv.cfg); $(ls w/lib)"
expect_exit 0 "$VENV" repair -q w
[ ! -e w/.venv-repair-backup ] || fail "expected the next repair to remove the backup without a journal"
left=$(ls -A w | grep -v '^bin$\|^include$\|^lib$\|^lib64$\|^pyvenv.cfg$')
[ -z "$left" ] || fail "expected nothing of repair's left in the environment, saw: $left"
expect_exit 0 "$VENV" repair -q --upgrade -p "$p12" w
grep -q '^version = 3\.12\.' w/pyvenv.cfg || fail "expected the next repair to upgrade"
expect_exit 0 "$VENV" check w
echo ok
