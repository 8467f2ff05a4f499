#!/bin/bash
# For every CPython on the machine and each option combination, `venv create`
# makes the same tree, pyvenv.cfg (byte for byte, `command` included) and
# runtime view as `python -m venv`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare.sh"

pythons=$(find_pythons)
n=$(echo "$pythons" | grep -c . || true)
minors=$(for p in $pythons; do py_minor "$p"; done | sort -u | grep -c .)
# CI must not pass vacuously: at least three minor versions are required.
[ "$minors" -ge 3 ] || fail "expected at least 3 Python minor versions, found $minors ($pythons)"

export PYTHONDONTWRITEBYTECODE=1
checked=0
for py in $pythons; do
	minor=$(py_minor "$py")
	for combo in "" "--copies" "--system-site-packages" "--prompt=my prompt" \
		"--prompt=." "--without-scm-ignore-files" "--copies --system-site-packages"; do
		work="$TMP/w"
		rm -rf "$work"
		mkdir -p "$work/ours/proj" "$work/cpy/proj"
		# shellcheck disable=SC2206
		opts=($combo)
		[ "$combo" = "--prompt=my prompt" ] && opts=("--prompt=my prompt")
		cpy_opts=("${opts[@]}")
		# CPython before 3.13 has no --without-scm-ignore-files and writes no .gitignore.
		if [ "$combo" = "--without-scm-ignore-files" ] && [ "${minor#3.}" -lt 13 ]; then
			cpy_opts=()
		fi
		(cd "$work/ours/proj" && "$VENV" create -q --without-pip -p "$py" "${opts[@]}" env) ||
			fail "venv create ${opts[*]} with $py failed"
		(cd "$work/cpy/proj" && "$py" -m venv --without-pip "${cpy_opts[@]}" env) ||
			fail "python -m venv ${opts[*]} with $py failed"
		# Our scripts' bytes differ by design (issue 3), but names and modes
		# match; activate.nu is our addition.
		ours=$(tree_listing "$work/ours/proj/env" | grep -v -E '/bin/activate\.nu$')
		cpy=$(tree_listing "$work/cpy/proj/env")
		# Deliberate: we write .gitignore for every version (CPython from 3.13).
		if [ "${minor#3.}" -lt 13 ] && [ "$combo" != "--without-scm-ignore-files" ]; then
			ours=$(echo "$ours" | grep -v -F './.gitignore')
		fi
		if [ "$ours" != "$cpy" ]; then
			diff <(echo "$cpy") <(echo "$ours") >&2
			fail "tree differs from python -m venv for $py ${opts[*]} (- cpython, + ours)"
		fi
		# Every activation script CPython installs, we install too.
		for s in $(ls "$work/cpy/proj/env/bin" | grep -E '^(activate|Activate)'); do
			[ -f "$work/ours/proj/env/bin/$s" ] || fail "expected bin/$s as python -m venv makes it"
		done
		if [ -f "$work/cpy/proj/env/.gitignore" ]; then
			cmp -s "$work/cpy/proj/env/.gitignore" "$work/ours/proj/env/.gitignore" ||
				fail ".gitignore differs for $py"
		fi
		# The whole file, `command` too: the same interpreter path, options and
		# directory as python -m venv writes (3.11+).
		c1=$(cfg_normalized "$work/cpy/proj/env" | sed "s|$work/cpy|W|g")
		c2=$(cfg_normalized "$work/ours/proj/env" | sed "s|$work/ours|W|g")
		if [ "${minor#3.}" -ge 11 ]; then
			expect_match "^command = $py -m venv .*--without-pip.* ENV$" "$(grep "^command" <<<"$c2")" \
				"the command line for $py ${opts[*]}"
		fi
		if [ "$c1" != "$c2" ]; then
			diff <(echo "$c1") <(echo "$c2") >&2
			fail "pyvenv.cfg differs for $py ${opts[*]}"
		fi
		r1=$(runtime_facts "$work/cpy/proj/env" | sed "s|$work/cpy|W|g")
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
