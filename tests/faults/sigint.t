#!/bin/sh
# Ctrl-C (SIGINT) to crbench run after the guest finished two steps: the guest
# is destroyed, its finished steps are harvested, run.json says interrupted,
# and crbench exits 130. (sigterm.t does SIGTERM.)
. "$(dirname "$0")/lib.sh"
plan 7
signal_fault sigint INT
finish
