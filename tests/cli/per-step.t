#!/bin/sh
# [run] boot = per-step: a fresh overlay and boot for each step, as Kumar &
# Thangaraju rebooted before each test. A real run under TCG of one runc
# guest and a schedule of two steps (env, then a cpu-mem round): two
# boots, each step's entry harvested from its own disk into the guest's
# results/, each boot's console and harvest kept in boots/NNNN/, run.json
# saying how it booted, nothing left. The guest is nested (its runtime does
# not need it): this is the boot that shows Debian's kernel on the CPU
# crbench gives a nested guest under TCG. About 1.5 minutes. CRBENCH_E2E=0
# skips it.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
plan 10

cat >"$TMP/per-step.ini" <<EOT
[run]
name = per-step
seed = 11
timeout = 20m
progress-timeout = 5m
boot = per-step
[suite]
profile = smoke
tests = env, cpu-mem
repetitions = 1
warmup = 0
idle-seconds = 2s
container-memory = 256M
[guest runc]
image = debian-12
runtime = runc
nested = yes
vcpus = 1
memory = 1G
EOT
results=$TMP/results
echo "# crbench run, a boot per step (TCG: about 1.5 minutes)" >&2
"$CRBENCH" run --plan "$TMP/per-step.ini" --results-dir "$results" >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/err"
is "$rc" 0 "the run exits 0"
dir=$(ls -d "$results"/per-step-* 2>/dev/null | head -1)
[ -n "$dir" ] || dir=$TMP/none
[ -f "$dir/run.json" ] || echo "no run directory" >"$TMP/check"
[ ! -f "$dir/run.json" ] || python3 - "$dir" >"$TMP/check" 2>&1 <<'EOT'
import glob, json, os, sys
d = sys.argv[1]
run = json.load(open(os.path.join(d, "run.json")))
g = run["guests"][0]
print("plan-boot", run["plan"]["run"]["boot"])
print("status", g["status"], g.get("reason"))
print("boots", g["boots"])
print("steps", g["steps_planned"], g["steps_harvested"], g["steps_ok"])
entries = sorted(os.path.basename(p) for p in glob.glob(os.path.join(d, "runc", "results", "[0-9][0-9][0-9][0-9]-*.json")))
print("entries", " ".join(e.split("-")[0] for e in entries))
boots = sorted(os.listdir(os.path.join(d, "runc", "boots")))
print("boot-dirs", " ".join(boots))
ok = all(json.load(open(os.path.join(d, "runc", "boots", b, "harvest.json")))["status"] == "verified" for b in boots)
ok = ok and all(os.path.getsize(os.path.join(d, "runc", "boots", b, "console.log")) > 0 for b in boots)
print("each-boot-verified", ok)
EOT
sed 's/^/# /' "$TMP/check"
like "$(cat "$TMP/check")" "plan-boot per-step" "run.json's plan says boot = per-step"
like "$(cat "$TMP/check")" "status complete None" "the guest completed"
like "$(cat "$TMP/check")" "boots 2" "it booted once per step"
like "$(cat "$TMP/check")" "steps 2 2 2" "every planned step was harvested, ok"
like "$(cat "$TMP/check")" "entries 0001 0002" "each step's entry is in results/, with its schedule number"
like "$(cat "$TMP/check")" "boot-dirs 0001 0002" "each boot has its directory"
like "$(cat "$TMP/check")" "each-boot-verified True" "each boot's disk harvested verified, its console kept"
python3 "$SRCDIR/tests/cli/cpu-check.py" "$dir" >"$TMP/cpu" 2>&1
st=$?
cat "$TMP/cpu"
ok $st "the nested guest's CPU, as its env entry read it, has svm, npt, what kata-check needs, and /dev/kvm"
id=$(basename "$dir")
is "$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c "crbench-$id" || true) $(ls -d "${CRBENCH_CACHE_DIR:-/var/cache/crbench}/runs/$id" 2>/dev/null | wc -l)" "0 0" \
	"no domain or cache directory left"
finish
