#!/bin/bash
# Console scripts written by the fast pip installer run from environment
# paths that need care (security.md SHB-01..05, F4): a path with a blank or
# longer than 127 bytes gets a /bin/sh trampoline that names the interpreter
# in single quotes, so $(...) and backticks in it are never run; a path that
# the trampoline cannot carry (a single quote) is refused before anything is
# written. Every trampoline header passes `sh -n`, every script Python's
# compile().
. "$(dirname "$0")/lib.sh"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
mkdir "$TMP/cwd"
cd "$TMP/cwd"
long=$(printf 'l%.0s' $(seq 1 130))
n=0
for dir in "$TMP/with space/env" "$TMP/a \$(touch pwned1) \`touch pwned2\`/env" \
	"$TMP/nospace\$(touch\${IFS}pwned3)\`id\`/env" "$TMP/$long/env"; do
	mkdir -p "$(dirname "$dir")"
	"$VENV" create -q -p "$py" "$dir" 2>"$TMP/err" ||
		fail "venv create failed for '$dir': $(cat "$TMP/err")"
	first=$(head -n 1 "$dir/bin/pip")
	python_path="$dir/bin/$(basename "$py")"
	case "$dir" in
	*" "*|*$long*)
		expect_eq "#!/bin/sh" "$first" "the first line of pip for '$dir'"
		second=$(sed -n 2p "$dir/bin/pip")
		expect_eq "'''exec' '$python_path' \"\$0\" \"\$@\"" "$second" "the exec line for '$dir'" ;;
	*)
		expect_eq "#!$python_path" "$first" "the shebang for '$dir'" ;;
	esac
	for s in pip pip3 "pip$(py_minor "$py")"; do
		[ "$(stat -c %a "$dir/bin/$s")" = 755 ] || fail "expected mode 755 for $s, saw $(stat -c %a "$dir/bin/$s")"
		# sh reads only the header (exec replaces it); Python reads it all.
		if [ "$first" = "#!/bin/sh" ]; then
			head -n 2 "$dir/bin/$s" | sh -n || fail "sh -n failed on the header of $dir/bin/$s"
		fi
		"$py" -c 'import sys; compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")' \
			"$dir/bin/$s" || fail "Python cannot compile $dir/bin/$s"
	done
	out=$("$dir/bin/pip" --version 2>&1) || fail "pip --version failed in '$dir': $out"
	case "$out" in
	"pip "*" from $dir/lib/"*) ;;
	*) fail "expected pip --version to name '$dir', saw: $out" ;;
	esac
	out=$("$dir/bin/pip3" list --format=freeze 2>&1) || fail "pip3 list failed in '$dir': $out"
	expect_match '^pip==' "$out" "pip3 list in '$dir'"
	n=$((n + 1))
done
ls "$TMP/cwd" | grep -q pwned && fail "a command in the environment path was run: $(ls "$TMP/cwd")"
[ -z "$(find "$TMP" -name 'pwned*' -newer "$TMP/cwd")" ] || fail "a sentinel file was created"

# A quote in a path that needs the trampoline: refused, nothing left behind.
bad="$TMP/it's here/env"
mkdir -p "$TMP/it's here"
expect_exit 1 "$VENV" create -q -p "$py" "$bad"
expect_match "cannot write console scripts" "$ERR" "the refusal message"
[ ! -e "$bad" ] || fail "expected no environment left at '$bad', saw: $(ls -A "$bad")"
# Without a blank the same quote is harmless in a direct shebang.
ok="$TMP/it's/env"
mkdir -p "$TMP/it's"
"$VENV" create -q -p "$py" "$ok" 2>"$TMP/err" || fail "venv create failed for '$ok': $(cat "$TMP/err")"
"$ok/bin/pip" --version >/dev/null 2>&1 || fail "pip does not run in '$ok'"
echo "checked $n paths"
