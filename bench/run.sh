#!/bin/sh
# crbench run's targets, measured on this host with a cached debian-12 image:
#
#   provisioning a guest (payload disk, overlay, results disk, domain
#   started) under 2 s;
#   harvest of a full results disk under 0.5 s;
#   boot to agent start at most 1.1x a plain boot of the same image to
#   docker.service (crbench boot: no payload, no results disk);
#   domain start to the first measured step at most 60 s under TCG (the
#   suite's images preloaded into the image's Docker store: none loaded);
#   orchestration overhead and its share of the run reported; and the same
#   share in each RUN_DIR given, a whole plan's run such as make run's
#   default plan (without one: the recorded TCG run of the default plan,
#   tests/data/runs/tcg-default, made before the Docker store).
#
# usage: bench/run.sh [RUNTIME [RUN_DIR...]]   (from the source tree, as root; default runc)
# A one-guest run of the env and boot tests; about 3 minutes under TCG
# (plus about 2 to make the Docker store when the cache lacks it).
set -eu
runtime=${1:-runc}
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$top/tests/data/runs/tcg-default"
for d in "$@"; do
	[ -f "$d/run.json" ] || {
		echo "bench/run.sh: '$d' is no run directory (no run.json)" >&2
		exit 2
	}
done
crbench=${CRBENCH:-$top/build/crbench}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/crbench-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/bench.ini" <<EOF
[run]
name = bench
seed = 1
[suite]
profile = smoke
tests = env, boot
repetitions = 1
warmup = 0
[guest $runtime]
image = debian-12
runtime = $runtime
vcpus = 2
memory = 2G
EOF

echo "bench/run.sh: one $runtime guest, the env and boot tests; work in $work"
"$crbench" run --plan "$work/bench.ini" --results-dir "$work/results" --keep >"$work/run.out" 2>"$work/run.err" || {
	cat "$work/run.err" >&2
	exit 1
}
run_dir=$(ls -d "$work"/results/bench-*)
kept=$(sed -n "s/^crbench run: kept the run's disks in '\(.*\)'$/\1/p" "$work/run.err")
disk=$kept/$runtime/results.raw

# the harvest alone, from the kept results disk, three times: the best
best=""
for i in 1 2 3; do
	rm -rf "$work/h"
	t0=$(date +%s.%N)
	"$crbench" harvest --out "$work/h" "$disk" >/dev/null
	t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	best=$(awk -v a="$t" -v b="${best:-999}" 'BEGIN { print (a < b ? a : b) }')
done
disk_size=$(stat -c %s "$disk")
rm -rf "$kept"

# a results disk of a paper-sized suite (16 rounds of every step), written by
# Python's tarfile from the step entries of a real default run (the report
# test's recorded run): what harvesting a full disk costs
from=$top/tests/data/runs/tcg-default/runc/results
python3 - "$from" "$work/full.raw" <<'PY'
import hashlib, io, json, os, sys, tarfile
src, out = sys.argv[1:3]
steps = sorted(f for f in os.listdir(src) if f[:4].isdigit() and "-env-" not in f)
names = [f for f in os.listdir(src) if "-env-" in f] + ["images.json"]
entries, i = [], 1
with open(out, "wb") as raw:
    t = tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT)
    def add(name, data):
        info = tarfile.TarInfo("crbench-results/" + name)
        info.size, info.mode = len(data), 0o644
        t.addfile(info, io.BytesIO(data))
        entries.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    for n in names:
        add(n, open(os.path.join(src, n), "rb").read())
    for rnd in range(16):
        for f in steps:
            i += 1
            add("%04d-%s-r%d.json" % (i, f[5:].rsplit("-r", 1)[0], rnd), open(os.path.join(src, f), "rb").read())
    add("summary.json", open(os.path.join(src, "summary.json"), "rb").read())
    man = json.dumps({"format": "crbench-results", "version": 1, "entries": entries}).encode()
    info = tarfile.TarInfo("crbench-results/MANIFEST.json")
    info.size, info.mode = len(man), 0o644
    t.addfile(info, io.BytesIO(man))
    t.close()
    raw.truncate(256 << 20)
print(len(entries) + 1, "entries")
PY
full_entries=$(tar tf "$work/full.raw" 2>/dev/null | wc -l)
full=""
for i in 1 2 3; do
	rm -rf "$work/h"
	t0=$(date +%s.%N)
	"$crbench" harvest --out "$work/h" "$work/full.raw" >"$work/harvest.out" || { cat "$work/harvest.out" >&2; exit 1; }
	t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	full=$(awk -v a="$t" -v b="${full:-999}" 'BEGIN { print (a < b ? a : b) }')
