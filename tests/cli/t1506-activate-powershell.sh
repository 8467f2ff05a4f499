#!/bin/bash
# bin/Activate.ps1. PowerShell cannot be installed here, so this is a
# structural test, not a run: a small tokenizer written from PowerShell's
# rules (comments, <# #> blocks, single-quoted strings closed by any of
# ' U+2018 U+2019 U+201A U+201B and escaped by doubling, double-quoted
# strings with backtick escapes) reads the template and the script written
# for every name of the hostile corpus, as path and as prompt. Each written
# script must have exactly the template's tokens, with one single-quoted
# string where each placeholder stood, and that string must read back as
# the value (security.md ACT-10). It also checks what the script does, as
# text: the BOM that makes Windows PowerShell read UTF-8, the functions and
# variables it defines, and that the prompt is drawn from
# $env:VIRTUAL_ENV_PROMPT, never from pasted text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t1500-activate-lib.sh"

act_init
cd "$TMP" || exit 1
mkdir envs
: >"$TMP/cases"
i=0
for name in "${ACT_CORPUS[@]}" "$(act_long_name)"; do
	i=$((i + 1))
	mkdir -p "envs/p$i" "envs/q$i"
	act_create "$TMP/envs/p$i/$name"
	act_create "$TMP/envs/q$i/env" --prompt "$name"
	printf '%s\0%s\0' "$TMP/envs/p$i/$name" "$name" >>"$TMP/cases"
	printf '%s\0%s\0' "$TMP/envs/q$i/env" "$name" >>"$TMP/cases"
done
for p in 'a/b:c' "x$(printf '\u2019'); Remove-Item -Recurse C:\\; $(printf '\u2019')"; do
	i=$((i + 1))
	mkdir -p "envs/q$i"
	act_create "$TMP/envs/q$i/env" --prompt "$p"
	printf '%s\0%s\0' "$TMP/envs/q$i/env" "$p" >>"$TMP/cases"
done

cat >"$TMP/ps.py" <<'PYEOF'
import re, sys

SQ = "'\u2018\u2019\u201a\u201b"
DQ = '"\u201c\u201d\u201e'


def tokens(text):
    """PowerShell tokens as (kind, text, value): string values decoded."""
    out, i, n = [], 0, len(text)
    if text.startswith("\ufeff"):
        i = 1
    while i < n:
        c = text[i]
        prev = text[i - 1] if i else "\n"
        if c in " \t\r":
            i += 1
        elif c == "\n":
            out.append(("nl", "\n", None))
            i += 1
        elif text.startswith("<#", i):
            j = text.find("#>", i + 2)
            if j < 0:
                raise ValueError("unterminated block comment at %d" % i)
            i = j + 2
        elif c == "#" and (prev in " \t\n;(){}"):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in SQ:
            j, val = i + 1, []
            while True:
                if j >= n:
                    raise ValueError("unterminated single-quoted string at %d" % i)
                if text[j] in SQ:
                    if j + 1 < n and text[j + 1] in SQ:
                        val.append(text[j + 1])
                        j += 2
                        continue
                    break
                val.append(text[j])
                j += 1
            out.append(("sq", text[i:j + 1], "".join(val)))
            i = j + 1
        elif c in DQ:
            j = i + 1
            while True:
                if j >= n:
                    raise ValueError("unterminated double-quoted string at %d" % i)
                if text[j] == "`":
                    j += 2
                    continue
                if text[j] in DQ:
                    if j + 1 < n and text[j + 1] in DQ:
                        j += 2
                        continue
                    break
                j += 1
            out.append(("dq", text[i:j + 1], None))
            i = j + 1
        else:
            m = re.compile(r"\$\{[^}]*\}|\$?[\w:.-]+").match(text, i)
            if m and m.end() > i:
                out.append(("word", m.group(0), None))
                i = m.end()
            else:
                out.append(("punct", c, None))
                i += 1
    return out


def check_balance(toks, what):
    stack = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for kind, t, _ in toks:
        if kind != "punct":
            continue
        if t in "([{":
            stack.append(t)
        elif t in ")]}":
            if not stack or stack.pop() != pairs[t]:
                raise ValueError("%s: unbalanced %r" % (what, t))
    if stack:
        raise ValueError("%s: unclosed %r" % (what, stack))


