#!/bin/bash
# Helpers for the `venv check` tests (t2NNN-check-*.sh), sourced by them after
# lib.sh. Run on its own, this file is a test too: healthy environments made
# by every creator and interpreter there is (python -m venv 3.8-3.13, with
# symlinks and copies, Debian's venv with pip, virtualenv, venv create) are
# run for real and checked: check must report no error and no warning.
#
# The oracle. A verdict of `venv check` is only worth something if it agrees
# with what happens when the environment is used, so every scenario is also
# run: the environment's python must start with sys.prefix = ENV, each
# console script named in $SCRIPTS must run (started with execve, never via
# a shell fallback) and see sys.prefix = ENV, and `source ENV/bin/activate`
# in bash must set VIRTUAL_ENV = ENV and put ENV/bin first on PATH, so that
# `python` is the environment's. "Broken" means one of these fails; check
# must then report at least one error, and none otherwise.

if [ -z "${TOP-}" ]; then
	. "$(dirname "$0")/lib.sh"
	CHECK_STANDALONE=1
fi

# The interpreter that runs the oracle's harness (not under test).
HARNESS=/usr/bin/python3
[ -x "$HARNESS" ] || HARNESS=$(command -v python3)
export VIRTUALENV_OVERRIDE_APP_DATA="$TMP/virtualenv-data"
# Console scripts the oracle runs; tests set it per environment.
SCRIPTS=${SCRIPTS-}

# py_of MINOR: the interpreter of that minor version from find_pythons, or
# nothing. PYTHONS lists them all, oldest first.
PYTHONS=$(find_pythons)
py_of() {
	local p
	for p in $PYTHONS; do
		[ "$(py_minor "$p")" = "$1" ] && { echo "$p"; return 0; }
	done
	return 1
}

# Any interpreter (the newest), for tests that need just one.
py_any() {
	echo "$PYTHONS" | tail -n 1
}

# site_of ENV MINOR: the environment's site-packages.
site_of() {
	echo "$1/lib/python$2/site-packages"
}

# add_demo ENV MINOR [NAME]: a package module in site-packages and a console
# script bin/NAME for it, written the way pip writes them (distlib's
# template, shebang to the environment's pythonX.Y).
add_demo() {
	local env=$1 minor=$2 name=${3:-demo} abs
	abs=$(cd "$env" && pwd)
	mkdir -p "$(site_of "$env" "$minor")"
	cat >"$(site_of "$env" "$minor")/venvcheck_demo.py" <<'EOF'
import sys
def main():
    print("prefix=" + sys.prefix)
    return 0
EOF
	printf '#!%s/bin/python%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom venvcheck_demo import main\nif __name__ == "__main__":\n    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])\n    sys.exit(main())\n' \
		"$abs" "$minor" >"$env/bin/$name"
	chmod 755 "$env/bin/$name"
}

# mk_cpython PYTHON ENV [ARGS...]: python -m venv without pip.
mk_cpython() {
	local py=$1 env=$2
	shift 2
	"$py" -m venv --without-pip "$@" "$env" || fail "cannot create $env with $py -m venv"
}

# mk_virtualenv ENV [ARGS...]: Debian's virtualenv, seeded with pip.
mk_virtualenv() {
	local env=$1
	shift
	"$HARNESS" -m virtualenv --version >/dev/null 2>&1 || return 1
	"$HARNESS" -m virtualenv -q --no-periodic-update "$@" "$env" >/dev/null ||
		fail "cannot create $env with virtualenv"
}

# mk_ours ENV [ARGS...]: venv create.
mk_ours() {
	local env=$1
	shift
	"$VENV" create -q "$@" "$env" || fail "cannot create $env with venv create"
}

# same_path A B: both name the same file (after resolving links).
same_path() {
	[ "$(realpath -m -- "$1")" = "$(realpath -m -- "$2")" ]
}