done

# a plain boot of the same image, same vCPUs and memory
"$crbench" boot --image debian-12 --vcpus 2 --memory 2G >"$work/boot.out" 2>&1 || {
	cat "$work/boot.out" >&2
	exit 1
}
plain=$(sed -n 's/.*agent unit started at guest uptime \([0-9.]*\) s.*/\1/p' "$work/boot.out" | head -1)
[ -n "$plain" ] || plain=$(grep -o 'uptime [0-9.]*' "$work/boot.out" | head -1 | awk '{ print $2 }')

python3 - "$run_dir/run.json" "$best" "$disk_size" "$plain" "$full" "$full_entries" "$@" <<'EOF'
import json, os, sys
run = json.load(open(sys.argv[1]))
summary = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), run["guests"][0]["name"], "results", "summary.json")))
harvest, disk_size, plain = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
full, full_entries = float(sys.argv[5]), int(sys.argv[6])
g = run["guests"][0]
prov = g["provision_seconds"] + run["payload_seconds"]
ratio = g["agent_unit_uptime"] / plain
to_step = summary["wall_seconds"] - summary["steps_wall_seconds"]
first = g["boot_seconds"] + to_step
st = g.get("docker_store")
store = "no Docker store" if not st else "Docker store made by this run in %.0f s" % st["seconds"] if st["made"] else "Docker store cached"
rows = [
    ("provisioning (payload %.2f s + overlay, results disk, domain %.2f s)" % (run["payload_seconds"], g["provision_seconds"]),
     "%.2f s" % prov, "< 2 s", prov < 2),
    ("harvest of this run's %d MiB results disk (%d step entries)" % (disk_size >> 20, g["steps_harvested"]),
     "%.3f s" % harvest, "< 0.5 s", harvest < 0.5),
    ("harvest of a full 256 MiB results disk (%d entries, a paper-sized suite)" % full_entries,
     "%.3f s" % full, "< 0.5 s", full < 0.5),
    ("boot to agent start: run %.1f s / plain boot %.1f s (guest uptime)" % (g["agent_unit_uptime"], plain),
     "%.2fx" % ratio, "<= 1.1x", ratio <= 1.1),
    ("domain start to agent start (run.json boot_seconds)", "%.1f s" % g["boot_seconds"], "reported", g["boot_seconds"] > 0),
    ("agent start to first step (the agent's wall time less its steps')", "%.1f s" % to_step, "reported", to_step >= 0),
    ("domain start to the first measured step (%s)" % store, "%.1f s" % first, "<= 60 s", first <= 60),
    ("guest overhead (wall - measured) and its share of the guest's wall time",
     "%.1f s, %.0f%%" % (g["overhead_seconds"], 100 * g["overhead_seconds"] / g["wall_seconds"]), "reported", g["overhead_seconds"] > 0),
    ("orchestration overhead in run.json", "%.1f s of %.1f s" % (run["overhead_seconds"], run["wall_seconds"]),
     "reported", run["overhead_seconds"] > 0),
]
bad = 0
for what, got, target, good in rows:
    print("%-78s %16s  %-8s %s" % (what, got, target, "ok" if good else "MISSED"))
    bad += not good
print("accelerator: %s; host: %s, %d CPUs" % (run["accel"], run["host"]["cpu_model"], run["host"]["cpus"]))
for d in sys.argv[7:]:
    other = json.load(open(os.path.join(d, "run.json")))
    stores = [gg["name"] for gg in other["guests"] if gg.get("docker_store")]
    print("\nthe overhead (wall - measured) of run %s, %s, %s:" % (other.get("run_id") or d, other["accel"],
          "guests on a Docker store: " + ", ".join(stores) if stores else "no Docker store (guests loaded the images at boot)"))
    for gg in other["guests"]:
        if gg.get("wall_seconds"):
            print("  %-10s %8.1f s of %8.1f s  %5.1f%%" % (gg["name"], gg["overhead_seconds"], gg["wall_seconds"],
                                                         100 * gg["overhead_seconds"] / gg["wall_seconds"]))
    print("  %-10s %8.1f s of %8.1f s  %5.1f%%" % ("the run", other["overhead_seconds"], other["wall_seconds"],
                                                 100 * other["overhead_seconds"] / other["wall_seconds"]))
sys.exit(1 if bad else 0)
EOF
