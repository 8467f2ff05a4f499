#!/bin/bash
# Plain `venv repair -y` fixes every fixable finding of scripts, activation
# scripts and .pth files: after a move or a copy (including an in-project
# environment whose .pth names the project's source), console scripts whose
# #! is missing, too long, not portable or injectable, activation scripts open
# to CVE-2024-9287, missing (only those the maker writes) or a link out of
# the environment (replaced; the outside file untouched). Each time check
# finds nothing after, and python, the console scripts and `source
# bin/activate` work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repair-lib.sh"

py=$(find_pythons | grep -v '^/usr/bin/' | tail -n 1)
[ -n "$py" ] || skip "needs a pyenv Python"
m=$(py_minor "$py")
cd "$TMP"
make_wheel "$py" "$TMP/wheels" tinypkg 1.0 || fail "could not build the test wheel"
export PIP_FIND_LINKS="$TMP/wheels"

mkp() {
	"$VENV" create -q -p "$py" "$TMP/$1" || fail "venv create $1 failed"
	"$TMP/$1/bin/pip" install -q tinypkg || fail "pip install failed in $1"
}

# VNV401 + VNV404: moved (python -m venv, then the console script pip
# wrote). Made without pip (the base's pip installs tinypkg, as pipx and pdm
# do), since ensurepip cost a fifth of this test: t3000 moves python -m
# venv's environments with pip's own scripts, and runs them after.
"$py" -m venv --without-pip src401 >/dev/null || fail "python -m venv failed"
"$py" -m pip --python src401/bin/python install -q tinypkg || fail "pip install failed"
mv src401 e401
repaired VNV401 "$TMP/e401"
expect_match "VNV404" "$REPAIRED" "the shebangs rewritten"
expect_eq "hello from tinypkg 1.0" "$(e401/bin/tinypkg-hello)" "the console script"

# VNV405: a copy; the original is left alone. With more console scripts
# than check shows findings of a code (20): repair fixes every one, not the
# first 20 (it planned from check's capped report, and left the rest).
mkp orig
for i in $(seq 1 25); do
	cp orig/bin/tinypkg-hello "orig/bin/tool$i" || fail "could not copy the console script"
done
before=$(tree_listing orig times)
cp -a orig e405
repaired VNV405 "$TMP/e405"
expect_eq "$before" "$(tree_listing orig times)" "the original"
expect_eq "hello from tinypkg 1.0" "$(e405/bin/tool25)" "the 25th copy of the console script"

# VNV414 and VNV408: an in-project environment moved with its project: the
# editable install's .pth naming the project's source (VNV414, an error: the
# package no longer imports) and another .pth naming a directory inside the
# environment (VNV408, a warning: site.py skips the line).
mkdir -p proj/src/mymod
echo 'X = 42' >proj/src/mymod/__init__.py
"$VENV" create -q -p "$py" proj/.venv || fail "venv create failed"
mkdir -p proj/.venv/extra
echo 'Y = 7' >proj/.venv/extra/extramod.py
echo "$TMP/proj/src" >"proj/.venv/lib/python$m/site-packages/__editable__.mymod-1.0.pth"
echo "$TMP/proj/.venv/extra" >"proj/.venv/lib/python$m/site-packages/extra.pth"
mv proj proj-moved
expect_exit 1 "$VENV" check --severity info --select VNV408 "$TMP/proj-moved/.venv"
expect_match "extra.pth:1: warning: .*VNV408" "$OUT" "the stray line after the move"
expect_exit 1 "$VENV" check --select VNV414 "$TMP/proj-moved/.venv"
expect_match "error: 'mymod' no longer imports: .*'$TMP/proj/src'.*VNV414" "$OUT" "the editable install after the move"
repaired VNV414 "$TMP/proj-moved/.venv"
expect_match "__editable__.mymod-1.0.pth: .* \[VNV414\]" "$REPAIRED" "the editable install's .pth rewritten"
expect_match "extra.pth: .* \[VNV408\]" "$REPAIRED" "the stray line rewritten"
expect_exit 0 "$VENV" check --severity info --select VNV408 "$TMP/proj-moved/.venv"
out=$(proj-moved/.venv/bin/python -c 'import mymod, extramod; print(mymod.X, extramod.Y, mymod.__file__)')
expect_eq "42 7 $TMP/proj-moved/src/mymod/__init__.py" "$out" "the editable install after the move"

