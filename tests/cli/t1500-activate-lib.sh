#!/bin/bash
# Helpers for the activation-script tests (t15NN-activate-*.sh), sourced by
# them after lib.sh. Run on its own, this file is a test too: it checks that
# every shell the activation tests drive is installed and that one session
# per shell works end to end.
#
# A "session" runs one shell the way a person would: it sets a known prompt,
# sources the activation script, records what it sees (VIRTUAL_ENV,
# VIRTUAL_ENV_PROMPT, PATH, the sys.prefix of the `python` it runs), lets
# the shell draw its prompt, deactivates and records again. Values go to
# files with printf '%s', so they can be compared byte for byte. Shells run
# with an empty environment apart from what is listed in act_env, in a
# directory of their own ($ACT_SENT) that must stay empty: every hostile
# name tries to create a file there.

if [ -z "${TOP-}" ]; then
	. "$(dirname "$0")/lib.sh"
	ACT_STANDALONE=1
fi

# Every shell the activation tests drive (zsh-subst is zsh with
# prompt_subst; bash-posix, bash in POSIX mode, is added by some tests). How
# a session runs: ksh, fish, tcsh and csh print their prompt only to a
# terminal, so they get one from script(1); bash, zsh and dash run
# interactive on a pipe and print prompts to stderr; nu draws its prompt by
# calling $env.PROMPT_COMMAND.
ACT_SHELLS="bash zsh zsh-subst dash ksh fish tcsh csh nu"

# act_have SHELL: the shell's program is installed.
act_have() {
	command -v "${1%%-*}" >/dev/null 2>&1
}

# act_init: find a Python, make the sentinel directory and a clean PATH made
# of the directories that hold the tools the sessions need.
act_init() {
	local t d
	ACT_PY=$(find_pythons | tail -n 1)
	[ -n "$ACT_PY" ] || skip "no Python found"
	ACT_SENT=$TMP/sentinel
	ACT_HOME=$TMP/home
	ACT_OUT=$TMP/out
	mkdir -p "$ACT_SENT" "$ACT_HOME" "$ACT_OUT"
	ACT_PATH=
	for t in bash zsh dash ksh fish tcsh csh nu script timeout printf env awk printenv stty \
		touch sh grep cat; do
		# The program, not a builtin of this shell of the same name.
		d=$(type -P "$t") || continue
		d=$(dirname "$d")
		case ":$ACT_PATH:" in *":$d:"*) ;; *) ACT_PATH=${ACT_PATH:+$ACT_PATH:}$d ;; esac
	done
	# The sentinel commands of the corpus must be able to run, or a name
	# that runs one would go unnoticed.
	env -i PATH="$ACT_PATH" sh -c 'command -v touch' >/dev/null ||
		fail "expected touch on the sessions' PATH ($ACT_PATH)"
	ACT_MISSING=
	for t in $ACT_SHELLS; do
		act_have "$t" || ACT_MISSING="$ACT_MISSING $t"
	done
	# Terminals for ksh, fish and csh come from script(1) (util-linux).
	for t in script timeout; do
		if ! type -P "$t" >/dev/null; then
			[ -z "${CI-}" ] || fail "expected $t to be installed in CI"
			skip "$t is not installed"
		fi
	done
	# nu as npm installs it is a node script that starts nu's own binary:
	# the sessions run that binary ($nu.current-exe), the same nu without
	# node's start (0.2 CPU-s) in each session, one per environment.
	ACT_NU=nu
	if act_have nu; then
		ACT_NU=$(act_env nu --no-config-file -c '$nu.current-exe' 2>/dev/null) &&
			[ -x "$ACT_NU" ] || ACT_NU=nu
	fi
	# CI must have every shell; locally a missing one is skipped.
	if [ -n "$ACT_MISSING" ] && [ -n "${CI-}" ]; then
		fail "expected every activation shell to be installed, missing:$ACT_MISSING"
	fi
}

# act_create DIR [ARGS...]: create an environment, failing the test if
# venv refuses.
act_create() {
	local dir=$1
	shift
	"$VENV" create --without-pip -p "$ACT_PY" "$@" "$dir" >"$TMP/.create.out" 2>"$TMP/.create.err" ||
		fail "expected venv create to accept '$dir', it said: $(cat "$TMP/.create.err")"
}

# act_env VAR=VALUE...: run the rest with only the environment a session
# needs.
act_env() {
	env -i PATH="$ACT_PATH" HOME="$ACT_HOME" TERM=dumb COLUMNS=600 LINES=50 LANG=C.UTF-8 \
		LC_ALL=C.UTF-8 "$@"
}

