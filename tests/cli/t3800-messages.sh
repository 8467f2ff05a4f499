#!/bin/bash
# Messages of issue 15: restore's "cannot open" in the documented form,
# --upgrade-deps's prefix, --archive's path printed once, a moved
# environment's summary line, and the progress
# line's escapes only on a terminal and never under NO_COLOR.
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"

# restore: the documented form, with the system's reason.
expect_exit 2 "$VENV" restore /no/such.tar.zst
expect_eq "venv: error: cannot open '/no/such.tar.zst': No such file or directory" "$ERR" "restore's error"
mkdir adir
expect_exit 2 "$VENV" restore adir
expect_eq "venv: error: cannot open 'adir': Is a directory" "$ERR" "restore's error for a directory"

# --upgrade-deps: every line of ours says "venv:".
expect_exit 0 env -u PIP_FIND_LINKS PIP_NO_INDEX=1 HOME="$TMP" "$VENV" create -p "$py" --upgrade-deps deps
expect_match "^venv: upgrading pip" "$ERR" "the --upgrade-deps line"
if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q '^libvenv'; then
	fail "expected no 'libvenv' prefix, saw: $ERR"
fi

# --archive: the path once, on stdout, in the report.
"$VENV" create -q --without-pip -p "$py" env || fail "venv create failed"
mv env moved
expect_exit 0 "$VENV" repair --archive -y moved
n=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -c 'tar\.zst')
expect_eq 1 "$n" "how often the archive's path is printed (stdout: $OUT; stderr: $ERR)"

# A moved environment: one summary line first, then the details.
"$VENV" create -q --without-pip -p "$py" orig || fail "venv create failed"
mv orig moved2
expect_exit 1 "$VENV" check moved2
expect_eq "moved2: moved from '$TMP/orig'; venv repair fixes 5 files" "$(printf '%s\n' "$OUT" | head -n 1)" \
	"the first line of check for a moved environment"
expect_match "moved2/bin/activate:[0-9]+: error: .*VNV401" "$OUT" "the details after the summary"
# A script whose new #! no header can carry (a blank and a ' in the path):
# not among the files repair fixes, and no "fix (venv repair)" under it.
"$VENV" create -q --without-pip -p "$py" orig3 || fail "venv create failed"
printf '#!%s/orig3/bin/python\nprint(1)\n' "$TMP" >orig3/bin/tool
chmod 755 orig3/bin/tool
mv orig3 "q b'x"
expect_exit 1 "$VENV" check "q b'x"
expect_eq "q b'x: moved from '$TMP/orig3'; venv repair fixes 5 files" "$(printf '%s\n' "$OUT" | head -n 1)" \
	"the summary of a moved environment with a script repair cannot rewrite"
expect_match "bin/tool:1: error: .*VNV404" "$OUT" "the script's finding"
case $(printf '%s\n' "$OUT" | grep -A1 'bin/tool:1:' | tail -n 1) in
*"fix (venv repair)"*) fail "expected no repair fix for bin/tool, saw: $OUT" ;;
esac
expect_exit 1 "$VENV" repair "q b'x"
expect_match "! 'bin/tool' runs" "$OUT" "the script left to the user by repair"
# In the run that repairs the rest, the script comes to run a path that no
# longer exists (VNV403, no longer VNV404): the reason repair leaves it is
# still said.
"$VENV" create -q --without-pip -p "$py" orig4 || fail "venv create failed"
printf '#!%s/orig4/bin/python\nprint(1)\n' "$TMP" >orig4/bin/tool
chmod 755 orig4/bin/tool
mv orig4 "r b'x"
# --dry-run says the reason once, as repair does.
expect_exit 1 "$VENV" repair --dry-run "r b'x"
n=$(printf '%s\n' "$OUT" | grep -o 'cannot write console scripts for' | wc -l)
expect_eq 1 "$n" "how often the dry run says why bin/tool is left (saw: $OUT)"
expect_exit 1 "$VENV" repair -y "r b'x"
expect_match "! 'bin/tool' runs '$TMP/orig4/bin/python', which does not exist: cannot write console scripts for" \
	"$OUT" "the reason repair left bin/tool, after the other fixes"

# Past check's cap of 20 findings a code: 30 scripts repair cannot rewrite
# are 30 problems, not 20, in each count (the list keeps 20 and says how many
# more): the dry run, the JSON report and the repair. And check's summary
# counts every file repair fixes, not those of the first 20 scripts.
"$VENV" create -q --without-pip -p "$py" orig5 || fail "venv create failed"
for i in $(seq 1 30); do
	printf '#!%s/orig5/bin/python\nprint(1)\n' "$TMP" >"orig5/bin/tool$i"
	chmod 755 "orig5/bin/tool$i"
done
cp -a orig5 moved5
mv orig5 "s b'x"
expect_exit 1 "$VENV" check moved5
expect_eq "moved5: moved from '$TMP/orig5'; venv repair fixes 35 files" "$(printf '%s\n' "$OUT" | head -n 1)" \
	"the summary of a moved environment with 30 console scripts"
expect_exit 1 "$VENV" repair --dry-run "s b'x"
expect_match "^  [0-9]+ change\(s\) would be made, 30 problem\(s\) would remain$" "$OUT" "the dry run's count"
expect_match "^  ! and 10 more not listed " "$OUT" "the dry run's line for the problems not listed"
expect_eq 20 "$(printf '%s\n' "$OUT" | grep -c '^  ! .*\[VNV404\]$')" "the problems the dry run lists"
expect_exit 1 "$VENV" repair --dry-run --format json "s b'x"
expect_eq "20 10" "$(printf '%s' "$OUT" | "$py" -c 'import json, sys
e = json.load(sys.stdin)["environments"][0]
print(len(e["problems"]), e["dropped"])')" "the JSON report's problems and dropped"
expect_exit 1 "$VENV" repair -y "s b'x"
expect_match "^  [0-9]+ change\(s\) made, 30 problem\(s\) remain$" "$OUT" "the repair's count"
expect_match "^  ! and 10 more not listed " "$OUT" "the repair's line for the problems not listed"

# The progress line of check -r: on a terminal with escapes, under NO_COLOR
# without them, and never to a pipe.
for i in 1 2 3; do "$VENV" create -q --without-pip -p "$py" "tree/e$i" || fail "venv create failed"; done
expect_exit 0 "$VENV" check -r tree
case "$ERR" in *$'\r'* | *$'\e'*) fail "expected no progress line to a pipe, saw: $(printf '%s' "$ERR" | od -c | head)" ;; esac
if command -v script >/dev/null 2>&1; then
	tty_out=$(env -u NO_COLOR TERM=xterm script -qec "'$VENV' check -r tree" /dev/null)
	case "$tty_out" in *$'\e[K'*) ;; *) fail "expected the progress line to be erased with ESC[K on a terminal, saw: $(printf '%s' "$tty_out" | od -c | head)" ;; esac
	tty_out=$(NO_COLOR=1 TERM=xterm script -qec "'$VENV' check -r tree" /dev/null)
	case "$tty_out" in *$'\e'*) fail "expected no escape under NO_COLOR, saw: $(printf '%s' "$tty_out" | od -c | head)" ;; esac
	expect_match "checked 3 of 3 environments" "$tty_out" "the progress line under NO_COLOR"
fi
echo ok
