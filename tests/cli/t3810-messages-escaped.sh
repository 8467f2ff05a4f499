#!/bin/bash
# What repair, restore, list and the error reporter print of names that come
# from the environment or an archive is escaped (security.md §0: every
# component of the path is untrusted; check's text output already escapes).
# An environment made by python -m venv is found by `repair -r` under a
# directory name carrying terminal escapes: its text report shows them as
# \x1b, never raw; under a name that is not UTF-8, repair changes nothing
# (see below) and its JSON report is valid and names the path (the key was
# dropped). An error quoting such a name
# (list of a missing directory) and restore of an archive whose manifest
# names such a place print no raw control character either.
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | grep -v '/usr/bin' | tail -n 1)
[ -n "$py" ] || skip "no CPython found"
HARNESS=/usr/bin/python3
[ -x "$HARNESS" ] || HARNESS=$py
export HOME="$TMP/home" XDG_CACHE_HOME="$TMP/xdg"
cd "$TMP" || fail "cannot enter $TMP"
mkdir -p "$HOME" tree
expect_exit 0 "$py" -m venv --without-pip orig

# no_raw WHAT TEXT: TEXT has no escape, BEL or other C0 control but line breaks and tabs.
no_raw() {
	if printf '%s' "$2" | LC_ALL=C grep -q $'[\001-\010\013-\037\177]'; then
		fail "expected no raw control characters in $1, saw: $(printf '%s' "$2" | cat -v)"
	fi
}

# Made (by CPython, which allows it) under a name with escapes, then moved:
# repair's report quotes where it came from.
esc=$'ev\033]0;pwn\007il'
expect_exit 0 "$py" -m venv --without-pip "o$esc"
mv "o$esc" tree/moved
expect_exit 0 "$VENV" repair -v -r tree
no_raw "repair -r's report" "$OUT$ERR"
expect_match 'tree/moved \(moved or copied from .*/oev\\x1b\]0;pwn\\x07il\):' "$OUT" \
	"the escaped old place in repair's report"
expect_match '^      - command = .* -m venv --without-pip .*/oev\\x1b\]0;pwn\\x07il$' "$OUT" \
	"the escaped line of pyvenv.cfg in repair's report"
# Moved to a name with escapes: nothing written for it, as create refuses
# it (pyvenv.cfg and the scripts would carry them): each activation script
# is a problem left, exit 1, and the report says so escaped.
rm -rf tree && mkdir tree
cp -a orig "tree/$esc"
cp "tree/$esc/pyvenv.cfg" cfg.before
expect_exit 1 "$VENV" repair -r tree
no_raw "repair -r's report" "$OUT$ERR"
expect_match "holds control characters or is not valid UTF-8.*move the environment to a plain name" \
	"$OUT" "repair's reason"
cmp -s cfg.before "tree/$esc/pyvenv.cfg" || fail "expected pyvenv.cfg unchanged, saw: $(cat -v "tree/$esc/pyvenv.cfg")"

# Moved to a name that is not UTF-8: pyvenv.cfg cannot name it (site.py
# decodes it as UTF-8 and Python stops at start-up: repair wrote it, and the
# interpreter that worked before the repair no longer started). Nothing
# changed, each script a problem left (exit 1), said in valid JSON that
# names the path.
bad=$'in\377valid'
rm -rf tree && mkdir tree
cp -a orig "tree/$bad"
cp "tree/$bad/pyvenv.cfg" cfg.before
expect_exit 0 "tree/$bad/bin/python" -c 'import sys; print(sys.prefix)'
expect_exit 1 "$VENV" repair -r --format json tree
printf '%s' "$OUT" | "$HARNESS" -c '
import json, sys
env = json.load(sys.stdin)["environments"][0]
assert env["path"].endswith("/tree/in\ufffdvalid"), env.get("path")
assert env["status"] == "problems" and not env["changes"], env
assert all("not valid UTF-8" in p["message"] for p in env["problems"]), env
' || fail "expected valid JSON naming the path and the problems for a name that is not UTF-8, saw: $OUT"
cmp -s cfg.before "tree/$bad/pyvenv.cfg" || fail "expected pyvenv.cfg unchanged, saw: $(cat -v "tree/$bad/pyvenv.cfg")"
expect_exit 0 "tree/$bad/bin/python" -c 'import sys; print(sys.prefix)'
expect_exit 1 "$VENV" repair "tree/$bad"
no_raw "repair's report" "$OUT$ERR"
expect_match "^/.*/tree/in\\\\xffvalid \\(moved or copied from " "$OUT" "repair's escaped name"