# The commands one session types, for each shell: environment after
# environment (N of them), each block reading the script to source from $A_i
# and writing to the directory $O_i (both in the shell's environment), so
# that no hostile byte is ever typed. Each block starts by writing a marker
# "@@i@@" to the terminal (typed as a format, so that the echo of the typed
# line is no marker), which cuts the transcript into one piece per
# environment.
act_input_posix() {
	local pre=$1 n=$2 i
	printf '%s\n' "$pre" "PS1='[P]'"
	for ((i = 1; i <= n; i++)); do
		cat <<EOF
printf '@@%s@@\n' $i >&2
printf '%s' "\$PATH" >"\$O_$i/path0"
. "\$A_$i"
printf '%s' "\${VIRTUAL_ENV-<unset>}" >"\$O_$i/ve"
printf '%s' "\${VIRTUAL_ENV_PROMPT-<unset>}" >"\$O_$i/vp"
printf '%s' "\$PATH" >"\$O_$i/path1"
python -c 'import sys; sys.stdout.write(sys.prefix)' >"\$O_$i/prefix"
deactivate
printf '%s' "\${VIRTUAL_ENV-<unset>}\${VIRTUAL_ENV_PROMPT-<unset>}" >"\$O_$i/ve2"
printf '%s' "\$PATH" >"\$O_$i/path2"
printf '%s' "\${PS1-<unset>}" >"\$O_$i/ps1"
if (type deactivate) >/dev/null 2>&1; then echo yes; else echo no; fi >"\$O_$i/deact"
EOF
	done
	echo exit
}

act_input_fish() {
	local n=$1 i
	echo "function fish_prompt; printf '[P]'; end"
	for ((i = 1; i <= n; i++)); do
		sed "s/\\\$O\\b/\$O_$i/g; s/\\\$A\\b/\$A_$i/g; s/@@I@@/$i/" <<'EOF'
printf '@@%s@@\n' @@I@@ >&2
printf '%s' (string join : $PATH) >$O/path0
source $A
if set -q VIRTUAL_ENV; printf '%s' "$VIRTUAL_ENV"; else; printf '<unset>'; end >$O/ve
if set -q VIRTUAL_ENV_PROMPT; printf '%s' "$VIRTUAL_ENV_PROMPT"; else; printf '<unset>'; end >$O/vp
printf '%s' (string join : $PATH) >$O/path1
python -c 'import sys; sys.stdout.write(sys.prefix)' >$O/prefix
deactivate
if set -q VIRTUAL_ENV; or set -q VIRTUAL_ENV_PROMPT; printf 'set'; else; printf '<unset><unset>'; end >$O/ve2
printf '%s' (string join : $PATH) >$O/path2
fish_prompt >$O/ps1
if functions -q deactivate; echo yes; else; echo no; end >$O/deact
EOF
	done
	echo exit
}

act_input_csh() {
	local n=$1 i
	echo "set prompt = '[P]'"
	for ((i = 1; i <= n; i++)); do
		sed "s/\\\$O\\b/\$O_$i/g; s/\\\$A\\b/\$A_$i/g; s/@@I@@/$i/" <<'EOF'
printf '@@%s@@\n' @@I@@
printf '%s' "$PATH" >"$O/path0"
source "$A"
if ( $?VIRTUAL_ENV ) printenv VIRTUAL_ENV >"$O/ve"
if ( $?VIRTUAL_ENV_PROMPT ) printenv VIRTUAL_ENV_PROMPT >"$O/vp"
printf '%s' "$PATH" >"$O/path1"
python -c 'import sys; sys.stdout.write(sys.prefix)' >"$O/prefix"
deactivate
printf '%s%s' "$?VIRTUAL_ENV" "$?VIRTUAL_ENV_PROMPT" >"$O/ve2"
printf '%s' "$PATH" >"$O/path2"
printf '%s' "$prompt" >"$O/ps1"
alias deactivate >"$O/deact"
EOF
	done
	echo exit
}

act_input_nu() {
	cat <<'EOF'
cd $env.S
$env.PROMPT_COMMAND = {|| '[P]' }
$env.PATH | str join ':' | save -f ($env.O | path join path0)
overlay use activate.nu
$env.VIRTUAL_ENV? | default '<unset>' | save -f ($env.O | path join ve)
$env.VIRTUAL_ENV_PROMPT? | default '<unset>' | save -f ($env.O | path join vp)
$env.PATH | str join ':' | save -f ($env.O | path join path1)
do $env.PROMPT_COMMAND | save -f ($env.O | path join draw)
^python -c 'import sys; sys.stdout.write(sys.prefix)' | save -f ($env.O | path join prefix)
deactivate
[($env.VIRTUAL_ENV? | default '<unset>') ($env.VIRTUAL_ENV_PROMPT? | default '<unset>')] | str join '' | save -f ($env.O | path join ve2)
$env.PATH | str join ':' | save -f ($env.O | path join path2)
do $env.PROMPT_COMMAND | save -f ($env.O | path join ps1)
if (scope aliases | where name == 'deactivate' | is-empty) { "no\n" } else { "yes\n" } | save -f ($env.O | path join deact)
EOF
}