# VNV403: a console script whose interpreter is gone.
mkp e403
sed -i '1s|.*|#!/nonexistent/env/bin/python3|' e403/bin/tinypkg-hello
repaired VNV403 "$TMP/e403"

# VNV406 and VNV407: a direct #! too long for Linux, or for old kernels.
long=$TMP/$(printf 'd%.0s' $(seq 1 130))
mkdir -p "$long"
for code in VNV407 VNV406; do
	d=$long/e
	[ "$code" = VNV406 ] && d=$long/$(printf 'e%.0s' $(seq 1 140))
	"$VENV" create -q -p "$py" "$d" || fail "venv create failed"
	printf '#!%s/bin/python\nprint("tool ok")\n' "$d" >"$d/bin/tool"
	chmod 755 "$d/bin/tool"
	repaired "$code" "$d"
	expect_eq "tool ok" "$("$d/bin/tool")" "the rewritten script ($code)"
	expect_eq "#!/bin/sh" "$(head -n 1 "$d/bin/tool")" "the trampoline ($code)"
done

# VNV413: a /bin/sh trampoline that expands its interpreter path.
mkp e413
cat >e413/bin/tool <<'EOF'
#!/bin/sh
'''exec' "ENV/bin/python3$(touch PWNED413)" "$0" "$@"
' '''
print("tool ok")
EOF
sed -i "s|ENV|$TMP/e413|" e413/bin/tool
chmod 755 e413/bin/tool
repaired VNV413 "$TMP/e413"
expect_eq "tool ok" "$(e413/bin/tool)" "the rewritten trampoline"
[ -e PWNED413 ] && fail "the old trampoline's expansion ran"

# VNV410: CVE-2024-9287 in CPython's own activate (the versions before the fix).
for p in $(find_pythons | grep -v '^/usr/bin/'); do
	mkdir -p "$TMP/cve/$(py_minor "$p")/x\$(touch PWNED)"
	d="$TMP/cve/$(py_minor "$p")/x\$(touch PWNED)/env"
	"$p" -m venv --without-pip "$d" >/dev/null 2>&1 || continue
	"$VENV" check --select VNV410 "$d" >/dev/null && continue
	repaired VNV410 "$d"
	(cd "$TMP/cve" && bash -c '. "$1/bin/activate"' _ "$d") || fail "activate failed"
	[ -e "$TMP/cve/PWNED" ] && fail "sourcing the repaired activate ran the path"
	break
done

# VNV501: a missing activation script comes back; none the maker never wrote appears.
"$py" -m venv --without-pip e501 >/dev/null || fail "python -m venv failed"
rm e501/bin/activate.fish
repaired VNV501 "$TMP/e501"
[ -f e501/bin/activate.fish ] || fail "expected bin/activate.fish restored"
[ -e e501/bin/activate.nu ] && fail "expected no activate.nu in a CPython environment"
expect_match "/e501" "$(fish -c "source '$TMP/e501/bin/activate.fish'; and echo \$VIRTUAL_ENV" 2>&1)" \
	"activate.fish"
# bin/activate itself.
"$py" -m venv --without-pip e501b >/dev/null || fail "python -m venv failed"
rm e501b/bin/activate
repaired VNV501 "$TMP/e501b"

# VNV007: bin/activate is a link out of the environment: replaced, the target untouched.
mkp e007
mkdir -p outside
mv e007/bin/activate outside/activate
ln -s "$TMP/outside/activate" e007/bin/activate
sum=$(cksum <outside/activate)
repaired VNV007 "$TMP/e007"
[ -f e007/bin/activate ] && [ ! -L e007/bin/activate ] || fail "expected bin/activate a file"
expect_eq "$sum" "$(cksum <outside/activate)" "the file the link led to"

# A healthy environment: nothing to repair, no "restored (not fixed)".
mkp healthy
expect_exit 0 "$VENV" repair -y healthy
expect_match "nothing to repair" "$OUT" "a healthy environment"
echo ok
