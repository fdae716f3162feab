#!/bin/sh
# Two runs of the same plan at the same time: their ids, domains, disks and
# pinned CPUs never clash, both complete, neither leaves anything behind.
# One vCPU each: this host has two CPUs, and two TCG guests of two vCPUs
# each starve each other (RCU stalls, minutes to boot).
. "$(dirname "$0")/lib.sh"
plan 6
p=$(fault_plan twice 10m env 1 3s 1)
"$CRBENCH" run --plan "$p" --results-dir "$TMP/results" >"$TMP/out1" 2>"$TMP/err1" &
a=$!
"$CRBENCH" run --plan "$p" --results-dir "$TMP/results" >"$TMP/out2" 2>"$TMP/err2" &
b=$!
wait $a
ra=$?
wait $b
rb=$?
sed 's/^/# 1: /' "$TMP/err1"
sed 's/^/# 2: /' "$TMP/err2"
is "$ra $rb" "0 0" "concurrent: both runs exit 0"
n=$(ls -d "$TMP"/results/twice-* | wc -l)
is "$n" 2 "concurrent: two run directories"
for d in "$TMP"/results/twice-*; do s="$s $(guest_field "$d" runc status)"; done
is "$s" " complete complete" "concurrent: both guests completed"
d1=$(ls -d "$TMP"/results/twice-* | head -1); d2=$(ls -d "$TMP"/results/twice-* | tail -1)
ok "$([ "$(guest_field "$d1" runc domain)" != "$(guest_field "$d2" runc domain)" ]; echo $?)" "concurrent: their domains had different names"
ok "$([ "$(guest_field "$d1" runc pinned_cpus)" != "$(guest_field "$d2" runc pinned_cpus)" ]; echo $?)" "concurrent: and different host CPUs ($(guest_field "$d1" runc pinned_cpus), $(guest_field "$d2" runc pinned_cpus))"
is "$(left "$(basename "$d1")"); $(left "$(basename "$d2")")" "0 domains, 0 cache directories; 0 domains, 0 cache directories" "concurrent: nothing left by either"
echo "# fault concurrent: two runs at once, both complete; kept: both run directories; left: nothing"
finish
