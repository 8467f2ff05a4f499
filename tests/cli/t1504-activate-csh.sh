#!/bin/bash
# bin/activate.csh in tcsh and csh: non-interactive shells (no prompt
# variable) work, variables, PATH and python, the prompt prefix (drawn by
# tcsh from %$VIRTUAL_ENV_PROMPT, by csh with each history character
# escaped), the old prompt restored exactly (with %, \!, quotes and a line
# break), sourcing twice, a second environment, `deactivate
# nondestructive`, PYTHONHOME, VIRTUAL_ENV_DISABLE_PROMPT, and running the
# script instead of sourcing it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
act_create "$TMP/one"
act_create "$TMP/two" --prompt 'second env'

# run SHELL [VAR=VALUE...] <CODE: run CODE (stdin) as a csh script with $A
# and $B naming the two activation scripts.
run() {
	local sh=$1
	shift
	cat >"$TMP/code.csh"
	(cd "$ACT_SENT" && act_env A="$TMP/one/bin/activate.csh" B="$TMP/two/bin/activate.csh" \
		"$@" "$sh" -f "$TMP/code.csh") >"$TMP/.o" 2>"$TMP/.e"
	RC=$?
	OUT=$(cat "$TMP/.o")
	ERR=$(cat "$TMP/.e")
}

# check SHELL WANT: the last run exited 0, stderr empty, stdout WANT.
check() {
	[ "$RC" -eq 0 ] || fail "$1: expected exit 0, saw $RC; stderr: $ERR; code: $(cat "$TMP/code.csh")"
	[ -z "$ERR" ] || fail "$1: expected empty stderr, saw: $ERR; code: $(cat "$TMP/code.csh")"
	[ "$OUT" = "$2" ] || fail "$1: expected output '$2', saw '$OUT'; code: $(cat "$TMP/code.csh")"
}

base=$(act_env sh -c 'printf %s "$PATH"')
ran=
for sh in tcsh csh; do
	act_have "$sh" || continue
	ran="$ran $sh"
	prefix='(%$VIRTUAL_ENV_PROMPT) '
	prefix2=$prefix
	if [ "$sh" = csh ]; then
		prefix='(one) '
		prefix2='(second env) '
	fi

	# A script has no prompt: activation works and sets everything.
	run "$sh" <<'EOF'
source "$A"
printf '%s|%s|%s|%s|' "$VIRTUAL_ENV" "$VIRTUAL_ENV_PROMPT" "$PATH" "$?prompt"
python -c 'import sys; print(sys.prefix, end="|")'
deactivate
printf '%s%s|%s' "$?VIRTUAL_ENV" "$?VIRTUAL_ENV_PROMPT" "$PATH"
EOF
	check "$sh" "$TMP/one|one|$TMP/one/bin:$base|0|$TMP/one|00|$base"

	# The same through -c. An alias is known from the next line on (csh
	# expands aliases when it reads a line), so deactivate gets its own.
	(cd "$ACT_SENT" && act_env A="$TMP/one/bin/activate.csh" "$sh" -f -c \
		'source "$A"; printf "%s|" "$VIRTUAL_ENV"
		deactivate; printf "%s" "$?VIRTUAL_ENV"') >"$TMP/.o" 2>"$TMP/.e"
	RC=$? OUT=$(cat "$TMP/.o") ERR=$(cat "$TMP/.e")
	check "$sh -c" "$TMP/one|0"

	# With a prompt: the prefix; the old prompt comes back exactly, even
	# with %, \!, quotes and a line break in it.
	run "$sh" <<'EOF'
set prompt = '%n "it'\''s" \! $x >'
set old = "$prompt:q"
source "$A"
printf '%s|' "$prompt:q"
deactivate
if ( "$prompt:q" == "$old:q" ) printf same
EOF
	check "$sh" "${prefix}%n \"it's\" ! \$x >|same"
	run "$sh" <<'EOF'
set prompt = "first\
second> "
source "$A"
deactivate
setenv P $prompt:q
printenv P
EOF
	check "$sh" "first
second> "

	# Sourcing twice: one prefix. A second environment replaces the first.
	run "$sh" <<'EOF'
set prompt = 'p>'
source "$A"
source "$A"
printf '%s|' "$prompt:q"
source "$B"
printf '%s|%s|%s|' "$prompt:q" "$VIRTUAL_ENV" "$PATH"
deactivate
printf '%s|%s|%s' "$prompt:q" "$PATH" "$?VIRTUAL_ENV"
EOF
	check "$sh" "${prefix}p>|${prefix2}p>|$TMP/two|$TMP/two/bin:$base|p>|$base|0"

	# deactivate nondestructive keeps the alias, plain deactivate drops it.
	run "$sh" <<'EOF'
source "$A"
deactivate nondestructive
printf '%s|%s|' "$?VIRTUAL_ENV" "$PATH"
alias deactivate >/dev/null
if ( "`alias deactivate`" != "" ) printf 'kept|'
deactivate
if ( "`alias deactivate`" == "" ) printf gone
EOF
	check "$sh" "0|$base|kept|gone"

	# PYTHONHOME is saved, unset and restored.
	run "$sh" PYTHONHOME='/opt/py home' <<'EOF'
source "$A"
printf '%s|' "$?PYTHONHOME"
deactivate
printf '%s' "$PYTHONHOME"
EOF
	check "$sh" "0|/opt/py home"

	# VIRTUAL_ENV_DISABLE_PROMPT: non-empty leaves the prompt alone, empty
	# does not (in csh as in the other shells).
	run "$sh" VIRTUAL_ENV_DISABLE_PROMPT=1 <<'EOF'
set prompt = 'p>'
source "$A"
printf '%s|%s' "$prompt:q" "$VIRTUAL_ENV_PROMPT"
EOF
	check "$sh" "p>|one"
	run "$sh" VIRTUAL_ENV_DISABLE_PROMPT= <<'EOF'
set prompt = 'p>'
source "$A"
printf '%s' "$prompt:q"
EOF
	check "$sh" "${prefix}p>"

	# Running the script instead of sourcing it fails and says so (ACT-16).
	(cd "$ACT_SENT" && act_env "$sh" -f "$TMP/one/bin/activate.csh") >"$TMP/.o" 2>"$TMP/.e"
	RC=$?
	[ "$RC" -eq 1 ] || fail "$sh: expected running activate.csh to exit 1, saw $RC"
	expect_match "must be sourced" "$(cat "$TMP/.e")" "$sh: the message of running activate.csh"
done
[ -n "$ran" ] || skip "neither tcsh nor csh is installed"
act_sentinel csh
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
