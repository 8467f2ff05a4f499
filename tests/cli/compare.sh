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
