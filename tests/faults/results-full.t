#!/bin/sh
# The results disk fills up in the guest (a 64 KiB disk; cpu-mem entries of
# about 4 KiB, 40 rounds of them): the agent stops with the error, and every
# entry that fitted is harvested.
. "$(dirname "$0")/lib.sh"
guest_fault results-full failed "No space left on device|cannot (write|append)" 1 10m cpu-mem 40 1s
finish
