#!/bin/bash
# venv check's command line: help, rule listing and explanations, rule
# selection, severity threshold, output formats (validated by a JSON parser
# and against the SARIF 2.1.0 shape), colour, and the exit statuses, where
# the most serious outcome wins.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

py=$(py_any)
[ -n "$py" ] || skip "no Python interpreter found"
m=$(py_minor "$py")
cd "$TMP" || fail "cannot enter $TMP"

json_ok() { # json_ok FILE: parses as one JSON document
	"$HARNESS" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" ||
		fail "expected valid JSON in $1: $(head -c 300 "$1")"
}

# --- help and usage errors ---------------------------------------------------
expect_exit 0 "$VENV" check --help
expect_match '^usage: venv check ' "$OUT" "--help"
expect_match 'exit status:' "$OUT" "--help"
expect_exit 0 "$VENV" help check
# Without DIR: the active environment, else ./.venv, else a usage error.
mkdir -p "$TMP/proj" && cd "$TMP/proj" || fail "cannot enter $TMP/proj"
expect_exit 2 "$VENV" check
expect_match 'no DIR given, VIRTUAL_ENV is not set and there is no .venv' "$ERR" "the error without DIR"
expect_match "Try 'venv check --help'" "$ERR" "the usage hint"
expect_exit 2 "$VENV" check --bogus x
expect_match "unrecognized option '--bogus'" "$ERR" "an unknown option"
expect_exit 2 "$VENV" check -j 0 x
expect_exit 2 "$VENV" check -j
expect_match "needs an argument" "$ERR" "-j without a value"
expect_exit 2 "$VENV" check -f yaml x
expect_exit 2 "$VENV" check --severity=fatal x
expect_exit 2 "$VENV" check --color=sometimes x
expect_exit 2 "$VENV" check --select VNV9 x
expect_match "unknown rule selector 'VNV9'" "$ERR" "a bad selector"
expect_exit 2 "$VENV" check --ignore no-such-rule x
expect_exit 2 "$VENV" check --list-rules --explain VNV401
expect_exit 2 "$VENV" check --list-rules somedir
expect_exit 2 "$VENV" check --list-rules -f sarif

# --- --list-rules and --explain ---------------------------------------------
expect_exit 0 "$VENV" check --list-rules
expect_match '^CODE +SEVERITY +FIX +SLUG' "$OUT" "the rules table header"
expect_match 'VNV401 +error +yes +relocated-environment' "$OUT" "the rules table"
nrules=$(echo "$OUT" | grep -c '^VNV')
[ "$nrules" -ge 40 ] || fail "expected at least 40 rules, saw $nrules"
"$VENV" check --list-rules -f json >rules.json || fail "--list-rules -f json failed"
json_ok rules.json
n=$("$HARNESS" -c 'import json,sys; print(len(json.load(open("rules.json"))))')
expect_eq "$nrules" "$n" "the number of rules in JSON"
expect_exit 0 "$VENV" check --explain VNV104
expect_match '^dangling-interpreter-link \(VNV104\)' "$OUT" "--explain by code"
expect_match 'Why it matters' "$OUT" "--explain"
expect_exit 0 "$VENV" check --explain shebang-old-location
expect_match '\(VNV404\)' "$OUT" "--explain by slug"
expect_exit 2 "$VENV" check --explain VNV999
expect_match "unknown rule 'VNV999'" "$ERR" "--explain of an unknown code"

# --- environments for the formats --------------------------------------------
mk_cpython "$py" good
mk_cpython "$py" moved-src
add_demo moved-src "$m"
mv moved-src moved
mkdir notenv

# Exit statuses: 0 clean, 1 findings, 2 could not inspect; the worst wins.
expect_exit 0 "$VENV" check good
expect_match 'checked 1 environment: 1 ok' "$OUT" "the summary"
expect_exit 1 "$VENV" check good moved
expect_match '\[VNV401 relocated-environment\]' "$OUT" "a finding"
expect_match 'fix \(venv repair\): ' "$OUT" "the fix line"
expect_match 'checked 2 environments: 1 ok, 1 with findings' "$OUT" "the summary"
expect_exit 2 "$VENV" check good moved "$TMP/missing"
expect_match 'VNV002 cannot-inspect' "$OUT" "the missing environment"
expect_exit 2 "$VENV" check notenv
expect_match 'VNV001 not-a-venv' "$OUT" "a plain directory"
# Selection and threshold change the status too.
expect_exit 0 "$VENV" check --ignore VNV4 moved
expect_exit 0 "$VENV" check --select VNV2 moved
expect_exit 1 "$VENV" check --select VNV4 --ignore VNV401 moved
expect_match 'VNV404' "$OUT" "the shebang finding"
if echo "$OUT" | grep -q 'VNV401'; then fail "expected VNV401 ignored, saw: $OUT"; fi
expect_exit 1 "$VENV" check --severity=error moved
# Below the threshold nothing counts: a pre-fix CPython template is only an info.
if echo "$(cat good/bin/activate)" | grep -q 'VIRTUAL_ENV="'; then
	expect_exit 0 "$VENV" check good
	expect_exit 1 "$VENV" check --severity=info good
	expect_match 'VNV502' "$OUT" "the info finding"
