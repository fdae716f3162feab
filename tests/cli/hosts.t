#!/bin/sh
# One plan's guests on two libvirt hosts at once: guest a on qemu:///system
# (its disks files here), guest b on a second libvirtd, the session daemon
# of an unprivileged user started for the test, reached through its socket
# (qemu+unix:///session?socket=...) with upload = yes, as another host is.
# The plan runs its guests one after another, yet a and b run at the same
# time, each host its own. Three runs: one killed with SIGKILL once both
# guests finished a step; then one with a third guest on a host that cannot
# be reached, which fails that guest only, while the dead run is reaped on
# both hosts and the second host's cache is reused (every guest of that
# plan names its host, so the run's own, --connect, is not used and need
# not answer); then one ended by Ctrl-C
# (SIGINT), whose guests are destroyed and harvested on both hosts. One
# one-vCPU guest per host,
# env and cpu-mem only, under TCG: a few minutes. CRBENCH_E2E=0 skips it.
. "$(dirname "$0")/tap.sh"

e2e_or_skip
second_host >"$TMP/why" || {
	echo "1..0 # SKIP $(cat "$TMP/why")"
	exit 0
}
plan 24

# write_plan FILE IDLE [URI]: guests a here, b on the second host, c (with
# URI) on a third, a then naming its host too; cpu-mem's idle baseline
# IDLE long
write_plan() {
	{
		plan_head hosts 7 "env, cpu-mem" | sed "s/^idle-seconds = .*/idle-seconds = $2/"
		plan_guest a runc ${3:+"connect = qemu:///system"}
		plan_guest b runc "connect = $uri2" "upload = yes"
		[ -z "$3" ] || plan_guest c runc "connect = $3" "upload = yes"
	} >"$1"
}
# The signalled runs' guests are still in cpu-mem when the signal comes:
# its 10 minutes outlast any lag between the two hosts' first steps (under
# CI's load one guest came to it so much later that the other had already
# finished both steps).
write_plan "$TMP/hosts.ini" 10m
nowhere="qemu+unix:///session?socket=$TMP/nowhere/libvirt-sock"
write_plan "$TMP/three.ini" 10s "$nowhere"
elsewhere="qemu+unix:///session?socket=$TMP/elsewhere/libvirt-sock" # the run's host for three.ini: not there

vols() { virsh -q -c "$uri2" vol-list default 2>/dev/null | awk '{ print $1 }'; }
domains() { # domains RUN-ID: on both hosts
	{
		virsh -q -c qemu:///system list --all --name
		virsh -q -c "$uri2" list --all --name
	} 2>/dev/null | grep -c "crbench-$1" || true
}

# the preflight checks each host in a block of its own
run "$CRBENCH" check --connect "$elsewhere" --plan "$TMP/three.ini"
like "$out" "^libvirt host qemu\+unix:///session\?socket=$h2/rt/libvirt/libvirt-sock, pool default, for \[guest b\]:" \
	"crbench check has a block for the second host, naming its guest"
like "$out" "^PASS storage pool: pool 'default' on " "it checks the second host's pool"
like "$out" "^WARN libvirt: .*its guests \(c\) will fail, the other hosts' guests run" \
	"a host that cannot be reached is a warning naming its guests"
like "$out" "^PASS libvirt: qemu\+unix:///session\?socket=$TMP/elsewhere/libvirt-sock: not used: no guest of the plan runs on it" \
	"the run's host, where no guest runs, is not checked"

# signalled_run SIGNAL NAME: a run of hosts.ini into $TMP/NAME, sent SIGNAL once
# both guests finished a step; its stderr in $TMP/NAME.err, its exit status in $rc
signalled_run() {
	signal_after "$1" "$TMP/$2.out" "$TMP/$2.err" '^a: \[1/2\] env: ok in ' 900 '^b: \[1/2\] env: ok in ' 300 \
		"$CRBENCH" run --plan "$TMP/hosts.ini" --results-dir "$TMP/$2"
}

# a run killed with SIGKILL once both guests finished a step
signalled_run KILL killed
run_a=$(ls -d "$TMP"/killed/hosts-* 2>/dev/null | head -1)
id_a=$(basename "${run_a:-none}")
like "$(cat "$TMP/killed.err")" "uploading '.*/disk.qcow2' .* to pool 'default' on " "the base image went up to the second host"
is "$(domains "$id_a")" 2 "the killed run left a domain on each host"
ok "$([ "$(vols | grep -c "$id_a")" -ge 3 ]; echo $?)" "and its payload, overlay and results volumes on the second host"

# the next run: a third guest on a host that cannot be reached; the dead run reaped on both hosts
"$CRBENCH" run --connect "$elsewhere" --plan "$TMP/three.ini" --results-dir "$TMP/results" >"$TMP/b.out" 2>"$TMP/b.err"
rc=$?
sed 's/^/# /' "$TMP/b.err"
is "$rc" 1 "a run with a guest on a host that cannot be reached exits 1"
run_b=$(ls -d "$TMP"/results/hosts-* 2>/dev/null | head -1)
id_b=$(basename "${run_b:-none}")
ok "$(! grep -q uploading "$TMP/b.err"; echo $?)" "it uploads nothing but its payload: the second host's cache is reused"
python3 - "$run_b" "$uri2" >"$TMP/check" 2>&1 <<'EOF'
import glob, json, os, sys
run_dir, uri2 = sys.argv[1:3]
run = json.load(open(os.path.join(run_dir, "run.json")))
bad = []
for g in run["guests"]:
    entries = glob.glob(os.path.join(run_dir, g["name"], "results", "[0-9][0-9][0-9][0-9]-*.json"))
    print(g["name"], g["status"], g.get("reason"), g["harvest"], len(entries), json.dumps(g["host"]))
    if g["name"] != "c" and (g["status"] != "complete" or g["harvest"] != "verified" or len(entries) != 2):
        bad.append(g["name"])
