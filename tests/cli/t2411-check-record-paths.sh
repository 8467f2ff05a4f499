#!/bin/bash
# What check says of the files a RECORD lists outside site-packages (pip's
# bin/pip, ../../../bin/pip3.X) when the way to them is not an ordinary
# directory of the environment:
# - bin/ a symbolic link out of the environment (to a directory holding a
#   pip of another size and no pip3.X): each is "reached through a symbolic
#   link out of the environment; not followed" (VNV007), as --verify-hashes
#   says; they were looked at through the link and reported as modified or
#   missing from what the other directory holds (VNV604, VNV603);
# - bin/ that the user may not read: its files are unreadable (VNV003), not
#   missing (they were VNV603), and 'bin' itself is said to be unreadable once
#   (the model and the walk both said it).
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create -q -p "$py" e
[ -f e/bin/pip ] || fail "venv create installed no bin/pip"

# bin/ a link out of the environment.
mkdir out
printf '#!/bin/sh\nexit 0\n' >out/pip
printf '#!/bin/sh\nexit 0\n' >out/pip3
mv e/bin e/bin.real
ln -s "$TMP/out" e/bin
for opt in "" --verify-hashes; do
	expect_exit 1 "$VENV" check --no-progress $opt e
	if printf '%s' "$OUT" | grep -E '^e/bin/pip[0-9.]*: .*\[VNV60[34] '; then
		fail "expected nothing said of what the link out holds ($opt), saw: $OUT"
	fi
	expect_match "^e/bin/pip: warning: 'bin/pip' of pip [0-9.]+ is reached through a symbolic link out of the environment; not followed" \
		"$OUT" "the finding for bin/pip through bin linked out ($opt)"
	expect_match "^e/bin/pip3\.[0-9]+: warning: 'bin/pip3\.[0-9]+' of pip [0-9.]+ is reached through a symbolic link out of the environment" \
		"$OUT" "the finding for bin/pip3.X through bin linked out ($opt)"
done
rm e/bin && mv e/bin.real e/bin
expect_exit 0 "$VENV" check --no-progress e

# bin/ that the user may not read (root reads everything: run as nobody).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$TMP"
	chmod -R a+rX e
	chmod 000 e/bin
	setpriv --reuid=65534 --regid=65534 --clear-groups "$VENV" check --no-progress e >"$TMP/.out" 2>&1
	rc=$?
	OUT=$(cat "$TMP/.out")
	[ "$rc" -eq 1 ] || fail "expected status 1 for an unreadable bin, saw $rc: $OUT"
	if printf '%s' "$OUT" | grep -E '\[VNV603 '; then
		fail "expected the files of an unreadable bin not taken for missing, saw: $OUT"
	fi
	expect_match "^e/bin/pip: warning: cannot read 'bin/pip': Permission denied \[VNV003 " "$OUT" \
		"the finding for bin/pip in an unreadable bin"
	expect_eq 1 "$(printf '%s\n' "$OUT" | grep -c "^e/bin: warning: cannot open 'bin': Permission denied")" \
		"the number of times the unreadable bin is said"
	chmod 755 e/bin
fi
echo ok
