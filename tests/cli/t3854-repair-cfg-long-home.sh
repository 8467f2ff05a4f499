#!/bin/bash
# A pyvenv.cfg whose `home` is longer than any path (70,000 bytes, under the
# 1 MB check reads): check stopped with "cannot check 'e': data exceeds the
# limit of 65536 bytes" (exit 2, naming no file), and so did repair. Now
# check reports it (VNV201: over the 32 KB Python reads) and exits 1. repair
# cannot keep its keys, so it says so and leaves the file as it was: once
# check went on, the stale `home` was fixed from the emptied keys and
# pyvenv.cfg written with `home` alone (executable and command lost).
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create -q --without-pip -p "$py" e
long=/$(head -c 70000 /dev/zero | tr '\0' a)
sed "s|^home = |home = $long\\nold = |" e/pyvenv.cfg >cfg.new && mv cfg.new e/pyvenv.cfg
grep -q '^executable = ' e/pyvenv.cfg || fail "expected an executable key: $(cut -c1-80 e/pyvenv.cfg)"
cp e/pyvenv.cfg before.cfg

expect_exit 1 "$VENV" check --no-progress e
expect_match "^e/pyvenv\.cfg: error: 'pyvenv\.cfg' is larger than the 32 KB .*\[VNV201 " "$OUT" "check's finding"
[ -z "$ERR" ] || fail "expected no error from check, saw: $ERR"
expect_exit 1 "$VENV" repair --dry-run e
expect_match "! 'pyvenv\.cfg' is larger than the 32 KB .*cannot be kept" "$OUT" "the problem repair --dry-run leaves"
"$VENV" repair e >out 2>&1
cmp -s before.cfg e/pyvenv.cfg ||
	fail "expected pyvenv.cfg left as it was, saw: $(cut -c1-80 e/pyvenv.cfg) (repair said: $(cut -c1-200 out))"
echo ok
