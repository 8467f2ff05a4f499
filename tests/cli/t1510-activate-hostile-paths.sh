#!/bin/bash
# Hostile environment paths (security.md ACT-01..ACT-14): every name of the
# corpus is used as the environment's directory, and so also as its default
# prompt. In bash, zsh (with and without prompt_subst), dash, ksh, fish,
# tcsh, csh and nu: VIRTUAL_ENV and VIRTUAL_ENV_PROMPT come back byte for
# byte, PATH and the `python` found are the environment's, the prompt is
# drawn with the name as plain text, deactivate restores everything, and no
# sentinel command ever runs.
. "$(dirname "$0")/lib.sh"
# The sanitizer pass of CI leaves this one out: its time is the shells'
# (eight of them per name), the scripts they run are the same text in both
# builds, and the quoting that writes them runs instrumented in its unit
# tests and fuzz target.
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check)"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
mkdir envs

# Every environment first, then each shell goes through all of them in one
# session (a shell started once, not once per name).
i=0
runs=()
for name in "${ACT_CORPUS[@]}" "$(act_long_name)"; do
	i=$((i + 1))
	mkdir "envs/$i"
	act_create "$TMP/envs/$i/$name"
	runs+=("$TMP/envs/$i/$name" "$name")
done
act_run_all "${runs[@]}"
i=0
for name in "${ACT_CORPUS[@]}" "$(act_long_name)"; do
	i=$((i + 1))
	# The sentinel names are also what the scripts must not create next to
	# the environment.
	left=$(ls -A "envs/$i")
	[ "$left" = "$name" ] || fail "expected only '$name' in envs/$i, saw: $left"
done
act_sentinel "all shells"
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
