#!/bin/bash
# venv repair --upgrade across minor versions (3.11 -> 3.12, 3.12 -> 3.13):
# the pure package is moved, the one with a compiled extension is
# installed again from the local wheel for the new version found through
# the user's pip settings (PIP_FIND_LINKS), else with pip from a local
# index; the old site-packages goes only after that worked; a kill while
# pip runs and a reinstall that fails put everything back (the moves
# too), and the error names the package. Nothing is asked, with or without
# a terminal. (security.md CRA-06: a minor change is never fixed by
# relinking alone.)
#
# The environments (the packages installed) are made once (prepare) and
# kept as a fixture (lib.sh), unpacked each run at the same place
# (work_dir). The two upgraded first, the subject of this test, are made by
# python -m venv; the three that show --yes, the kill and the roll-back
# (how repair goes about it, whoever made the environment) by venv create,
# the same tree but for our activation scripts and pip's bytecode, without
# the cost of ensurepip.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

pys=$(find_pythons | grep -v '^/usr/bin/')
p11=$(echo "$pys" | grep 'python3\.11$' | head -n 1)
p12=$(echo "$pys" | grep 'python3\.12$' | head -n 1)
p13=$(echo "$pys" | grep 'python3\.13$' | head -n 1)
[ -n "$p11" ] && [ -n "$p12" ] || skip "needs pyenv's 3.11 and 3.12"
command -v gcc >/dev/null || skip "needs gcc for the compiled extension"
work_dir t3200
export PIP_FIND_LINKS="$W/wheels"

# mk_env [-o] PYTHON DIR PACKAGE...: python -m venv DIR (with -o, venv
# create), with the packages installed.
mk_env() {
	local make=cpython
	[ "$1" = -o ] && make=ours && shift
	local py=$1 d=$2
	shift 2
	if [ $make = ours ]; then
		"$VENV" create -q -p "$py" "$d" || fail "venv create -p $py failed"
	else
		"$py" -m venv "$d" >/dev/null || fail "python$(py_minor "$py") -m venv failed"
	fi
	"$d/bin/pip" install -q "$@" || fail "pip install failed in $d"
}

# prepare: in W, the wheels and the environments the cases below start from.
prepare() {
	rm -rf "$W"
	mkdir -p "$W" && cd "$W" || return 1
	for p in "$p11" "$p12" ${p13:+"$p13"}; do
		make_wheel "$p" "$W/wheels" cext 2.0 ext || fail "could not build the extension for $p"
	done
	make_wheel "$p11" "$W/wheels" tinypkg 1.0 || fail "could not build the test wheel"
	mk_env "$p11" env-3.11 tinypkg cext
	[ -z "$p13" ] || mk_env "$p12" env-3.12 tinypkg cext
	mk_env -o "$p11" noask tinypkg
	mk_env -o "$p11" killed tinypkg cext
	mk_env -o "$p11" fails tinypkg cext
}
key=$(py_facts "$p11"; py_facts "$p12"; [ -z "$p13" ] || py_facts "$p13"; tool_facts gcc; venv_facts
	cat "$0" "$(dirname "$0")/repair-lib.sh")
work_fixture t3200-environments "$key" prepare || fail "could not prepare the environments (above)"
cd "$W"

# upgrade OLD NEW: the environment of OLD with both packages, upgraded to NEW.
upgrade() {
	local old=$1 new=$2 d="env-$(py_minor "$1")" om nm
	om=$(py_minor "$old")
	nm=$(py_minor "$new")
	echo "user data" >"$d/notes.txt"
	expect_exit 1 "$VENV" repair --upgrade -p "$new" --dry-run "$d"
	expect_match "cext 2\\.0: installed again from '$W/wheels/cext-2\\.0-cp3${nm#3.}-" "$OUT" "the dry run"
	expect_match "tinypkg 1\\.0: moved" "$OUT" "the dry run"
	expect_match "lib/python$om: removed" "$OUT" "the dry run"
	expect_exit 0 "$VENV" repair --upgrade -p "$new" --format json "$d"
	printf '%s' "$OUT" | "$new" -c '
import json, sys
r = json.load(sys.stdin)["environments"][0]
assert r["status"] == "repaired", r
assert "cext==2.0" in r["reinstalled"] and "tinypkg==1.0" not in r["reinstalled"], r["reinstalled"]
d = {x["name"]: x for x in r["distributions"]}
assert d["tinypkg"]["action"] == "moved", d
assert d["pip"]["action"] == "moved", d
assert d["cext"]["action"] == "reinstalled" and "/wheels/cext-2.0-cp3" in d["cext"]["source"], d
assert "compiled" in d["cext"]["why"] or "not pure" in d["cext"]["why"], d
assert r["from_version"].startswith(sys.argv[1] + "."), r
# The interpreter names of bin/ that changed, came and went (the snapshots compared).
c = {}
for x in r["changes"]:
    c.setdefault(x["path"], []).append(x)
old, new = "bin/python" + sys.argv[1], "bin/python" + sys.argv[2]
assert [x["summary"] for x in c[old]] == [old + ": removed (an interpreter name of the old version)"], c.get(old)
assert any(x["summary"].startswith(new + " ") and "before" not in x for x in c[new]), c.get(new)
assert any(x["summary"].startswith("bin/python -> ") and x["before"].startswith("-> ")
           for x in c["bin/python"]), c.get("bin/python")
' "$om" "$nm" || fail "unexpected JSON report: $OUT"
	expect_eq "hello from tinypkg 1.0" "$("$d/bin/tinypkg-hello")" "the console script after $om -> $nm"
	expect_eq "42 $nm" "$("$d/bin/python" -c 'import sys; import cext._speed as s; print(s.twice(21), "%d.%d" % sys.version_info[:2])')" \
		"the compiled extension after $om -> $nm"
	"$d/bin/pip" --version | grep -q "python $nm" || fail "expected pip of Python $nm"
	[ ! -e "$d/lib/python$om" ] || fail "expected lib/python$om removed"
	[ ! -e "$d/bin/python$om" ] && [ ! -e "$d/bin/pip$om" ] ||
		fail "expected the old version's names removed from bin/: $(ls "$d/bin")"
	expect_eq "user data" "$(cat "$d/notes.txt")" "a user file"
	expect_exit 0 "$VENV" check "$d"
}

