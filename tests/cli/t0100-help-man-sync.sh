#!/bin/bash
# Every command's --help usage agrees with the SYNOPSIS of its man page, the
# OPTIONS of each page are the options of the command's table (what --help
# prints and `venv --dump-options` gives the completions), every command
# listed by `venv help` has a man page, and `venv create --help` offers every
# option of `python -m venv --help`.
. "$(dirname "$0")/lib.sh"
# The texts compared are the same in both of CI's passes: the sanitizer pass
# leaves this one out (--help, --explain and --list-rules run instrumented in
# other tests).
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check)"

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

# table_opts CMD: "SHORT LONG ARG" per option of the command's table; ARG is
# "-" (none), "arg" or "[arg]" (optional, --opt=X); SHORT "-" for none.
table_opts() {
	"$VENV" --dump-options | awk -F '\t' -v c="$1" '$1 == "option" && $2 == c {
		a = $5 == "-" ? "-" : $5 ~ /^\[/ ? "[arg]" : "arg"; print $3, $4, a }' | LC_ALL=C sort
}
# man_opts PAGE: the same, from the tags of the page's OPTIONS section.
man_opts() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | awk 'prev == ".TP" { print } { prev = $0 }' |
		sed -E 's/^\.(B|I|BR|IR|RB|RI|BI|IB) //; s/\\-/-/g; s/\\f[BIRP]//g; s/[",]/ /g' |
		awk '{ s = "-"; l = "-"; a = "-"
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^-[a-zA-Z]$/) s = $i
				else if ($i ~ /^--[a-z]/) { l = $i; sub(/\[.*/, "", l); if ($i ~ /\[/) a = "[arg]" }
				else if ($i ~ /^\[/) a = "[arg]"
				else if (a == "-") a = "arg"
			}
			print s, l, a }' | LC_ALL=C sort
}

for c in $cmds; do
	[ "$c" = help ] && continue
	page="$TOP/man/venv-$c.1"
	[ -f "$page" ] || fail "expected a man page $page for command '$c'"
	expect_exit 0 "$VENV" "$c" --help
	u=$(usage_of "$VENV" "$c" --help)
	s=$(synopsis "$page")
	expect_eq "$s" "$u" "'venv $c --help' usage (vs $page SYNOPSIS)"
	# Each --help but create's (CPython's text) names the command's own man
	# page, and every exit status of the page's EXIT STATUS.
	if [ "$c" != create ]; then
		expect_match "See venv-$c\(1\)" "$OUT" "'venv $c --help' (the man page it points to)"
		for x in $(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$page" | awk 'prev == ".TP" { print } { prev = $0 }' |
			sed -E 's/^\.B //'); do
			expect_match "(^|[^0-9])$x([^0-9]|$)" "$(echo "$OUT" | sed -n '/^[Ee]xit status/,$p')" \
				"'venv $c --help' (exit status $x of $page)"
		done
	fi
	# An option's argument reads the same in the usage and in the options.
	for x in $(echo "$u" | grep -oE '\[-{1,2}[a-zA-Z][a-z-]* [^] |]+\]' | tr ' ' '@'); do
		o=${x%%@*} o=${o#[} a=${x#*@} a=${a%]}
		line=$("$VENV" "$c" --help | sed -n '/^options:/,/^$/p' |
			grep -E -- "^  (-[a-zA-Z], )?$o( |,|$)" | sed -E 's/^  //; s/  .*//')
		[[ $line == *" $a" ]] || fail "expected '$o' to take '$a' in the options of 'venv $c --help' as in its usage, saw: $line"
	done
	want=$(table_opts "$c")
	[ -n "$want" ] || fail "expected options of '$c' in venv --dump-options"
	expect_eq "$want" "$(man_opts "$page")" "the OPTIONS of $page (vs the option table of '$c')"
	# The page's SEE ALSO is reachable from venv(1).
	grep -q "venv\\\\-$c" "$TOP/man/venv.1" || fail "expected man/venv.1 to mention venv-$c"
	# The variables a command reads are in its page's ENVIRONMENT: VIRTUAL_ENV
	# when its --help names it as the default, VENV_LOCK_TIMEOUT when it takes
	# the lock (its EXIT STATUS says so).
	envs=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$page" | awk 'prev == ".TP" { print } { prev = $0 }')
	if "$VENV" "$c" --help | grep -q 'VIRTUAL_ENV'; then
		expect_match '^\.B VIRTUAL_ENV$' "$envs" "the ENVIRONMENT of $page"
	fi
	if sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$page" | grep -q VENV_LOCK_TIMEOUT; then
		expect_match '^\.B VENV_LOCK_TIMEOUT$' "$envs" "the ENVIRONMENT of $page"
	fi
	# `venv help CMD` shows the same help.
	expect_exit 0 "$VENV" help "$c"
	expect_eq "$(usage_of "$VENV" "$c" --help)" "$(echo "$OUT" | sed -n '1,/^$/p' | sed 's/^usage: //' | norm)" "venv help $c"
done
# venv create is a drop-in for python -m venv: every option of the newest
# interpreter's --help is one of create's.
py=$(find_pythons | tail -n 1)
if [ -n "$py" ]; then
	theirs=$("$py" -m venv --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | LC_ALL=C sort)
	[ -n "$theirs" ] || fail "expected options in '$py -m venv --help'"
	ours=$(table_opts create | awk '{ print $2 }')
	missing=$(echo "$theirs" | while read -r o; do echo "$ours" | grep -qx -- "$o" || echo "$o"; done)
	[ -z "$missing" ] || fail "expected venv create to offer every option of $py -m venv, missing: $missing"
fi
# Every man page is well-formed roff.
for p in "$TOP"/man/*.[17]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "expected no warnings from man for $p, saw: $w"
done
echo ok
