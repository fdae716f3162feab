#!/bin/sh
# The agent stops printing progress after the first step (alive, silent):
# the plan's progress-timeout (90 s: the boot counts, 38-56 s here with
# another fault's guest beside it, so the first step's line comes within
# it) destroys the guest; what was finished is kept. The agent sleeps, so
# the guest's vCPUs hardly ran in that silence, and the reason says the
# guest sat idle.
. "$(dirname "$0")/lib.sh"
guest_fault hang timeout "no progress line for 90 s .*: destroyed; its vCPUs ran [0-9.]+ s in the last [0-9]+ s: the guest sat idle" 1 90s
finish
