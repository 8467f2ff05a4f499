#!/bin/bash
# Copied environments (cp -a): the original still exists, so nothing fails
# loudly, but the copy activates the original and its console scripts run
# with the original's interpreter and packages. The oracle sees the wrong
# sys.prefix and VIRTUAL_ENV; check must say relocated-environment and
# shebang-other-environment, and still find the original healthy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

[ -n "$PYTHONS" ] || skip "no Python interpreters found"
cd "$TMP" || fail "cannot enter $TMP"

n=0
for py in $(echo "$PYTHONS" | head -n 1) $(py_any); do
	m=$(py_minor "$py")
	n=$((n + 1))
	mk_cpython "$py" "orig$n"
	add_demo "orig$n" "$m"
	cp -a "orig$n" "copy$n"
	SCRIPTS=demo agree "copy$n" broken VNV401 VNV405
	SCRIPTS=demo agree "orig$n" ok
	# A copy with --copies interpreters is just as wrong.
	mk_cpython "$py" "origc$n" --copies
	add_demo "origc$n" "$m"
	cp -a "origc$n" "copyc$n"
	SCRIPTS=demo agree "copyc$n" broken VNV401 VNV405
done

if mk_virtualenv ve; then
	cp -a ve ve-copy
	SCRIPTS=pip agree ve-copy broken VNV401 VNV405
	SCRIPTS=pip agree ve ok
fi

# Copy, then remove the original: now it is a moved environment.
rm -rf orig1
SCRIPTS=demo agree copy1 broken VNV401 VNV404
echo ok
