#!/bin/bash
# An entry_points.txt over its cap (1 MiB) was taken for none: a console
# script whose module is gone (VNV609, an error: the script fails) hid
# behind a megabyte of padding and check said the environment was ok (README:
# a file over its cap is reported, never read whole). It is now reported
# (VNV005 file-too-large, naming the distribution), and one within the cap
# still gets its VNV609.
. "$(dirname "$0")/lib.sh"

newest_pyenv_python
own_home offline
cd "$TMP" || fail "cannot enter $TMP"
expect_exit 0 "$VENV" create --without-pip -p "$py" e
site=$(echo e/lib/python3.*/site-packages)
d=$site/gone-1.0.dist-info
mkdir -p "$d" "$site/gone" || fail "cannot make $d"
: >"$site/gone/__init__.py"
printf 'Metadata-Version: 2.1\nName: gone\nVersion: 1.0\n' >"$d/METADATA"
printf 'gone/__init__.py,,\ngone-1.0.dist-info/METADATA,,\ngone-1.0.dist-info/entry_points.txt,,\n../../../bin/gonetool,,\ngone-1.0.dist-info/RECORD,,\n' >"$d/RECORD"
printf '#!%s/e/bin/python\nfrom gone.cli import main\nmain()\n' "$TMP" >e/bin/gonetool
chmod +x e/bin/gonetool

printf '[console_scripts]\ngonetool = gone.cli:main\n' >"$d/entry_points.txt"
expect_exit 1 "$VENV" check e
expect_match "bin/gonetool of gone 1\.0 runs module 'gone\.cli', which is not in site-packages \[VNV609" \
	"$OUT" "the missing module within the cap"

{ printf '[console_scripts]\ngonetool = gone.cli:main\n'
  for i in $(seq 1 60000); do printf 'pad%d = gone.cli:main\n' "$i"; done; } >"$d/entry_points.txt"
[ "$(stat -c %s "$d/entry_points.txt")" -gt 1048576 ] || fail "entry_points.txt is not over 1 MiB"
expect_exit 1 "$VENV" check e
expect_match "entry_points\.txt: warning: the entry points of gone 1\.0 cannot be read: 'entry_points\.txt' is larger than 1048576 bytes; its console scripts not checked \[VNV005 file-too-large\]" \
	"$OUT" "the entry points over the cap"
expect_exit 1 "$VENV" check --select VNV005 e
expect_match "\[VNV005 file-too-large\]" "$OUT" "VNV005 selected alone"
echo ok