upgrade "$p11" "$p12"
[ -n "$p13" ] && upgrade "$p12" "$p13"

# Without --yes and without a terminal the upgrade goes ahead: --upgrade is the consent.
expect_exit 0 "$VENV" repair --upgrade -p "$p12" noask </dev/null
expect_eq "hello from tinypkg 1.0" "$(noask/bin/tinypkg-hello)" "the console script after an upgrade without --yes"

# Killed while pip runs (the compiled package has no local wheel, pip gets
# it from a local index): pip holds the lock until it is done, and the next
# repair puts the environment back as it was, the moved packages included.
mkdir -p index/cext
mv "$W"/wheels/cext-2.0-cp312-*.whl index/cext/
(cd index/cext && for w in *.whl; do printf '<a href="%s">%s</a>\n' "$w" "$w"; done >index.html)
# What plain repair would fix is fixed first, so that the snapshot is what
# the repair after the kill puts back.
"$VENV" repair -q killed >/dev/null || fail "plain repair failed"
echo "user data" >killed/lib/python3.11/site-packages/local_settings.py
snap=$(tree_listing killed)
env -u PIP_NO_INDEX PIP_INDEX_URL="file://$W/index" "$VENV" repair --upgrade -p "$p12" killed >/dev/null 2>&1 &
rpid=$!
for i in $(seq 1 300); do
	pgrep -f "killed/bin/python -m pip" >/dev/null && break
	sleep 0.05
done
[ -e killed/lib/python3.12/site-packages/tinypkg ] || fail "expected tinypkg moved before pip runs"
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
grep -q '"state": "applying"' killed/.venv-repair.journal ||
	fail "expected the journal of an upgrade in progress, saw: $(cat killed/.venv-repair.journal 2>&1)"
for i in $(seq 1 300); do
	"$VENV" repair -q killed >"$TMP/out" 2>&1 && break
	grep -q "another repair" "$TMP/out" || fail "unexpected: $(cat "$TMP/out")"
	sleep 0.1
done
expect_eq "$snap" "$(tree_listing killed)" "the environment after a kill during pip and a repair"

# With the local index, pip installs it by name and version. On a terminal
# (one from script(1), util-linux) a progress line says what pip is at, n of m.
if command -v script >/dev/null; then
	env -u PIP_NO_INDEX -u NO_COLOR PIP_INDEX_URL="file://$W/index" TERM=xterm script -qfec \
		"$(printf '%q ' "$VENV" repair --upgrade -p "$p12" --format json killed)" /dev/null \
		>pty.out 2>&1 || fail "repair --upgrade on a terminal failed: $(cat pty.out)"
	OUT=$(cat pty.out)
	expect_match $'\rpip: 1 of 1: cext[-=]=?2\\.0' "$OUT" "the progress line while pip runs"
	expect_match $'\r\033\\[K\rpip: 1 of 1: installing' "$OUT" "the progress line while pip installs"
else
	expect_exit 0 env -u PIP_NO_INDEX PIP_INDEX_URL="file://$W/index" "$VENV" repair --upgrade -p "$p12" --format json killed
fi
expect_match '"source": "pip install cext==2.0"' "$OUT" "the report of a reinstall with pip"
expect_eq "42" "$(killed/bin/python -c 'import cext._speed as s; print(s.twice(21))')" "cext installed by pip"
expect_eq "user data" "$(cat killed/lib/python3.12/site-packages/local_settings.py)" "a user file moved"

# A package that cannot be installed again (no wheel for 3.12 anywhere, no
# index): everything is put back as it was, and the error names it.
echo "user data" >fails/lib/python3.11/site-packages/local_settings.py
snap=$(tree_listing fails)
expect_exit 2 "$VENV" repair --upgrade -p "$p12" fails
expect_match "cext==2\\.0" "$ERR" "the failed package named"
expect_match "put back as it was" "$ERR" "the roll-back"
# Not a terminal: no progress line.
case $ERR in *$'\r'* | *"pip: 1 of"*) fail "expected no progress line off a terminal, saw: $ERR" ;; esac
expect_eq "$snap" "$(tree_listing fails)" "the environment after a failed reinstall"
expect_eq "42" "$(fails/bin/python -c 'import cext._speed as s; print(s.twice(21))')" \
	"the old environment still works"
echo ok
