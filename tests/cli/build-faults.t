#!/bin/sh
# crbench build interrupted and on a full disk, for real (each runs mmdebstrap
# for the small bench image, about 30 s): a clear message, no cache entry,
# no temporary entry, no process or mmdebstrap temporary directory left.
. "$(dirname "$0")/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (mmdebstrap and a tmpfs mount)"
	exit 0
fi
plan 10

entries() { find "$1/images" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# mmdebstrap's temporary directories go here, away from any other build
mmtmp=$TMP/mmtmp
mkdir -p "$mmtmp"

# Ctrl-C: SIGINT to crbench's process group, as a terminal sends it.
cache=$TMP/intr
TMPDIR=$mmtmp setsid "$CRBENCH" build --image bench --cache-dir "$cache" >"$TMP/intr.out" 2>"$TMP/intr.err" &
pid=$!
sleep 8
kill -INT "-$pid"
wait "$pid"
is "$?" 130 "an interrupted build exits 130"
like "$(cat "$TMP/intr.err")" "building image 'bench' was interrupted; nothing was added to the cache" "and says so"
is "$(entries "$cache")" 0 "no entry, not even a temporary one"
pgrep -f "mmdebstrap.*$cache" >/dev/null
ok $((! $?)) "no mmdebstrap left running"
is "$(ls -A "$mmtmp" | wc -l)" 0 "no mmdebstrap temporary directory left"

# A cache on a 64 MiB tmpfs: the root tarball does not fit.
full=$TMP/full
mkdir -p "$full"
if mount -t tmpfs -o size=64M tmpfs "$full"; then
	run "$CRBENCH" build --image bench --cache-dir "$full"
	is "$rc" 1 "a build on a full disk fails"
	like "$err" "cannot build image 'bench': no space left: .*No space left on device \(free space in the cache '$full'" "and says the disk is full, and where"
	is "$(entries "$full")" 0 "no entry, not even a temporary one"
	ls "$full"/logs/bench-*.log >/dev/null 2>&1
	ok $? "mmdebstrap's log is kept for the user"
	umount "$full"
	ok $? "the full disk could be unmounted (nothing holds it)"
else
	for i in 1 2 3 4 5; do ok 0 "# SKIP cannot mount a tmpfs"; done
fi
finish
