#!/bin/bash
# Plain `venv repair -y` (no --upgrade, no --python) fixes every fixable
# finding of the layout and of pyvenv.cfg, in environments of real
# interpreters broken the way they break: check reports the code, repair
# exits 0, check then finds nothing, and the environment's python, pip and
# `source bin/activate` work. Where only a new base can help, repair says
# exactly which --python to give and exits 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
m=$(py_minor "$py")
cd "$TMP"

# mk NAME [ARGS]: python -m venv (the CPython layout: lib64, its activation scripts).
mk() {
	local n=$1
	shift
	"$py" -m venv --without-pip "$@" "$TMP/$n" >/dev/null || fail "python -m venv $n failed"
}
# mkp NAME: venv create with pip (console scripts to run).
mkp() {
	"$VENV" create -q -p "$py" "$TMP/$1" || fail "venv create $1 failed"
}

# VNV101: every interpreter name deleted; home and version still name the base.
mk e101
rm "$TMP"/e101/bin/python*
repaired VNV101 "$TMP/e101"
[ -n "$(first_name "$TMP/e101")" ] || fail "expected an interpreter link to the base"

# VNV102: pyvenv.cfg deleted; the base is told from the interpreter link.
mkp e102
rm e102/pyvenv.cfg
repaired VNV102 "$TMP/e102"
grep -q "^home = $(dirname "$(readlink "e102/bin/$(first_name e102)")")\$" e102/pyvenv.cfg ||
	fail "expected home of the base, saw: $(cat e102/pyvenv.cfg)"

# VNV104: the first name dangles, `home` names the same base still.
mkp e104
f=$(first_name e104)
ln -sfn "/nonexistent/bin/$f" "e104/bin/$f"
repaired VNV104 "$TMP/e104"
# ... and with the base gone: the exact --python to give.
mk gone
cp -a gone gone2
sed -i 's|^home = .*|home = /nonexistent/bin|' gone/pyvenv.cfg
f=$(first_name gone)
ln -sfn "/nonexistent/bin/$f" "gone/bin/$f"
expect_exit 1 "$VENV" repair -y gone
expect_match "VNV104" "$OUT" "the dangling link left"
expect_match "venv repair --upgrade --python [^ ]*python" "$OUT" "the --python to give"

