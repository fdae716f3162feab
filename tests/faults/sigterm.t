#!/bin/sh
# SIGTERM (a service manager or CI stopping it) to crbench run after the
# guest finished two steps: the guest is destroyed, its finished steps are
# harvested, run.json says interrupted, and crbench exits 143. (sigint.t
# does Ctrl-C.)
. "$(dirname "$0")/lib.sh"
plan 7
signal_fault sigterm TERM
finish
