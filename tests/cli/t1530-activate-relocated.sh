#!/bin/bash
# A relocated environment (security.md ACT-15): created under a hostile
# directory name, then moved, so the path written into its activation
# scripts no longer exists. Sourcing them in every shell must not run that
# stale path as code: VIRTUAL_ENV is the recorded path byte for byte, PATH
# gets its bin directory, the prompt shows the name as plain text,
# deactivate restores everything and no sentinel command runs.
#
# What this does not test, because the scripts do not do it: falling back
# to the script's own location when the recorded path is gone (the second
# half of ACT-15). Like CPython's, our scripts keep the recorded path, and
# `venv check` reports the move (relocated-environment, t2100).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || fail "cannot enter $TMP"
# The sessions run `python`, which the stale bin directory cannot provide:
# give them the base interpreter at the end of PATH (nu stops otherwise).
mkdir -p "$TMP/basebin" && ln -s "$ACT_PY" "$TMP/basebin/python"
ACT_PATH=$ACT_PATH:$TMP/basebin
# A name that runs a command in every shell if pasted unquoted or
# re-evaluated (ACT-01, ACT-03, ACT-06 and ACT-08 pieces).
name='x";touch S1;"$(touch S2)`touch S3`\'"'"'!$ (touch S4)'
mkdir -p "$TMP/old/$name"
act_create "$TMP/old/$name/env"
mv "$TMP/old/$name/env" "$TMP/moved" || fail "cannot move the environment"
rmdir "$TMP/old/$name" "$TMP/old" || fail "cannot remove the old location"
stale="$TMP/old/$name/env"
[ ! -e "$stale" ] || fail "expected the recorded path to be gone"

for s in $ACT_SHELLS; do
	act_have "$s" || continue
	act_session "$s" "$TMP/moved" "$ACT_OUT/$s" &
done
wait
# VIRTUAL_ENV is the recorded path; python comes from the base at the end of PATH.
for s in $ACT_SHELLS; do
	act_have "$s" || continue
	act_check "$s" "$stale" env "$ACT_OUT/$s" -
done
# Nothing ran in the test's own directory either (the shells start elsewhere,
# but a command run while venv wrote the scripts would land here).
left=$(find "$TMP" -maxdepth 1 -name 'S[0-9]*')
[ -z "$left" ] || fail "a sentinel command ran: $left"
[ -z "$ACT_MISSING" ] || echo "note: shells not installed:$ACT_MISSING"
echo ok