template = open(sys.argv[1], encoding="utf-8").read()
ttoks = tokens(template)
check_balance(ttoks, "template")
placeholders = [k for k, (kind, t, _) in enumerate(ttoks) if kind == "word" and t.startswith("__VENV_")]
assert placeholders, "expected placeholders in the template"

data = open(sys.argv[2], "rb").read().split(b"\0")[:-1]
cases = [(data[k].decode("utf-8"), data[k + 1].decode("utf-8")) for k in range(0, len(data), 2)]
bad = 0
for env, prompt in cases:
    raw = open(env + "/bin/Activate.ps1", "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        print("%s: expected a UTF-8 byte order mark" % env)
        bad += 1
    text = raw.decode("utf-8")
    try:
        gtoks = tokens(text)
        check_balance(gtoks, env)
    except ValueError as e:
        print(e)
        bad += 1
        continue
    if len(gtoks) != len(ttoks):
        print("%s: expected %d tokens as in the template, saw %d" % (env, len(ttoks), len(gtoks)))
        bad += 1
        continue
    want = {"__VENV_DIR__": env, "__VENV_PROMPT__": prompt, "__VENV_BIN_NAME__": "bin"}
    for k, (tt, gt) in enumerate(zip(ttoks, gtoks)):
        if k in placeholders:
            if gt[0] != "sq" or gt[2] != want[tt[1]]:
                print("%s: expected %s as a single-quoted %r, saw %r" % (env, tt[1], want[tt[1]], gt[1]))
                bad += 1
        elif tt[:2] != gt[:2]:
            print("%s: token %d differs from the template: %r, saw %r" % (env, k, tt[1], gt[1]))
            bad += 1
            break
print("%d scripts checked" % len(cases))
sys.exit(1 if bad else 0)
PYEOF

template=$TOP/templates/common/Activate.ps1
out=$("$ACT_PY" "$TMP/ps.py" "$template" "$TMP/cases" 2>&1) || fail "Activate.ps1: $out"
expect_match "^$(( i * 2 - 2 )) scripts checked$" "$out" "the number of scripts checked"

# The checker can fail: with the quote characters of a value no longer
# doubled, the value breaks out of its string.
broken=$TMP/broken
mkdir -p "$broken/bin"
"$ACT_PY" - "$TMP/envs/q11/env/bin/Activate.ps1" "$broken/bin/Activate.ps1" <<'PYEOF'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
# Undo the doubling of the quote characters, as a wrong quoting would.
text = text.replace("\u2019\u2019", "\u2019")
open(sys.argv[2], "w", encoding="utf-8").write(text)
PYEOF
printf '%s\0%s\0' "$broken" "${ACT_CORPUS[10]}" >"$TMP/bad-case"
out=$("$ACT_PY" "$TMP/ps.py" "$template" "$TMP/bad-case" 2>&1) &&
	fail "expected the checker to find an undoubled quote"
expect_match "differs from the template|expected [0-9]+ tokens|unterminated" "$out" "the checker's report"

# What the script does, read as text.
ps=$(cat "$template")
for want in 'function global:deactivate' '[switch] $NonDestructive' 'deactivate -NonDestructive' \
	'$env:VIRTUAL_ENV = $VenvDir' '$env:VIRTUAL_ENV_PROMPT = $Prompt' \
	'Remove-Item -LiteralPath Env:PYTHONHOME' '$Global:_OLD_VIRTUAL_PATH = $env:PATH' \
	'[System.IO.Path]::PathSeparator' 'if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT)' \
	'function global:prompt' '"($env:VIRTUAL_ENV_PROMPT) "' 'function global:_OLD_VIRTUAL_PROMPT' \
	'$env:PYTHONHOME = $Global:_OLD_VIRTUAL_PYTHONHOME' 'Remove-Item -LiteralPath Function:deactivate'; do
	case $ps in *"$want"*) ;; *) fail "expected Activate.ps1 to contain: $want" ;; esac
done
# Placeholders only in the two defaults and the bin name, never in the
# prompt function.
n=$(grep -c '__VENV_' "$template")
[ "$n" = 3 ] || fail "expected 3 lines with placeholders in Activate.ps1, saw $n"
sed -n '/function global:prompt/,/^    }/p' "$template" | grep -q '__VENV_' &&
	fail "expected no placeholder in the prompt function"
act_sentinel powershell
