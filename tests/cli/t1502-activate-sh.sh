#!/bin/bash
# bin/activate in bash, zsh, dash and ksh: CPython 3.13 behaviour with its
# known defects fixed (security.md ACT-16..ACT-19): strict modes, PS1 set,
# empty or unset and never exported, sourcing twice, a second environment,
# `deactivate nondestructive`, PYTHONHOME, VIRTUAL_ENV_DISABLE_PROMPT, the
# command hash, running the script instead of sourcing it, zsh options, and
# bash without promptvars.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
act_create "$TMP/one"
act_create "$TMP/two" --prompt 'second env'

# run SHELL CODE: run CODE non-interactively in SHELL with $A and $B naming
# the two activation scripts; stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	local sh=$1 code=$2 f=-c
	shift 2
	# zsh without its startup files, like the others.
	[ "$sh" = zsh ] && f=-fc
	(cd "$ACT_SENT" && act_env A="$TMP/one/bin/activate" B="$TMP/two/bin/activate" "$@" \
		"$sh" "$f" "$code") >"$TMP/.o" 2>"$TMP/.e"
	RC=$?
	OUT=$(cat "$TMP/.o")
	ERR=$(cat "$TMP/.e")
}

# expect_run SHELL WANT CODE: CODE exits 0 with empty stderr, printing WANT.
expect_run() {
	local sh=$1 want=$2 code=$3
	shift 3
	run "$sh" "$code" "$@"
	[ "$RC" -eq 0 ] || fail "$sh: expected exit 0, saw $RC; stderr: $ERR; code: $code"
	[ -z "$ERR" ] || fail "$sh: expected empty stderr, saw: $ERR; code: $code"
	[ "$OUT" = "$want" ] || fail "$sh: expected output '$want', saw '$OUT'; code: $code"
}

shells=
for s in bash zsh dash ksh; do
	act_have "$s" && shells="$shells $s"
done

base=$(act_env sh -c 'printf %s "$PATH"')
for sh in $shells; do
	# What each shell's PS1 starts with: a reference to the name, never
	# the name itself.
	want_prefix='(${VIRTUAL_ENV_PROMPT-}) '
	[ "$sh" = zsh ] && want_prefix='(%9v) '
	[ "$sh" = ksh ] && want_prefix='(${VIRTUAL_ENV_PROMPT//!/!!}) '

	# Strict modes (ACT-18): activate and deactivate print nothing, keep
	# going, and leave PATH as it was; with and without PS1.
	strict='set -eu'
	[ "$sh" != dash ] && strict='set -euo pipefail'
	expect_run "$sh" "$TMP/one|$base" "$strict; . \"\$A\"; v=\$VIRTUAL_ENV; deactivate; printf '%s|%s' \"\$v\" \"\$PATH\""
	expect_run "$sh" "${want_prefix}x>|x>" "$strict; PS1='x>'; . \"\$A\"; p=\$PS1; deactivate; printf '%s|%s' \"\$p\" \"\$PS1\""
	expect_run "$sh" "done" "$strict; . \"\$A\"; . \"\$A\"; deactivate nondestructive; deactivate; echo done"

	# python is the environment's, and reports it as sys.prefix.
	expect_run "$sh" "$TMP/one/bin/python|$TMP/one" ". \"\$A\"; printf '%s|' \"\$(command -v python)\"; python -c 'import sys; print(sys.prefix, end=\"\")'"

	# PS1 comes back exactly: set, empty, or unset (CPython's defect); and
	# it is never exported (ACT-17).
	expect_run "$sh" "[a b]|set" "PS1='[a b]'; . \"\$A\"; deactivate; printf '%s|%s' \"\$PS1\" \"\${PS1+set}\""
	expect_run "$sh" "|set" "PS1=; . \"\$A\"; deactivate; printf '%s|%s' \"\$PS1\" \"\${PS1+set}\""
	expect_run "$sh" "unset" "unset PS1; . \"\$A\"; deactivate; printf '%s' \"\${PS1-unset}\""
	expect_run "$sh" "0" "PS1='p>'; . \"\$A\"; env | grep -c '^PS1=' || :"

	# Sourcing twice leaves one prefix; a second environment replaces the
	# first (PATH holds only its bin), and deactivate goes back to the start.
	expect_run "$sh" "${want_prefix}p>" "PS1='p>'; . \"\$A\"; . \"\$A\"; printf '%s' \"\$PS1\""
	expect_run "$sh" "$TMP/two|second env|$TMP/two/bin:$base|${want_prefix}p>" \
		"PS1='p>'; . \"\$A\"; . \"\$B\"; printf '%s|%s|%s|%s' \"\$VIRTUAL_ENV\" \"\$VIRTUAL_ENV_PROMPT\" \"\$PATH\" \"\$PS1\""
	expect_run "$sh" "p>|$base|unset" \
		"PS1='p>'; . \"\$A\"; . \"\$B\"; deactivate; printf '%s|%s|%s' \"\$PS1\" \"\$PATH\" \"\${VIRTUAL_ENV-unset}\""

	# deactivate nondestructive restores everything but keeps the function.
	expect_run "$sh" "p>|$base|unset|kept" \
		"PS1='p>'; . \"\$A\"; deactivate nondestructive; printf '%s|%s|%s|' \"\$PS1\" \"\$PATH\" \"\${VIRTUAL_ENV-unset}\"; if (type deactivate) >/dev/null 2>&1; then printf kept; fi"
	expect_run "$sh" "gone" \
		". \"\$A\"; deactivate; if (type deactivate) >/dev/null 2>&1; then printf kept; else printf gone; fi"

	# PYTHONHOME is saved and unset, then restored exactly (even empty).
	expect_run "$sh" "unset|/opt/py home" \
		". \"\$A\"; printf '%s|' \"\${PYTHONHOME-unset}\"; deactivate; printf '%s' \"\${PYTHONHOME-unset}\"" \
		PYTHONHOME='/opt/py home'
	expect_run "$sh" "unset|set:" \
		". \"\$A\"; printf '%s|' \"\${PYTHONHOME-unset}\"; deactivate; printf 'set:%s' \"\${PYTHONHOME-unset}\"" \
		PYTHONHOME=
	expect_run "$sh" "unset" ". \"\$A\"; deactivate; printf '%s' \"\${PYTHONHOME-unset}\""

	# VIRTUAL_ENV_DISABLE_PROMPT: non-empty leaves the prompt alone (the
	# name is still set), empty does not.
	expect_run "$sh" "p>|one" "PS1='p>'; . \"\$A\"; printf '%s|%s' \"\$PS1\" \"\$VIRTUAL_ENV_PROMPT\"" \
		VIRTUAL_ENV_DISABLE_PROMPT=1
	expect_run "$sh" "${want_prefix}p>" "PS1='p>'; . \"\$A\"; printf '%s' \"\$PS1\"" \
		VIRTUAL_ENV_DISABLE_PROMPT=

	# A python remembered by the shell before activation is forgotten.
	mkdir -p "$TMP/fake"
	printf '#!/bin/sh\nprintf fake\n' >"$TMP/fake/python"
	chmod +x "$TMP/fake/python"
	expect_run "$sh" "fake|$TMP/one|fake" \
		"PATH=$TMP/fake:\$PATH; hash python 2>/dev/null || :; python; . \"\$A\"; python -c 'import sys; print(\"|\" + sys.prefix, end=\"|\")'; deactivate; python"

	# An empty PATH gains no empty entry (the current directory).
	expect_run "$sh" "$TMP/one/bin|" "PATH=; . \"\$A\"; printf '%s|' \"\$PATH\"; deactivate; printf '%s' \"\$PATH\""

	# Running the script instead of sourcing it fails and says so (ACT-16).
	run "$sh" "$sh \"\$A\"; echo \"status \$?\""
	expect_match "status 1" "$OUT" "$sh: the status of running activate"
	expect_match "must be sourced" "$ERR" "$sh: the message of running activate"
