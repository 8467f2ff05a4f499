#!/bin/bash
# check -r inspects each environment through the directory handle discovery
# opened (issue 14, point 6): the whole environment is walked (its findings
# are there, as with a plain check), `lib` as a link out of the environment
# is reported like `bin`, a tree that could not be searched completely is
# exit status 2 (for list -r and repair -r too, with the same warning), and with environments swapped for links to a sentinel tree
# while the scan runs, nothing of the sentinel tree is ever reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
py=$(py_any)
[ -n "$py" ] || skip "no Python interpreters found"
m=$(py_minor "$py")

# --- the walk sees the environment found by its handle --------------------------------
mkdir -p tree
mk_cpython "$py" tree/env1
chmod o+w "tree/env1/lib/python$m/site-packages"
expect_exit 1 "$VENV" check -r -j 1 --select VNV409 -f json-lines tree
expect_match '"code":"VNV409"' "$OUT" "check -r's findings of the walk (world-writable)"
expect_exit 1 "$VENV" check -r -j 2 --select VNV409 -f json-lines tree
expect_match '"code":"VNV409"' "$OUT" "check -r -j 2's findings of the walk"
chmod o-w "tree/env1/lib/python$m/site-packages"

# --- lib/ as a link out of the environment: reported, not followed --------------------
mk_cpython "$py" outside-env
mk_cpython "$py" tree/env2
rm -rf tree/env2/lib
ln -s "$TMP/outside-env/lib" tree/env2/lib
chmod o+w "outside-env/lib/python$m/site-packages"
expect_exit 1 "$VENV" check -f json-lines tree/env2
expect_match '"file":"tree/env2/lib".*"code":"VNV007"' "$OUT" "lib as a link reported as VNV007"
case $OUT in *outside-env*) fail "check followed lib out of the environment: $OUT" ;; esac
expect_exit 1 "$VENV" check -r -f json-lines tree
expect_match '"file":"tree/env2/lib".*"code":"VNV007"' "$OUT" "check -r: lib as a link"
chmod o-w "outside-env/lib/python$m/site-packages"
rm -rf tree/env2

# --- a tree that could not be searched completely: exit 2 -----------------------------
d=deep
for i in $(seq 1 130); do d="$d/d"; done
mkdir -p "$d"
mk_cpython "$py" deep/env
expect_exit 2 "$VENV" check -r deep
expect_match 'not searched' "$ERR" "the warning about the part not searched"
expect_match 'checked 1 environment' "$OUT" "the environments that were found are still checked"
check_err=$ERR
# list -r and repair -r say it in the same words, and exit 2 as well: list said
# "cannot search" and exited 0, as if the list were complete.
expect_exit 2 "$VENV" list -r deep
expect_eq "$check_err" "$ERR" "list -r's warning (as check -r's)"
expect_match 'deep/env' "$OUT" "the environments that were found are still listed"
expect_exit 2 "$VENV" repair -r --dry-run deep
expect_eq "$check_err" "$(printf '%s\n' "$ERR" | grep -v '^venv: note')" "repair -r's warning (as check -r's)"
rm -rf deep

# --- environments swapped for links to a sentinel tree during the scan -----------------
# The sentinel is an environment full of findings with a recognisable name.
mk_cpython "$py" SENTINEL
chmod o+w "SENTINEL/lib/python$m/site-packages" SENTINEL/bin/activate
rm SENTINEL/bin/activate.fish
mkdir -p race
for i in 1 2 3 4 5 6; do mk_cpython "$py" "race/env$i"; done
racer() {
	while [ -e "$TMP/race-on" ]; do
		for i in 1 2 3 4 5 6; do
			mv "race/env$i" "race/.env$i" 2>/dev/null &&
				ln -s "$TMP/SENTINEL" "race/env$i" 2>/dev/null
			rm -f "race/env$i" 2>/dev/null
			mv "race/.env$i" "race/env$i" 2>/dev/null
		done
	done
}
touch race-on
racer &
rpid=$!
rounds=0
# Under the sanitizers (make SANITIZE=1 check) each check -r runs several
# times slower, so each round sees more swaps: 40 rounds there (CI's time).
want=150
[ "${VENV_SANITIZED:-}" = 1 ] && want=40
while [ "$rounds" -lt "$want" ]; do
	"$VENV" check -r -j 2 --severity info -f json-lines race >race.out 2>race.err
	rc=$?
	[ "$rc" -le 2 ] || { rm -f race-on; wait "$rpid"; fail "check -r exited $rc: $(cat race.err)"; }
	if grep -q SENTINEL race.out race.err; then
		rm -f race-on
		wait "$rpid"
		fail "round $rounds: check -r reported the sentinel tree outside the search: $(grep SENTINEL race.out race.err | head -n 3)"
	fi
	rounds=$((rounds + 1))
done
rm -f race-on
wait "$rpid"
echo "ok: $rounds rounds with a racer, nothing outside the tree reported"
