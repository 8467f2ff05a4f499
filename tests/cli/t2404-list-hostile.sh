#!/bin/bash
# venv list on hostile metadata (security.md §0: everything inside an
# environment is untrusted), in a real environment (python -m venv, a wheel
# built here and installed by the real pip, offline), its METADATA then
# tampered with. A Name and Version carrying terminal escapes and invalid
# UTF-8 are printed escaped in text, and JSON and CycloneDX stay valid (they
# failed with "out of memory"). A METADATA that cannot be used (over its
# cap, a FIFO, a directory, a link, without Name) leaves its distribution
# out with an error naming it and exit 2 (it was left out silently, exit 0:
# an SBOM could hide a distribution); list never blocks on the FIFO. A
# directory that is not an environment is exit 2, naming the .venv it holds
# (it was an empty list, exit 0). So is one whose pyvenv.cfg cannot be read as
# a regular file (a FIFO, a directory, over the cap), alone or by -r, with an
# error saying what it is (it was an empty list, exit 0); never a block. The
# project's hint still names that .venv (it named none for a FIFO or a directory).
# More lib/pythonX.Y than are read (16) is exit 2 too (it was the first 16).
# So is a metadata directory that is a link out of the environment, named
# in the error (it was left out silently, exit 0), and a site-packages that
# is a link (it was an empty list, exit 0).
# An environment that cannot be listed is said on stderr only, not in the table too.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$py" -m venv e
"$py" -I "$TOP/tests/helpers/make-wheel.py" "$TMP/w" demo 1.0 >/dev/null || fail "make-wheel demo"
expect_exit 0 e/bin/python -m pip install -q --no-index --no-deps "$TMP/w"/demo-1.0-py3-none-any.whl
meta=$(echo e/lib/python3.*/site-packages/demo-1.0.dist-info/METADATA)
[ -f "$meta" ] || fail "pip installed no METADATA for demo"

json_ok() {
	"$py" -c 'import json,sys; json.load(sys.stdin)' <<<"$1" || fail "expected valid JSON from $2, saw: $1"
}

# Terminal escapes and invalid UTF-8 in Name and Version.
printf 'Metadata-Version: 2.1\nName: d\377\376emo\033]0;pwn\007\033[2J\nVersion: 1.0\033[31m\n' >"$meta"
expect_exit 0 "$VENV" list e
if printf '%s' "$OUT" | grep -q $'[\033\007]'; then
	fail "expected the name and version escaped, saw raw control characters: $(printf '%s' "$OUT" | cat -v)"
fi
expect_match 'd\\xff\\xfeemo\\x1b\]0;pwn\\x07\\x1b\[2J +1\.0\\x1b\[31m +pip' "$OUT" "the escaped row"
expect_exit 0 "$VENV" list --format json e
json_ok "$OUT" "list --format json"
expect_match '"name": "d\\uFFFD\\uFFFDemo\\u001B\]0;pwn\\u0007\\u001B\[2J"' "$OUT" "the JSON name"
expect_exit 0 "$VENV" list --format cyclonedx e
json_ok "$OUT" "list --format cyclonedx"
expect_match '"purl": "pkg:pypi/d%FF%FEemo%1B%5D0%3Bpwn%07%1B%5B2j@1\.0%1B%5B31m"' "$OUT" "the purl"

# A METADATA that cannot be used: the distribution is not listed, and list says so.
for kind in big fifo dir link noname; do
	rm -rf "$meta"
	case $kind in
	big) { printf 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: '
	       head -c 5000000 /dev/zero | tr '\0' x; printf '\n'; } >"$meta" ;;
	fifo) mkfifo "$meta" ;;
	dir) mkdir "$meta" ;;
	link) ln -s /etc/passwd "$meta" ;;
	noname) printf 'Metadata-Version: 2.1\nVersion: 1.0\n' >"$meta" ;;
	esac
	for fmt in text json cyclonedx; do
		expect_exit 2 timeout 60 "$VENV" list --format $fmt e
		expect_match "^venv: error: cannot list 'e/lib/python3\.[0-9]+/site-packages/demo-1\.0\.dist-info': " \
			"$ERR" "the error for a METADATA ($kind)"
		if printf '%s' "$OUT" | grep -q demo; then
			fail "expected demo left out ($kind, $fmt), saw: $OUT"
		fi
		printf '%s' "$OUT" | grep -q setuptools\\\|pip || fail "expected the other distributions listed ($kind, $fmt), saw: $OUT"
		[ $fmt = text ] || json_ok "$OUT" "list --format $fmt ($kind)"
	done
done

# A metadata directory that is a link out of the environment: Python and pip
# follow it, list does not (as check's VNV007), so it is said, exit 2 (it was
# left out silently, exit 0: an SBOM could hide a distribution that way).
rm -rf "$meta"
printf 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' >"$meta"
mkdir -p elsewhere/hidden-2.0.dist-info
printf 'Metadata-Version: 2.1\nName: hidden\nVersion: 2.0\n' >elsewhere/hidden-2.0.dist-info/METADATA
site=$(dirname "$(dirname "$meta")")
ln -s "$TMP/elsewhere/hidden-2.0.dist-info" "$site/hidden-2.0.dist-info"
for fmt in text json cyclonedx; do
	expect_exit 2 timeout 60 "$VENV" list --format $fmt e
	expect_match "^venv: error: cannot list '$site/hidden-2\.0\.dist-info': a symbolic link out of the environment; not followed" \
		"$ERR" "the error for a metadata directory linked out ($fmt)"
	printf '%s' "$OUT" | grep -q demo || fail "expected the other distributions listed ($fmt), saw: $OUT"
	[ $fmt = text ] || json_ok "$OUT" "list --format $fmt (a link out)"
