#!/bin/sh
# The host tool under valgrind: a harvest of a results disk (written by
# Python's tarfile, an independent writer) and a report of a fixture run,
# each with no memory error and no leak. Skipped in sanitizer builds.
. "$(dirname "$0")/tap.sh"

case "$(basename "${BUILDDIR:-build}")" in
build-san*) echo "1..0 # SKIP valgrind and the sanitizers do not mix"; exit 0 ;;
esac
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP no valgrind"
	exit 0
fi
plan 4

python3 - "$TMP/disk.raw" <<'PY'
import hashlib, io, json, sys, tarfile
entries = []
with open(sys.argv[1], "wb") as raw:
    t = tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT)
    def add(name, data):
        info = tarfile.TarInfo("crbench-results/" + name)
        info.size, info.mode = len(data), 0o644
        t.addfile(info, io.BytesIO(data))
        return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    for i in range(1, 41):
        entries.append(add("%04d-cpu-mem-r%d.json" % (i, i), json.dumps({"test": "cpu-mem", "i": i}).encode()))
    add("MANIFEST.json", json.dumps({"format": "crbench-results", "version": 1, "entries": entries}).encode())
    t.close()
    raw.truncate(16 << 20)
PY
vg "$CRBENCH" harvest --out "$TMP/h" "$TMP/disk.raw" >"$TMP/out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/vg.log"
is "$rc" 0 "crbench harvest under valgrind: no error, no leak"
like "$(cat "$TMP/out")" "verified: 40 entries kept" "and it harvested every entry"

vg "$CRBENCH" report --out "$TMP/report" "$SRCDIR/tests/data/runs/degraded" >"$TMP/out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/vg.log"
is "$rc" 0 "crbench report of a degraded run under valgrind: no error, no leak"
ok "$([ -s "$TMP/report/report.json" ]; echo $?)" "and it wrote the report"
finish
