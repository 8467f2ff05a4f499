#!/bin/bash
# Bad input gets a clear message, a documented exit status, and nothing is
# written or lost.
. "$(dirname "$0")/lib.sh"

py=$(find_pythons | tail -n 1)
[ -n "$py" ] || skip "no Python found"
cd "$TMP"

# ENV_DIR is a regular file: refused, file unchanged.
echo data >afile
expect_exit 1 "$VENV" create --without-pip -p "$py" afile
expect_match "^venv: error: unable to create directory '.*afile': a file is in the way" "$ERR" "stderr"
expect_eq data "$(cat afile)" "the file's content"

# ENV_DIR is a symlink to a directory: refused (as CPython), target untouched.
mkdir target && ln -s target link
expect_exit 1 "$VENV" create --without-pip -p "$py" link
expect_match "a symbolic link is in the way" "$ERR" "stderr"
[ -z "$(ls -A target)" ] || fail "expected the link's target to stay empty, saw: $(ls -A target)"

# An existing environment whose include/ or lib/ links out of it: refused,
# with or without --upgrade; nothing is made through the link (pip's files
# and include/pythonX.Y were).
"$VENV" create -q --without-pip -p "$py" linked || fail "venv create failed"
rm -rf linked/include && ln -s "$TMP/target" linked/include
for opt in --upgrade --without-pip; do
	expect_exit 1 "$VENV" create "$opt" -p "$py" linked
	expect_match "a symbolic link is in the way \('.*/linked/include'\)" "$ERR" "stderr"
done
rm linked/include && mkdir linked/include && mv linked/lib target/lib && ln -s "$TMP/target/lib" linked/lib
expect_exit 1 "$VENV" create --without-pip -p "$py" linked
expect_match "a symbolic link is in the way \('.*/linked/lib'\)" "$ERR" "stderr"
expect_eq "lib" "$(ls -A target)" "what the link's target holds"
[ -z "$(find target/lib -mindepth 3)" ] || fail "expected nothing made in the link's target"

# The PATH separator and line breaks are refused before anything is written.
expect_exit 1 "$VENV" create --without-pip -p "$py" "a:b"
expect_match "PATH separator" "$ERR" "stderr"
[ ! -e "a:b" ] || fail "expected nothing created for 'a:b'"
expect_exit 1 "$VENV" create --without-pip -p "$py" "$(printf 'new\nline')"
expect_match "line break" "$ERR" "stderr"
[ -z "$(ls | grep new)" ] || fail "expected nothing created for a name with a newline"

# With several directories, a bad one anywhere means none is created.
expect_exit 1 "$VENV" create --without-pip -p "$py" good1 "bad:dir" good2
[ ! -e good1 ] && [ ! -e good2 ] || fail "expected no environment when one ENV_DIR is bad"

# Invalid UTF-8 and control characters in the prompt are refused.
expect_exit 1 "$VENV" create --without-pip -p "$py" --prompt "$(printf 'a\001b')" p1
expect_match "prompt" "$ERR" "stderr"
[ ! -e p1 ] || fail "expected nothing created for a bad prompt"

# A refused value is shown escaped, never raw on the terminal (U+2028 here).
expect_exit 1 "$VENV" create --without-pip -p "$py" "$(printf 'ls\xe2\x80\xa8ep')"
expect_match "ls\\\\u2028ep" "$ERR" "the escaped name in the message"
# Bidirectional controls round-trip but get a warning (ACT-14).
expect_exit 0 "$VENV" create --without-pip -p "$py" "$(printf 'bidi\xe2\x80\xaeevil')"
expect_match "bidi\\\\u202eevil' contains Unicode bidirectional controls" "$ERR" "the bidi warning"

# Usage errors exit 2, like argparse.
expect_exit 2 "$VENV" create --symlinks --copies x
expect_match "not allowed with" "$ERR" "stderr"
expect_exit 2 "$VENV" create
expect_match "required: ENV_DIR" "$ERR" "stderr"
expect_exit 2 "$VENV" create --no-such-option x
expect_match "unrecognized option '--no-such-option'" "$ERR" "stderr"
expect_exit 2 "$VENV" create --prompt
expect_exit 2 "$VENV" no-such-command
expect_match "'no-such-command' is not a venv command" "$ERR" "stderr"
[ ! -e x ] || fail "expected nothing created on usage errors"

