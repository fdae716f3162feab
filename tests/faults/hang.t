#!/bin/sh
# The agent stops printing progress after the first step (alive, silent):
# the plan's progress-timeout (60 s: the boot counts, about 30 s here)
# destroys the guest; what was finished is kept.
. "$(dirname "$0")/lib.sh"
guest_fault hang timeout "no progress line for 60 s" 1 60s
finish
