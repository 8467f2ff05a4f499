#!/bin/sh
# Every fault point of venv repair's crash test (the CLI suite tries every
# seventh): kill at each mutating system call, ENOSPC and EIO at each.
#   sh tests/cli/repair-faults.sh      (or: make faults-repair)
REPAIR_FAULTS=full exec bash "$(dirname "$0")/t3400-repair-crash.sh"