# oracle ENV: prints "ok", or "broken: WHY"; returns 0 for ok. ORACLE_WAIT
# is how many seconds its python may take to start (20; less where it is
# known to block for ever, as on a FIFO).
oracle() {
	local env out s py
	env=$(cd "$1" 2>/dev/null && pwd) || { echo "broken: cannot enter $1"; return 1; }
	py="$env/bin/python"
	[ -e "$py" ] || py=$(ls "$env"/bin/python3* 2>/dev/null | head -n 1)
	out=$(cd / && timeout "${ORACLE_WAIT:-20}" "$py" -c 'import sys; print(sys.prefix)' 2>&1) || {
		echo "broken: its python does not run: $(echo "$out" | tail -n 1)"
		return 1
	}
	same_path "$out" "$env" || { echo "broken: sys.prefix is $out"; return 1; }
	for s in $SCRIPTS; do
		out=$(cd / && "$HARNESS" -c 'import subprocess, sys
sys.exit(subprocess.run(sys.argv[1:], timeout=20).returncode)' "$env/bin/$s" --version 2>&1) || {
			echo "broken: bin/$s fails: $(echo "$out" | tail -n 1)"
			return 1
		}
		case $out in
		prefix=*) same_path "${out#prefix=}" "$env" ||
			{ echo "broken: bin/$s runs in ${out#prefix=}"; return 1; } ;;
		*" from "*) # pip --version: "pip X from DIR (python X.Y)"
			out=${out#* from }
			case $(realpath -m -- "${out%% (*}") in
			"$(realpath -m -- "$env")"/*) ;;
			*) echo "broken: bin/$s runs from ${out%% (*}"; return 1 ;;
			esac ;;
		esac
	done
	# Every creator writes bin/activate: without it, 'source bin/activate' fails.
	[ -e "$env/bin/activate" ] || [ -L "$env/bin/activate" ] ||
		{ echo "broken: bin/activate is missing"; return 1; }
	if [ -e "$env/bin/activate" ]; then
		out=$(cd "$TMP" && env -i PATH=/usr/bin:/bin HOME="$TMP" timeout 20 bash --norc --noprofile -c '
			PS1="$ "
			. "$1/bin/activate" >/dev/null 2>&1 || exit 3
			printf "%s\n" "${VIRTUAL_ENV-}"
			command -v python || echo none
			python -c "import sys; print(sys.prefix)" 2>/dev/null || echo none
		' _ "$env" 2>&1) || { echo "broken: activate fails"; return 1; }
		local -a got
		mapfile -t got <<<"$out"
		[ "${#got[@]}" -ge 3 ] || { echo "broken: activation printed: $out"; return 1; }
		same_path "${got[0]}" "$env" ||
			{ echo "broken: activate sets VIRTUAL_ENV=${got[0]}"; return 1; }
		same_path "$(dirname -- "${got[1]}")" "$env/bin" ||
			{ echo "broken: after activate, python is ${got[1]}"; return 1; }
		same_path "${got[2]}" "$env" ||
			{ echo "broken: after activate, sys.prefix is ${got[2]}"; return 1; }
	fi
	echo ok
}

# run_check ENV...: venv check at info level as JSON lines; sets CHK_RC,
# CHK (the output), CHK_ERRORS and CHK_WARNINGS.
run_check() {
	"$VENV" check --no-progress --severity=info -f json-lines "$@" >"$TMP/.chk" 2>"$TMP/.chkerr"
	CHK_RC=$?
	CHK=$(cat "$TMP/.chk")
	CHK_ERRORS=$(grep -c '"severity":"error"' "$TMP/.chk")
	CHK_WARNINGS=$(grep -c '"severity":"warning"' "$TMP/.chk")
}

# has_code CODE: the last run_check reported CODE.
has_code() {
	grep -q "\"code\":\"$1\"" "$TMP/.chk"
}

# agree ENV ok|broken [CODE...]: the oracle says WANT, check agrees (errors
# exactly when broken), and reports every CODE given.
agree() {
	local env=$1 want=$2 verdict c
	shift 2
	verdict=$(oracle "$env")
	case $verdict in
	ok) [ "$want" = ok ] || fail "$env: expected the oracle to find it $want, saw: $verdict" ;;
	*) [ "$want" = broken ] || fail "$env: expected the oracle to find it $want, saw: $verdict" ;;
	esac
	run_check "$env"
	[ "$CHK_RC" -ne 2 ] || fail "$env: check could not inspect it: $(cat "$TMP/.chkerr") $CHK"
	if [ "$want" = ok ] && [ "$CHK_ERRORS" -ne 0 ]; then
		fail "$env: the environment works ($verdict) but check reports errors: $CHK"
	fi
	if [ "$want" = broken ] && [ "$CHK_ERRORS" -eq 0 ]; then
		fail "$env: the environment is $verdict but check reports no error: $CHK"
	fi
	for c in "$@"; do
		has_code "$c" || fail "$env: expected $c among the findings, saw: $CHK"
	done
	# The exit status at the default threshold follows the same verdict.
	"$VENV" check -q --no-progress "$env" >/dev/null 2>&1
	local rc=$?
	if [ "$want" = broken ] && [ "$rc" -ne 1 ]; then
		fail "$env: expected exit status 1 for a broken environment, saw $rc"
	fi
}

# healthy ENV: works, and check finds nothing at the default threshold.
healthy() {
	agree "$1" ok
	expect_exit 0 "$VENV" check --no-progress "$1"
}

[ -n "${CHECK_STANDALONE-}" ] || return 0

# --- Healthy environments from every creator. --------------------------------
[ -n "$PYTHONS" ] || skip "no Python interpreters found"
cd "$TMP" || fail "cannot enter $TMP"
n=0
for py in $PYTHONS; do
	m=$(py_minor "$py")
	n=$((n + 1))
	# (healthy with SCRIPTS=demo: a console script next to the
	# environment's own name aliases works, and check agrees.)
	mk_cpython "$py" "sym$n"
	add_demo "sym$n" "$m"
	SCRIPTS=demo healthy "sym$n"
	mk_cpython "$py" "copy$n" --copies
	add_demo "copy$n" "$m"
	SCRIPTS=demo healthy "copy$n"
done

# Debian's python3.11 venv bootstraps pip: real console scripts.
if [ -x /usr/bin/python3.11 ] && /usr/bin/python3.11 -c 'import ensurepip' 2>/dev/null; then
	/usr/bin/python3.11 -m venv deb-pip || fail "cannot create deb-pip"
	SCRIPTS="pip pip3" healthy deb-pip
fi

# virtualenv with its seeded pip, setuptools and wheel.
if mk_virtualenv ve; then
	SCRIPTS=pip healthy ve
	mk_virtualenv ve-copies --copies
	SCRIPTS=pip healthy ve-copies
fi

# venv create, with and without pip, with symlinks and copies.
py=$(py_any)
mk_ours ours -p "$py" --without-pip
add_demo ours "$(py_minor "$py")"
SCRIPTS=demo healthy ours
if "$VENV" create -q -p "$py" ours-pip 2>/dev/null && [ -x ours-pip/bin/pip ]; then
	SCRIPTS=pip healthy ours-pip
fi
mk_ours ours-copies -p "$py" --copies --without-pip
healthy ours-copies

# The same environments reached through a symbolic link are as healthy.
ln -s "$TMP/ours" ours-link
healthy ours-link
echo ok
