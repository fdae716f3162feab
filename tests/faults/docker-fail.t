#!/bin/sh
# dockerd fails to start in the guest (a broken daemon.json): the agent says
# so within seconds, not after its 120 s wait, and the guest powers off.
. "$(dirname "$0")/lib.sh"
guest_fault docker-fail failed "docker.service failed to start" 0
finish