done
rm "$site/hidden-2.0.dist-info"

# site-packages itself a link out of the environment: said, exit 2, as a
# lib/pythonX.Y link is (it was an empty list, exit 0).
mv "$site" site.real
ln -s "$TMP/elsewhere" "$site"
for fmt in text json cyclonedx; do
	expect_exit 2 "$VENV" list --format $fmt e
	expect_match "^venv: error: cannot list 'e': its lib/python3\.[0-9]+/site-packages is a symbolic link; not followed\$" \
		"$ERR" "the error for site-packages linked out ($fmt)"
	if printf '%s' "$OUT" | grep -q hidden; then
		fail "expected nothing listed through the link ($fmt), saw: $OUT"
	fi
done
rm "$site" && mv site.real "$site"

# Not an environment: a project directory holding one, and an empty directory.
mkdir -p proj/src empty
mv e proj/.venv
expect_exit 2 "$VENV" list proj
expect_match "^venv: error: 'proj' is not a virtual environment .*did you mean 'proj/\.venv'\?" "$ERR" \
	"the error for a project directory"
expect_exit 2 "$VENV" list --format json empty
expect_match "^venv: error: 'empty' is not a virtual environment" "$ERR" "the error for an empty directory"
json_ok "$OUT" "list --format json of a directory that is not an environment"

# A pyvenv.cfg that is not a regular file or is over the cap: an error, as check's VNV201.
cfg=proj/.venv/pyvenv.cfg
cp "$cfg" cfg.saved || fail "cannot save pyvenv.cfg"
rm -rf "proj/.venv/${meta#e/}"
printf 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' >"proj/.venv/${meta#e/}"
expect_exit 0 "$VENV" list proj/.venv
expect_match '^  demo +1\.0 ' "$OUT" "demo, listed with a regular pyvenv.cfg"
# What Python imports, as check reads it: lib/pythonX.Y, not any lib/python* (it was listed).
old=proj/.venv/lib/python-old/site-packages/old-1.0.dist-info
mkdir -p "$old" && printf 'Metadata-Version: 2.1\nName: old\nVersion: 1.0\n' >"$old/METADATA"
expect_exit 0 "$VENV" list proj/.venv
expect_match '^  demo +1\.0 ' "$OUT" "demo, listed beside a lib/python-old"
if printf '%s' "$OUT" | grep -q '^  old '; then
	fail "expected nothing listed from lib/python-old, saw: $OUT"
fi
rm -rf proj/.venv/lib/python-old
mkdir bare
for kind in fifo dir big; do
	rm -rf "$cfg" bare/pyvenv.cfg
	case $kind in
	fifo) mkfifo "$cfg" bare/pyvenv.cfg; what='is a named pipe \(FIFO\), not a regular file' ;;
	dir) mkdir "$cfg" bare/pyvenv.cfg; what='is a directory, not a regular file' ;;
	big) head -c 1048577 /dev/zero | tr '\0' '#' >"$cfg"; cp "$cfg" bare/pyvenv.cfg
	     what='is larger than 1048576 bytes' ;;
	esac
	for fmt in text json cyclonedx; do
		for env in proj/.venv bare; do
			expect_exit 2 timeout 60 "$VENV" list --format $fmt $env
			expect_match "^venv: error: cannot list '$env': its pyvenv\.cfg $what\$" "$ERR" \
				"the error for a pyvenv.cfg ($kind, $fmt, $env)"
			[ $fmt = text ] || json_ok "$OUT" "list --format $fmt ($kind, $env)"
		done
		if printf '%s' "$OUT$ERR" | grep -q demo; then
			fail "expected no distribution listed ($kind, $fmt), saw: $OUT"
		fi
	done
	expect_exit 2 timeout 60 "$VENV" list -r --format json bare proj
	expect_match "^venv: error: cannot list 'bare': its pyvenv\.cfg $what\$" "$ERR" \
		"the error for bare by -r ($kind)"
	expect_match "^venv: error: cannot list 'proj/\.venv': its pyvenv\.cfg $what\$" "$ERR" \
		"the error for proj/.venv by -r ($kind)"
	json_ok "$OUT" "list -r --format json ($kind)"
	expect_exit 2 timeout 60 "$VENV" list proj
	expect_match "^venv: error: 'proj' is not a virtual environment .*did you mean 'proj/\.venv'\?" "$ERR" \
		"the hint for a project directory ($kind)"
done
rm -rf "$cfg" && mv cfg.saved "$cfg"

# More lib/pythonX.Y than are read (16): an error, not a list of the first
# 16 taken for all (what the 17th holds was left out, exit 0).
mkdir -p many/lib
cp "$cfg" many/pyvenv.cfg
for n in $(seq 20 36); do
	mkdir -p "many/lib/python3.$n/site-packages"
done
expect_exit 2 "$VENV" list many
expect_match "^venv: error: cannot list 'many': its lib has more than 16 pythonX\.Y directories; not all were read\$" \
	"$ERR" "the error for 17 lib/pythonX.Y"

# An environment that cannot be listed is said once, on stderr, as ls does;
# the table holds the others (the error was in the table too, under its name).
expect_exit 2 "$VENV" list many proj/.venv
expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c 'more than 16')" "the number of times the error is said on stderr"
case $OUT in
proj/.venv$'\n'"  Package "*) ;;
*) fail "expected the table of proj/.venv alone on stdout, saw: $OUT" ;;
esac
echo ok
