#!/bin/bash
# bin/activate.fish: variables, PATH and python, the prompt function and the
# exit status it sees (ACT-07: user functions named like builtins change
# nothing), sourcing twice, a second environment, `deactivate
# nondestructive`, PYTHONHOME, VIRTUAL_ENV_DISABLE_PROMPT, TERM=dumb, and
# running the script instead of sourcing it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
act_have fish || skip "fish is not installed"
cd "$TMP" || exit 1
act_create "$TMP/one"
act_create "$TMP/two" --prompt 'second env'

# run CODE [VAR=VALUE...]: fish -c CODE with $A and $B naming the scripts.
run() {
	local code=$1
	shift
	(cd "$ACT_SENT" && act_env A="$TMP/one/bin/activate.fish" B="$TMP/two/bin/activate.fish" \
		"$@" fish --no-config -c "$code") >"$TMP/.o" 2>"$TMP/.e"
	RC=$?
	OUT=$(cat "$TMP/.o")
	ERR=$(cat "$TMP/.e")
}

expect_run() {
	local want=$1 code=$2
	shift 2
	run "$code" "$@"
	[ "$RC" -eq 0 ] || fail "fish: expected exit 0, saw $RC; stderr: $ERR; code: $code"
	[ -z "$ERR" ] || fail "fish: expected empty stderr, saw: $ERR; code: $code"
	[ "$OUT" = "$want" ] || fail "fish: expected output '$want', saw '$OUT'; code: $code"
}

base=$(act_env fish --no-config -c 'string join : $PATH')
prompt='function fish_prompt; builtin printf "[%s]" $status; end'

# Variables, PATH, the python found and its sys.prefix; deactivate undoes it.
expect_run "$TMP/one|one|$TMP/one/bin:$base|$TMP/one|unset|$base" \
	"source \$A; printf '%s|%s|%s|' \$VIRTUAL_ENV \$VIRTUAL_ENV_PROMPT (string join : \$PATH); python -c 'import sys; print(sys.prefix, end=\"|\")'; deactivate; set -q VIRTUAL_ENV; or printf 'unset|'; printf '%s' (string join : \$PATH)"

# The prompt: "(name) " then the old prompt, which still sees the status
# of the last command; deactivate restores the old function exactly.
expect_run "(one) [3]|[0]" "$prompt; source \$A; false; or sh -c 'exit 3'; fish_prompt; printf '|'; deactivate; fish_prompt"
run "$prompt; functions fish_prompt"
before=$OUT
expect_run "$before" "$prompt; source \$A; source \$B; deactivate; functions fish_prompt"

# ACT-07: user functions that shadow what a script could call.
shadow='function printf; echo SHADOW; end; function set_color; echo SHADOW; end; function echo; builtin echo SHADOW; end; function source; builtin echo SHADOW; end; function functions; builtin echo SHADOW; end; function count; builtin echo SHADOW; end; function contains; builtin echo SHADOW; end'
expect_run "(one) [1]|$TMP/one|[0]" \
	"$prompt; $shadow; builtin source \$A; false; fish_prompt; builtin printf '|%s|' \$VIRTUAL_ENV; deactivate; fish_prompt"

# Without colours (TERM=dumb) the prefix is still exactly "(name) ".
expect_run "(one) [0]" "$prompt; source \$A; fish_prompt"

# Sourcing twice: one prefix. A second environment replaces the first.
expect_run "(one) [0]" "$prompt; source \$A; source \$A; fish_prompt"
expect_run "(second env) [0]|$TMP/two|$TMP/two/bin:$base" \
	"$prompt; source \$A; source \$B; fish_prompt; printf '|%s|%s' \$VIRTUAL_ENV (string join : \$PATH)"
expect_run "[0]|$base|unset" \
	"$prompt; source \$A; source \$B; deactivate; fish_prompt; printf '|%s|' (string join : \$PATH); set -q VIRTUAL_ENV; or printf unset"

# deactivate nondestructive keeps the function; plain deactivate removes it.
expect_run "[0]|$base|kept" \
	"$prompt; source \$A; deactivate nondestructive; fish_prompt; printf '|%s|' (string join : \$PATH); functions -q deactivate; and printf kept"
expect_run "gone" "source \$A; deactivate; functions -q deactivate; or printf gone"

# PYTHONHOME is saved, erased and restored; the saved values stay in the
# shell (not exported to programs).
expect_run "unset|0|/opt/py home" \
	"source \$A; set -q PYTHONHOME; or printf 'unset|'; printf '%s|' (env | grep -c '^_OLD'); deactivate; printf '%s' \$PYTHONHOME" \
	PYTHONHOME='/opt/py home'

# VIRTUAL_ENV_DISABLE_PROMPT: non-empty leaves the prompt alone.
expect_run "[0]|one" "$prompt; source \$A; fish_prompt; printf '|%s' \$VIRTUAL_ENV_PROMPT" \
	VIRTUAL_ENV_DISABLE_PROMPT=1
expect_run "(one) [0]" "$prompt; source \$A; fish_prompt" VIRTUAL_ENV_DISABLE_PROMPT=

# Running the script instead of sourcing it fails and says so (ACT-16).
run "fish \$A; echo status \$status"
expect_match "status 1" "$OUT" "the status of running activate.fish"
expect_match "must be sourced" "$ERR" "the message of running activate.fish"
act_sentinel fish
