#!/bin/bash
# The activation scripts as files: every environment gets the five of them,
# mode 0644, LF line ends, valid UTF-8; each parses in its shell (bash -n,
# zsh -n, dash -n, ksh -n, fish -n, tcsh -n, nu-check) both as a template
# and as written for a hostile path; shellcheck passes on the POSIX one;
# and no template puts a placeholder inside quotes or a comment, where
# a quoted value would be quoted twice (security.md ACT-12).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
templates=$TOP/templates
hostile=$TMP/h/${ACT_CORPUS[2]}${ACT_CORPUS[9]}
mkdir -p "$TMP/h"
act_create "$TMP/plain"
act_create "$hostile" --prompt "${ACT_CORPUS[12]}${ACT_CORPUS[5]}"

scripts="activate activate.fish activate.csh activate.nu Activate.ps1"
for dir in "$TMP/plain" "$hostile"; do
	for f in $scripts; do
		p=$dir/bin/$f
		[ -f "$p" ] || fail "expected $p to be written"
		mode=$(stat -c %a "$p")
		[ "$mode" = 644 ] || fail "expected $f to have mode 644, saw $mode"
		! grep -q $'\r' "$p" || fail "expected LF line ends in $f, saw a CR"
		[ "$(tail -c 1 "$p" | od -An -c | tr -d ' ')" = '\n' ] || fail "expected $f to end with a newline"
		"$ACT_PY" -c 'import sys; open(sys.argv[1], encoding="utf-8", errors="strict").read()' "$p" ||
			fail "expected $f to be valid UTF-8"
	done
	grep -q '__VENV_' "$TMP/plain/bin/$f" && fail "expected no placeholder left in $f"
done
ls "$TMP/plain/bin" | grep -q -i activate.bat && fail "expected no Windows script on POSIX"

# Each file parses in its shell, as a template and as written.
for f in "$templates/common/activate" "$TMP/plain/bin/activate" "$hostile/bin/activate"; do
	for sh in bash zsh dash ksh; do
		act_have "$sh" || continue
		out=$("$sh" -n "$f" 2>&1) || fail "$sh -n: expected $f to parse, saw: $out"
		[ -z "$out" ] || fail "$sh -n: expected no message for $f, saw: $out"
	done
	if command -v shellcheck >/dev/null 2>&1; then
		# Written for the hostile path, the values hold quotes, which
		# shellcheck takes for quoting mistakes (SC1003, SC2089, SC2090).
		ex=
		[ "$f" = "$hostile/bin/activate" ] && ex=-eSC1003,SC2089,SC2090
		out=$(shellcheck -s sh $ex "$f" 2>&1) || fail "shellcheck: expected $f to pass, saw: $out"
	elif [ -n "${CI-}" ]; then
		fail "expected shellcheck to be installed in CI"
	fi
done
if act_have fish; then
	for f in "$templates/common/activate.fish" "$TMP/plain/bin/activate.fish" "$hostile/bin/activate.fish"; do
		out=$(fish --no-config -n "$f" 2>&1) || fail "fish -n: expected $f to parse, saw: $out"
	done
fi
if act_have tcsh; then
	# tcsh -n checks words and quotes (not if/endif pairs; the csh tests
	# run the script).
	for f in "$templates/posix/activate.csh" "$TMP/plain/bin/activate.csh" "$hostile/bin/activate.csh"; do
		out=$(tcsh -f -n "$f" 2>&1) || fail "tcsh -n: expected $f to parse, saw: $out"
	done
fi
if act_have nu; then
	for f in "$TMP/plain/bin/activate.nu" "$hostile/bin/activate.nu"; do
		out=$(cd "${f%/*}" && act_env nu --no-config-file -c "nu-check --debug --as-module activate.nu" 2>&1) ||
			fail "nu-check: expected $f to parse, saw: $out"
		[ "$out" = true ] || fail "nu-check: expected $f to parse, saw: $out"
	done
fi

# ACT-12: placeholders stand outside quotes and comments in every
# template, so that the quoted value is a whole word of its own.
cat >"$TMP/lint.py" <<'PYEOF'
import os, re, sys

PLACEHOLDER = re.compile(r"__VENV_(DIR|NAME|PROMPT|BIN_NAME|PYTHON)__")

