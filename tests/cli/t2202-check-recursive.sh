#!/bin/bash
# --recursive: every environment under a tree is found (also one that lost
# its pyvenv.cfg), symbolic links are not followed, an environment is not
# searched for more, a Python installation is not mistaken for one, other
# file systems are only entered when asked; the reports come out in the
# same order whatever -j is; a progress line appears only on a terminal; a
# pyvenv.cfg that is a FIFO or a directory is reported, never blocked on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
py=$(py_any)
[ -n "$py" ] || skip "no Python interpreters found"
m=$(py_minor "$py")

mkdir -p tree/a/b tree/c tree/empty
mk_cpython "$py" tree/a/b/env1
mk_cpython "$py" tree/c/env2
mk_cpython "$py" tree/c/env3-moved-from
mv tree/c/env3-moved-from tree/c/env3
mk_cpython "$py" tree/nocfg
rm tree/nocfg/pyvenv.cfg
# Found neither through a link nor inside another environment.
ln -s "$TMP/tree/c/env2" tree/a/link-to-env2
ln -s .. tree/a/b/loop
mk_cpython "$py" "tree/a/b/env1/lib/inner"
# A Python installation (a standard library next to site-packages).
mkdir -p "tree/install/bin" "tree/install/lib/python$m/site-packages"
touch "tree/install/bin/python$m" "tree/install/lib/python$m/os.py"

expect_exit 1 "$VENV" check -r -j 1 -f json tree
echo "$OUT" >one.json
"$HARNESS" - one.json <<'EOF2' || fail "unexpected environments: $(cat one.json | head -c 800)"
import json, sys
d = json.load(open(sys.argv[1]))
paths = [e["path"] for e in d["environments"]]
assert paths == ["tree/a/b/env1", "tree/c/env2", "tree/c/env3", "tree/nocfg"], paths
status = {e["path"]: e["status"] for e in d["environments"]}
assert status["tree/c/env2"] == "ok" and status["tree/c/env3"] == "findings", status
assert status["tree/nocfg"] == "findings"
EOF2

# The same reports in the same order with several workers.
"$VENV" check -r -j 1 --no-progress tree >j1.txt 2>&1
"$VENV" check -r -j 4 --no-progress tree >j4.txt 2>&1
cmp -s j1.txt j4.txt || fail "expected the same output with -j 4: $(diff j1.txt j4.txt | head)"
expect_match 'checked 4 environments: 2 ok, 2 with findings' "$(cat j1.txt)" "the summary"

# Many environments at once, in parallel: all found, all reported once.
mkdir many
for i in $(seq 1 60); do cp -a tree/c/env2 "many/e$i"; done
"$VENV" check -r -j 4 -f json-lines many >many.jsonl 2>many.err
[ "$(grep -c '"type":"environment"' many.jsonl)" -eq 60 ] ||
	fail "expected 60 environments, saw $(grep -c '"type":"environment"' many.jsonl)"
[ ! -s many.err ] || fail "expected nothing on stderr without a terminal, saw: $(cat many.err)"

# A root that does not exist: reported, the worst status wins.
expect_exit 2 "$VENV" check -r tree/c "$TMP/no-such-root"
expect_match 'VNV002' "$OUT" "the missing root"

# The progress line, on a terminal only.
if command -v script >/dev/null 2>&1; then
	TERM=xterm script -qec "$VENV check -r -j 2 many 2>&1 >/dev/null" /dev/null >tty.txt 2>&1
	grep -q 'checked [0-9]* of 60 environments' tty.txt ||
		fail "expected a progress line on a terminal, saw: $(head -c 300 tty.txt)"
	TERM=xterm script -qec "$VENV check -r -q many 2>&1 >/dev/null" /dev/null >tty2.txt 2>&1
	if grep -q 'checked [0-9]* of' tty2.txt; then fail "expected no progress with -q"; fi
fi

# Other file systems: not entered unless asked (a tmpfs in a private mount namespace).
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	mkdir -p fs/mnt
	cat >mounted.sh <<EOF2
mount -t tmpfs tmpfs "$TMP/fs/mnt" || exit 77
cp -a "$TMP/tree/c/env2" "$TMP/fs/mnt/env-on-tmpfs"
"$VENV" check -r -f json fs >"$TMP/fs-default.json"
"$VENV" check -r --cross-file-systems -f json fs >"$TMP/fs-cross.json"
exit 0
EOF2
	unshare -m sh mounted.sh
	rc=$?
	if [ "$rc" -ne 77 ]; then
		[ "$rc" -eq 0 ] || fail "the mount namespace test failed with $rc"
		grep -q 'env-on-tmpfs' fs-default.json && fail "expected the tmpfs not to be entered: $(cat fs-default.json)"
		grep -q 'env-on-tmpfs' fs-cross.json || fail "expected --cross-file-systems to enter the tmpfs"
	fi
fi

# A pyvenv.cfg that is a FIFO or a directory: found, reported (VNV201), never blocked on.
mkdir -p cfgs/fifo cfgs/dir/pyvenv.cfg
mkfifo cfgs/fifo/pyvenv.cfg
expect_exit 1 timeout 60 "$VENV" check -r cfgs
for env in fifo dir; do
	expect_match "^cfgs/$env/pyvenv\.cfg: error: cannot read 'pyvenv\.cfg': not a regular file \[VNV201" \
		"$OUT" "the finding of cfgs/$env"
done
echo ok
