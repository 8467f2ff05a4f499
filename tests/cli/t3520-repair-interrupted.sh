#!/bin/bash
# VNV117 unfinished-repair: a repair killed half-way leaves its journal (and
# an upgrade its backup; a finished upgrade killed while deleting, the
# directory of what it deleted). check reports it as a warning instead of
# "ok"; --dry-run says the real run finishes or rolls it back first and
# counts it as remaining; venv repair does that, and check is clean after.
# The repair is killed by strace at a rename made after the journal was
# written, on an environment made by a real interpreter and then moved.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "needs strace"
strace -f -o /dev/null -e inject=getpid:error=EIO true 2>/dev/null || skip "strace cannot inject faults here"
py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
cd "$TMP"

"$py" -m venv --without-pip made >/dev/null || fail "python -m venv failed"
mv made moved
# Every rename but the journal's first: the first rename is the journal's own.
killed=
for n in 2 3 4 5 6; do
	rm -rf w && cp -a moved w
	strace -f -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:signal=KILL:when=$n "$VENV" repair -y w >/dev/null 2>&1
	[ -e w/.venv-repair.journal ] && { killed=$n; break; }
done
[ -n "$killed" ] || fail "expected a repair killed at one of renames 2-6 to leave w/.venv-repair.journal, saw none left"
echo "killed at rename $killed; journal: $(cat w/.venv-repair.journal | head -c 200)"

expect_exit 1 "$VENV" check --severity warning w
expect_match 'w/\.venv-repair\.journal: warning: .*a venv repair was interrupted.*\[VNV117 unfinished-repair\]' \
	"$OUT" "check's finding on the interrupted repair"
expect_exit 0 "$VENV" check --select VNV117 --severity error w
expect_exit 1 "$VENV" repair --dry-run w
expect_match 'finished or rolled back first' "$OUT$ERR" "repair --dry-run's report"
[ -e w/.venv-repair.journal ] || fail "expected repair --dry-run to leave the journal, saw it removed"
expect_exit 0 "$VENV" repair -y w
[ ! -e w/.venv-repair.journal ] || fail "expected repair to remove the journal, saw it left"
expect_exit 0 "$VENV" check --severity info w
w/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix' ||
	fail "expected the repaired environment's python to run in it"

# What a finished upgrade was deleting, left by a kill: reported, then removed.
mkdir -p w/.venv-repair-deleting/0/pkg && echo x >w/.venv-repair-deleting/0/pkg/a.py
expect_exit 1 "$VENV" check --severity info w
expect_match 'w/\.venv-repair-deleting: warning: .*interrupted while it deleted.*\[VNV117' "$OUT" \
	"check's finding on the deleting directory"
expect_exit 0 "$VENV" repair -y w
[ ! -e w/.venv-repair-deleting ] || fail "expected repair to remove .venv-repair-deleting, saw it left"
expect_exit 0 "$VENV" check --severity info w

# A rename after the commit point that fails (EPERM, as on a file made
# immutable): the error says the repair was committed and that the next run
# finishes it, which it does.
said=
for n in 2 3 4 5 6 7 8; do
	rm -rf w && cp -a moved w
	strace -f -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:error=EPERM:when=$n "$VENV" repair -y w >out 2>&1
	if grep -q "the repair was committed: run venv repair again to finish it" out; then
		said=$n
		break
	fi
done
[ -n "$said" ] || fail "expected a failed rename after the commit to say the repair was committed, saw: $(cat out)"
[ -e w/.venv-repair.journal ] || fail "expected the journal kept after rename $said failed"
expect_exit 0 "$VENV" repair -y w
expect_exit 0 "$VENV" check w
echo ok
