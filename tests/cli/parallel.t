#!/bin/sh
# crbench run --parallel on a terminal: two real guests (runc and runsc, one
# vCPU each, the env test alone) under TCG at the same time, the live status
# block redrawn on the terminal (a pty from script(1)), both harvested, the
# vCPUs of the two guests on disjoint host CPUs when pinned, nothing left.
# crbench itself runs under valgrind when it is installed: following,
# redrawing, harvesting and ending two guests at once with no memory error
# and no leak of crbench's own (exit 99 otherwise). About 1.5 minutes here.
# CRBENCH_E2E=0 skips it.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
if ! command -v script >/dev/null 2>&1; then
	echo "1..0 # SKIP script(1) (util-linux) is not installed"
	exit 0
fi
plan 7

env_plan parallel 7 >"$TMP/parallel.ini"
results=$TMP/results
mkdir -p "$results"
# tap.sh's valgrind command, spelled out: script(1) runs it in a shell of its own
vg=""
! command -v valgrind >/dev/null 2>&1 || vg=$VALGRIND
echo "# crbench run --parallel on a pty${vg:+, under valgrind} (TCG: a few minutes)" >&2
# script(1) gives the run a terminal on stdout and stderr and keeps what it drew
script -qec "$vg '$CRBENCH' run --plan '$TMP/parallel.ini' --results-dir '$results' --parallel" "$TMP/typescript" </dev/null >/dev/null
rc=$?
[ -z "$vg" ] || sed 's/^/# /' "$TMP/vg.log"
is "$rc" 0 "crbench run --parallel exits 0${vg:+ (under valgrind: no memory error, no leak)}"
run_dir=$(ls -d "$results"/*/ 2>/dev/null | head -1)
run_dir=${run_dir%/}
[ -n "$run_dir" ] || run_dir=$TMP/none
[ "$rc" = 0 ] || tail -c 3000 "$TMP/typescript" | tr '\033' '^' | sed 's/^/# /'

# What the terminal showed: the status block of both guests redrawn in place
# (cursor up 2, erase below), and at some point both guests running at once.
python3 - "$TMP/typescript" >"$TMP/tty" 2>&1 <<'EOF'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace").replace("\r\n", "\n")
frames = text.split("\x1b[2A\r\x1b[J")
if len(frames) < 3:
    print("# the status block was never redrawn (%d frames)" % len(frames)); sys.exit(1)
running = re.compile(r"^(runc|runsc) +\d+m\d\ds  ")
both = 0
for f in frames[1:]:
    lines = [l for l in f.split("\n") if running.match(l)]
    if {l.split()[0] for l in lines[:2]} == {"runc", "runsc"}:
        both += 1
if not both:
    print("# no redraw shows both guests running"); sys.exit(1)
print("# %d redraws, %d of them with both guests running" % (len(frames) - 1, both))
EOF
st=$?
cat "$TMP/tty"
ok $st "the terminal shows one status line per guest, redrawn in place, both guests running at once"

python3 - "$run_dir" >"$TMP/check" 2>&1 <<'EOF'
import glob, json, os, sys
run_dir = sys.argv[1]
run = json.load(open(os.path.join(run_dir, "run.json")))
guests = {g["name"]: g for g in run["guests"]}
def fail(m):
    print("# " + m); sys.exit(1)
if run["status"] != "complete" or sorted(guests) != ["runc", "runsc"]:
    fail("run %s, guests %s" % (run["status"], sorted(guests)))
if not run["plan"]["run"]["parallel"]:
    fail("run.json's plan does not say parallel")
for n, g in guests.items():
    d = os.path.join(run_dir, n, "results")
    envs = glob.glob(os.path.join(d, "[0-9][0-9][0-9][0-9]-env-r0.json"))
    if g["status"] != "complete" or len(envs) != 1 or json.load(open(envs[0]))["status"] != "ok":
        fail("guest %s: %s, env entries %s" % (n, g["status"], envs))
    if not os.path.exists(os.path.join(d, "MANIFEST.json")) or g["harvest"] != "verified":
        fail("guest %s: harvest %s" % (n, g["harvest"]))
# together, not one after another: the run took less than the guests' walls added up
total = sum(g["wall_seconds"] for g in guests.values())
if run["wall_seconds"] >= 0.85 * total:
    fail("run wall %.0f s, guests %.0f s together: not run at the same time" % (run["wall_seconds"], total))
print("# run wall %.0f s, the two guests' walls %.0f s together" % (run["wall_seconds"], total))
EOF
st=$?
cat "$TMP/check"
ok $st "both guests completed and were harvested, at the same time (run wall below the guests' walls added up)"

# pinning: with two host CPUs free, each guest's vCPU on its own CPU; without, the reason
python3 - "$run_dir" >"$TMP/check" 2>&1 <<'EOF'
import json, os, sys
run = json.load(open(os.path.join(sys.argv[1], "run.json")))
pins = [g.get("pinned_cpus") for g in run["guests"]]
if all(pins):
    flat = [c for p in pins for c in p]
    if len(flat) != len(set(flat)):
        print("# vCPUs share host CPUs: %s" % pins); sys.exit(1)
    print("# pinned: %s (%s)" % (pins, run["pinning"]))
elif not run["pinning"].startswith("not pinned"):
    print("# no pins and no reason: %r" % run["pinning"]); sys.exit(1)
else:
    print("# %s" % run["pinning"])
EOF
st=$?
cat "$TMP/check"
ok $st "the guests' vCPUs are pinned to disjoint host CPUs, or run.json says why not"

for n in runc runsc; do
	ok "$([ -s "$run_dir/$n/console.log" ]; echo $?)" "guest $n's console log is kept"
done
id=$(basename "$run_dir")
left=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c "crbench-$id" || true)
is "$left" 0 "no domain of the run is left"
finish