# act_pace OUT: copy a session's input from stdin to stdout, holding each
# environment's block back until the shell has finished the one before (its
# OUT/i/deact exists, at most a minute). Typed all at once, the input fills
# the terminal's input queue: script(1) then blocks writing it and stops
# reading the shell's output, and once the echoed lines (each with a prompt
# as long as the longest hostile name) fill the output queue too, shell and
# script wait on each other until the timeout.
act_pace() {
	local out=$1 line k w nap
	# Naps are reads that time out on a pipe nobody writes to: no process
	# started per poll.
	exec {nap}<> <(:)
	while IFS= read -r line; do
		case $line in
		"printf '@@%s@@\n' "*)
			k=${line#"printf '@@%s@@\n' "}
			k=${k%% *}
			w=0
			while [ "$k" -gt 1 ] && [ ! -e "$out/$((k - 1))/deact" ] && [ "$w" -lt 1500 ]; do
				read -r -t 0.04 -u "$nap" _ || :
				w=$((w + 1))
			done
			;;
		esac
		printf '%s\n' "$line"
	done
	exec {nap}<&-
}

# act_sessions SHELL OUT ENV_DIR...: run one session of SHELL against each
# ENV_DIR in turn (one shell for all of them; nu, which must name the script
# to source when it parses its input, gets one per environment), the results
# of the i-th in the directory OUT/i (made afresh), with the piece of the
# terminal's transcript that belongs to it in OUT/i/transcript. Returns
# non-zero only when the shell could not be run at all.
act_sessions() {
	local sh=$1 out=$2 rc=0 n i env script=activate seg rest
	shift 2
	n=$#
	# Each shell gets a sentinel directory of its own, so that a file
	# there names the shell that ran a command.
	local ACT_SENT=$ACT_SENT/$sh
	# A second or so for each environment, and much more on a busy machine.
	local t=$((60 + 10 * n))
	local -a vars=()
	rm -rf "$out"
	mkdir -p "$out" "$ACT_SENT"
	case $sh in
	fish) script=activate.fish ;;
	tcsh | csh) script=activate.csh ;;
	esac
	i=0
	for env in "$@"; do
		i=$((i + 1))
		mkdir -p "$out/$i"
		vars+=("A_$i=$env/bin/$script" "O_$i=$out/$i")
	done
	case $sh in
	bash | bash-posix)
		local posix=
		[ "$sh" = bash-posix ] && posix=--posix
		act_input_posix 'set -u' "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			timeout $t bash $posix --norc --noprofile -i) >/dev/null 2>"$out/transcript" || rc=$?
		;;
	zsh | zsh-subst)
		local pre='set -u; unsetopt prompt_sp prompt_cr'
		[ "$sh" = zsh-subst ] && pre="$pre; setopt prompt_subst"
		act_input_posix "$pre" "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			timeout $t zsh -f -i) >/dev/null 2>"$out/transcript" || rc=$?
		;;
	dash)
		act_input_posix 'set -u' "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			timeout $t dash -i) >/dev/null 2>"$out/transcript" || rc=$?
		;;
	ksh)
		act_input_posix 'set -u' "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			ENV=/dev/null HISTFILE=/dev/null timeout $t script -qfec \
			"stty cols 600 rows 50; exec ksh -i" /dev/null) >"$out/transcript" 2>&1 || rc=$?
		;;
	fish)
		act_input_fish "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			timeout $t script -qfec "stty cols 600 rows 50; exec fish --no-config -i" \
			/dev/null) >"$out/transcript" 2>&1 || rc=$?
		;;
	tcsh | csh)
		act_input_csh "$n" | act_pace "$out" | (cd "$ACT_SENT" && act_env "${vars[@]}" \
			timeout $t script -qfec "stty cols 600 rows 50; exec $sh -f -i" \
			/dev/null) >"$out/transcript" 2>&1 || rc=$?
		;;
	nu)
		# `overlay use` wants a path known when the code is parsed: start
		# in bin/ and name the file relatively; the code then moves to
		# the sentinel directory before anything runs.
		i=0
		for env in "$@"; do
			i=$((i + 1))
			(cd "$env/bin" && act_env O="$out/$i" S="$ACT_SENT" timeout 60 "$ACT_NU" \
				--no-config-file -c "$(act_input_nu)") >"$out/$i/transcript" 2>&1 || rc=$?
		done
		return "$rc"
		;;
	*)
		fail "no session for shell '$sh'"
		;;
	esac
	# The transcript, cut at the markers: what comes before the first goes
	# with the first environment.
	rest=$(cat "$out/transcript"; printf x)
	rest=${rest%x}
	for ((i = 1; i <= n; i++)); do
		if [ "$i" -lt "$n" ]; then
			seg=${rest%%"@@$((i + 1))@@"*}
			rest=${rest#*"@@$((i + 1))@@"}
		else
			seg=$rest
		fi
		printf '%s' "$seg" >"$out/$i/transcript"
	done
	return "$rc"
}