def states(text, lang):
    """Yield (index, state) for each character: 'code', 'quote', 'comment'."""
    i, n, state, closer = 0, len(text), "code", None
    at_word_start = True
    while i < n:
        c = text[i]
        if state == "code":
            if c == "#" and at_word_start and not (lang == "ps1" and text.startswith("#>", i)):
                state = "comment"
            elif lang == "ps1" and text.startswith("<#", i):
                state, closer = "block", "#>"
            elif lang == "nu" and re.match(r"r(#+)'", text[i:]):
                hashes = re.match(r"r(#+)'", text[i:]).group(1)
                yield i, "quote"
                i += len(hashes) + 2
                state, closer = "raw", "'" + hashes
                continue
            elif c == "'":
                state = "single"
            elif c == '"':
                state = "double"
            elif c == "\\" and lang in ("sh", "fish", "csh"):
                yield i, state
                i += 1
        elif state == "comment":
            if c == "\n":
                state = "code"
        elif state == "block" or state == "raw":
            if text.startswith(closer, i):
                for k in range(len(closer)):
                    yield i + k, "quote"
                i += len(closer)
                state = "code"
                continue
        elif state == "single":
            if lang == "fish" and c == "\\":
                yield i, "quote"
                i += 1
            elif c == "'" and lang == "ps1" and text.startswith("''", i):
                yield i, "quote"
                i += 1
            elif c == "'":
                state = "code"
                yield i, "quote"
                i += 1
                at_word_start = False
                continue
        elif state == "double":
            if c == "\\" and lang in ("sh", "fish", "nu"):
                yield i, "quote"
                i += 1
            elif c == "`" and lang == "ps1":
                yield i, "quote"
                i += 1
            elif c == '"':
                state = "code"
                yield i, "quote"
                i += 1
                at_word_start = False
                continue
        yield i, {"code": "code", "comment": "comment"}.get(state, "quote")
        at_word_start = c in " \t\n;|&(){}=" if state == "code" else at_word_start
        i += 1

LANG = {"activate": "sh", "activate.fish": "fish", "activate.csh": "csh",
        "activate.nu": "nu", "Activate.ps1": "ps1"}
bad = 0
for sub in ("common", "posix"):
    d = os.path.join(sys.argv[1], sub)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        lang = LANG.get(name)
        if lang is None:
            print("unknown template %s/%s" % (sub, name))
            bad += 1
            continue
        text = open(os.path.join(d, name), encoding="utf-8").read()
        where = dict(states(text, lang))
        found = 0
        for m in PLACEHOLDER.finditer(text):
            found += 1
            if where.get(m.start()) != "code":
                line = text.count("\n", 0, m.start()) + 1
                print("%s/%s:%d: %s is in a %s" % (sub, name, line, m.group(0),
                                                 where.get(m.start())))
                bad += 1
        if not found:
            print("%s/%s: expected at least one placeholder" % (sub, name))
            bad += 1
sys.exit(1 if bad else 0)
PYEOF

out=$("$ACT_PY" "$TMP/lint.py" "$templates" 2>&1) ||
	fail "expected every placeholder outside quotes and comments, saw: $out"

# The lint passes bare placeholders and finds the others: in double or
# single quotes, in a comment, in a PowerShell block comment.
mkdir -p "$TMP/lint/common"
lint_case() {
	printf '%s\n' "$1" >"$TMP/lint/common/$2"
	"$ACT_PY" "$TMP/lint.py" "$TMP/lint" >"$TMP/.lint" 2>&1
}
lint_case 'x=__VENV_DIR__/"b"' activate || fail "expected a bare placeholder to pass, saw: $(cat "$TMP/.lint")"
lint_case '$x = __VENV_DIR__' Activate.ps1 || fail "expected a bare placeholder to pass, saw: $(cat "$TMP/.lint")"
for bad in 'x="a __VENV_DIR__"' "x='__VENV_PROMPT__'" 'x=1 # __VENV_DIR__'; do
	lint_case "$bad" activate && fail "expected the lint to find the placeholder in: $bad"
done
lint_case 'x=__VENV_DIR__' activate
lint_case $'<# __VENV_DIR__ #>\n$x = __VENV_DIR__' Activate.ps1 &&
	fail "expected the lint to find a placeholder in a block comment"
act_sentinel syntax
[ -z "$ACT_MISSING" ] || skip "shells not installed:$ACT_MISSING"
