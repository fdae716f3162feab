#!/bin/sh
# crbench run itself under valgrind, with real guests under TCG: a normal
# run of two one-vCPU guests at once (the env test), and a run whose guest's
# dockerd fails (the agent's error line, the guest failed, the run partial).
# Each with no memory error and no leak of crbench's own. About 3 minutes.
# CRBENCH_E2E=0 skips it, as do sanitizer builds.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP no valgrind"
	exit 0
fi
plan 6
status() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["status"], *[g["status"] for g in r["guests"]])' "$1/run.json" 2>&1; }

env_plan valgrind 3 >"$TMP/vg.ini"
echo "# crbench run --parallel under valgrind (TCG: a few minutes)" >&2
vg "$CRBENCH" run --plan "$TMP/vg.ini" --results-dir "$TMP/ok" --parallel >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/vg.log"
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/err" | tail -20
is "$rc" 0 "crbench run of two guests under valgrind: exit 0, no memory error, no leak"
dir=$(ls -d "$TMP"/ok/*/ 2>/dev/null | head -1)
is "$(status "${dir:-$TMP/none}")" "complete complete complete" "and the run and both guests completed"

# one guest, its dockerd broken: the error paths of following and ending a guest
sed -n '1,/^\[guest runsc\]/p' "$TMP/vg.ini" | sed '$d' >"$TMP/vg1.ini"
echo "# crbench run --inject-fault docker-fail under valgrind" >&2
vg "$CRBENCH" run --plan "$TMP/vg1.ini" --results-dir "$TMP/fail" --inject-fault docker-fail >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/vg.log"
[ "$rc" = 1 ] || sed 's/^/# /' "$TMP/err" | tail -20
is "$rc" 1 "crbench run with dockerd failing in the guest, under valgrind: exit 1 (not 99: no memory error, no leak)"
dir=$(ls -d "$TMP"/fail/*/ 2>/dev/null | head -1)
is "$(status "${dir:-$TMP/none}")" "partial failed" "and the run is partial, the guest failed"
like "$(cat "$TMP/err")" "docker.service failed to start" "the agent's reason is shown"

left=0
for d in "$TMP"/ok/* "$TMP"/fail/*; do
	n=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c "crbench-$(basename "$d")" || true)
	left=$((left + n))
done
is "$left" 0 "no domain of either run is left"
finish
