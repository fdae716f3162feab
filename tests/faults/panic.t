#!/bin/sh
# A guest kernel panic after the first step: pvpanic and panic=-1 end the
# domain at once (no hang until a timeout); what was finished is kept.
. "$(dirname "$0")/lib.sh"
guest_fault panic failed "kernel panicked" 1
finish
