#!/bin/bash
# The diagnostics registry, its manual pages and --list-rules agree: the
# committed man/venv-check.1 and man/venv-diagnostics.7 are exactly what the
# generator makes from the registry (run `make man` after changing a rule),
# every code listed by --list-rules has a page entry and an --explain page,
# every page entry is a listed code, and --help's usage is the SYNOPSIS.
. "$(dirname "$0")/lib.sh"
# The texts compared are the same in both of CI's passes: the sanitizer pass
# leaves this one out (--help, --explain and --list-rules run instrumented in
# other tests).
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check)"

gen="$TOP/tests/build/inspect/gen-man"
[ -x "$gen" ] || skip "tests/build/inspect/gen-man is not built (run make check)"
cd "$TMP" || fail "cannot enter $TMP"

"$gen" 1 >check.1 || fail "gen-man 1 failed"
"$gen" 7 >diagnostics.7 || fail "gen-man 7 failed"
cmp -s check.1 "$TOP/man/venv-check.1" ||
	fail "man/venv-check.1 is stale; run 'make man': $(diff check.1 "$TOP/man/venv-check.1" | head -20)"
cmp -s diagnostics.7 "$TOP/man/venv-diagnostics.7" ||
	fail "man/venv-diagnostics.7 is stale; run 'make man': $(diff diagnostics.7 "$TOP/man/venv-diagnostics.7" | head -20)"
# The CLI prints the same catalogue.
"$VENV" check --list-rules -f man >listed.7 || fail "--list-rules -f man failed"
cmp -s listed.7 "$TOP/man/venv-diagnostics.7" || fail "--list-rules -f man differs from the page"

# Codes: --list-rules, the 7 page, the 1 page and --explain name the same set.
"$VENV" check --list-rules | sed -n 's/^\(VNV[0-9][0-9][0-9]\) .*/\1/p' | sort >codes.list
sed -n 's/^\.SS "\(VNV[0-9][0-9][0-9]\) .*/\1/p' "$TOP/man/venv-diagnostics.7" | sort >codes.7
sed -n '/^\.SH DIAGNOSTICS/,/^\.SH /s/^\.B \(VNV[0-9][0-9][0-9]\)$/\1/p' "$TOP/man/venv-check.1" |
	sort >codes.1
[ -s codes.list ] || fail "expected codes from --list-rules"
cmp -s codes.list codes.7 || fail "--list-rules and venv-diagnostics(7) differ: $(diff codes.list codes.7)"
cmp -s codes.list codes.1 || fail "--list-rules and venv-check(1) differ: $(diff codes.list codes.1)"
sort -u codes.list | cmp -s - codes.list || fail "a code is listed twice"
while read -r code; do
	slug=$("$VENV" check --list-rules | awk -v c="$code" '$1 == c { print $4 }')
	expect_exit 0 "$VENV" check --explain "$code"
	expect_match "^$slug \\($code\\)" "$OUT" "--explain $code"
	expect_exit 0 "$VENV" check --explain "$slug"
	expect_match "\\($code\\)" "$OUT" "--explain $slug"
	for section in 'What it does' 'Why it matters' 'Example' 'Fix'; do
		echo "$OUT" | grep -qx "$section" || fail "expected a '$section' section for $code"
	done
done <codes.list

# --help's usage is the SYNOPSIS of the page.
norm() { tr '\n' ' ' | sed -E 's/[[:space:]]+/ /g; s/^ //; s/ $//'; }
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$TOP/man/venv-check.1" | sed '1d;$d' |
	sed -E 's/^\.B //; s/\\-/-/g' | norm)
usage=$("$VENV" check --help | sed -n '1,/^$/p' | sed 's/^usage: //' | norm)
expect_eq "$synopsis" "$usage" "venv check --help usage (vs the SYNOPSIS)"
# Every option of --help is documented in the page, and the other way round.
"$VENV" check --help | sed -n 's/^  \(-[a-z], \)\{0,1\}\(--[a-z-]*\).*/\2/p' | sort >opts.help
sed -n 's/.*\\fB\\-\\-\([a-z\\-]*\)\\fR.*/--\1/p' "$TOP/man/venv-check.1" | sed 's/\\-/-/g' |
	sort -u >opts.man
cmp -s opts.help opts.man || fail "options of --help and the page differ: $(diff opts.help opts.man)"

# The pages are well-formed roff.
for p in "$TOP/man/venv-check.1" "$TOP/man/venv-diagnostics.7"; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "expected no warnings from man for $p, saw: $w"
done
echo ok
