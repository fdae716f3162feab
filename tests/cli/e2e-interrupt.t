#!/bin/sh
# crbench run killed mid-run (SIGTERM after the guest finished two steps):
# no domain is left, the run says it was interrupted, and the steps the guest
# finished are in the results directory, readable. Under TCG, a few minutes.
# CRBENCH_E2E=0 skips it, as it does tests/cli/e2e.t.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
plan 6

cat >"$TMP/interrupt.ini" <<EOF
[run]
name = interrupt
seed = 3
progress-timeout = 10m
[suite]
profile = smoke
tests = env, cpu-mem
repetitions = 6
warmup = 0
idle-seconds = 10s
container-memory = 512M
[guest runc]
image = debian-12
runtime = runc
vcpus = 2
memory = 2G
EOF

"$CRBENCH" run --plan "$TMP/interrupt.ini" --results-dir "$TMP/results" >"$TMP/run.out" 2>"$TMP/run.err" &
pid=$!
# wait (at most 20 minutes: a cold cache builds the images first) until the
# guest has finished two steps
wait_for "$TMP/run.err" ': ok in .*' 1200
wait_for "$TMP/run.err" '\[2/[0-9]+\] [a-z-]+: ok in ' 300
kill -TERM $pid
wait $pid
rc=$?
sed 's/^/# /' "$TMP/run.err"
is "$rc" 143 "crbench run exits 128 + SIGTERM"
run_dir=$(ls -d "$TMP"/results/interrupt-* 2>/dev/null | head -1)
id=$(basename "${run_dir:-none}")
left=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c "crbench-$id" || true)
is "$left" 0 "no domain of the run is left"
cache=${CRBENCH_CACHE_DIR:-/var/cache/crbench}
ok "$([ -n "$run_dir" ] && [ ! -e "$cache/runs/$id" ]; echo $?)" "no overlay or disk of the run is left in the cache"

python3 - "$run_dir" >"$TMP/check" 2>&1 <<'EOF'
import glob, json, os, sys
run_dir = sys.argv[1]
run = json.load(open(os.path.join(run_dir, "run.json")))
g = run["guests"][0]
print("run", run["status"], "guest", g["status"], g.get("reason"))
entries = sorted(glob.glob(os.path.join(run_dir, "runc", "results", "[0-9][0-9][0-9][0-9]-*.json")))
done = [json.load(open(e)) for e in entries]
print("entries", len(done), [d["step"] for d in done])
sys.exit(0 if run["status"] == "interrupted" and g["status"] == "interrupted" and len(done) >= 2
         and all(d["status"] == "ok" for d in done) and len(done) < g["steps_planned"] else 1)
EOF
st=$?
sed 's/^/# /' "$TMP/check"
ok $st "run.json says interrupted; the finished steps (at least two) are in the results, each a whole entry"
ok "$([ -s "$run_dir/runc/console.log" ]; echo $?)" "the console log is kept"
like "$(cat "$TMP/run.err")" "runc: interrupted" "the guest's line says interrupted"

finish
