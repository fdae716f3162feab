#!/bin/sh
# crbench run killed with SIGKILL (no chance to clean up) while its guest
# runs, after its guest finished a step, then another run: the second one
# finds the dead run, destroys its domain, harvests its guest's results disk
# into the dead run's directory (the finished step is kept), removes its
# disks, says so, and runs normally.
. "$(dirname "$0")/lib.sh"
plan 10
p=$(fault_plan killed)
"$CRBENCH" run --plan "$p" --results-dir "$TMP/results" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/err" ': ok in ' 600
kill -KILL $pid
wait $pid 2>/dev/null
dead=$(basename "$(run_dir killed)")
like "$(left "$dead")" "^1 domains, 1 cache directories, 1 qemu processes" "sigkill: the killed run left its domain and disks"
p2=$(fault_plan after 10m env 1)
"$CRBENCH" run --plan "$p2" --results-dir "$TMP/results" >"$TMP/out2" 2>"$TMP/err2"
rc=$?
sed 's/^/# /' "$TMP/err2"
is "$rc" 0 "sigkill: the next run completes"
like "$(cat "$TMP/err2")" "destroyed domain 'crbench-$dead-runc' left running by run $dead" "sigkill: it destroys the dead run's domain, and says so"
like "$(cat "$TMP/err2")" "harvested guest 'runc' of dead run $dead \(pid [0-9]+, gone\): [1-9][0-9]* entries, harvest incomplete" "sigkill: it harvests the dead run's results disk, and says so"
like "$(cat "$TMP/err2")" "removed '.*/runs/$dead' left by run $dead" "sigkill: it removes the dead run's disks, and says so"
killed=$(run_dir killed)
ok "$([ "$(kept_entries "$killed" runc)" -ge 1 ]; echo $?)" "sigkill: the step the killed run's guest finished is in its results directory, whole"
is "$(guest_field "$killed" runc status)" interrupted "sigkill: the killed run's run.json says its guest was interrupted"
is "$(left "$dead")" "0 domains, 0 cache directories" "sigkill: nothing of the dead run is left"
dir=$(run_dir after)
is "$(guest_field "$dir" runc status)" complete "sigkill: the next run's guest completed"
is "$(left "$(basename "$dir")")" "0 domains, 0 cache directories" "sigkill: and left nothing either"
echo "# fault sigkill: the killed run $dead was cleaned by the next run; kept: $(kept_entries "$killed" runc) step entries, console.log, run.json ($(guest_field "$killed" runc reason))"
finish
