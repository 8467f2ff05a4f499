#!/bin/bash
# The fixable codes the other per-code repair tests leave out: VNV103,
# VNV105, VNV114, VNV402, VNV502, VNV504. Each environment is made by a
# real interpreter or peer and broken the way it breaks; check reports the
# code, `venv repair -y` (or, where --explain documents it, `venv repair -y
# --upgrade --python PY`) exits 0, then check finds nothing and the
# environment's python, pip and `source bin/activate` in bash work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

pys=$(find_pythons | grep -v '^/usr/bin/')
[ -n "$pys" ] || skip "needs a pyenv Python"
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 HOME="$TMP/home" VENV_CACHE_DIR="$TMP/cache"
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PYTHONPATH PYTHONHOME VIRTUAL_ENV
mkdir -p "$HOME"
cd "$TMP"

# upgraded CODE DIR ARG...: like repaired, but the documented fix is
# `repair --upgrade` (with ARGs: --python PY, -v). Its output is left in
# $UPGRADED.
upgraded() {
	local code=$1 d=$2
	shift 2
	expect_exit 1 "$VENV" check --severity info --select "$code" "$d"
	expect_match "$code" "$OUT" "check's finding on $d"
	expect_exit 0 "$VENV" repair -y --upgrade "$@" "$d"
	UPGRADED=$OUT
	expect_exit 0 "$VENV" check "$d"
	expect_exit 0 "$VENV" check --severity info --select "$code" "$d"
	env_works "$d"
}

# An interpreter whose `python -m venv` writes an unquoted activate
# template (CPython before 3.9.21, 3.10.16, 3.11.11, 3.12.8, 3.13.1).
old=
for p in $pys; do
	"$p" -m venv --without-pip "$TMP/probe" >/dev/null 2>&1 || continue
	if "$VENV" check --severity info --select VNV502 "$TMP/probe" >/dev/null 2>&1; then
		rm -rf "$TMP/probe"
		continue
	fi
	rm -rf "$TMP/probe"
	old=$p
	break
done

if [ -n "$old" ]; then
	# VNV502: the activate template of that CPython, as it writes it. Both
	# environments are made without pip: VNV502 and VNV504 are about
	# bin/activate alone, and ensurepip would cost more than the rest of
	# this test (env_works runs a pip when there is one).
	"$old" -m venv --without-pip "$TMP/e502" >/dev/null || fail "python -m venv e502 failed"
	repaired VNV502 "$TMP/e502"
	# VNV504: a prompt with $(...) stored literally in PS1. The installed
	# CPythons paste the prompt in double quotes (that runs it at activation,
	# VNV410); CPython 3.12.8 and later quote it with shlex, which keeps it
	# literal in PS1 where bash expands it at every prompt: the script is
	# edited into that form, as the --explain example shows it, the path
	# quoted too, so that bin/activate has no VNV502 of its own.
	"$old" -m venv --without-pip --prompt '$(echo hi)' "$TMP/e504" >/dev/null || fail "python -m venv e504 failed"
	sed -i -e 's/\$(echo hi)/"'\''$(echo hi)'\''"/g' \
		-e 's/^\([[:space:]]*VIRTUAL_ENV=\)"\([^"$]*\)"[[:space:]]*$/\1'\''\2'\''/' e504/bin/activate
	grep -q "^[[:space:]]*PS1=\"(\"'\$(echo hi)'\")" e504/bin/activate ||
		fail "expected the prompt stored literally in PS1, saw: $(grep PS1= e504/bin/activate)"
	repaired VNV504 "$TMP/e504"
	out=$(bash -ic '. "$1/bin/activate" && echo "PS1=$PS1"' _ "$TMP/e504" 2>/dev/null | grep '^PS1=')
	case "$out" in *'$(echo hi)'*) fail "expected PS1 to refer to the prompt, saw: $out" ;; esac
else
	echo "no CPython with an unquoted activate template: VNV502/VNV504 not tested" >&2
fi

# VNV402: virtualenv >= 20.26 writes a bash activate that falls back to
# its own location when the built-in path is gone. Debian's virtualenv is
# older, so its activate is edited into that form, then the environment is
# copied (the built-in path is the original, removed).
# Debian's virtualenv seeds offline only the versions it has wheels for:
# the newest interpreter it can seed.
made=
for py in $(echo "$pys" | sort -r); do
	rm -rf "$TMP/orig402"
	virtualenv -q -p "$py" "$TMP/orig402" >/dev/null 2>&1 && made=1 && break
done
[ -n "$made" ] || fail "virtualenv could not make an environment of any of: $pys"
awk '/^VIRTUAL_ENV=/ {
	v = substr($0, 13)
	print "if [ ! -d " v " ]; then"
	print "    echo \"Virtual environment directory " v " does not exist!\" >&2"
	print "    CURRENT_PATH=$(realpath \"${BASH_SOURCE[0]}\")"
	print "    CURRENT_DIR=$(dirname \"${CURRENT_PATH}\")"
	print "    VIRTUAL_ENV=\"$(realpath \"${CURRENT_DIR}/../\")\""
	print "else"
	print "    VIRTUAL_ENV=" v
	print "fi"
	next } { print }' orig402/bin/activate >act.new || fail "awk failed"
