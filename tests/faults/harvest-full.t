#!/bin/sh
# The host's results directory fills up while harvesting (a 128 KiB tmpfs;
# the environment entry alone is bigger): crbench run says so, keeps the
# guest's results disk in the cache instead of deleting it, and that disk
# harvests whole elsewhere afterwards.
. "$(dirname "$0")/lib.sh"
plan 6
mkdir -p "$TMP/small"
mount -t tmpfs -o size=128k tmpfs "$TMP/small" || { echo "# cannot mount a tmpfs"; exit 1; }
at_exit 'umount "$TMP/small" 2>/dev/null'
p=$(fault_plan full 10m env 1)
"$CRBENCH" run --plan "$p" --results-dir "$TMP/small" >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/err"
is "$rc" 1 "harvest-full: crbench run exits 1"
like "$(cat "$TMP/err")" "cannot harvest: .*(No space left|cannot write)" "harvest-full: it says the harvest could not be written"
disk=$(sed -n "s/.*kept the guest's results disk '\([^']*\)'.*/\1/p" "$TMP/err" | head -1)
ok "$([ -n "$disk" ] && [ -s "$disk" ]; echo $?)" "harvest-full: the guest's results disk is kept ($disk)"
"$CRBENCH" harvest --out "$TMP/again" "$disk" >"$TMP/h" 2>&1
is "$?" 0 "harvest-full: the kept disk harvests elsewhere"
like "$(cat "$TMP/h")" "verified" "harvest-full: whole and verified"
id=$(basename "$(dirname "$(dirname "$disk")")")
is "$(virsh -c qemu:///system list --all --name | grep -c "crbench-$id" || true)" 0 "harvest-full: no domain left"
echo "# fault harvest-full: kept the results disk $disk (removed by this test now); left: no domain"
rm -rf "$CACHE/runs/$id"
finish
