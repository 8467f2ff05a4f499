#!/bin/bash
# Defaults that fit a project directory, for `venv check` and `venv repair`:
# no DIR means $VIRTUAL_ENV, else ./.venv, else a usage error (2); `check .`
# in a project names the environments below it (also one whose pyvenv.cfg is a
# FIFO or a directory); a non-environment is exit 2
# for both; `repair -r ROOT` repairs what `check -r ROOT` finds, with a summary.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "needs a Python"

mkdir -p "$TMP/proj" "$TMP/empty"
"$VENV" create -q --without-pip -p "$py" "$TMP/proj/.venv" "$TMP/proj/venv" "$TMP/other" ||
	fail "cannot create the environments"

# No DIR, nothing to use: exit 2 for both, saying what was looked for.
cd "$TMP/empty" || fail "cd"
for c in check repair; do
	expect_exit 2 "$VENV" $c
	expect_match "no DIR given, VIRTUAL_ENV is not set and there is no .venv" "$ERR" "$c without DIR"
done

# ./.venv, found from the project directory.
cd "$TMP/proj" || fail "cd"
mv "$TMP/proj" "$TMP/proj2" && cd "$TMP/proj2" || fail "cannot move the project"
expect_exit 1 "$VENV" check
expect_match "proj2/.venv|^\.venv" "$OUT" "the environment checked without DIR"
expect_match "VNV401" "$OUT" "the moved environment's finding"
expect_exit 0 "$VENV" repair
expect_match "proj2/\.venv \(moved or copied from " "$OUT" "repair without DIR"
expect_exit 0 "$VENV" check
# $VIRTUAL_ENV wins over ./.venv.
mv "$TMP/other" "$TMP/other2"
VIRTUAL_ENV="$TMP/other2" expect_exit 1 "$VENV" check
expect_match "^$TMP/other2/bin/activate:[0-9]+: error" "$OUT" "check of the active environment"
VIRTUAL_ENV="$TMP/other2" expect_exit 0 "$VENV" repair -q
expect_exit 0 "$VENV" check "$TMP/other2"

# `check .` in a project: exit 2, naming ./.venv and ./venv.
expect_exit 2 "$VENV" check .
expect_match "'\.' is not a virtual environment .*; did you mean '\./\.venv' or '\./venv'\?" "$OUT" "the hint"
expect_exit 2 "$VENV" check "$TMP/empty"
[[ $OUT != *"did you mean"* ]] || fail "expected no hint for a directory without environments, saw: $OUT"
expect_exit 2 "$VENV" repair "$TMP/empty"
expect_exit 2 "$VENV" check --format json .

# The hint names a .venv or venv whose pyvenv.cfg is a FIFO or a directory too (it named
# none): that is where the environment is, and check of it says what is wrong.
cd "$TMP" || fail "cd"
mkdir -p fifoproj/.venv dirproj/venv/pyvenv.cfg
mkfifo fifoproj/.venv/pyvenv.cfg
expect_exit 2 timeout 60 "$VENV" check fifoproj
expect_match "'fifoproj' is not a virtual environment .*; did you mean 'fifoproj/\.venv'\?" "$OUT" \
	"the hint for a .venv with a FIFO pyvenv.cfg"
expect_exit 1 timeout 60 "$VENV" check fifoproj/.venv
expect_match "cannot read 'pyvenv\.cfg': not a regular file \[VNV201" "$OUT" "check of the FIFO"
expect_exit 2 timeout 60 "$VENV" check dirproj
expect_match "'dirproj' is not a virtual environment .*; did you mean 'dirproj/venv'\?" "$OUT" \
	"the hint for a venv with a directory pyvenv.cfg"

# repair -r: every environment check -r finds, the same safety, a summary.
mkdir -p tree/a tree/b/deep tree/not-env/bin
"$VENV" create -q --without-pip -p "$py" tree/a/.venv tree/b/deep/env || fail "create"
ln -s "$TMP/proj2/.venv" tree/link # links are not followed, as check -r
mv tree tree2
expect_exit 1 "$VENV" check -r tree2
found=$(echo "$OUT" | grep -c 'VNV401' || :)
# --dry-run: exit 1 as something would change, and the summary says that, not that
# problems are left (each plan says none would remain).
expect_exit 1 "$VENV" repair -r --dry-run tree2
expect_match "0 problem\(s\) would remain" "$OUT" "the plans"
expect_match "^would repair 2 environments: 0 ok, 2 with changes to make, 0 with only warnings that would remain, 0 with errors that would remain, 0 failed$" \
	"$OUT" "the dry run's summary"
expect_exit 1 "$VENV" repair -r --dry-run --format json tree2
[ "$(printf '%s' "$OUT" | grep -c '"status": "would-repair"')" -eq 2 ] ||
	fail "expected both environments to be would-repair in JSON, saw: $OUT"
expect_exit 0 "$VENV" repair -r tree2
expect_match "^repaired 2 environments: 2 ok, 0 with only warnings left, 0 with errors left, 0 skipped as busy, 0 failed$" \
	"$OUT" "the summary"
expect_match "tree2/a/\.venv \(moved" "$OUT" "the first environment"
expect_match "tree2/b/deep/env \(moved" "$OUT" "the second environment"
[ "$found" -ge 2 ] || fail "expected check -r to see both moved environments first"
expect_exit 0 "$VENV" check -r tree2
expect_exit 0 "$VENV" repair -r tree2
expect_match "nothing to repair" "$OUT" "a second run"
"$TMP/tree2/a/.venv/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' ||
	fail "expected the repaired environment's python to run"
# A root without environments: nothing to do, said so; no ROOT: a usage error.
expect_exit 0 "$VENV" repair -r "$TMP/empty"
expect_match "no environment found under" "$ERR" "an empty root"
expect_exit 2 "$VENV" repair -r
echo ok
