#!/bin/bash
# check -r --format json and --format sarif stream (issue 13): each
# environment's piece of the document is written as it is checked, so the
# peak memory does not grow with the number of environments. 2,000 small
# environments (a pyvenv.cfg naming a base that is gone, a bin/ with a python
# link: one finding each) are checked in each format; json-lines, which always
# streamed, is the baseline. Before streaming, json and sarif held the whole
# document: about 4.8 KB more per environment (+9 MB here, 248 MB at 50,000),
# far over the bound below. The documents are still whole: every environment,
# diagnostic and result is in them, and the summary comes last.
. "$(dirname "$0")/lib.sh"

n=2000
# The growth over json-lines allowed: what waits in memory before it spills
# to a temporary file (the json diagnostics, 256 KiB, in a buffer that may
# have doubled), and slack.
slack_kb=3072

cd "$TMP" || fail "cannot enter $TMP"
# One process makes them all: a shell forking per file is slow on a busy machine.
/usr/bin/python3 - "$n" <<'PY' || fail "cannot make the environments"
import os, sys
for i in range(int(sys.argv[1])):
    d = "root/g%d/e%d" % (i // 100, i)
    os.makedirs(d + "/bin")
    with open(d + "/pyvenv.cfg", "w") as f:
        f.write("home = /nonexistent/base/bin\ninclude-system-site-packages = false\n"
                "version = 3.12.1\n")
    os.symlink("/nonexistent/base/bin/python3.12", d + "/bin/python")
PY

# peak_kb FORMAT: run check -r in FORMAT, output in $TMP/out.FORMAT; prints
# the peak resident set size in KiB (GNU time, else getrusage of the child).
peak_kb() {
	local f=$1 kb
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$TMP/time.$f" -f %M "$VENV" check -r -j 2 --no-progress --format "$f" root \
			>"$TMP/out.$f" 2>"$TMP/err.$f"
		echo $? >"$TMP/rc.$f"
		kb=$(tail -n 1 "$TMP/time.$f")
	else
		kb=$(/usr/bin/python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    rc = subprocess.call(sys.argv[4:], stdout=out, stderr=err)
open(sys.argv[3], "w").write("%d\n" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$TMP/out.$f" "$TMP/err.$f" "$TMP/rc.$f" \
			"$VENV" check -r -j 2 --no-progress --format "$f" root)
	fi
	expect_eq 1 "$(cat "$TMP/rc.$f")" "the exit status of check -r --format $f: $(cat "$TMP/err.$f")"
	printf '%s\n' "$kb"
}

base=$(peak_kb json-lines)
json=$(peak_kb json)
sarif=$(peak_kb sarif)
echo "peak RSS over $n environments: json-lines $base KiB, json $json KiB, sarif $sarif KiB"

# The documents are whole and in their order.
/usr/bin/python3 - "$TMP/out.json" "$TMP/out.sarif" "$n" <<'PY' || fail "expected whole json and sarif documents"
import json, sys
n = int(sys.argv[3])
doc = json.load(open(sys.argv[1]))
assert list(doc) == ["version", "tool", "severityThreshold", "environments", "diagnostics",
                     "summary"], list(doc)
assert len(doc["environments"]) == n and len({e["path"] for e in doc["environments"]}) == n
assert len(doc["diagnostics"]) >= n, len(doc["diagnostics"])
assert doc["summary"]["environments"] == n and doc["summary"]["withFindings"] == n, doc["summary"]
sarif = json.load(open(sys.argv[2]))
run = sarif["runs"][0]
assert list(run) == ["tool", "results", "invocations"], list(run)
assert len(run["results"]) == len(doc["diagnostics"]), (len(run["results"]), len(doc["diagnostics"]))
assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}], run["invocations"]
PY
# The same diagnostics as json-lines, in the same order.
expect_eq "$(grep -c '"type":"diagnostic"' "$TMP/out.json-lines")" \
	"$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' \
		"$TMP/out.json")" "the json document's diagnostics (vs json-lines)"

# Sanitizers keep freed memory in quarantine: the bound holds only without them.
if nm "$VENV" 2>/dev/null | grep -q __asan_; then
	echo "built with sanitizers: peak memory not compared"
	exit 0
fi
[ "$json" -le $((base + slack_kb)) ] ||
	fail "expected check -r --format json to stream (peak $json KiB, json-lines $base KiB, bound +$slack_kb KiB)"
[ "$sarif" -le $((base + slack_kb)) ] ||
	fail "expected check -r --format sarif to stream (peak $sarif KiB, json-lines $base KiB, bound +$slack_kb KiB)"
exit 0
