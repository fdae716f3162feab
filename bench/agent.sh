#!/bin/sh
# The agent's targets, checked on a run directory that crbench run wrote:
#
#   peak RSS at most 8 MiB (the runner and every step's child, as the agent
#   measured them itself, summary.json's agent.max_rss_kib);
#   its own CPU time at most 1% of the suite's wall time (agent.cpu_fraction,
#   image loading included; agent.steps_cpu_fraction, the steps alone);
#   the agent's trivial container (create + start + wait + remove through the
#   Docker API) not slower than `docker run --rm` of the same container timed
#   from outside in the same guest (median of the measured rounds).
#
# usage: bench/agent.sh RUN_DIR   (for example build/e2e/smoke-...; exit 1 if a target is missed)
set -eu
[ $# -eq 1 ] && [ -f "$1/run.json" ] || {
	echo "usage: bench/agent.sh RUN_DIR (a directory with run.json, as crbench run writes)" >&2
	exit 2
}
exec python3 - "$1" <<'EOF'
import glob, json, os, statistics, sys

run = sys.argv[1]
guests = json.load(open(os.path.join(run, "run.json")))["guests"]
missed = 0

def verdict(ok):
    global missed
    missed += not ok
    return "ok" if ok else "MISSED"

for g in guests:
    name = g["name"]
    res = os.path.join(run, name, "results")
    try:
        summary = json.load(open(os.path.join(res, "summary.json")))
    except (OSError, ValueError) as e:
        print(f"{name}: no summary.json ({e}): the agent did not finish; nothing to check")
        continue
    ag = summary.get("agent", {})
    if "runner_max_rss_kib" not in ag:
        print(f"{name}: summary.json predates the per-step accounting (agent {summary.get('agent_version')}); skipped")
        continue
    rss = ag["max_rss_kib"]
    print(f"{name}: peak RSS {rss} KiB (runner {ag['runner_max_rss_kib']} KiB), target 8192 KiB: {verdict(rss <= 8192)}")
    frac, steps_frac = ag["cpu_fraction"], ag["steps_cpu_fraction"]
    print(f"{name}: CPU {ag['cpu_seconds']:.2f} s of {summary['wall_seconds']:.0f} s wall = {100 * frac:.2f}% "
          f"(steps alone {100 * steps_frac:.2f}%), target 1%: {verdict(frac <= 0.01)}"
          + (f"; {ag['steps_unaccounted']} step(s) killed before they could report" if ag["steps_unaccounted"] else ""))
    api, cli = [], []
    for f in sorted(glob.glob(os.path.join(res, "[0-9][0-9][0-9][0-9]-boot-r*.json"))):
        e = json.load(open(f))
        if e.get("warmup") or e.get("status") != "ok":
            continue
        d = e["data"]
        if "api_run_seconds" in d.get("trivial", {}) and "run_seconds" in d.get("docker_cli", {}):
            api.append(d["trivial"]["api_run_seconds"])
            cli.append(d["docker_cli"]["run_seconds"])
    if not api:
        print(f"{name}: no measured boot round with both timings; the overhead target is not checked")
        continue
    ma, mc = statistics.median(api), statistics.median(cli)
    print(f"{name}: trivial container through the API {ma:.3f} s, docker run --rm {mc:.3f} s "
          f"(median of {len(api)}): {verdict(ma <= mc)}")
sys.exit(1 if missed else 0)
EOF
