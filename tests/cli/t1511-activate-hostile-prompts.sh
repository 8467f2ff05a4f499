#!/bin/bash
# Hostile --prompt values (security.md ACT-02..ACT-11): what a directory
# name cannot hold ('/', ':'), a prompt of some 450 bytes (the terminals
# have 600 columns, so it is drawn on one line), `--prompt .` from a
# hostile working directory, and the first names of the corpus given as
# --prompt. In every shell, bash in POSIX mode too, VIRTUAL_ENV_PROMPT
# comes back byte for byte, the prompt is drawn with the name as plain
# text, deactivate restores everything, and no sentinel command ever runs.
. "$(dirname "$0")/lib.sh"
# The sanitizer pass of CI leaves this one out: its time is the shells'
# (eight of them per name), the scripts they run are the same text in both
# builds, and the quoting that writes them runs instrumented in its unit
# tests and fuzz target.
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check)"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
ACT_SHELLS="$ACT_SHELLS bash-posix"
cd "$TMP" || exit 1

long=
while [ ${#long} -lt 450 ]; do
	long="$long\$(touch S31)\`touch S31\`'\"!%n\\w;#/:"
done
prompts=(
	'a/b/c'
	'x:$(touch S32):y ~/z'
	'$x:q !:0 %$HOME \$ \\'
	"$long"
	"${ACT_CORPUS[@]:0:6}"
)

i=0
runs=()
for p in "${prompts[@]}"; do
	i=$((i + 1))
	act_create "$TMP/env$i" --prompt "$p"
	runs+=("$TMP/env$i" "$p")
done

# `--prompt .` is the name of the current directory (CPython 3.9 and later).
dir=${ACT_CORPUS[3]}${ACT_CORPUS[4]}
mkdir "$TMP/$dir"
(cd "$TMP/$dir" && act_create "$TMP/dot" --prompt .)
runs+=("$TMP/dot" "$dir")
# Each shell goes through all of them in one session.
act_run_all "${runs[@]}"
act_sentinel "all shells"
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