# act_session SHELL ENV_DIR OUT: one session against one environment, its
# results in OUT itself.
act_session() {
	local rc=0
	act_sessions "$1" "$3.all" "$2" || rc=$?
	rm -rf "$3"
	mv "$3.all/1" "$3"
	rm -rf "$3.all"
	return "$rc"
}

# act_read VAR OUT NAME: VAR gets the content of a session file followed by
# "x" (so that final newlines count), "<missing>x" if absent; read without
# a process, since these checks run some thousand times a test.
act_read() {
	if [ -e "$2/$3" ]; then
		IFS= read -r -d '' "$1" <"$2/$3" || :
		printf -v "$1" '%sx' "${!1}"
	else
		printf -v "$1" '<missing>x'
	fi
}

# act_check SHELL ENV_DIR PROMPT OUT [PREFIX]: the session in OUT saw the
# environment ENV_DIR with prompt name PROMPT, python reported sys.prefix
# PREFIX (default ENV_DIR; "-" skips this, for an environment whose python
# is not where it was recorded), drew the prompt "(PROMPT) [P]", and
# deactivate put everything back. Failures name the shell and what differs.
act_check() {
	local sh=$1 env=$2 prompt=$3 out=$4 prefix=${5:-$2} got want path0 nl=
	case $sh in tcsh | csh) nl=$'\n' ;; esac
	[ -e "$out/deact" ] || {
		sed -n '1,40p' "$out/transcript" >&2
		fail "$sh: the session did not finish (see transcript above)"
	}
	act_read got "$out" ve
	[ "$got" = "$env${nl}x" ] || fail "$sh: expected VIRTUAL_ENV '$env', saw '${got%x}'"
	act_read got "$out" vp
	[ "$got" = "$prompt${nl}x" ] || fail "$sh: expected VIRTUAL_ENV_PROMPT '$prompt', saw '${got%x}'"
	act_read path0 "$out" path0
	path0=${path0%x}
	act_read got "$out" path1
	[ "$got" = "$env/bin:${path0}x" ] ||
		fail "$sh: expected PATH '$env/bin:$path0' after activation, saw '${got%x}'"
	act_read got "$out" prefix
	[ "$prefix" = - ] || [ "$got" = "${prefix}x" ] ||
		fail "$sh: expected python to report sys.prefix '$prefix', saw '${got%x}'"
	act_read got "$out" path2
	[ "$got" = "${path0}x" ] || fail "$sh: expected PATH '$path0' after deactivate, saw '${got%x}'"
	act_read got "$out" ve2
	case $sh in
	tcsh | csh) want=00x ;;
	*) want='<unset><unset>x' ;;
	esac
	[ "$got" = "$want" ] ||
		fail "$sh: expected VIRTUAL_ENV and VIRTUAL_ENV_PROMPT unset after deactivate, saw '${got%x}'"
	act_read got "$out" ps1
	[ "$got" = '[P]x' ] || fail "$sh: expected the prompt '[P]' back after deactivate, saw '${got%x}'"
	act_read got "$out" deact
	case $sh in
	tcsh | csh) want=x ;;
	*) want=$'no\nx' ;;
	esac
	[ "$got" = "$want" ] || fail "$sh: expected deactivate to remove itself, saw '${got%x}'"
	# The drawn prompt: a transcript of the terminal, or nu's closure.
	if [ "$sh" = nu ]; then
		act_read got "$out" draw
		[ "$got" = "($prompt) [P]x" ] ||
			fail "$sh: expected the prompt '($prompt) [P]' to be drawn, saw '${got%x}'"
	else
		act_read got "$out" transcript
		case $got in
		*"($prompt) [P]"*) ;;
		*) fail "$sh: expected the prompt '($prompt) [P]' to be drawn, transcript: ${got%x}" ;;
		esac
	fi
	# act_run_all looks once per shell, after all its environments.
	[ -n "${act_batch-}" ] || act_sentinel "$sh" "$ACT_SENT/$sh"
}