done

# zsh: the prefix is psvar[9], drawn by %9v with or without prompt_subst and
# whatever KSH_ARRAYS says (ACT-19); psvar comes back as it was.
if act_have zsh; then
	for opts in '' 'setopt prompt_subst' 'setopt ksh_arrays' 'setopt prompt_subst ksh_arrays prompt_bang'; do
		expect_run zsh "(one) p>|(one) p>|p>|2:a b" \
			"$opts; psvar=(a b); PS1='p>'; . \"\$A\"; print -rn -- \"\${(%%)PS1}|\"; . \"\$A\"; print -rn -- \"\${(%%)PS1}|\"; deactivate; emulate zsh -c 'print -rn -- \"\${(%%)PS1}|\${#psvar}:\${psvar[*]}\"'"
	done
	expect_run zsh "9:x" "psvar=(1 2 3 4 5 6 7 8 x); . \"\$A\"; deactivate; print -rn -- \"\${#psvar}:\${psvar[9]}\""
	expect_run zsh "0:" ". \"\$A\"; deactivate; print -rn -- \"\${#psvar}:\${psvar[*]}\""
fi

# bash without promptvars does not expand PS1: a plain name is pasted as
# text; a name with $, ` or \ keeps the reference (shown as written, but
# safe if promptvars is turned on later, when it draws the name and runs
# nothing).
if act_have bash; then
	act_create "$TMP/bs" --prompt 'a\w$(touch S1)'
	act_create "$TMP/plain" --prompt "plain 'one'"
	expect_run bash "(plain 'one') p>" \
		"shopt -u promptvars; PS1='p>'; . '$TMP/plain/bin/activate'; printf '%s' \"\${PS1@P}\""
	expect_run bash '(${VIRTUAL_ENV_PROMPT-}) p>|(a\w$(touch S1)) p>' \
		"shopt -u promptvars; PS1='p>'; . '$TMP/bs/bin/activate'; printf '%s|' \"\${PS1@P}\"; shopt -s promptvars; printf '%s' \"\${PS1@P}\""
	expect_run bash '(a\w$(touch S1)) p>' "set -o posix; PS1='p>'; . '$TMP/bs/bin/activate'; printf '%s' \"\${PS1@P}\""
fi
act_sentinel "sh family"
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
