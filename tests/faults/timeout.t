#!/bin/sh
# A guest still busy when the plan's wall-clock timeout (90 s) runs out,
# though it prints progress all along (eight 15 s idle baselines after a
# boot of 38-56 s): destroyed, what it finished kept, nothing left.
. "$(dirname "$0")/lib.sh"
NO_INJECT=1 FAULT_TIMEOUT=90s guest_fault wall-timeout timeout "ran past the plan's timeout of 90 s and was destroyed" 0 10m cpu-mem 8 15s
finish
