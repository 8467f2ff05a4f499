#!/bin/bash
# Every fault point of venv repair (move and upgrade scenarios); see tests/cli/repair-faults.sh.
#   tests/faults/repair.sh [--sample K]   (--sample K: every K-th point only)
if [ "${1:-}" = --sample ]; then
	REPAIR_FAULTS=$2 exec bash "$(dirname "$0")/../cli/t3400-repair-crash.sh"
fi
REPAIR_FAULTS=full exec bash "$(dirname "$0")/../cli/repair-faults.sh" "$@"
