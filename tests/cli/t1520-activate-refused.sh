#!/bin/bash
# Values an activation script cannot carry are refused by `venv create`
# before anything is written (security.md ACT-09, ACT-13, ACT-14): the PATH
# separator, line breaks (also NEL, U+2028 and U+2029), control characters
# and broken UTF-8, in the path and in --prompt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
mkdir work
cd work || exit 1

# refused WHAT PATTERN ARGS...: venv create fails with a message matching
# PATTERN and leaves the directory as it was (empty).
refused() {
	local what=$1 pattern=$2
	shift 2
	expect_exit 1 "$VENV" create --without-pip -p "$ACT_PY" "$@"
	expect_match "$pattern" "$ERR" "the message for $what"
	[ -z "$(ls -A)" ] || fail "expected nothing written for $what, saw: $(ls -A)"
}

refused "a ':' in the path" "PATH separator ':'" 'a:b'
refused "a ':' in a parent" "PATH separator ':'" 'x:y/env'
refused "a newline in the path" "line break" $'a\nb'
refused "a carriage return in the path" "line break" $'a\rb'
refused "a line separator (U+2028) in the path" "line break" $'a\xe2\x80\xa8b'
refused "a paragraph separator (U+2029) in the path" "line break" $'a\xe2\x80\xa9b'
refused "a line separator in a parent" "line break" $'a\xe2\x80\xa8b/env'
refused "a tab in the path" "control characters" $'a\tb'
refused "an escape in the path" "control characters" $'a\x1b[31mb'
refused "a DEL in the path" "control characters" $'a\x7fb'
refused "a C1 control (NEL) in the path" "control characters" $'a\xc2\x85b'
refused "broken UTF-8 in the path" "not valid UTF-8" $'a\xffb'
refused "a lone continuation byte in the path" "not valid UTF-8" $'a\x80b'

for p in $'a\nb' $'a\rb' $'a\tb' $'\x1b]0;title\x07' $'a\xc2\x85b' $'a\xe2\x80\xa8b' \
	$'a\xe2\x80\xa9b' $'a\xffb' $'\xe2\x80'; do
	refused "the prompt $(printf %q "$p")" "prompt" --prompt "$p" env
done

# Several directories, one bad: none is created.
refused "one bad directory of three" "PATH separator" good1 'bad:x' good2
act_sentinel "refused values"
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