# VNV107: pyvenv.cfg's version is another patch release of the base.
mk e107
v=$(sed -n 's/^version = //p' e107/pyvenv.cfg)
micro=${v##*.}
if [ "$micro" -gt 0 ] 2>/dev/null; then
	sed -i "s/^version = .*/version = ${v%.*}.$((micro - 1))/" e107/pyvenv.cfg
	repaired VNV107 "$TMP/e107"
	grep -qx "version = $v" e107/pyvenv.cfg || fail "expected version = $v"
fi

# VNV108: a copied interpreter that differs from its base; VNV115 in a --copies env.
mk e108 --copies
printf 'x' >>"e108/bin/python$m"
repaired VNV108 "$TMP/e108"
cmp -s "e108/bin/python$m" "$(dirname "$py")/python$m" || fail "expected the copy refreshed"
mk e115c --copies
sed -i 's|^home = .*|home = /nonexistent/bin|' e115c/pyvenv.cfg
repaired VNV115 "$TMP/e115c"
grep -q '^home = /nonexistent' e115c/pyvenv.cfg && fail "expected home rewritten"

# VNV109, VNV113, VNV110, VNV116: interpreter names and lib64.
mk e109
rm e109/bin/python3
repaired VNV109 "$TMP/e109"
mk e113
rm e113/bin/python
repaired VNV113 "$TMP/e113"
mk e110
rm e110/lib64
repaired VNV110 "$TMP/e110"
expect_eq lib "$(readlink e110/lib64)" "lib64"
mk e116
ln -sfn python3 e116/bin/python3
repaired VNV116 "$TMP/e116"

# VNV111: site-packages deleted.
mk e111
rm -r "e111/lib/python$m/site-packages"
repaired VNV111 "$TMP/e111"

# VNV115: `home` leads nowhere while the link still works.
mkp e115
home=$(sed -n 's/^home = //p' e115/pyvenv.cfg)
sed -i 's|^home = .*|home = /nonexistent/bin|' e115/pyvenv.cfg
repaired VNV115 "$TMP/e115"
expect_match "^ +- home = /nonexistent/bin$" "$REPAIRED" "the replaced home line in the report"
grep -qx "home = $home" e115/pyvenv.cfg || fail "expected home = $home"

# pyvenv.cfg damage, each kept key kept.
cfgcase() {
	local code=$1 name=$2
	mkp "$name"
	echo "custom-key = kept" >>"$name/pyvenv.cfg"
	shift 2
	"$@" "$name/pyvenv.cfg"
	repaired "$code" "$TMP/$name"
	grep -qx "custom-key = kept" "$name/pyvenv.cfg" ||
		fail "expected the other keys kept ($code), saw: $(cat "$name/pyvenv.cfg")"
}
pad() { local i; for i in $(seq 1 700); do echo "# padding padding padding padding padding padding"; done >>"$1"; }
bom() { { printf '\357\273\277'; cat "$1"; } >"$1.new" && mv "$1.new" "$1"; }
notutf8() { printf 'junk = \377\376\n' >>"$1"; }
nohome() { sed -i '/^home/d' "$1"; }
duphome() { echo "home = /elsewhere/bin" >>"$1"; }
noeol() { truncate -s -1 "$1"; }
nosys() { sed -i '/^include-system-site-packages/d' "$1"; }
nover() { sed -i '/^version/d' "$1"; }
[ "${m#3.}" -ge 11 ] && cfgcase VNV201 e201 pad
cfgcase VNV202 e202 notutf8
cfgcase VNV203 e203 bom
cfgcase VNV204 e204 nohome
cfgcase VNV205 e205 duphome
# The report shows the line that went, not the kept one as if rewritten.
expect_match "^ +- home = /elsewhere/bin$" "$REPAIRED" "the removed home line in the report"
cfgcase VNV206 e206 noeol
cfgcase VNV207 e207 nosys
cfgcase VNV211 e211 nover

# VNV208: Python 3.10 and older need 'home = VALUE'.
old=$(find_pythons | grep -v '^/usr/bin/' | while read -r p; do
	case "$(py_minor "$p")" in 3.8|3.9|3.10) echo "$p" ;; esac; done | tail -n 1)
if [ -n "$old" ]; then
	"$VENV" create -q -p "$old" e208 || fail "venv create failed"
	sed -i 's/^home = /home=/' e208/pyvenv.cfg
	repaired VNV208 "$TMP/e208"
fi

# VNV209: pyvenv.cfg is a link out of the environment: replaced, the target untouched.
mkp e209
mv e209/pyvenv.cfg outside.cfg
ln -s "$TMP/outside.cfg" e209/pyvenv.cfg
sum=$(cksum <outside.cfg)
repaired VNV209 "$TMP/e209"
[ -f e209/pyvenv.cfg ] && [ ! -L e209/pyvenv.cfg ] || fail "expected a regular pyvenv.cfg"
expect_eq "$sum" "$(cksum <outside.cfg)" "the file the link led to"

# VNV210: bin/pyvenv.cfg shadows the real one.
mkp e210
cp e210/pyvenv.cfg e210/bin/pyvenv.cfg
repaired VNV210 "$TMP/e210"
[ -e e210/bin/pyvenv.cfg ] && fail "expected bin/pyvenv.cfg removed"

# VNV409: world-writable files and directories: o+w dropped, nothing else.
mkp e409
chmod 0666 e409/bin/activate
chmod 0777 "e409/lib/python$m/site-packages"
repaired VNV409 "$TMP/e409"
expect_eq 664 "$(stat -c %a e409/bin/activate)" "the mode of bin/activate"
expect_eq 775 "$(stat -c %a "e409/lib/python$m/site-packages")" "the mode of site-packages"

# VNV106: the interpreter runs another minor version: the exact --python to give.
other=$(find_pythons | grep -v '^/usr/bin/' | grep -v "python$m\$" | tail -n 1)
if [ -n "$other" ]; then
	f=$(first_name gone2)
	ln -sfn "$other" "gone2/bin/$f"
	expect_exit 1 "$VENV" repair -y gone2
	expect_match "VNV106" "$OUT" "the version mismatch left"
	expect_match "venv repair --upgrade --python [^ ]*$other" "$OUT" "the --python to give"
fi
echo ok
