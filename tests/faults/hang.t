#!/bin/sh
# The agent stops printing progress after the first step (alive, silent):
# the plan's progress-timeout (120 s: the boot counts, about 30 s here,
# more on a loaded host)
# destroys the guest; what was finished is kept.
. "$(dirname "$0")/lib.sh"
guest_fault hang timeout "no progress line for 120 s" 1 120s
finish
