#!/bin/bash
# venv repair's command line: exit statuses (0 nothing left broken, 1
# problems remain or a dry run would change something, 2 error), the JSON
# report, several environments at once, the lock (busy and stale), an
# interrupted repair finished by the next one, and usage errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
cd "$TMP"
"$VENV" create -q --without-pip -p "$py" good || fail "venv create failed"
"$VENV" create -q --without-pip -p "$py" src || fail "venv create failed"
mv src moved

# Usage errors.
expect_exit 2 "$VENV" repair
expect_match "no DIR given" "$ERR" "a missing DIR"
expect_exit 2 "$VENV" repair --format xml good
expect_exit 2 "$VENV" repair --bogus good
expect_exit 2 "$VENV" repair --archive --dry-run good
expect_exit 2 "$VENV" repair --archive=x.tar good moved
expect_exit 0 "$VENV" repair --help
expect_match "^usage: venv repair" "$OUT" "--help"

# Nothing to do: 0. A dry run with work to do: 1, and nothing changes.
expect_exit 0 "$VENV" repair good
expect_match "nothing to repair" "$OUT" "a healthy environment"
snap=$(tree_listing moved times)
expect_exit 1 "$VENV" repair --dry-run moved
expect_eq "$snap" "$(tree_listing moved times)" "the environment after --dry-run"

# Not an environment, or missing: 2, and the others are still repaired.
mkdir plain
expect_exit 2 "$VENV" repair plain moved good
expect_match "not a virtual environment" "$ERR" "a plain directory"
expect_exit 0 "$VENV" repair -q moved
expect_eq "" "$OUT" "-q output of a repaired environment"

# The JSON report.
"$VENV" create -q --without-pip -p "$py" src2 || fail "venv create failed"
mv src2 moved2
rm moved2/bin/python3
expect_exit 1 "$VENV" repair --dry-run --format json moved2 good
printf '%s' "$OUT" | "$py" -c '
import json, sys
r = json.load(sys.stdin)
assert r["version"] == 1 and r["dry_run"] is True, r
a, b = r["environments"]
assert a["old_location"].endswith("/src2"), a
codes = {c["code"] for c in a["changes"]}
assert {"VNV401", "VNV109"} <= codes, codes
alias = [c for c in a["changes"] if c["code"] == "VNV109"][0]
assert alias["action"] == "link" and alias["path"] == "bin/python3", alias
assert alias["slug"] == "missing-interpreter-alias", alias
assert b["status"] == "ok" and b["changes"] == [], b
' || fail "unexpected JSON: $OUT"

# A problem that repair cannot fix without --upgrade: 1.
"$VENV" create -q --without-pip -p "$py" broken || fail "venv create failed"
ln -sfn "$TMP/nowhere/python3" "broken/bin/$(cd broken/bin && ls python3.* | head -n 1)"
sed -i "s|^home = .*|home = $TMP/nowhere|" broken/pyvenv.cfg
expect_exit 1 "$VENV" repair broken
expect_match "VNV104" "$OUT" "a dangling interpreter"
expect_match "venv repair --upgrade --python " "$OUT" "the --python to give"

# The lock (common/lock.h, beside the environment; CRA-09): held by a live command,
# repair waits (bounded, saying so), then fails with 1; left by a dead one,
# taken over.
( exec 9>.moved2.venv-lock && flock 9 && echo 1 >&9 && sleep 30 ) &
holder=$!
for i in $(seq 1 50); do [ -s .moved2.venv-lock ] && break; sleep 0.1; done
VENV_LOCK_TIMEOUT=1 expect_exit 1 "$VENV" repair moved2
expect_match "waiting up to 1 s for another venv command" "$ERR" "the waiting message"
expect_match "another venv command .*is changing '.*moved2'" "$ERR" "a busy lock"
kill "$holder"
wait "$holder" 2>/dev/null
echo 12345 >.moved2.venv-lock
expect_exit 0 "$VENV" repair -v moved2
expect_match "took over the lock" "$ERR" "a stale lock"
[ ! -e .moved2.venv-lock ] || fail "expected the lock removed"

# An interrupted repair is finished by the next one: a journal in the
# committed state with its staged file.
"$VENV" create -q --without-pip -p "$py" j || fail "venv create failed"
echo old >j/data.txt
echo new >j/.venv-repair-new.0
cat >j/.venv-repair.journal <<'EOF'
{"venv-repair-journal": 1, "kind": "fix", "state": "committed", "fixes": [
 {"op": "write", "path": "data.txt", "stage": ".venv-repair-new.0", "mode": 420}]}
EOF
expect_exit 1 "$VENV" repair --dry-run j
expect_match "interrupted repair" "$OUT" "the dry run's note"
expect_exit 0 "$VENV" repair j
expect_match "finished an interrupted repair" "$OUT" "the recovery note"
expect_eq new "$(cat j/data.txt)" "the file the interrupted repair was writing"
echo ok
