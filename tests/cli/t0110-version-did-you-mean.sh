#!/bin/bash
# `venv --version` and `-V`; a mistyped command or long option gets "did you
# mean ...?" naming the closest one, and nothing when none is close or when
# the word could start several.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$VENV" --version
expect_match '^venv [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" "venv --version"
v=$OUT
expect_exit 0 "$VENV" -V
expect_eq "$v" "$OUT" "venv -V"

expect_exit 2 "$VENV" crate .venv
expect_match "^venv: error: 'crate' is not a venv command; did you mean 'create'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" chekc
expect_match "did you mean 'check'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" help repiar
expect_match "did you mean 'repair'\?" "$ERR" "stderr"
# `venv help` lists help among the commands: `venv help help` is that list too.
expect_exit 0 "$VENV" help
h=$OUT
expect_match "^  help  " "$h" "venv help"
expect_exit 0 "$VENV" help help
expect_eq "$h" "$OUT" "venv help help"
expect_exit 0 "$VENV" help --help
expect_eq "$h" "$OUT" "venv help --help"
expect_exit 2 "$VENV" xyzzy
expect_match "'xyzzy' is not a venv command; see 'venv help'" "$ERR" "stderr"
# "re" starts both repair and restore: no guess.
expect_exit 2 "$VENV" re
[[ $ERR != *"did you mean"* ]] || fail "expected no suggestion for 're', saw: $ERR"

expect_exit 2 "$VENV" --verison
expect_match "unrecognized option '--verison'; did you mean '--version'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" check --formt json .
expect_match "unrecognized option '--formt'; did you mean '--format'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" create --sytem-site-packages "$TMP/e"
expect_match "did you mean '--system-site-packages'\?" "$ERR" "stderr"
[ ! -e "$TMP/e" ] || fail "expected nothing created after a usage error"
expect_exit 2 "$VENV" repair --dryrun .
expect_match "did you mean '--dry-run'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" restore --yse x
expect_match "did you mean '--yes'\?" "$ERR" "stderr"
# Every command's options are parsed by one parser (common/usage.c) from its
# table: list too, its -f (not shown) as check's.
expect_exit 2 "$VENV" list --fromat json .
expect_match "unrecognized option '--fromat'; did you mean '--format'\?" "$ERR" "stderr"
expect_exit 2 "$VENV" list -f
expect_match "option '-f' needs an argument" "$ERR" "stderr"
expect_exit 2 "$VENV" list -f yaml .
expect_match "argument --format: invalid choice: 'yaml'" "$ERR" "stderr"
expect_exit 0 "$VENV" create --version
expect_eq "$v" "$OUT" "venv create --version"
expect_exit 0 "$VENV" --dump-options
[[ $OUT != *"--version"* ]] || fail "expected create's --version not shown, saw: $OUT"
expect_exit 2 "$VENV" check --zzzzzz .
expect_match "unrecognized option '--zzzzzz'" "$ERR" "stderr"
[[ $ERR != *"did you mean"* ]] || fail "expected no suggestion for --zzzzzz, saw: $ERR"

# An unknown short option names itself and the word it is in, not the word
# before (it was "unrecognized option 'create'" for `venv create -dash`, and
# '3.12' after `-p 3.12`), and a word that could be a directory is told to
# go after '--'.
expect_exit 2 "$VENV" create -dash
expect_match "^venv: error: unrecognized option '-d' in '-dash'; a DIR that starts with '-' goes after '--'\$" \
	"$ERR" "stderr of create -dash"
expect_exit 2 "$VENV" create -q -p 3 -dash
expect_match "^venv: error: unrecognized option '-d' in '-dash'" "$ERR" "stderr of create -q -p 3 -dash"
expect_exit 2 "$VENV" check -rx
expect_match "^venv: error: unrecognized option '-x' in '-rx'" "$ERR" "stderr of check -rx"
expect_exit 2 "$VENV" list -x
expect_match "^venv: error: unrecognized option '-x'\$" "$ERR" "stderr of list -x"
expect_exit 2 "$VENV" repair -x -y
expect_match "^venv: error: unrecognized option '-x'\$" "$ERR" "stderr of repair -x -y"
[ ! -e ./-dash ] || fail "expected no ./-dash made"
echo ok
