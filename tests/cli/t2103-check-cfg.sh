#!/bin/bash
# Edited pyvenv.cfg files, each run for real: a byte-order mark, bytes that
# are not UTF-8, two `home` keys, no `home`, no final line break, no or an
# odd include-system-site-packages, Python 3.10's strict `home = value`
# form, a pyvenv.cfg that is a link, a FIFO, missing, too large, and one
# shadowed by bin/pyvenv.cfg. Python starts in all but a few of these; check
# must call exactly those errors and the rest warnings. Two `home` keys are
# reported as cfg-duplicate-home (security.md CFG-03).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/t2000-check-lib.sh"

cd "$TMP" || fail "cannot enter $TMP"
new=$(py_any)
old=$(py_of 3.10 || py_of 3.9 || py_of 3.8)
[ -n "$new" ] && [ -n "$old" ] || skip "need Python 3.8-3.10 and a newer one"
mn=$(py_minor "$new")
mo=$(py_minor "$old")

# fresh NAME PYTHON [--copies]: a new environment with a console script.
fresh() {
	local name=$1 py=$2
	shift 2
	mk_cpython "$py" "$name" "$@"
	add_demo "$name" "$(py_minor "$py")"
}

# The `home` scenarios matter for every reader: both versions, links and copies.
for py in "$new" "$old"; do
	m=$(py_minor "$py")
	for mode in sym copy; do
		args=
		[ $mode = copy ] && args=--copies
		e="bom-$m-$mode"
		fresh "$e" "$py" $args
		printf '\357\273\277' | cat - "$e/pyvenv.cfg" >x && mv x "$e/pyvenv.cfg"
		SCRIPTS=demo agree "$e" ok VNV203 VNV204

		e="dup-$m-$mode"
		fresh "$e" "$py" $args
		echo "home = $TMP/nowhere/bin" >>"$e/pyvenv.cfg"
		SCRIPTS=demo agree "$e" ok VNV205

		e="nohome-$m-$mode"
		fresh "$e" "$py" $args
		sed -i '/^home/d' "$e/pyvenv.cfg"
		SCRIPTS=demo agree "$e" ok VNV204
	done
done

# The others once per version.
for py in "$new" "$old"; do
	m=$(py_minor "$py")
	e="latin1-$m"
	fresh "$e" "$py"
	printf 'prompt = caf\351\n' >>"$e/pyvenv.cfg"
	SCRIPTS=demo agree "$e" broken VNV202

	e="nosys-$m"
	fresh "$e" "$py" --copies
	sed -i '/^include-system-site-packages/d' "$e/pyvenv.cfg"
	SCRIPTS=demo agree "$e" ok VNV207

	e="oddsys-$m"
	fresh "$e" "$py"
	sed -i 's/^include-system-site-packages = .*/include-system-site-packages = yes/' "$e/pyvenv.cfg"
	SCRIPTS=demo agree "$e" ok VNV207

	e="missing-$m"
	fresh "$e" "$py"
	rm "$e/pyvenv.cfg"
	SCRIPTS=demo agree "$e" broken VNV102

	e="crlf-$m"
	fresh "$e" "$py" --copies
	sed -i 's/$/\r/' "$e/pyvenv.cfg"
	SCRIPTS=demo agree "$e" ok
done

# Python 3.10's strict reader: `home=` and an unterminated last `home` line.
e=strict-$mo
fresh "$e" "$old" --copies
sed -i 's/^home = /home=/' "$e/pyvenv.cfg"
SCRIPTS=demo agree "$e" ok VNV208
e=noeol-$mo
fresh "$e" "$old" --copies
{ grep -v '^home' "$e/pyvenv.cfg"; printf '%s' "$(grep '^home' "$e/pyvenv.cfg")"; } >x && mv x "$e/pyvenv.cfg"
SCRIPTS=demo agree "$e" ok VNV206 VNV208
# The same file is fine for Python 3.11+ (only the missing line break is noted).
e=noeol-$mn
fresh "$e" "$new" --copies
{ grep -v '^home' "$e/pyvenv.cfg"; printf '%s' "$(grep '^home' "$e/pyvenv.cfg")"; } >x && mv x "$e/pyvenv.cfg"
SCRIPTS=demo agree "$e" ok VNV206
has_code VNV208 && fail "expected no strict-format finding for Python $mn"

# pyvenv.cfg as a link to a real file: Python follows it, check does not.
fresh linked "$new"
mv linked/pyvenv.cfg real.cfg
ln -s "$TMP/real.cfg" linked/pyvenv.cfg
SCRIPTS=demo agree linked ok VNV209

# A FIFO: site.py skips it, getpath (3.11+) would block on it; check never opens it.
# (Its python is given 5 s, not 20, to show that it blocks: a python that
# started would have printed its prefix well before.)
fresh fifo "$new"
rm fifo/pyvenv.cfg
mkfifo fifo/pyvenv.cfg
ORACLE_WAIT=5 SCRIPTS=demo agree fifo broken VNV201

# Python 3.11+ refuses a pyvenv.cfg over 32 KB at start-up; 3.10 reads it.
fresh big-new "$new"
head -c 40000 /dev/zero | tr '\0' x | sed 's/^/prompt = /' >>big-new/pyvenv.cfg
echo >>big-new/pyvenv.cfg
SCRIPTS=demo agree big-new broken VNV201
fresh big-old "$old"
cat big-new/pyvenv.cfg | grep '^prompt' >>big-old/pyvenv.cfg
SCRIPTS=demo agree big-old ok
# Larger than check reads at all: reported, not read.
fresh huge "$old"
head -c 1100000 /dev/zero | tr '\0' x | sed 's/^/prompt = /' >>huge/pyvenv.cfg
echo >>huge/pyvenv.cfg
SCRIPTS=demo agree huge ok VNV005

# bin/pyvenv.cfg is what site.py reads first.
fresh shadow "$new"
cp shadow/pyvenv.cfg shadow/bin/pyvenv.cfg
SCRIPTS=demo agree shadow ok VNV210
echo ok
