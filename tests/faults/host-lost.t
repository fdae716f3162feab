#!/bin/sh
# A libvirt host lost in the middle of a run: guest a on qemu:///system,
# guest b on a second host (tap.sh's second_host, reached by upload), whose
# libvirtd is killed once b finished a step. b ends at once (not at the
# progress-timeout) as failed, saying it lost its host; its results volume,
# which cannot come down, is named and kept; a completes and is harvested;
# crbench run exits 1. The run's directory keeps its owner: once the host is
# back, the next run (here one whose only guest's host cannot be reached,
# which ends at once) reaps it as a dead run's: b's domain, when still
# running there, is destroyed, its results volume comes down and is harvested into
# the first run's directory, run.json says so, nothing is left on either
# host.
. "$(dirname "$0")/lib.sh"
[ -n "${uri2:-}" ] || second_host >"$TMP/why" || {
	echo "1..0 # SKIP $(cat "$TMP/why")"
	exit 0
}
plan 13
{
	# a 30 s idle baseline: b is in the middle of cpu-mem when its host goes
	plan_head hostlost 9 "env, cpu-mem" | sed 's/^idle-seconds = .*/idle-seconds = 30s/'
	plan_guest a runc
	plan_guest b runc "connect = $uri2" "upload = yes"
} >"$TMP/lost.ini"
"$CRBENCH" run --plan "$TMP/lost.ini" --results-dir "$TMP/results" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/err" '^b: \[1/2\] env: ok in ' 600
t_kill=$(date +%s)
kill $h2_pid
wait $pid
rc=$?
t_end=$(date +%s)
sed 's/^/# /' "$TMP/err"
dir=$(run_dir hostlost)
is "$rc" 1 "host-lost: crbench run exits 1"
is "$(guest_field "$dir" b status)" failed "host-lost: the guest on the lost host failed"
like "$(guest_field "$dir" b reason)" "^lost libvirt host 'qemu\+unix:///session\?socket=.*' while the guest ran: the connection to its libvirtd closed" \
	"host-lost: its reason names the host and what happened"
like "$(cat "$TMP/err")" "b: .*kept its results volume 'crbench-hostlost-.*-b-results.raw' in pool 'default'" \
	"host-lost: its results volume, which cannot come down, is kept and named"
is "$(guest_field "$dir" a status) $(guest_field "$dir" a harvest)" "complete verified" "host-lost: the guest on the run's own host completed, harvested"
ok "$([ $((t_end - t_kill)) -lt 120 ]; echo $?)" "host-lost: the run ended $((t_end - t_kill)) s after the host went, not at the progress-timeout"
like "$(cat "$TMP/err")" "b: the next crbench run with this cache reaches libvirt host '.*' again: it destroys the guest's domain there and harvests its results volume into '$dir/b'" \
	"host-lost: the run says what becomes of the guest's domain and results"
echo "# fault host-lost: b: $(guest_field "$dir" b reason); a: $(guest_field "$dir" a status)"

# the host is back (its pool made again, as the test's is transient); b's qemu ran on meanwhile,
# and may have finished its suite and stopped by itself
second_host_start >"$TMP/why" || echo "# $(cat "$TMP/why")"
id=$(basename "$dir")
running=$(virsh -c "$uri2" list --name 2>/dev/null | grep "crbench-$id-b")
echo "# on the second host now: ${running:-no domain of the run}"
{
	plan_head reaper 10 env
	plan_guest c runc "connect = qemu+unix:///session?socket=$TMP/nobody-listens" "upload = yes"
} >"$TMP/reaper.ini"
"$CRBENCH" run --plan "$TMP/reaper.ini" --results-dir "$TMP/results" >"$TMP/out2" 2>"$TMP/err2"
sed 's/^/# /' "$TMP/err2"
# b's domain is gone: destroyed by the reaper, or stopped by itself after its whole suite, harvested whole
destroyed=$(grep -c "destroyed domain 'crbench-$id-b' left running by run $id" "$TMP/err2")
ok "$([ "$destroyed" = 1 ] || [ "$(guest_field "$dir" b harvest) $(guest_field "$dir" b steps_harvested)" = "verified $(guest_field "$dir" b steps_planned)" ]; echo $?)" \
	"host-lost: b's domain is gone from the host come back ($([ "$destroyed" = 1 ] && echo "the next run destroyed it" || echo "it had finished its suite and stopped"))"
like "$(cat "$TMP/err2")" "harvested guest 'b' of dead run $id .*: [1-9][0-9]* entries, harvest [a-z]+, in '$dir/b/results' \(crbench report '$dir' reports them\)" \
	"host-lost: and harvests its results volume into the first run's directory"
like "$(guest_field "$dir" b reason)" "^lost libvirt host .*; a later run reached its host again and harvested its results disk$" \
	"host-lost: b's reason in run.json says its results came later"
ok "$([ "$(kept_entries "$dir" b)" -ge 1 ] && [ "$(guest_field "$dir" b steps_harvested)" = "$(kept_entries "$dir" b)" ]; echo $?)" \
	"host-lost: b's finished steps are there, whole, as run.json counts them ($(kept_entries "$dir" b))"
is "$(guest_field "$dir" b status) $(guest_field "$dir" a status)" "failed complete" "host-lost: the guests' statuses stay as the run ended them"
is "$(left "$id")" "0 domains, 0 cache directories" "host-lost: no domain, volume or directory of the run left on either host"
finish