fi
# -q leaves the findings only.
expect_exit 1 "$VENV" check -q moved
if echo "$OUT" | grep -q '^checked '; then fail "expected no summary with -q, saw: $OUT"; fi

# --- json --------------------------------------------------------------------
# A world-writable file: its mode is fix data (VNV409).
echo x >moved/lib/open.txt && chmod 0666 moved/lib/open.txt
"$VENV" check -f json good moved "$TMP/missing" >out.json
expect_eq 2 "$?" "the exit status with -f json"
json_ok out.json
"$HARNESS" - out.json <<'EOF' || fail "unexpected JSON document: $(head -c 600 out.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1, d["version"]
assert d["tool"]["name"] == "venv check"
assert [e["status"] for e in d["environments"]] == ["ok", "findings", "failed"], d["environments"]
assert d["summary"]["exitStatus"] == 2 and d["summary"]["environments"] == 3
codes = {x["code"] for x in d["diagnostics"]}
assert {"VNV401", "VNV404", "VNV002"} <= codes, codes
for x in d["diagnostics"]:
    assert set(x) >= {"environment", "file", "relpath", "line", "severity", "code", "slug",
                      "message", "fix", "fixData"}, x
    assert x["severity"] in ("error", "warning", "info")
    assert set(x["fixData"]) == {"found", "want", "oldPrefix", "newPrefix", "name", "mode"}, x
# The place in the environment and the data repair works from (never the message).
act = [x for x in d["diagnostics"] if x["code"] == "VNV401" and x["relpath"] == "bin/activate"]
assert act, [(x["code"], x["relpath"]) for x in d["diagnostics"]]
fd = act[0]["fixData"]
assert fd["oldPrefix"].endswith("/moved-src") and fd["newPrefix"].endswith("/moved"), fd
assert fd["found"] == fd["oldPrefix"] and fd["want"] == fd["newPrefix"] and fd["name"] == "sh", fd
ww = [x for x in d["diagnostics"] if x["code"] == "VNV409"]
assert ww and ww[0]["relpath"] == "lib/open.txt" and ww[0]["fixData"]["mode"] == 0o666, ww
assert ww[0]["file"].endswith("moved/lib/open.txt"), ww
cfg = [x for x in d["diagnostics"] if x["environment"].endswith("missing")]
assert cfg and cfg[0]["relpath"] is None, cfg
EOF

# --- json-lines ----------------------------------------------------------------
"$VENV" check -f json-lines good moved >out.jsonl
expect_eq 1 "$?" "the exit status with -f json-lines"
"$HARNESS" - out.jsonl <<'EOF' || fail "unexpected JSON lines: $(head -c 600 out.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [l["type"] for l in lines]
assert types[0] == "header" and types[-1] == "summary", types
assert types.count("environment") == 2, types
assert "diagnostic" in types
assert lines[0]["version"] == 1
EOF

# --- sarif ---------------------------------------------------------------------
"$VENV" check -f sarif moved >out.sarif
expect_eq 1 "$?" "the exit status with -f sarif"
"$HARNESS" - out.sarif <<'EOF' || fail "unexpected SARIF: $(head -c 600 out.sarif)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0" and "sarif-2.1.0" in d["$schema"]
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
assert len(ids) == len(set(ids))
for r in rules:
    assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert r["shortDescription"]["text"] and r["name"]
assert run["results"], "no results"
for res in run["results"]:
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res
    assert res["level"] in ("error", "warning", "note")
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("file:///"), loc
assert any(r["ruleId"] == "VNV401" and r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0
           for r in run["results"])
# Each result's property bag: the place in the environment and the fix data.
for res in run["results"]:
    assert "relpath" in res["properties"] and "fixData" in res["properties"], res
act = [r for r in run["results"] if r["ruleId"] == "VNV401" and r["properties"]["relpath"] == "bin/activate"]
assert act and act[0]["properties"]["fixData"]["newPrefix"].endswith("/moved"), act
assert act[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/moved/bin/activate")
ww = [r for r in run["results"] if r["ruleId"] == "VNV409"]
assert ww and ww[0]["properties"]["relpath"] == "lib/open.txt" and ww[0]["properties"]["fixData"]["mode"] == 0o666, ww
EOF

# --- colour --------------------------------------------------------------------
"$VENV" check --color=always moved >color.txt
grep -q $'\033\[' color.txt || fail "expected colour with --color=always"
"$VENV" check moved >plain.txt
if grep -q $'\033' plain.txt; then fail "expected no colour on a pipe"; fi
if command -v script >/dev/null 2>&1; then
	# On a terminal: colour, unless NO_COLOR is set.
	TERM=xterm script -qec "$VENV check --no-progress moved" /dev/null >tty.txt 2>&1
	grep -q $'\033\[' tty.txt || fail "expected colour on a terminal, saw: $(head -c 300 tty.txt)"
	NO_COLOR=1 TERM=xterm script -qec "$VENV check --no-progress moved" /dev/null >tty2.txt 2>&1
	if grep -q $'\033\[1;3' tty2.txt; then fail "expected NO_COLOR to be honoured"; fi
fi

# A closed standard output is an error, not a silent success.
if [ -w /dev/full ]; then
	"$VENV" check moved >/dev/full 2>err.txt
	rc=$?
	[ "$rc" -ne 0 ] || fail "expected a failure writing to /dev/full"
fi
echo ok
