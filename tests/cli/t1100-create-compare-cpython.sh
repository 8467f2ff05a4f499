#!/bin/bash
# For every CPython on the machine and each option combination, `venv create`
# makes the same tree, pyvenv.cfg (byte for byte, `command` included) and
# runtime view as `python -m venv`. What python -m venv makes is recorded
# once per interpreter (a fixture, kept for later runs: make_cpython_envs).
. "$(dirname "$0")/lib.sh"
[ "${VENV_SANITIZED:-}" != 1 ] || skip "run once, in the uninstrumented pass (make check): its time is CPython's venv and ensurepip; create with pip runs instrumented in t1604 and t1605"
. "$(dirname "$0")/compare.sh"

pythons=$(find_pythons)
n=$(echo "$pythons" | grep -c . || true)
minors=$(for p in $pythons; do py_minor "$p"; done | sort -u | grep -c .)
# CI must not pass vacuously: at least three minor versions are required.
[ "$minors" -ge 3 ] || fail "expected at least 3 Python minor versions, found $minors ($pythons)"

export PYTHONDONTWRITEBYTECODE=1
combos=("" "--copies" "--system-site-packages" "--prompt=my prompt" \
	"--prompt=." "--without-scm-ignore-files" "--copies --system-site-packages")

# opts_of COMBO: the options of COMBO, in the array opts.
opts_of() {
	# shellcheck disable=SC2206
	opts=($1)
	[ "$1" = "--prompt=my prompt" ] && opts=("--prompt=my prompt")
	return 0
}

# make_cpython_envs PYTHON DIR: for each combination I, what the tests
# compare of the environment `PYTHON -m venv --without-pip` makes with those
# options in W/cpy/proj/env: DIR/I.tree (tree_listing), I.scripts (the
# activation scripts' names), I.gitignore (if it writes one), I.cfg
# (pyvenv.cfg) and I.facts (runtime_facts), W written W. Made once (a
# fixture: the interpreter and these functions are its key).
make_cpython_envs() {
	local py=$1 out=$2 minor i work cpy_opts
	minor=$(py_minor "$py")
	for i in "${!combos[@]}"; do
		work=$(mktemp -d "$TMP/ref.XXXXXX") || return 1
		mkdir -p "$work/cpy/proj"
		opts_of "${combos[$i]}"
		cpy_opts=("${opts[@]}")
		# CPython before 3.13 has no --without-scm-ignore-files and writes no .gitignore.
		if [ "${combos[$i]}" = "--without-scm-ignore-files" ] && [ "${minor#3.}" -lt 13 ]; then
			cpy_opts=()
		fi
		(cd "$work/cpy/proj" && "$py" -m venv --without-pip "${cpy_opts[@]}" env) ||
			fail "python -m venv ${opts[*]} with $py failed"
		tree_listing "$work/cpy/proj/env" >"$out/$i.tree"
		ls "$work/cpy/proj/env/bin" | grep -E '^(activate|Activate)' >"$out/$i.scripts"
		if [ -f "$work/cpy/proj/env/.gitignore" ]; then
			cp "$work/cpy/proj/env/.gitignore" "$out/$i.gitignore" || return 1
		fi
		cfg_normalized "$work/cpy/proj/env" | sed "s|$work/cpy|W|g" >"$out/$i.cfg"
		runtime_facts "$work/cpy/proj/env" | sed "s|$work/cpy|W|g" >"$out/$i.facts"
		rm -rf "$work"
	done
}

checked=0
for py in $pythons; do
	minor=$(py_minor "$py")
	ref=$(fixture cpython-venv-without-pip "$(py_facts "$py"; declare -p combos
		declare -f opts_of make_cpython_envs tree_listing cfg_normalized runtime_facts)" \
		make_cpython_envs "$py") || fail "could not make python -m venv's environments for $py (above)"
	for i in "${!combos[@]}"; do
		combo=${combos[$i]}
		work="$TMP/w"
		rm -rf "$work"
		mkdir -p "$work/ours/proj"
		opts_of "$combo"
		(cd "$work/ours/proj" && "$VENV" create -q --without-pip -p "$py" "${opts[@]}" env) ||
			fail "venv create ${opts[*]} with $py failed"
		# Our scripts' bytes differ by design (issue 3), but names and modes
		# match; activate.nu is our addition.
		ours=$(tree_listing "$work/ours/proj/env" | grep -v -E '/bin/activate\.nu$')
		cpy=$(cat "$ref/$i.tree")
		# Deliberate: we write .gitignore for every version (CPython from 3.13).
		if [ "${minor#3.}" -lt 13 ] && [ "$combo" != "--without-scm-ignore-files" ]; then
			ours=$(echo "$ours" | grep -v -F './.gitignore')
		fi
		if [ "$ours" != "$cpy" ]; then
			diff <(echo "$cpy") <(echo "$ours") >&2
			fail "tree differs from python -m venv for $py ${opts[*]} (- cpython, + ours)"
		fi
		# Every activation script CPython installs, we install too.
		for s in $(cat "$ref/$i.scripts"); do
			[ -f "$work/ours/proj/env/bin/$s" ] || fail "expected bin/$s as python -m venv makes it"
		done
		if [ -f "$ref/$i.gitignore" ]; then
			cmp -s "$ref/$i.gitignore" "$work/ours/proj/env/.gitignore" ||
				fail ".gitignore differs for $py"
		fi
		# The whole file, `command` too: the same interpreter path, options and
		# directory as python -m venv writes (3.11+).
		c1=$(cat "$ref/$i.cfg")
		c2=$(cfg_normalized "$work/ours/proj/env" | sed "s|$work/ours|W|g")
		if [ "${minor#3.}" -ge 11 ]; then
			expect_match "^command = $py -m venv .*--without-pip.* ENV$" "$(grep "^command" <<<"$c2")" \
				"the command line for $py ${opts[*]}"
		fi
		if [ "$c1" != "$c2" ]; then
			diff <(echo "$c1") <(echo "$c2") >&2
			fail "pyvenv.cfg differs for $py ${opts[*]}"
		fi
		r1=$(cat "$ref/$i.facts")
		r2=$(runtime_facts "$work/ours/proj/env" | sed "s|$work/ours|W|g")
		if [ "$r1" != "$r2" ]; then
			diff <(echo "$r1") <(echo "$r2") >&2
			fail "runtime view differs for $py ${opts[*]}"
		fi
		# (r2's first line: the prefix, as runtime_facts printed it; one Python run less.)
		expect_match "^prefix $work/ours/proj/env\$|^prefix ENV\$" "$(head -n 1 <<<"$r2")" "sys.prefix"
		checked=$((checked + 1))
	done
done
echo "compared $checked environments over $n interpreters"
