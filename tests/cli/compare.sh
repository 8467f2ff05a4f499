# Helpers to compare an environment made by `venv create` with one made by
# `python -m venv` (sourced by the t11xx tests after lib.sh).

# tree_listing DIR: one line per entry: type, mode, relative path, link value
# with DIR replaced by "ENV". Activation scripts are listed by name only:
# ours are our own (issue 3), so their bytes differ by design.
tree_listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p -> %l\n' | sed "s|$1|ENV|g" |
		sed -E 's/ -> $//' | LC_ALL=C sort)
}

# cfg_normalized DIR: pyvenv.cfg with `command` reduced to its options.
cfg_normalized() {
	python3 - "$1" <<'PY'
import shlex, sys
d = sys.argv[1]
for line in open(d + '/pyvenv.cfg', encoding='utf-8'):
    k, _, v = line.partition(' = ')
    if k == 'command':
        args = shlex.split(v)
        if '-m' in args:            # CPython: EXE -m venv FLAGS DIR
            args = args[args.index('-m') + 2:]
        else:                       # ours: VENV create --python=EXE FLAGS DIR
            args = args[3:]
        line = 'command = ' + ' '.join(args).replace(d, 'ENV') + '\n'
    sys.stdout.write(line.replace(d, 'ENV'))
PY
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