a, b, c = run["guests"]
if run["status"] != "partial" or c["status"] != "failed" or "cannot reach libvirt host" not in (c["reason"] or ""):
    bad.append("c")
if a["host"]["uri"] != "qemu:///system" or a["host"]["remote"] is not None or a["docker_store"] is not None:
    bad.append("a's host")
# the run's host was not used: run.json's top level describes a's
if run["host"]["libvirt_version"] != a["host"]["libvirt_version"] or run["remote"] is not None:
    bad.append("the run's host")
if b["host"]["uri"] != uri2 or b["host"]["remote"]["pool"] != "default" or not b["host"]["cpus"] or not b["host"]["qemu_version"]:
    bad.append("b's host")
# the two daemons are one machine: their guests, running together, are not pinned to the same CPUs
if a["pinned_cpus"] and b["pinned_cpus"] and set(a["pinned_cpus"]) & set(b["pinned_cpus"]):
    bad.append("pinning")
print("pinned:", a["pinned_cpus"], b["pinned_cpus"], "bad:", bad)
sys.exit(1 if bad else 0)
EOF
st=$?
sed 's/^/# /' "$TMP/check"
ok $st "a and b completed and were harvested, on CPUs of their own, run.json names each one's host; c failed, saying why; the unused run's host did not stop it"
# one after another in the plan, but on different hosts: b started before a ended
started_b=$(grep -n '^b: started' "$TMP/b.err" | head -1 | cut -d: -f1)
ended_a=$(grep -n '^a: complete' "$TMP/b.err" | head -1 | cut -d: -f1)
ok "$([ -n "$started_b" ] && [ -n "$ended_a" ] && [ "$started_b" -lt "$ended_a" ]; echo $?)" \
	"guests on different hosts ran at the same time (b started on line ${started_b:-?}, a ended on line ${ended_a:-?})"
"$CRBENCH" check --json --connect "$elsewhere" --plan "$TMP/three.ini" >"$TMP/check.json" 2>/dev/null
python3 "$SRCDIR/tests/cli/schema-check.py" run "$run_b/run.json" run "$run_a/run.json" check "$TMP/check.json" >"$TMP/schema" 2>&1
st=$?
sed 's/^/# /' "$TMP/schema"
ok $st "both runs' run.json, and crbench check --json of the plan, match their schemas"
is "$(python3 -c 'import json, sys; print([h["used"] for h in json.load(open(sys.argv[1]))["hosts"]])' "$TMP/check.json" 2>&1)" \
	"[False, True, True, True]" "crbench check --json says the run's host is not used"
like "$(head -3 "$run_b/b/console.log" 2>/dev/null)" "Linux version" "b's console came through the second host's libvirt"
is "$(domains "$id_a")" 0 "the killed run's domains were destroyed on both hosts"
like "$(cat "$TMP/b.err")" "deleted volume 'crbench-$id_a-b-results.raw' left by run $id_a" "its volumes on the second host were deleted"
n=$(ls "$run_a"/b/results/[0-9][0-9][0-9][0-9]-*.json 2>/dev/null | wc -l)
ok "$([ "$n" -ge 1 ]; echo $?)" "the killed run's finished steps on the second host came down into its results ($n)"

# Ctrl-C once both guests finished a step: both destroyed, each host's finished steps harvested
signalled_run INT int
is "$rc" 130 "Ctrl-C ends a run on two hosts with 130"
run_c=$(ls -d "$TMP"/int/hosts-* 2>/dev/null | head -1)
python3 - "${run_c:-none}" >"$TMP/check" 2>&1 <<'EOF'
import glob, json, os, sys
run = json.load(open(os.path.join(sys.argv[1], "run.json")))
bad = []
for g in run["guests"]:
    entries = glob.glob(os.path.join(sys.argv[1], g["name"], "results", "[0-9][0-9][0-9][0-9]-env-r0.json"))
    print(g["name"], g["status"], g.get("reason"), g["harvest"], len(entries))
    if g["status"] != "interrupted" or "SIGINT" not in (g.get("reason") or "") or len(entries) != 1:
        bad.append(g["name"])
sys.exit(1 if bad or run["status"] != "interrupted" else 0)
EOF
st=$?
sed 's/^/# /' "$TMP/check"
ok $st "both guests are recorded as interrupted by SIGINT, each with its finished step harvested from its own host"
is "$(domains "$(basename "${run_c:-none}")")" 0 "the interrupted run left no domain on either host"
is "$(vols | grep -c 'crbench-hosts-')" 0 "no run's volume is left on the second host"
is "$(vols | grep -c -- '-disk.qcow2.ok$')" 1 "the base image stays cached there"
is "$(domains hosts-)" 0 "no domain of either run is left on either host"
is "$(ls "${CRBENCH_CACHE_DIR:-/var/cache/crbench}/runs" 2>/dev/null | grep -c 'hosts-')" 0 "nor their temporary directories"

finish
