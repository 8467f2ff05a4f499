#!/bin/bash
# The activation scripts that repair rewrites from its first look (the
# unquoted templates of CPython 3.11's venv, VNV502) are written inside the
# transaction of `repair --upgrade`, not in a second one after its commit
# (issue 12: that second journal and its two syncs cost an upgrade in place
# as much as its own commit). bin/ is in the upgrade's backup, so:
#   - one journal, removed once, and the report still lists the rewrites;
#   - a failure while they are put in place rolls the whole upgrade back:
#     the environment is the old version's again, its activation scripts
#     as they were, and a repair after it finishes the job.
# Needs strace (the failure is injected into the rename that puts the new
# bin/activate in place).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

need_p11_p12
command -v strace >/dev/null || skip "needs strace"
cd "$TMP" || fail "cannot enter $TMP"

"$p11" -m venv --without-pip tmpl || fail "python3.11 -m venv failed"
cp -a tmpl w
trace -e trace=renameat,renameat2,unlinkat "$VENV" repair -y --upgrade -p "$p12" w >out 2>&1 ||
	fail "repair --upgrade failed: $(cat out)"
expect_match "bin/activate: rewritten" "$(cat out)" "the report of the upgrade"
n=$(grep -c 'unlinkat(.*"\.venv-repair\.journal", 0)' st.log)
expect_eq 1 "$n" "journals removed (one transaction for the upgrade and the activation scripts)"
grep -q 'Activation script for POSIX' w/bin/activate ||
	fail "expected bin/activate rewritten, saw: $(head -n 2 w/bin/activate)"
expect_exit 0 "$VENV" check w

# The rename that puts the new bin/activate in place, counted among all
# renames of the run above, fails in a fresh copy.
k=$(grep -E '^renameat2?\(' st.log | grep -n '"\.venv-repair-new\.[0-9]*", [0-9]*, "activate"' |
	head -n 1 | cut -d: -f1)
[ -n "$k" ] || fail "expected a rename of a staged bin/activate, saw: $(grep -c . st.log) calls"
rm -rf w && cp -a tmpl w
trace -e trace=renameat -e inject=renameat:error=EIO:when="$k" \
	"$VENV" repair -y --upgrade -p "$p12" w >out 2>&1 && fail "expected the injected failure to fail the repair: $(cat out)"
grep -q '^version = 3\.11\.' w/pyvenv.cfg ||
	fail "expected the upgrade rolled back (version 3.11), saw: $(grep version w/pyvenv.cfg)"
[ -d w/lib/python3.11 ] && [ ! -e w/lib/python3.12 ] ||
	fail "expected lib/python3.11 back and no lib/python3.12, saw: $(ls w/lib)"
cmp -s tmpl/bin/activate w/bin/activate || fail "expected bin/activate as it was before the upgrade"
left=$(ls -A w | grep -v '^bin$\|^include$\|^lib$\|^lib64$\|^pyvenv.cfg$')
[ -z "$left" ] || fail "expected nothing of repair's left in the environment, saw: $left"
expect_exit 0 "$VENV" repair -y --upgrade -p "$p12" w
grep -q '^version = 3\.12\.' w/pyvenv.cfg || fail "expected the next repair to upgrade"
expect_exit 0 "$VENV" check w
echo ok