grep -q 'realpath' act.new || fail "expected the fallback in bin/activate, saw: $(cat act.new)"
cat act.new >orig402/bin/activate
cp -a orig402 e402
rm -rf orig402
repaired VNV402 "$TMP/e402"

# VNV114: a 3.(N) environment upgraded with `venv create --upgrade -p
# 3.(N+1)` leaves its packages in lib/python3.N while pyvenv.cfg names the
# new version already. Plain repair names the one command that moves them,
# once; `repair --upgrade` finds the old version from the orphaned
# site-packages: the pure package is moved, the compiled one installed
# again from a local wheel (offline), pip (which the new site-packages has
# already) keeps its new copy, a user file is moved byte for byte and one
# whose name the new site-packages has is kept beside it; the same when
# bin/python3.N is still there (VNV106, mixed). Without
# --upgrade, `venv create -p 3.(N+1)` over the 3.N environment is refused
# (issue 14: no mixed environment).
case_114() {
	local lo= hi= m n q old new site osite
	for p in $pys; do
		m=$(py_minor "$p")
		n=3.$(( ${m#3.} + 1 ))
		q=$(echo "$pys" | grep "/python$n\$" | head -n 1)
		[ -n "$q" ] && lo=$p hi=$q
	done
	if [ -z "$lo" ]; then
		echo "no two consecutive minor versions: VNV114 not tested" >&2
		return 0
	fi
	old=$(py_minor "$lo") new=$(py_minor "$hi")
	site="e114/lib/python$new/site-packages" osite="e114/lib/python$old/site-packages"
	make_wheel "$lo" "$TMP/wheels" pkg114 1.0 || fail "make_wheel failed"
	ext=
	if command -v gcc >/dev/null; then
		make_wheel "$lo" "$TMP/wheels" ext114 1.0 ext &&
			make_wheel "$hi" "$TMP/wheels" ext114 1.0 ext || fail "make_wheel ext114 failed"
		ext=ext114
	fi
	"$VENV" create -q -p "$lo" e114 || fail "venv create e114 failed"
	e114/bin/pip install -q "$TMP"/wheels/pkg114-1.0-*.whl >/dev/null || fail "pip install failed"
	if [ -n "$ext" ]; then
		e114/bin/pip install -q "$TMP/wheels/ext114-1.0-cp3${old#3.}-"*.whl >/dev/null ||
			fail "pip install ext114 failed"
	fi
	printf 'DEBUG = 1\n' >"$osite/local_settings.py"
	expect_exit 1 "$VENV" create -q -p "$hi" e114
	expect_match "would mix the two" "$ERR" "create over another version without --upgrade"
	"$VENV" create -q --upgrade -p "$hi" e114 >/dev/null || fail "venv create --upgrade failed"
	# The upgrade keeps the old version's names (VNV106, VNV403 of their
	# own); the user deleted them, leaving the packages behind.
	rm "e114/bin/python$old" "e114/bin/pip$old"
	[ -d "$osite/pkg114" ] || fail "expected the old site-packages left"
	grep -q "^version = $new\\." e114/pyvenv.cfg || fail "expected pyvenv.cfg of $new: $(cat e114/pyvenv.cfg)"
	printf 'new\n' >"$site/notes.txt"
	printf 'old\n' >"$osite/notes.txt"
	pipnew=$(ls -d "$site"/pip-*.dist-info)
	# Plain repair changes nothing of it and names the command, once.
	expect_exit 0 "$VENV" repair -y e114
	expect_match "VNV114" "$OUT" "plain repair's remaining problem"
	expect_eq 1 "$(printf '%s' "$OUT" | grep -o "venv repair --upgrade" | wc -l)" \
		"how often plain repair names a command in: $OUT"
	expect_match "run 'venv repair --upgrade [^']*/e114' to move them" "$OUT" "the command"
	export PIP_FIND_LINKS="$TMP/wheels"
	upgraded VNV114 "$TMP/e114" -v
	unset PIP_FIND_LINKS
	expect_match "pkg114 1\\.0: moved" "$UPGRADED" "the report"
	expect_match "pip [0-9.]*: not moved: 'lib/python$new/site-packages' has pip" "$UPGRADED" "the report"
	[ -e "e114/lib/python$old" ] && fail "expected lib/python$old removed"
	out=$(e114/bin/pkg114-hello 2>&1) || fail "pkg114-hello does not run: $out"
	expect_eq "hello from pkg114 1.0" "$out" "the package moved"
	expect_eq "$pipnew" "$(ls -d "$site"/pip-*.dist-info)" "the new version's pip, alone"
	expect_eq "DEBUG = 1" "$(cat "$site/local_settings.py")" "a user file moved"
	expect_eq "new" "$(cat "$site/notes.txt")" "the new version's file of that name"
	expect_eq "old" "$(cat "$site/notes.txt.python$old")" "the old version's file, beside it"
	if [ -n "$ext" ]; then
		expect_match "ext114 1\\.0: installed again from '$TMP/wheels/ext114-1\\.0-cp3${new#3.}-" "$UPGRADED" "the report"
		expect_eq "42 $new" "$(e114/bin/python -c 'import sys, ext114._speed as s; print(s.twice(21), "%d.%d" % sys.version_info[:2])')" \
			"the compiled package, installed again"
	fi
	e114/bin/python -m pip check >/dev/null || fail "pip check failed: $(e114/bin/python -m pip check)"

	# Right after `venv create --upgrade`, bin/python3.N still runs the old
	# version beside the new one (VNV106, a mixed environment): the same
	# command moves the packages and removes the old version's names.
	"$VENV" create -q -p "$lo" e106 || fail "venv create e106 failed"
	e106/bin/pip install -q "$TMP"/wheels/pkg114-1.0-*.whl >/dev/null || fail "pip install failed"
	"$VENV" create -q --upgrade -p "$hi" e106 >/dev/null || fail "venv create --upgrade failed"
	"$VENV" check --severity error e106 >/dev/null 2>&1
	crc=$?
	"$VENV" repair --dry-run e106 >/dev/null 2>&1
	expect_eq "$crc" "$?" "repair --dry-run's exit status (check --severity error's) on a mixed environment"
	"$VENV" repair -y e106 >out 2>&1
	rrc=$?
	# Repair's verdict is check's at error severity (a mixed environment is a warning).
	expect_eq "$crc" "$rrc" "repair's exit status (check --severity error's) on a mixed environment"
	expect_match "VNV106" "$(cat out)" "plain repair's remaining problem"
	expect_eq 1 "$(grep -o "venv repair --upgrade" out | wc -l)" \
		"how often plain repair names a command in: $(cat out)"
	expect_match "run 'venv repair --upgrade [^']*/e106' to move the old version's packages" "$(cat out)" "the command"
	upgraded VNV106 "$TMP/e106" --format json
	printf '%s' "$UPGRADED" | "$hi" -c '
import json, sys
r = json.load(sys.stdin)["environments"][0]
assert r["status"] == "repaired" and r["from_version"] == sys.argv[1], r
d = {x["name"]: x for x in r["distributions"]}
assert d["pkg114"]["action"] == "moved" and d["pip"]["action"] == "superseded", d
# The old bytecode of the pip that is not moved goes with the old version.
assert not [u for u in r["unowned"] if "__pycache__" in u["from"]], r["unowned"]
' "$old" || fail "unexpected JSON report: $UPGRADED"
	[ -e "e106/lib/python$old" ] && fail "expected lib/python$old removed"
	[ -e "e106/bin/python$old" ] && fail "expected bin/python$old removed"
	[ -e "e106/bin/pip$old" ] && fail "expected bin/pip$old removed"
	out=$(e106/bin/pkg114-hello 2>&1) || fail "pkg114-hello does not run: $out"
	expect_eq "hello from pkg114 1.0" "$out" "the package moved"
}

case_114

# VNV105: an environment of a copied interpreter tree whose standard
# library is then removed; VNV103: a --copies environment of a copied tree
# whose interpreter's RUNPATH names the copy's lib, which is then removed
# (no patchelf here: the RUNPATH string is overwritten in place, NUL-padded).
# Both are moved onto the real interpreter of the same minor version.
py=$(echo "$pys" | head -n 1)
m=$(py_minor "$py")
root=$(dirname "$(dirname "$py")")
mkdir base
cp -a "$root/bin" "$root/lib" base/ || fail "copying the base failed"
base/bin/python$m -m venv --without-pip e105 >/dev/null || fail "python -m venv e105 failed"
"$py" - "$root/lib" "$TMP/base/lib" "base/bin/python$m" <<'PYEOF' || fail "patching the RUNPATH failed"
import sys
old, new, path = (a.encode() for a in sys.argv[1:4])
data = open(path, "rb").read()
i = data.find(old + b"\0")
if i < 0 or len(new) > len(old):
    sys.exit("no RUNPATH %r in %r, or %r longer" % (old, path, new))
open(path, "wb").write(data[:i] + new + b"\0" * (len(old) - len(new)) + data[i + len(old):])
PYEOF
base/bin/python$m -m venv --copies --without-pip e103 >/dev/null || fail "python -m venv e103 failed"
ldd "e103/bin/python$m" | grep -q "$TMP/base/lib/libpython" || fail "expected e103's python to load the copy's libpython: $(ldd "e103/bin/python$m")"
rm -rf "base/lib/python$m"
upgraded VNV105 "$TMP/e105" --python "$py"
rm -rf base
upgraded VNV103 "$TMP/e103" --python "$py"
echo ok
