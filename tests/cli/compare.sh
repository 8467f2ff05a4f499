# Helpers to compare an environment made by `venv create` with one made by
# `python -m venv` (sourced by the t11xx tests after lib.sh).

# tree_listing DIR: one line per entry: type, mode, relative path, link value
# with DIR replaced by "ENV". Activation scripts are listed by name only:
# ours are our own (issue 3), so their bytes differ by design.
tree_listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p -> %l\n' | sed "s|$1|ENV|g" |
		sed -E 's/ -> $//' | LC_ALL=C sort)
}

# cfg_normalized DIR: pyvenv.cfg with DIR replaced by "ENV". Nothing else is
# normalised: `command` included, ours must be byte for byte CPython's.
cfg_normalized() {
	sed "s|$1|ENV|g" "$1/pyvenv.cfg"
}

# runtime_facts DIR: what the environment's python says about itself.
runtime_facts() {
	(cd / && env -i PATH=/usr/bin:/bin "$1/bin/python" -c '
import sys, site
print("prefix", sys.prefix)
print("exec_prefix", sys.exec_prefix)
print("base_prefix", sys.base_prefix)
print("executable", sys.executable)
print("path", sys.path)
print("user_site", site.ENABLE_USER_SITE)
' | sed "s|$1|ENV|g")
}

# record_hash FILE: FILE's hash and size as a RECORD row has them.
record_hash() {
	local hex
	hex=$(sha256sum <"$1" | cut -c1-64 | sed 's/../\\x&/g')
	# shellcheck disable=SC2059
	echo "sha256=$(printf "$hex" | basenc --base64url | tr -d =),$(wc -c <"$1")"
}

# pip_snapshot ENV OUT: what an environment's pip installation consists of,
# one file each in OUT: tree (types, modes, names and link values), record
# (the RECORD files but their .pyc rows), content (checksums), version (pip
# --version), list and list.err (pip list --format=freeze) and bin (the names
# in bin/). The environment's own path is written ENV (bin/pip's shebang
# names it): a file with it is checksummed with it so written, and its row
# in RECORD, if right, says "ENV:" and the hash and size of those bytes; so
# environments made in different places compare. Bytecode is left out (see
# t1601), and so are the activation scripts (ours differ by design).
pip_snapshot() {
	local abs out site
	abs=$(cd "$1" && pwd) || return 1
	mkdir -p "$2" && out=$(cd "$2" && pwd) || return 1
	site=$(cd "$abs" && echo lib/p*3.*/site-packages)
	(cd "$abs" && find lib bin -name __pycache__ -prune -o ! -name 'activate*' \
		! -name 'Activate*' -printf '%y %m %p -> %l\n' | sed "s|$abs|ENV|g" | LC_ALL=C sort) >"$out/tree"
	(cd "$abs" && find lib bin -name __pycache__ -prune -o -type f ! -name 'activate*' \
		! -name 'Activate*' ! -name RECORD -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum) >"$out/content.raw"
	: >"$out/record.env"
	(cd "$abs" && grep -rlF --exclude-dir=__pycache__ --exclude='activate*' --exclude='Activate*' \
		--exclude=RECORD "$abs" lib bin | while read -r f; do
		sed "s|$abs|ENV|g" "$f" >"$out/normal"
		echo "$(sha256sum <"$out/normal" | cut -c1-64) $f"
		rel=$(realpath -m --relative-to="$abs/$site" "$abs/$f")
		echo "$rel,$(record_hash "$f") $rel,ENV:$(record_hash "$out/normal")" >>"$out/record.env"
	done) >"$out/content.env"
	# (sha256sum's lines: 64 hex digits, two spaces, the name.)
	awk 'NR == FNR { h[substr($0, 66)] = substr($0, 1, 64); next }
		{ n = substr($0, 67) } n in h { $0 = h[n] " with ENV  " n } { print }' \
		"$out/content.env" "$out/content.raw" >"$out/content"
	(cd "$abs" && for r in "$site"/*.dist-info/RECORD; do
		echo "== $r"; grep -v '\.pyc,,' "$r"; done) |
		awk 'NR == FNR { e[$1] = $2; next }
			{ k = $0; cr = sub(/\r$/, "", k) ? "\r" : "" } k in e { $0 = e[k] cr } { print }' \
			"$out/record.env" - >"$out/record"
	rm -f "$out/content.raw" "$out/content.env" "$out/record.env" "$out/normal"
	"$abs/bin/pip" --version 2>&1 | sed "s|$abs|ENV|g" >"$out/version"
	"$abs/bin/pip" list --format=freeze >"$out/list" 2>"$out/list.err"
	ls "$abs/bin" >"$out/bin"
}

# cpython_pip_reference PYTHON: the directory of the pip_snapshot of an
# environment that `PYTHON -m venv` makes, pip and all (ensurepip): made once
# (a fixture, see lib.sh), for the tests that compare ours with it.
cpython_pip_reference() {
	fixture cpython-venv-pip "$(py_facts "$1"; declare -f pip_snapshot record_hash)" make_cpython_pip_reference "$1"
}

make_cpython_pip_reference() {
	local py=$1 out=$2 work
	work=$(mktemp -d "$TMP/cpy.XXXXXX") || return 1
	env -u PYTHONDONTWRITEBYTECODE "$py" -m venv "$work/env" || return 1
	pip_snapshot "$work/env" "$out" || return 1
	rm -rf "$work"
}
