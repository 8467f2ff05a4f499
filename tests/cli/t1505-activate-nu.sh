#!/bin/bash
# bin/activate.nu (overlay use / deactivate): variables, PATH and python,
# the prompt closure with PROMPT_COMMAND a closure, a string or absent,
# activating twice and a second environment in the same overlay (one
# prefix, one bin directory), PYTHONHOME, VIRTUAL_ENV_DISABLE_PROMPT, the
# parser's check of the generated file, and running the file instead of
# using it as an overlay.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
act_have nu || skip "nu is not installed"
cd "$TMP" || exit 1
act_create "$TMP/one"
act_create "$TMP/two" --prompt 'second env'
# `overlay use` takes a path fixed when the code is parsed: these links let
# the code name both scripts relatively from $TMP (keeping the file name,
# which names the overlay).
mkdir a b
ln -s ../one/bin/activate.nu a/activate.nu
ln -s ../two/bin/activate.nu b/activate.nu

# run CODE [VAR=VALUE...]: nu -c CODE in $TMP.
run() {
	local code=$1
	shift
	act_env "$@" "$ACT_NU" --no-config-file -c "$code" >"$TMP/.o" 2>"$TMP/.e"
	RC=$?
	OUT=$(cat "$TMP/.o")
	ERR=$(cat "$TMP/.e")
}

expect_run() {
	local want=$1 code=$2
	shift 2
	run "$code" "$@"
	[ "$RC" -eq 0 ] || fail "nu: expected exit 0, saw $RC; stderr: $ERR; code: $code"
	[ -z "$ERR" ] || fail "nu: expected empty stderr, saw: $ERR; code: $code"
	[ "$OUT" = "$want" ] || fail "nu: expected output '$want', saw '$OUT'; code: $code"
}

base=$(act_env "$ACT_NU" --no-config-file -c '$env.PATH | str join ":"')
show='print -n ($env.PATH | str join ":")'

# The generated file parses as a module.
expect_run "true" "nu-check --as-module one/bin/activate.nu"

# Variables, PATH and the python found; deactivate drops it all.
expect_run "$TMP/one|one|$TMP/one/bin:$base|$TMP/one|unset|$base" \
	"overlay use a/activate.nu; print -n \$'(\$env.VIRTUAL_ENV)|(\$env.VIRTUAL_ENV_PROMPT)|'; $show; print -n '|'; ^python -c 'import sys; print(sys.prefix, end=\"|\")'; deactivate; print -n (\$env.VIRTUAL_ENV? | default unset); print -n '|'; $show"

# The prompt: a closure is called, a string shown, and with none the prefix
# stands alone; deactivate brings back what was there.
expect_run "(one) p>|p>" \
	"\$env.PROMPT_COMMAND = {|| 'p>' }; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND); deactivate; print -n '|'; print -n (do \$env.PROMPT_COMMAND)"
expect_run "(one) s>|s>" \
	"\$env.PROMPT_COMMAND = 's>'; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND); deactivate; print -n '|'; print -n \$env.PROMPT_COMMAND"
expect_run "(one) |false" \
	"hide-env -i PROMPT_COMMAND; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND); deactivate; print -n '|'; print -n ('PROMPT_COMMAND' in \$env)"

# Twice, and a second environment: one prefix, one bin directory, and
# deactivate goes back to the start.
expect_run "(one) p>" "\$env.PROMPT_COMMAND = {|| 'p>' }; overlay use a/activate.nu; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND)"
expect_run "(second env) p>|$TMP/two|$TMP/two/bin:$base|p>|$base" \
	"\$env.PROMPT_COMMAND = {|| 'p>' }; overlay use a/activate.nu; overlay use b/activate.nu; print -n (do \$env.PROMPT_COMMAND); print -n \$'|(\$env.VIRTUAL_ENV)|'; $show; deactivate; print -n '|'; print -n (do \$env.PROMPT_COMMAND); print -n '|'; $show"

# PYTHONHOME is hidden while active and back afterwards.
expect_run "unset|/opt/py home" \
	"overlay use a/activate.nu; print -n (\$env.PYTHONHOME? | default unset); deactivate; print -n '|'; print -n \$env.PYTHONHOME" \
	PYTHONHOME='/opt/py home'

# VIRTUAL_ENV_DISABLE_PROMPT: non-empty leaves the prompt alone.
expect_run "p>|one" \
	"\$env.PROMPT_COMMAND = {|| 'p>' }; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND); print -n \$'|(\$env.VIRTUAL_ENV_PROMPT)'" \
	VIRTUAL_ENV_DISABLE_PROMPT=1
expect_run "(one) p>" "\$env.PROMPT_COMMAND = {|| 'p>' }; overlay use a/activate.nu; print -n (do \$env.PROMPT_COMMAND)" \
	VIRTUAL_ENV_DISABLE_PROMPT=

# Running the file fails and says how to use it (ACT-16).
act_env "$ACT_NU" --no-config-file one/bin/activate.nu >"$TMP/.o" 2>"$TMP/.e"
RC=$?
[ "$RC" -eq 1 ] || fail "expected running activate.nu to exit 1, saw $RC"
expect_match "must be used with 'overlay use'" "$(cat "$TMP/.e")" "the message of running activate.nu"
act_sentinel nu
