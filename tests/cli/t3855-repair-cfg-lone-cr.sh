#!/bin/bash
# A pyvenv.cfg whose lines end with a lone CR (every LF made a CR, as an old
# Mac editor or a careless script writes it), run for real. site.py reads
# the file in text mode and sees every key: include-system-site-packages =
# false is honoured. Python's start-up code splits at LF only and sees one
# line, `home` = the rest of the file. check said VNV207 (no
# include-system-site-packages, read as true: wrong) and VNV206; now it is
# VNV212 (cfg-lone-cr), saying what each reader sees. repair rewrote the
# file with home, include-system-site-packages and version only, dropping
# executable and command; now it keeps every line, with LF line ends, and
# check is clean after. Links and copies, a 3.11+ and a 3.10-or-older
# Python (its strict reader finds no `home` at all), and a single lone CR
# in a file of LF lines.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
new=$py
old=$(find_pythons | grep -v '^/usr/bin/' | while read -r p; do
	case "$(py_minor "$p")" in 3.8|3.9|3.10) echo "$p" ;; esac; done | tail -n 1)
own_home
cd "$TMP" || fail "cannot enter $TMP"

# to_cr FILE: every LF a CR (the audit's reproduction).
to_cr() {
	"$new" -c 'import sys; p = sys.argv[1]; s = open(p).read()
open(p, "w", newline="").write(s.replace("\n", "\r"))' "$1"
}

# runs ENV: its python starts in ENV and, as pyvenv.cfg says, without the
# base's site-packages on sys.path.
runs() {
	local env=$1 out base
	out=$(cd / && "$TMP/$env/bin/python" -c 'import sys; print(sys.prefix); print(sys.base_prefix)
print("\n".join(sys.path))' 2>&1) || fail "$env/bin/python does not run: $out"
	expect_eq "$TMP/$env" "$(printf '%s\n' "$out" | sed -n 1p)" "sys.prefix of $env"
	base=$(printf '%s\n' "$out" | sed -n 2p)
	printf '%s\n' "$out" | sed 1,2d | grep -qx "$base/lib/python[0-9.]*/site-packages" &&
		fail "expected the base's site-packages hidden from $env, saw sys.path: $out"
	return 0
}

# lone_cr ENV LINES: check's findings on the damaged file, repair, check after.
lone_cr() {
	local env=$1 lines=$2
	cp "$env/pyvenv.cfg" "$env.orig"
	to_cr "$env/pyvenv.cfg"
	grep -q "$(printf '\r')" "$env/pyvenv.cfg" || fail "expected CRs in $env/pyvenv.cfg"
	runs "$env"

	expect_exit 1 "$VENV" check "$env"
	expect_match "VNV212 cfg-lone-cr" "$OUT" "check's finding on $env"
	expect_match "site.py splits lines there and reads $lines, Python's start-up code splits at LF only and reads 1," \
		"$OUT" "what each reader sees"
	printf '%s' "$OUT" | grep -q VNV207 && fail "expected no VNV207 (site.py reads the key), saw: $OUT"
	printf '%s' "$OUT" | grep -q VNV206 && fail "expected no VNV206 for $env, saw: $OUT"
	expect_exit 1 "$VENV" check --format json "$env"
	expect_eq "warning true" "$(printf '%s' "$OUT" | jq -r '.diagnostics[] |
		select(.code == "VNV212") | "\(.severity) \(.fix != null)"')" "VNV212 in JSON"

	expect_exit 0 "$VENV" repair -y "$env"
	expect_match "pyvenv.cfg: rewritten.*VNV212" "$OUT" "repair's change"
	grep -q "$(printf '\r')" "$env/pyvenv.cfg" && fail "expected LF line ends, saw: $(cat -A "$env/pyvenv.cfg")"
	# Every line kept: the file is the one Python wrote.
	cmp -s "$env.orig" "$env/pyvenv.cfg" ||
		fail "expected $env/pyvenv.cfg as it was before, saw: $(diff "$env.orig" "$env/pyvenv.cfg")"
	expect_exit 0 "$VENV" check --severity info "$env"
	runs "$env"
}

# Python 3.11+: `executable` and `command` are what repair lost.
expect_exit 0 "$VENV" create -q --without-pip -p "$new" links
grep -q '^executable = ' links/pyvenv.cfg && grep -q '^command = ' links/pyvenv.cfg ||
	fail "expected executable and command in pyvenv.cfg, saw: $(cat links/pyvenv.cfg)"
lone_cr links 5
"$new" -m venv --without-pip --copies copies || fail "python -m venv --copies failed"
lone_cr copies 5
if [ -n "$old" ]; then
	expect_exit 0 "$VENV" create -q --without-pip --copies -p "$old" old
	lone_cr old 3
	expect_match "finding no \`home\`" "$(cd "$TMP" && to_cr old/pyvenv.cfg &&
		"$VENV" check old)" "Python $(py_minor "$old")'s start-up reader"
fi

# One lone CR among LF lines: include-system-site-packages = false and
# version on one line for start-up, two for site.py (which reads false).
expect_exit 0 "$VENV" create -q --without-pip -p "$new" one
cp one/pyvenv.cfg one.orig
"$new" -c 'import sys; p = sys.argv[1]; s = open(p).read()
open(p, "w", newline="").write(s.replace("\nversion", "\rversion", 1))' one/pyvenv.cfg
runs one
expect_exit 1 "$VENV" check one
expect_match "one/pyvenv.cfg:2: warning: .*reads 5, .*reads 4, with the same \`home\`" "$OUT" \
	"the finding on one lone CR"
printf '%s' "$OUT" | grep -q VNV207 && fail "expected no VNV207, saw: $OUT"
expect_exit 0 "$VENV" repair -y one
cmp -s one.orig one/pyvenv.cfg || fail "expected one/pyvenv.cfg as before, saw: $(cat -A one/pyvenv.cfg)"
expect_exit 0 "$VENV" check --severity info one
runs one
echo ok
