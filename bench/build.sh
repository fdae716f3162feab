#!/bin/sh
# Image-builder benchmark: crbench's assembly of a debian-12 base image (all
# that follows mmdebstrap) against the naive flow on the same root tarball
# (guestfish tar-in into a fresh ext4 disk, then qcow2), and a cache hit.
#
# Targets: assembly <= 15 s; naive >= 5x slower; cache hit < 1 s.
# usage: bench/build.sh [IMAGE]   (run from the source tree, as root)
set -eu
image=${1:-debian-12}
top=$(cd "$(dirname "$0")/.." && pwd)
crbench=${CRBENCH:-$top/build/crbench}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/crbench-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cache=$work/cache

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "bench/build.sh: $image, work in $work"
"$crbench" build --image "$image" --no-verify --cache-dir "$cache" --keep-rootfs "$work/rootfs.tar" >"$work/build.out"
cat "$work/build.out"
manifest=$(ls "$cache"/images/"$image"-*/manifest.json)
assembly=$(sed -n 's/^ *"assembly": \([0-9.]*\).*/\1/p' "$manifest" | awk '{ printf "%.2f", $1 }')
size=$(sed -n '/"image"/,/}/s/^ *"size": \([0-9]*\).*/\1/p' "$manifest")
tarsize=$(stat -c %s "$work/rootfs.tar")

t0=$(now)
"$crbench" build --image "$image" --no-verify --cache-dir "$cache" >/dev/null
hit=$(secs "$t0" "$(now)")

# The naive flow: a libguestfs appliance unpacks the tarball into a new disk.
case "$("$crbench" check --json 2>/dev/null | sed -n 's/^ *"accelerator": "\(.*\)".*/\1/p')" in
tcg) export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg ;;
*) export LIBGUESTFS_BACKEND=direct ;;
esac
t0=$(now)
guestfish -N "$work/naive.raw=fs:ext4:4G" -m /dev/sda1 tar-in "$work/rootfs.tar" /
qemu-img convert -f raw -O qcow2 "$work/naive.raw" "$work/naive.qcow2"
naive=$(secs "$t0" "$(now)")

ratio=$(awk -v a="$assembly" -v n="$naive" 'BEGIN { printf "%.1f", n / a }')
echo "root tarball:        $tarsize bytes"
echo "crbench assembly:    $assembly s (image $size bytes)   target <= 15 s"
echo "naive guestfish:     $naive s   ratio ${ratio}x   target >= 5x"
echo "cache hit:           $hit s   target < 1 s"
fail=0
awk -v a="$assembly" 'BEGIN { exit !(a <= 15) }' || { echo "FAIL: assembly above 15 s"; fail=1; }
awk -v r="$ratio" 'BEGIN { exit !(r >= 5) }' || { echo "FAIL: naive flow less than 5x slower"; fail=1; }
awk -v h="$hit" 'BEGIN { exit !(h < 1) }' || { echo "FAIL: cache hit not under 1 s"; fail=1; }
exit $fail
