#!/bin/bash
# Race `venv create --clear --force` against a process that swaps the environment's
# directories for symbolic links to a sentinel tree (and back) while it runs;
# the sentinel tree must stay byte-identical (security.md DEL-04, R7).
#
#   tests/races/clear.sh [ROUNDS] [PYTHON]
# ROUNDS defaults to 2000 (`make races`); tests/cli/t0400-races.sh runs a few.
# Prints "races: N rounds, N swaps, N commands succeeded, N violations" and
# exits non-zero on a violation (RACE_SEED=N replays a run's choices).
set -u
exec bash "$(dirname "$0")/run.sh" clear "$@"
