#!/bin/bash
# A directory where pyvenv.cfg should be (VNV201), in an environment made by
# python -m venv and moved: repair planned a new pyvenv.cfg, committed, and
# stopped at its rename ("Is a directory") with the journal left committed,
# so that every later repair stopped there too and the environment stayed
# half-repaired. Now the directory is a remaining problem that says what to
# do, the other fixes are made, nothing is left behind (journal, staged
# files), the directory and what it holds are kept, a second repair says the
# same, and once the directory is moved away repair makes the environment
# work. A pyvenv.cfg over the size repair reads (more than 1 MB of keys,
# far over the 32 KB Python reads) is a remaining problem that says why,
# and is left as it was: repair wrote back its first 1 MB, dropping the
# other keys (in a moved environment it stopped with "unknown error").
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$py" -m venv --without-pip orig
mv orig e
rm e/pyvenv.cfg
mkdir e/pyvenv.cfg
echo mine >e/pyvenv.cfg/notes

for run in 1 2; do
	expect_exit 1 "$VENV" repair e
	expect_match "! .*'pyvenv\.cfg' is a directory: move it away, then run venv repair again \[VNV201\]" \
		"$OUT" "the remaining problem (run $run)"
	[ -z "$ERR" ] || fail "expected no error (run $run), saw: $ERR"
	left=$(cd e && ls -A | grep '^\.venv-repair')
	[ -z "$left" ] || fail "expected nothing of repair left behind (run $run), saw: $left"
	[ "$(cat e/pyvenv.cfg/notes)" = mine ] || fail "expected the directory and its file kept (run $run)"
done
grep -q "$TMP/e" e/bin/activate || fail "expected bin/activate relocated, saw: $(grep -n VIRTUAL_ENV= e/bin/activate)"

mv e/pyvenv.cfg cfg-dir
expect_exit 0 "$VENV" repair -q e
expect_exit 0 e/bin/python -c 'import sys; print(sys.prefix)'
expect_eq "$TMP/e" "$OUT" "the prefix of the repaired environment"
expect_exit 0 "$VENV" check e

for i in $(seq 1 100000); do echo "key$i = value"; done >>e/pyvenv.cfg
cp -a e moved
for env in e moved; do
	cp $env/pyvenv.cfg cfg.before
	expect_exit 1 "$VENV" repair $env
	expect_match "! .*'pyvenv\.cfg' cannot be read whole \(larger than 1048576 bytes, or a read failed\), so its keys cannot be kept; move it away" \
		"$OUT" "the remaining problem of a huge pyvenv.cfg ($env)"
	[ -z "$ERR" ] || fail "expected no error for a huge pyvenv.cfg ($env), saw: $ERR"
	cmp -s cfg.before $env/pyvenv.cfg || fail "expected the huge pyvenv.cfg left as it was ($env)"
done
echo ok
