#!/bin/bash
# suite: long (the whole matrix of a make check test: make check-long, CI)
# What t3220 leaves out: every peer's environment upgraded 3.12 -> 3.13,
# not python -m venv's alone: virtualenv (with and without
# --symlink-app-data), pipx, pdm, poetry and tox, each as issue 12 lists
# them. make check upgrades only python -m venv's across that minor (a
# peer's 3.12 layout is its 3.11 one with fewer seeds), to stay fast; the
# 3.11 -> 3.12 upgrades it runs are not run here again.
T3220_ALL_MINORS=1 exec bash "$(dirname "$0")/t3220-repair-upgrade-makers.sh"
