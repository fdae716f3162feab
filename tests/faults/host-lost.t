#!/bin/sh
# A libvirt host lost in the middle of a run: guest a on qemu:///system,
# guest b on a second host (tap.sh's second_host, reached by upload), whose
# libvirtd is killed once b finished a step. b ends at once (not at the
# progress-timeout) as failed, saying it lost its host; its results volume,
# which cannot come down, is named and kept; a completes and is harvested;
# crbench run exits 1.
. "$(dirname "$0")/lib.sh"
[ -n "${uri2:-}" ] || second_host >"$TMP/why" || {
	echo "1..0 # SKIP $(cat "$TMP/why")"
	exit 0
}
plan 6
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
echo "# fault host-lost: b: $(guest_field "$dir" b reason); a: $(guest_field "$dir" a status)"
# what the lost host still holds goes with its daemon and its user's processes (at exit); the kept run directory here
rm -rf "$CACHE/runs/$(basename "$dir")"
finish