expect_exit 2 "$VENV" list "$esc"
no_raw "list's error" "$ERR"
expect_match "cannot open 'ev\\\\x1b\]0;pwn\\\\x07il'" "$ERR" "list's error"

# An archive whose manifest names a place with escapes: restored there, said escaped.
expect_exit 0 "$VENV" repair -q --archive="$TMP/a.tar.gz" orig
mkdir x && (cd x && tar xzf ../a.tar.gz) || fail "cannot unpack the archive"
"$HARNESS" - "$TMP/x/venv-archive.json" "$TMP/r$esc" <<'PY' || fail "cannot forge the manifest"
import json, sys
m = json.load(open(sys.argv[1]))
m["path"] = sys.argv[2]
json.dump(m, open(sys.argv[1], "w"))
PY
(cd x && tar czf ../forged.tar.gz venv-archive.json env venv-archive-digests) ||
	fail "cannot pack the archive"
expect_exit 2 "$VENV" restore forged.tar.gz
no_raw "restore's refusal without DIR" "$ERR"
expect_match "where it says it was archived from, '.*/rev\\\\x1b\]0;pwn\\\\x07il'" "$ERR" "restore's refusal without DIR"
expect_exit 0 "$VENV" restore forged.tar.gz "$TMP/r$esc"
no_raw "restore's report" "$OUT$ERR"
expect_match '^restored .*/rev\\x1b\]0;pwn\\x07il' "$OUT" "restore's report"

# An environment without a `command` key (virtualenv writes none) moved to a
# name with escapes: repair does not write that name into the activation
# scripts, where every shell sourcing them would print it to the terminal
# (it did: ESC and BEL in VIRTUAL_ENV and the prompt); each is a remaining
# problem saying why.
if /usr/bin/python3 -m virtualenv --version >/dev/null 2>&1; then
	expect_exit 0 /usr/bin/python3 -m virtualenv -q --no-pip --no-wheel --no-setuptools venvless
	grep -q '^command' venvless/pyvenv.cfg && fail "expected virtualenv to write no command key"
	mv venvless "v$esc" || fail "cannot rename the environment"
	expect_exit 1 "$VENV" repair -y "v$esc"
	no_raw "repair's report" "$OUT$ERR"
	expect_match "holds control characters or is not valid UTF-8" "$OUT" "repair's declined fix"
	for s in "v$esc"/bin/activate*; do
		no_raw "$s" "$(cat "$s")"
	done
fi

# A prompt in pyvenv.cfg that is not UTF-8 (create refuses one) is not used:
# every activation script gets the directory's name, as when there is none
# (bin/activate had it, the csh and fish scripts were declined).
expect_exit 0 "$py" -m venv --without-pip p1
printf 'prompt = caf\xe9\n' >>p1/pyvenv.cfg
mv p1 p2
expect_exit 0 "$VENV" repair -y p2
expect_match ' 0 problem\(s\) remain' "$OUT" "repair's summary"
for s in activate activate.csh activate.fish; do
	grep -q "VIRTUAL_ENV_PROMPT.*p2" "p2/bin/$s" ||
		fail "expected p2/bin/$s to have the prompt p2, saw: $(grep -a VIRTUAL_ENV_PROMPT "p2/bin/$s" | cat -v)"
	LC_ALL=C grep -q $'\xe9' "p2/bin/$s" && fail "expected no byte of the bad prompt in p2/bin/$s"
done
echo ok
