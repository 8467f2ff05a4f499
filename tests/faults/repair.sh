#!/bin/bash
# Every fault point of venv repair (move and upgrade scenarios); see tests/cli/repair-faults.sh.
REPAIR_FAULTS=full exec bash "$(dirname "$0")/../cli/repair-faults.sh" "$@"
