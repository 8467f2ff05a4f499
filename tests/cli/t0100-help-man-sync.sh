#!/bin/bash
# Every command's --help usage agrees with the SYNOPSIS of its man page, and
# every command listed by `venv help` has a man page.
. "$(dirname "$0")/lib.sh"

norm() { tr '\n' ' ' | sed -E 's/[[:space:]]+/ /g; s/^ //; s/ $//'; }

synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$1" | sed '1d;$d' |
		sed -E 's/^\.(B|I|BR|IR|RB|RI) //; s/\\-/-/g; s/\\f[BIRP]//g; s/\\//g' | norm
}

usage_of() {
	# The usage block: from "usage: " to the first empty line.
	"$@" 2>&1 | sed -n '1,/^$/p' | sed 's/^usage: //' | norm
}

expect_exit 0 "$VENV" --help
cmds=$(echo "$OUT" | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "expected commands in 'venv --help', saw: $OUT"

u=$(usage_of "$VENV" --help | sed 's/ Create,.*//')
s=$(synopsis "$TOP/man/venv.1")
expect_eq "$s" "$u" "venv --help usage (vs man/venv.1 SYNOPSIS)"

for c in $cmds; do
	[ "$c" = help ] && continue
	page="$TOP/man/venv-$c.1"
	[ -f "$page" ] || fail "expected a man page $page for command '$c'"
	expect_exit 0 "$VENV" "$c" --help
	u=$(usage_of "$VENV" "$c" --help)
	s=$(synopsis "$page")
	expect_eq "$s" "$u" "'venv $c --help' usage (vs $page SYNOPSIS)"
	# The page's SEE ALSO is reachable from venv(1).
	grep -q "venv\\\\-$c" "$TOP/man/venv.1" || fail "expected man/venv.1 to mention venv-$c"
	# `venv help CMD` shows the same help.
	expect_exit 0 "$VENV" help "$c"
	expect_eq "$(usage_of "$VENV" "$c" --help)" "$(echo "$OUT" | sed -n '1,/^$/p' | sed 's/^usage: //' | norm)" "venv help $c"
done
# Every man page is well-formed roff.
for p in "$TOP"/man/*.[17]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "expected no warnings from man for $p, saw: $w"
done
echo ok