# act_sentinel WHAT [DIR]: nothing was created in the sentinel directory
# (DIR, or all of them).
act_sentinel() {
	local left
	left=$(find "${2:-$ACT_SENT}" -mindepth 1 ! -type d 2>/dev/null)
	[ -z "$left" ] || fail "$1: a name ran a command: the sentinel directory holds: $left"
}

# The hostile corpus: names that have broken activation scripts somewhere
# (security.md section A names the cases), used as directory names (which
# are also the default prompt) and as --prompt values. Every one must
# round-trip byte for byte in every shell with no command run. Sentinel
# commands create files named S<nn> in the current directory.
ACT_CORPUS=(
	'";touch S01;"'                             # ACT-01, CPython's report
	"\"';&&\$e|'\""                             # ACT-02, CPython's test string
	$'\'";&&e-$ \u00e8\u0440\u0442\U0001f692\u265e\u4e2d\u7247-j' # ACT-02, virtualenv's
	'$(touch S04)'                              # ACT-03
	'`touch S05`'                               # ACT-03
	'\w \u \$ \[ \] \! \\'                      # ACT-04, bash prompt escapes
	'%F{red}%n%(?.a.b)%% %{x%} %$HOME %'        # ACT-05, zsh and tcsh sequences
	'a\'                                        # ACT-06, fish: trailing backslash
	"\\'\$(touch S09)\"\\'"                     # ACT-06, fish: escaped quote
	'py!env !! !$ !# a\!b !'                    # ACT-08, csh history
	$'x\u2019; touch S11; \u2019'               # ACT-10, PowerShell quote
	$'\u2018\u201a\u201b\'\'\u2019\u201c\u201d\u201e"' # ACT-10, every PowerShell quote
	"'# '## a'###b r#'x'#"                      # ACT-11, nushell raw strings
	';&|<>(){}[]*?~#^='                         # metacharacters of every shell
	'  two  spaces  '                           # leading, inner, trailing blanks
	'-n'                                        # looks like an option
	'$HOME${PATH}$$ $?x ${x-y} $x'             # variables in every syntax
	$'\u00e9\u4e2d\U0001f692 \u202eRTL\u202c \u2066iso\u2069 zw\u200bj\ufeff' # ACT-14
	'__VENV_DIR__ __VENV_PROMPT__ __VENV_BIN_NAME__' # placeholders substituted once
	"'"                                         # one quote
	'"'                                         # one double quote
	'#not a comment'                            # a comment in some shells
	'(touch S23) $(touch S23) {touch S23}'      # fish and nu command syntax
	'$(touch S24)`touch S24`"$(touch S24)"'"'\$(touch S24)'" # mixed quoting
)

# A very long name: the longest a directory name may be (255 bytes), built
# from pieces that are each hostile.
act_long_name() {
	local n= piece="'\$(touch S99)\`x\`!%\\"
	while [ ${#n} -lt 240 ]; do n=$n$piece; done
	printf '%s' "${n:0:255}"
}

# act_run_all ENV_DIR PROMPT [ENV_DIR PROMPT...]: the environments in every
# installed shell, the shells all at once (most of a session's time is spent
# waiting on a terminal), each shell through all the environments in one
# session; then the checks of act_check for each shell and environment.
act_run_all() {
	local s i
	local -a envs=() prompts=()
	while [ $# -ge 2 ]; do
		envs+=("$1")
		prompts+=("$2")
		shift 2
	done
	for s in $ACT_SHELLS; do
		act_have "$s" || continue
		act_sessions "$s" "$ACT_OUT/$s" "${envs[@]}" &
	done
	wait
	local act_batch=1
	for s in $ACT_SHELLS; do
		act_have "$s" || continue
		for i in "${!envs[@]}"; do
			act_check "$s" "${envs[i]}" "${prompts[i]}" "$ACT_OUT/$s/$((i + 1))"
		done
		act_sentinel "$s" "$ACT_SENT/$s"
	done
}

if [ -n "${ACT_STANDALONE-}" ]; then
	act_init
	[ -z "$ACT_MISSING" ] || echo "note: shells not installed:$ACT_MISSING"
	cd "$TMP" || exit 1
	act_create "$TMP/plain"
	act_run_all "$TMP/plain" plain
	[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
	exit 0
fi
