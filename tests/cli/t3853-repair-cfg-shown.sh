#!/bin/bash
# The lines repair shows for a pyvenv.cfg that several fixers change at
# once (not UTF-8, no include-system-site-packages, a stale home, no
# executable): a line one fixer wrote and a later one replaced was shown as
# removed ("- include-system-site-packages = false", a line the file never
# had) and added twice. Each "-" line must be a line of the file before,
# each "+" line one of the file after, none shown twice, in text and JSON.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create -q --without-pip -p "$py" e
ver=$(sed -n 's/^version = //p' e/pyvenv.cfg)
[ -n "$ver" ] || fail "expected a version in pyvenv.cfg, saw: $(cat e/pyvenv.cfg)"
printf 'home = /usr\nversion = %s\n\377\376\n' "$ver" >e/pyvenv.cfg
cp e/pyvenv.cfg before.cfg

expect_exit 1 "$VENV" repair --dry-run e
text=$OUT
expect_exit 1 "$VENV" repair --dry-run --format json e
json=$OUT
expect_exit 0 "$VENV" repair -q e
cp e/pyvenv.cfg after.cfg

check_lines() {   # WHAT SIGN FILE LINES...
	local what=$1 sign=$2 file=$3 line
	shift 3
	for line in "$@"; do
		grep -qxF -- "$line" "$file" || fail "$what shows '$sign $line', which is not a line of the file $( [ "$sign" = - ] && echo before || echo after): $(cat -v "$file")"
	done
	[ "$(printf '%s\n' "$@" | sort | uniq -d)" = "" ] || fail "$what shows a '$sign' line twice: $*"
}
mapfile -t minus < <(printf '%s\n' "$text" | sed -n 's/^      - //p')
mapfile -t plus < <(printf '%s\n' "$text" | sed -n 's/^      + //p')
[ ${#plus[@]} -gt 0 ] || fail "expected added lines shown, saw: $text"
check_lines "repair --dry-run" - before.cfg "${minus[@]}"
check_lines "repair --dry-run" + after.cfg "${plus[@]}"
mapfile -t minus < <("$py" -c 'import json,sys
for e in json.load(sys.stdin)["environments"]:
    for c in e["changes"]:
        if c.get("before"): print(c["before"])' <<<"$json")
mapfile -t plus < <("$py" -c 'import json,sys
for e in json.load(sys.stdin)["environments"]:
    for c in e["changes"]:
        if c.get("after"): print(c["after"])' <<<"$json")
check_lines "repair --format json" - before.cfg "${minus[@]}"
check_lines "repair --format json" + after.cfg "${plus[@]}"
echo ok
