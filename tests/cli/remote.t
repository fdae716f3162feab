#!/bin/sh
# crbench run on a libvirt host reached by upload, as on another host:
# --upload treats the local libvirtd as a remote one, with a transient
# directory pool in a temporary directory. The guest image with the suite's
# container images in its Docker store (made here, as for local guests),
# kernel and initrd go up once and stay cached in the pool; each run's
# payload, overlay and results volumes go when it ends; the results come
# back down and are harvested here. (A run killed with SIGKILL on a host
# reached by upload, reaped by the next run, and the cache reused there:
# hosts.t, whose second host is reached the same way.) One one-vCPU guest,
# env and boot (a container), under TCG: a few minutes. CRBENCH_E2E=0
# skips it.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
plan 12

uri=qemu:///system
pool=crbench-test-$$
mkdir -p "$TMP/pool"
chmod 711 "$TMP" # qemu runs as its own user, and reaches the volumes through it
virsh -q -c $uri pool-create-as "$pool" dir --target "$TMP/pool" >/dev/null || {
	echo "1..0 # SKIP cannot create a transient pool"
	exit 0
}
trap 'virsh -q -c $uri pool-destroy "$pool" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

{
	plan_head remote 5 "env, boot"
	plan_guest runc runc
} >"$TMP/remote.ini"

vols() { virsh -q -c $uri vol-list "$pool" 2>/dev/null | awk '{ print $1 }'; }
domains() { virsh -q -c $uri list --all --name 2>/dev/null | grep -c "crbench-$1" || true; }

# a pool that is not there: the preflight names it, and how to make one
run "$CRBENCH" check --upload --pool "nopool-$$"
is "$rc" 1 "crbench check --upload with a missing pool exits 1"
like "$out" "^FAIL storage pool: no storage pool 'nopool-$$' on the libvirt host.*fix: .*virsh pool-define-as nopool-$$ dir" \
	"it names the pool and the virsh commands that make it"
run "$CRBENCH" run --upload --pool "nopool-$$" --plan "$TMP/remote.ini" --results-dir "$TMP/results"
is "$rc" 1 "crbench run refuses it in its preflight"
run "$CRBENCH" check --upload --pool "$pool" --plan "$TMP/remote.ini"
like "$out" "^PASS docker store: the suite's container images go into each guest image's Docker store here .* the guests \(runc\) do not load them" \
	"crbench check says the guest's Docker store is made here, not loaded at boot"

# a whole run
"$CRBENCH" run --upload --pool "$pool" --plan "$TMP/remote.ini" --results-dir "$TMP/results" >"$TMP/a.out" 2>"$TMP/a.err"
rc=$?
sed 's/^/# /' "$TMP/a.err"
is "$rc" 0 "crbench run --upload exits 0"
run_a=$(ls -d "$TMP"/results/remote-* 2>/dev/null | head -1)
id_a=$(basename "${run_a:-none}")
like "$(cat "$TMP/a.err")" "uploading '.*/images/store-[0-9a-f]+/disk.qcow2' .* to pool '$pool'" \
	"the guest image with the container images in its Docker store went up"
is "$(vols | grep -c '^crbench-containers-')" 0 "the container images disk did not: no guest loads from it"
python3 - "$run_a" "$pool" >"$TMP/check" 2>&1 <<'EOF'
import glob, json, os, sys
run_dir, pool = sys.argv[1:3]
run = json.load(open(os.path.join(run_dir, "run.json")))
g = run["guests"][0]
results = os.path.join(run_dir, "runc", "results")
entries = glob.glob(os.path.join(results, "[0-9][0-9][0-9][0-9]-*.json"))
images = json.load(open(os.path.join(results, "images.json")))
print("run", run["status"], "guest", g["status"], g.get("reason"), "entries", len(entries), "of", g["steps_planned"],
      "ok", g["steps_ok"], "remote", run.get("remote"), "store", g["docker_store"], "images", images.get("mode"))
sys.exit(0 if run["status"] == "complete" and g["status"] == "complete" and g["harvest"] == "verified"
         and len(entries) == g["steps_planned"] == g["steps_ok"] >= 2 and run["remote"]["pool"] == pool
         and run["remote"]["cpus"] >= 1 and g["docker_store"] and images["mode"] == "store" else 1)
EOF
st=$?
sed 's/^/# /' "$TMP/check"
ok $st "the guest completed, its results came down verified, run.json names the pool and the store it booted on"
like "$(head -3 "$run_a/runc/console.log" 2>/dev/null)" "Linux version" "the console log, read through libvirt, starts at the kernel's first line"
is "$(vols | grep -c "$id_a")" 0 "none of the run's volumes is left in the pool"
is "$(vols | grep -c -- '-disk.qcow2.ok$')" 1 "the base image stays cached in the pool, marked complete"
is "$(domains "$id_a")" 0 "no domain of the run is left"

finish
