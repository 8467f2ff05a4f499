#!/bin/bash
# check --verify-hashes on a RECORD that lists sparse files (security.md
# INS-02: a 10 GB sparse file must not hang check). A hole costs no disk but
# reads as zeros, so 40 GiB of holes took minutes of SHA-256 (the cap is 64
# GiB a file, and a RECORD may list many): an environment planted in a CI
# checkout stalled the audit. No installer writes holes, so a file with far
# fewer blocks than bytes is now reported (VNV005 file-too-large) and not
# read; a file modified in place is still found by its hash.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create -p "$py" e
site=$(echo e/lib/python3.*/site-packages)
rec=$(echo "$site"/pip-*.dist-info/RECORD)
[ -f "$rec" ] || fail "no RECORD of pip in $site"
truncate -s 40G "$site/pip/huge.py" || skip "no sparse files here"
blocks=$(stat -c %b "$site/pip/huge.py")
[ "$blocks" -lt 1024 ] || skip "the file system gave the sparse file $blocks blocks"
digest=$(printf 'A%.0s' $(seq 43))
printf 'pip/huge.py,sha256=%s,42949672960\n' "$digest" >>"$rec"
# A real edit beside it.
f=$(grep -o '^pip/__init__\.py' "$rec" | head -1)
[ -n "$f" ] || fail "no pip/__init__.py in RECORD"
sed -i "1s/^./#/" "$site/$f" || fail "cannot edit $f"
start=$(date +%s)
expect_exit 1 timeout 60 "$VENV" check --verify-hashes --select VNV005,VNV604 e
[ $(($(date +%s) - start)) -lt 30 ] || fail "check took $(($(date +%s) - start)) s"
expect_match "pip/huge\.py' of pip [0-9.]+ is a sparse file of 42949672960 bytes" "$OUT" "the sparse file's finding"
expect_match "\[VNV005 file-too-large\]" "$OUT" "its code"
expect_match "pip/__init__\.py' of pip [0-9.]+ was modified" "$OUT" "the edited file's finding"
echo ok
