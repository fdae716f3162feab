#!/bin/sh
# The agent aborts after the first step: the unit's FailureAction powers the
# guest off; the finished step is on the results disk, which has no manifest.
. "$(dirname "$0")/lib.sh"
guest_fault agent-crash failed "stopped before the agent finished" 1
finish