# --upgrade with --clear: an error, as in CPython.
expect_exit 1 "$VENV" create --upgrade --clear -p "$py" y
expect_match "cannot supply --upgrade and --clear together" "$ERR" "stderr"
[ ! -e y ] || fail "expected nothing created"

# Interpreters that do not exist, are not Python, or are too old.
expect_exit 1 "$VENV" create -p "$TMP/nope/python3" z
expect_match "cannot use interpreter" "$ERR" "stderr"
expect_exit 1 "$VENV" create -p /bin/true z
expect_match "is not a usable Python 3.8 or later" "$ERR" "stderr"
[ ! -e z ] || fail "expected nothing created for a bad interpreter"
expect_exit 1 "$VENV" create -p no-such-python-anywhere z
expect_match "not found on PATH" "$ERR" "stderr"
old=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.7.*/bin/python3.7 2>/dev/null | head -n 1)
if [ -n "$old" ]; then
	expect_exit 1 "$VENV" create --without-pip -p "$old" z
	expect_match "Python 3.8 or later is required" "$ERR" "stderr"
	[ ! -e z ] || fail "expected nothing created for Python 3.7"
fi

# An unwritable parent: needs a non-root user (root ignores permissions).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3.11 ]; then
	mkdir ro && chmod 0555 ro && chmod 0755 "$TMP"
	cp "$VENV" "$TMP/venv-bin" && chmod 0755 "$TMP/venv-bin"
	expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
		VENV_CACHE_DIR=/nonexistent "$TMP/venv-bin" create --without-pip -p /usr/bin/python3.11 ro/env
	# The lock beside it is the first thing written (common/lock.h).
	expect_match "^venv: error: cannot create the lock of '.*ro/env' \(.env.venv-lock, beside it\): Permission denied" "$ERR" "stderr"
	[ -z "$(ls -A ro)" ] || fail "expected nothing written into the read-only dir"
	echo "checked the unwritable case as an unprivileged user"
fi

# A directory where no file can be created for ENOENT (/proc; a directory removed
# meanwhile): an error at once, not a loop taking the lock again.
expect_exit 1 timeout 10 "$VENV" create --without-pip -p "$py" /proc/venv-t1200
expect_match "^venv: error: cannot create the lock of '/proc/venv-t1200' \(.venv-t1200.venv-lock, beside it\): No such file or directory" "$ERR" "stderr"

# A symbolic link the file system refuses (EPERM: it has none) becomes a copy,
# with a warning, as in CPython; one that fails for a full disk is an error,
# not a copy (t3401 saw repair --upgrade exit 0 with bin/python3.X a copy).
# The interpreter's link is the second symlinkat (lib64 is the first).
if command -v strace >/dev/null && strace -f -qq -o /dev/null -e inject=getpid:error=EIO:when=1 true 2>/dev/null; then
	pyname=$(basename "$(readlink -f "$py")")
	# (LeakSanitizer cannot work under ptrace: off for these runs in the sanitizer pass.)
	expect_exit 0 env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e inject=symlinkat:error=EPERM:when=2 \
		"$VENV" create --without-pip -p "$py" nolinks
	expect_match "^venv: warning: unable to symlink '.*' to '.*nolinks/bin/$pyname': Operation not permitted; copying instead" "$ERR" "stderr"
	[ -f "nolinks/bin/$pyname" ] && [ ! -L "nolinks/bin/$pyname" ] ||
		fail "expected bin/$pyname copied, saw: $(ls -l nolinks/bin)"
	expect_exit 1 env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e inject=symlinkat:error=ENOSPC:when=2 \
		"$VENV" create --without-pip -p "$py" fulldisk
	expect_match "^venv: error: cannot symlink '.*' to '.*fulldisk/bin/$pyname': No space left on device" "$ERR" "stderr"
	[ ! -e fulldisk ] || fail "expected no environment left after the failed symlink, saw: $(ls -la fulldisk)"
fi

echo ok
