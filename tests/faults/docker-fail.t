#!/bin/sh
# dockerd fails to start in the guest (a broken daemon.json): the agent says
# so within seconds, not after its 120 s wait, and the guest powers off.
# crbench runs under valgrind when it is installed: the error paths of
# following and ending a guest, with no memory error and no leak of its own
# (exit 99 instead of 1).
. "$(dirname "$0")/lib.sh"
! command -v valgrind >/dev/null 2>&1 || RUN_WRAP=vg
guest_fault docker-fail failed "docker.service failed to start" 0
finish
