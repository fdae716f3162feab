#!/bin/sh
# crbench cache on a cache directory made here: entries listed with kind, size and last use; --prune removes what
# went unused for the age given and nothing a run needs (run directories, downloads, a run in progress).
. "$(dirname "$0")/tap.sh"
plan 23

C="$TMP/cache"
# entry DIR DAYS_AGO [FILE SIZE]: an entry whose "used" file is DAYS_AGO days old
entry() {
	mkdir -p "$C/$1"
	head -c "${4:-4096}" /dev/urandom >"$C/$1/${3:-disk.qcow2}"
	touch -d "@$(($(date +%s) - $2 * 86400))" "$C/$1/used"
}
entry images/debian-12-aaaa 40 && : >"$C/images/debian-12-aaaa/vmlinuz"
entry images/debian-12-bbbb 1 && : >"$C/images/debian-12-bbbb/vmlinuz"
entry images/httpd-cccc 40 image.tar 1048576
entry images/store-dddd 40
entry images/containers-eeee 2 disk.raw
mkdir -p "$C/images/.tmp-debian-12-ffff-999999999" "$C/logs" "$C/downloads" "$C/runs/old-run" "$C/runs/.upload.lock.d"
echo x >"$C/logs/debian-12-ffff-1.log"
touch -d "@$(($(date +%s) - 50 * 86400))" "$C/logs/debian-12-ffff-1.log"
echo tarball >"$C/downloads/kata-static-1.12.1-x86_64.tar.xz"
touch -d "@$(($(date +%s) - 90 * 86400))" "$C/downloads/kata-static-1.12.1-x86_64.tar.xz"
echo results >"$C/runs/old-run/results.raw"

run "$CRBENCH" cache --help
is "$rc" 0 "--help exits 0"
like "$out" '^usage: crbench cache \[--cache-dir DIR\] \[--json\]' "and prints the usage"
run "$CRBENCH" cache --cache-dir "$TMP/none"
is "$rc" 0 "a cache that does not exist yet lists empty"
like "$out" "^0 entries, 0 KiB in $TMP/none" "and says so"

run "$CRBENCH" cache --cache-dir "$C"
is "$rc" 0 "the cache is listed"
like "$out" '^images/debian-12-aaaa +guest image +[0-9.]+ KiB +used 40 days ago$' "a guest image, its size and last use"
like "$out" '^images/httpd-cccc +container image +1\.0 MiB ' "a container image, by its image.tar"
like "$out" '^images/store-dddd +Docker store ' "a Docker store"
like "$out" '^images/containers-eeee +container images disk .* used 2 days ago$' "the container images' disk"
like "$out" '^runs/old-run +run .*\(kept: results not harvested, or --keep\)$' "a run directory without an owner is kept"
like "$out" '^9 entries, ' "every entry is counted (runs/' lock files are not entries)"
"$CRBENCH" cache --cache-dir "$C" --json >"$TMP/list.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
e = {x["path"]: x for x in d["entries"]}
sys.exit(0 if e["images/httpd-cccc"]["bytes"] >= 1048576 and e["images/.tmp-debian-12-ffff-999999999"]["kind"] == "being made"
         and d["bytes"] == sum(x["bytes"] for x in d["entries"]) else 1)' "$TMP/list.json"
ok $? "--json gives each entry's path, kind and bytes, and their total"

run "$CRBENCH" cache --cache-dir "$C" --older-than 7d
is "$rc" 2 "--older-than without --prune is a usage error"
run "$CRBENCH" cache --cache-dir "$C" --prune --older-than 7 days
is "$rc" 2 "an unexpected argument is a usage error"
run "$CRBENCH" cache --cache-dir "$C" --prune --older-than week
like "$err" "invalid value 'week' for --older-than" "an age it cannot read is named"

run "$CRBENCH" cache --cache-dir "$C" --prune --dry-run
is "$(echo "$out" | sort | tr '\n' ' ')" \
	"would free 5 entries, 1.0 MiB, in $C would remove images/.tmp-debian-12-ffff-999999999 would remove images/debian-12-aaaa would remove images/httpd-cccc would remove images/store-dddd would remove logs/debian-12-ffff-1.log " \
	"--dry-run names what is older than 30 days and a dead build's leftover, with the space it would free"
[ -d "$C/images/debian-12-aaaa" ]
ok $? "and removes nothing"
run "$CRBENCH" cache --cache-dir "$C" --prune
is "$rc" 0 "--prune exits 0"
ls "$C/images" | tr '\n' ' ' >"$TMP/left"
is "$(cat "$TMP/left")" "containers-eeee debian-12-bbbb " "what was used within 30 days stays"
[ -f "$C/runs/old-run/results.raw" ] && [ -f "$C/downloads/kata-static-1.12.1-x86_64.tar.xz" ]
ok $? "a kept run's results and a download stay, however old"

# a run in progress: its owner is a live process
mkdir -p "$C/runs/live-run"
sleep 60 &
live=$!
echo "$live" >"$C/runs/live-run/owner"
run "$CRBENCH" cache --cache-dir "$C" --prune --older-than 0
is "$rc" 1 "pruning while a run is in progress is refused"
like "$err" "run $C/runs/live-run is in progress \(pid $live\)" "naming the run and its pid"
kill "$live" 2>/dev/null
wait "$live" 2>/dev/null
run "$CRBENCH" cache --cache-dir "$C" --prune --older-than 0
is "$(ls "$C/images" | wc -l) $rc" "0 0" "--older-than 0 removes every image once no run is in progress"
