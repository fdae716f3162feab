#!/usr/bin/env python3
"""Writes the run directories under tests/data/runs/ that the report and compare tests read.

These are synthetic: no KVM host with Kata was available to record a real
run. The documents follow docs/run-format.md field for field; the samples are
drawn from seeded normal distributions around plausible KVM-host values (boot
near the RunC/Kata paper's 0.633 s and 3.707 s, Bonnie++ -b rates, Docker
network drivers), so the statistics have something realistic to chew on.
Run it again to regenerate them byte for byte: python3 make-runs.py

Each run directory has what crbench run writes today: run.json (the manifest
of host/lib/session.c, with the host of cr_host_json and the plan of
cr_plan_to_json, [run] boot = once), plan.ini, and per guest harvest.json
(cr_harvest_report_json) and results/ with images.json, runtime.json, the
step entries, summary.json and MANIFEST.json, as the agent writes them. The
step entries' values come from the random.Random(seed) of make_run and must
not change (the report tests compare statistics computed from them); every
other document's numbers (guest and run times, the agent's footprint, image
loading) come from a second generator seeded by name, so they can change
without touching a step entry. They are consistent with the entries: a
guest's measured_seconds is the sum of its entries' seconds, its
wall_seconds holds provisioning, boot, the agent's wall time and harvest, the
run's wall_seconds the guests' one after the other (parallel = no); harvest.json
and MANIFEST.json give the sizes and SHA-256 of the files written. A SHA-256
of something that was never made (the guest image's disk) is that of a
sentence saying so (synthetic_sha256).
"""
import datetime
import hashlib
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
PAIRS = ["bridge-bridge", "host-bridge", "macvlan-macvlan", "overlay-overlay"]
LOADS = ["idle", "stress"]
TESTS = ["boot", "disk", "cpu-mem", "net-io", "net-matrix"]
HZ = 100

# per runtime: boot httpd first 200 (s), trivial start (s), bonnie rates (K/s, /s),
# bandwidth per pair (Gbit/s idle), latency per pair (us idle)
PROFILES = {
    "runc": dict(boot=0.71, start=0.32, out=905000, inp=3510000, seeks=9100,
                 bw=dict(zip(PAIRS, [24.0, 27.5, 29.0, 7.9])),
                 lat=dict(zip(PAIRS, [26.0, 21.0, 19.5, 48.0]))),
    "crun": dict(boot=0.66, start=0.27, out=912000, inp=3490000, seeks=9200,
                 bw=dict(zip(PAIRS, [24.4, 27.1, 29.3, 8.0])),
                 lat=dict(zip(PAIRS, [25.5, 21.2, 19.1, 47.1]))),
    "runsc": dict(boot=1.18, start=0.61, out=298000, inp=1190000, seeks=4100,
                  bw=dict(zip(PAIRS, [5.1, 6.2, 5.6, 2.1])),
                  lat=dict(zip(PAIRS, [81.0, 64.0, 70.0, 122.0]))),
    "kata": dict(boot=3.52, start=1.90, out=688000, inp=2480000, seeks=7400,
                 bw=dict(zip(PAIRS, [11.8, None, 13.1, 4.4])),
                 lat=dict(zip(PAIRS, [58.0, None, 51.0, 97.0]))),
}


def gauss(rng, mean, cv):
    return max(mean * 0.05, rng.gauss(mean, mean * cv))


def cpu_times(rng, seconds, split):
    total = max(1, int(seconds * 2 * HZ))
    user, system, iowait = (int(total * f * rng.uniform(0.8, 1.2)) for f in split)
    nice, irq, softirq = 0, int(total * 0.002), int(total * 0.004)
    idle = max(0, total - user - system - iowait - irq - softirq)
    return {"user": user, "nice": nice, "system": system, "idle": idle, "iowait": iowait, "irq": irq,
            "softirq": softirq, "steal": 0, "ticks_per_second": HZ}


def memory(rng, runtime):
    total = 4 * 1024 ** 3 - 160 * 1024 ** 2
    used = int({"runc": 610, "crun": 605, "runsc": 700, "kata": 1180}[runtime] * 1024 ** 2 * rng.uniform(0.97, 1.03))
    buffers = int(41 * 1024 ** 2 * rng.uniform(0.9, 1.1))
    cached = int(1450 * 1024 ** 2 * rng.uniform(0.95, 1.05))
    free = total - used - buffers - cached
    return {"total": total, "free": free, "available": free + cached, "buffers": buffers, "cached": cached,
            "active": int(used * 0.9 + cached * 0.4), "inactive": int(cached * 0.55), "used": used}


def net_io(rng, page_bytes):
    # the fetch crosses docker0 and the container's veth: both count it
    req = int(rng.uniform(70, 80))
    resp = page_bytes + 240
    eth = {"bytes_recv": int(rng.uniform(0, 180)), "packets_recv": rng.randint(0, 2), "bytes_sent": 0, "packets_sent": 0}
    d0 = {"bytes_sent": req + 200, "bytes_recv": resp + 200, "packets_sent": 6, "packets_recv": 5}
    veth = {"bytes_sent": resp + 200, "bytes_recv": req + 200, "packets_sent": 5, "packets_recv": 6}
    return {"lo": {"bytes_sent": 0, "bytes_recv": 0, "packets_sent": 0, "packets_recv": 0},
            "enp1s0": eth, "docker0": d0, "vethc2b1a7e": veth}


def system(rng, runtime, seconds, split):
    return {"cpu_times": cpu_times(rng, seconds, split), "net_io": {}, "memory": memory(rng, runtime)}


def step_data(rng, runtime, step):
    p = PROFILES[runtime]
    if step == "boot":
        first = gauss(rng, p["boot"], 0.06)
        create = first * 0.18
        start = first * 0.55
        return {"httpd": {"create_seconds": round(create, 6), "start_seconds": round(start, 6),
                          "first_200_seconds": round(first, 6), "attempts": rng.randint(2, 9),
                          "remove_seconds": round(gauss(rng, 0.2, 0.1), 6)},
                "trivial": {"create_seconds": round(gauss(rng, 0.09, 0.1), 6),
                            "start_seconds": round(gauss(rng, p["start"], 0.08), 6),
                            "wait_seconds": round(gauss(rng, 0.02, 0.2), 6),
                            "remove_seconds": round(gauss(rng, 0.15, 0.1), 6)}}, first + 0.6
    if step == "disk":
        out, inp, seeks = (round(gauss(rng, p[k], 0.05)) for k in ("out", "inp", "seeks"))
        d = {"tool": "bonnie++", "version": "2.00a", "size_bytes": 2147483648,
             "block_out_kps": out, "block_out_cpu": rng.randint(40, 60), "rewrite_kps": round(out * 0.45),
             "rewrite_cpu": rng.randint(30, 45), "block_in_kps": inp, "block_in_cpu": rng.randint(90, 99),
             "seeks_per_second": seeks, "seeks_cpu": rng.randint(20, 60), "not_measured": {}}
        d["raw"] = ("2.00a,2.00a,guest,1,1764000000,2G,,8192,5,,,%d,%d,%d,%d,,,%d,%d,%d,%d,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
                    % (out, d["block_out_cpu"], d["rewrite_kps"], d["rewrite_cpu"], inp, d["block_in_cpu"], seeks,
                       d["seeks_cpu"]))
        return d, 2147483648 / 1024 / out + 2147483648 / 1024 / inp + 40
    if step == "cpu-mem":
        return {"phase": "idle", "seconds": 10,
                "delta": {"cpu_times": cpu_times(rng, 10, (0.004, 0.007, 0.001)), "memory": memory(rng, runtime)}}, 10.01
    if step == "net-io":
        page = 45
        return {"url": "http://172.17.0.2/", "page_bytes": page, "delta": {"net_io": net_io(rng, page)}}, 1.4
    pair, load = step[4:].rsplit("-", 1)
    bw0, lat0 = p["bw"][pair], p["lat"][pair]
    slow = 0.72 if load == "stress" else 1.0
    bw = gauss(rng, bw0 * slow, 0.04) * 1e9
    lat = gauss(rng, lat0 / slow, 0.05)
    cn, sn = pair.split("-")
    return {"pair": pair, "client_network": cn, "server_network": sn, "load": load,
            "iperf3": {"bits_per_second": round(bw), "sent_bits_per_second": round(bw * 1.002),
                       "retransmits": rng.randint(0, 40), "seconds": 10},
            "sockperf": {"avg_us": round(lat, 3), "p50_us": round(lat * 0.93, 3), "p99_us": round(lat * 2.1, 3),
                         "p99_9_us": round(lat * 4.6, 3), "observations": int(10e6 / lat)},
            "stress": None if load == "idle" else {"stressor": "cpu", "instances": 2,
                                                  "bogo_ops_per_sec_real": round(rng.uniform(900, 1100), 2)}}, 21.5


KATA_TARBALL = "kata-static-1.12.1-x86_64.tar.xz"
AGENT_VERSION = "0.1.0-57-g2dce043"
IMAGE_KEY = "c0846bb1654e81ef"  # the guest image's cache key (docs/images.md: 16 hex digits)
CONTAINER_KEYS = "3b7e0c95d1a24f68-a80f2e6b47c3d915"  # the suite's container images (bench, httpd)
CACHE = "/var/cache/crbench"


def synthetic_sha256(what):
    return hashlib.sha256(("make-runs.py: synthetic, no such file: " + what).encode()).hexdigest()


def file_sha256(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(data), hashlib.sha256(data).hexdigest()


# the versions the env entries name (step_data's env), as the image's manifest lists them; a reduced package list
IMAGE_PACKAGES = [("docker.io", "20.10.*", "20.10.24+dfsg1-1+deb12u1"), ("containerd", "*", "1.6.20~ds1-1+deb12u1"),
                  ("runc", "*", "1.1.5+ds1-1+deb12u1"), ("crun", "*", "1.8.1-1+deb12u1"),
                  ("runsc", "*", "0.0~20221219.0-1"), ("linux-image-amd64", "*", "6.1.119-1"),
                  ("systemd-sysv", "*", "252.31-1~deb12u1"), ("iproute2", "*", "6.1.0-3")]
IMAGE_MANIFEST = {  # host/lib/build.c writes it with sorted keys
    "asserted": [{"package": n, "pattern": p, "version": v} for n, p, v in IMAGE_PACKAGES],
    "builder_version": "1", "built_at": "2026-11-20T18:02:11Z", "crbench_version": AGENT_VERSION,
    "distribution": "debian",
    "image": {"file": "disk.qcow2", "sha256": synthetic_sha256("debian-12 disk.qcow2"), "size": 1010106368},
    "kernel": "6.1.0-28-amd64", "key": IMAGE_KEY, "keyring": "/usr/share/keyrings/debian-archive-keyring.gpg",
    "keyring_fingerprints_checked": [], "kind": "vm", "mirror": "http://deb.debian.org/debian",
    "packages": {n: v for n, _, v in IMAGE_PACKAGES}, "recipe": "debian-12",
    "seconds": {"assembly": 7.912, "mmdebstrap": 141.375, "verify": 19.804}, "source_date_epoch": 1700000000,
    "suite": "bookworm", "verified_with_libguestfs": True}


def plan_ini(name, reps, warmup, guests):
    text = ("[run]\nname = %s\nseed = 20201\ntimeout = 3h\nprogress-timeout = 15m\nparallel = no\nboot = once\n\n"
            "[suite]\nprofile = standard\ntests = env,%s\nnet-pairs = %s\nnet-load = %s\nrepetitions = %d\n"
            "warmup = %d\nbonnie-size = 2G\nbonnie-direct = no\niperf-seconds = 10s\nsockperf-seconds = 10s\n"
            "idle-seconds = 10s\n"
            "container-cpus = 1\ncontainer-memory = 1G\ntest-timeout = 15m\n"
            % (name, ",".join(TESTS), ",".join(PAIRS), ",".join(LOADS), reps, warmup))
    for g, rt in guests:
        text += "\n[guest %s]\nimage = debian-12\nruntime = %s\nvcpus = 2\nmemory = 4G\nnested = auto\n" % (g, rt)
        if rt == "kata":
            # no kata-sha256: a checksum here would be invented (the plan is valid without it)
            text += "kata-tarball = %s\nkata-shared-fs = virtio-9p\n" % KATA_TARBALL
    return text


def plan_json(name, reps, warmup, guests):
    return {"path": "plans/%s.ini" % name,
            "run": {"name": name, "seed": 20201, "timeout": 10800, "progress-timeout": 900, "parallel": False,
                    "boot": "once"},
            "suite": {"profile": "standard", "tests": ["env"] + TESTS, "net-pairs": PAIRS, "net-load": LOADS,
                      "repetitions": reps, "warmup": warmup, "bonnie-size": 2147483648, "bonnie-direct": False,
                      "iperf-seconds": 10,
                      "sockperf-seconds": 10, "idle-seconds": 10, "container-cpus": 1,
                      "container-memory": 1073741824, "test-timeout": 900},
            "guests": [dict({"image": "debian-12", "runtime": rt, "vcpus": 2, "memory": 4294967296, "nested": "auto"},
                            **({"kata-tarball": KATA_TARBALL, "kata-shared-fs": "virtio-9p"} if rt == "kata" else {}),
                            name=g) for g, rt in guests]}


def dump(path, doc, indent=2, newline=True):
    with open(path, "w") as f:
        json.dump(doc, f, indent=indent, sort_keys=False)
        if newline:
            f.write("\n")


def write_guest(rundir, rng, aux, guest, runtime, reps, warmup, faults):
    """faults: {step: (status, reason, rounds or None for every round)}, step "*" for every step but env (a runtime
    the agent refused to measure); rng draws the step entries, aux the rest. Returns the counts, the entries' names
    and the agent's wall time."""
    res = os.path.join(rundir, guest, "results")
    os.makedirs(res)
    steps = ["boot", "disk", "cpu-mem", "net-io"] + ["net-%s-%s" % (p, l) for p in PAIRS for l in LOADS]
    order = [("env", 0)]
    for r in range(warmup + reps):
        rs = steps[:]
        rng.shuffle(rs)
        order += [(s, r) for s in rs]
    counts = {"ok": 0, "failed": 0, "unsupported": 0, "measured": 0.0, "names": []}
    setup = None
    for i, (step, rnd) in enumerate(order, 1):
        test = "net-matrix" if step.startswith("net-") and step != "net-io" else step
        doc = {"status": "ok"}
        fault = faults.get(step, faults.get("*"))
        if step == "env":
            data, secs = {"agent_version": AGENT_VERSION, "kernel": {"release": "6.1.0-28-amd64", "machine": "x86_64"},
                          "dev_kvm": runtime == "kata", "docker_version": {"Version": "20.10.24+dfsg1"},
                          "runtime": runtime, "runtime_version": {"output": {
                              "runc": "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n",
                              "crun": "crun version 1.8.1\n",
                              "runsc": "runsc version 0.0~20221219.0-1\nspec: 1.0.2\n",
                              "kata": "kata-runtime  : 1.12.1\n   commit   : 4b5ab8f\n   OCI specs: 1.0.1-dev\n"}[runtime],
                              "exit_status": 0}, "seed": 20201,
                          # what the agent set up before the suite (guest/runtime.c), reduced to what the report reads
                          "runtime_setup": dict({"runtime": runtime, "refused": faults.get("*", (None, None))[1],
                                                 "docker_runtime": {"runsc": "runsc-ptrace"}.get(runtime, runtime)},
                                                **{"kata": {"kata": {"shared_fs": "virtio-9p", "default_vcpus": 1,
                                                                     "default_memory_mib": 1024}},
                                                   "runsc": {"runsc": {"platform": "ptrace"}}}.get(runtime, {}))}, 1.2
        elif "*" in faults:
            doc = {"status": "failed", "reason": faults["*"][1], "not_measured": True}
            data, secs = None, 0.0
        elif fault and fault[0] != "not-measured" and (fault[2] is None or rnd in fault[2]):
            doc = {"status": fault[0], "reason": fault[1]}
            data, secs = None, 0.05 if fault[0] == "unsupported" else 31.0
        else:
            data, secs = step_data(rng, runtime, step)
            if fault and fault[0] == "not-measured" and rnd in fault[2]:
                data[fault[1]] = None
                data["not_measured"] = {fault[1]: "too fast to time"}
        if data is not None:
            doc["data"] = data
        counts[doc["status"]] += 1
        split = {"disk": (0.05, 0.30, 0.35), "boot": (0.15, 0.20, 0.01)}.get(step, (0.10, 0.12, 0.005))
        full = {"test": test, "step": step, "index": i, "round": rnd, "warmup": step != "env" and rnd < warmup,
                "runtime": runtime, "guest": guest}
        full.update(doc)
        full["seconds"] = round(secs, 6)
        full["system"] = system(rng, runtime, secs, split)
        name = "%04d-%s-r%d.json" % (i, step, rnd)
        dump(os.path.join(res, name), full)
        counts["names"].append(name)
        counts["measured"] += full["seconds"]
        if step == "env":
            setup = data["runtime_setup"]
    counts["planned"] = len(order)
    counts["measured"] = round(counts["measured"], 6)

    # what the agent wrote around the steps (guest/runner.c): images.json before them, runtime.json (the env entry's
    # runtime_setup), summary.json and MANIFEST.json after them
    refused = faults.get("*", (None, None))[1]
    images = {"from": "/run/crbench/images"}
    for tar, tag in (("bench.tar", "bench"), ("httpd.tar", "httpd")):
        images[tar] = {"seconds": round(aux.uniform(3.0, 6.5), 6),
                       "answer": "{\"stream\":\"Loaded image: crbench/%s:1\\n\"}\r\n" % tag}
    dump(os.path.join(res, "images.json"), images)
    dump(os.path.join(res, "runtime.json"), setup)
    steps_wall = counts["measured"] + len(order) * (0.002 if refused else aux.uniform(0.15, 0.3))
    wall = (images["bench.tar"]["seconds"] + images["httpd.tar"]["seconds"] +
            {"kata": 5.8, "runsc": 2.4}.get(runtime, 0.05) * aux.uniform(0.9, 1.1) + steps_wall + 0.2)
    cpu_steps = steps_wall * aux.uniform(0.004, 0.007)
    runner_cpu = wall * aux.uniform(0.001, 0.002)
    rss = aux.randint(4700, 5300)
    summary = {"agent_version": AGENT_VERSION, "guest": guest, "runtime": runtime,
               "docker_runtime": setup["docker_runtime"], "refused": refused, "seed": 20201, "steps": len(order),
               "failed": counts["failed"], "wall_seconds": round(wall, 6), "steps_wall_seconds": round(steps_wall, 6),
               "first_step": 1, "last_step": len(order),
               "agent": {"cpu_seconds": round(cpu_steps + runner_cpu, 6),
                         "cpu_fraction": round((cpu_steps + runner_cpu) / wall, 9),
                         "steps_cpu_seconds": round(cpu_steps, 6),
                         "steps_cpu_fraction": round(cpu_steps / steps_wall, 9),
                         "runner_cpu_seconds": round(runner_cpu, 6), "max_rss_kib": rss, "runner_max_rss_kib": rss,
                         "steps_unaccounted": 0}}
    dump(os.path.join(res, "summary.json"), summary)
    counts["files"] = ["images.json", "runtime.json"] + counts["names"] + ["summary.json"]
    entries = []
    for name in counts["files"]:
        size, sha = file_sha256(os.path.join(res, name))
        entries.append({"name": name, "size": size, "sha256": sha})
    dump(os.path.join(res, "MANIFEST.json"), {"format": "crbench-results", "version": 1, "entries": entries}, indent=1)
    counts["entries"] = entries
    counts["agent_wall"] = wall
    return counts


def harvest_json(run_id, guest, counts):
    """harvest.json as cr_guest_collect writes it (jansson, no newline at the end): verified, or for a guest that
    wrote nothing (counts None) incomplete, no manifest."""
    entries = [dict(e, verified=True) for e in counts["entries"]] if counts else []
    return {"disk": "%s/runs/%s/%s/results.raw" % (CACHE, run_id, guest),
            "out": "results/%s/%s/results" % (run_id, guest), "status": "verified" if counts else "incomplete",
            "manifest": "ok" if counts else "missing", "truncated": False, "truncation": None, "capped": False,
            "entries": entries, "refused_count": 0, "refused": [], "problem_count": 0, "problems": [], "error": None}


def guest_times(aux, status, counts):
    """provision_seconds, boot_seconds, agent_unit_uptime, wall_seconds of a guest (boot_seconds 0 and no uptime when
    the agent unit never started; all 0 for a guest that did not run)."""
    if status == "not-run":
        return 0.0, 0.0, None, 0.0
    provision = aux.uniform(0.35, 0.6)
    if counts is None:  # the kernel panicked 3.1 s into the boot (its console.log), found dead 2 s later
        return round(provision, 6), 0.0, None, round(provision + 3.12 + aux.uniform(1.8, 2.4), 6)
    boot = aux.uniform(6.8, 8.4)
    uptime = boot - aux.uniform(1.1, 1.6)
    wall = provision + boot + counts["agent_wall"] + aux.uniform(2.0, 3.0)  # then shutdown and harvest
    return round(provision, 6), round(boot, 6), round(uptime, 2), round(wall, 6)


def guest_json(run_id, aux, guest, runtime, status, reason, harvest, counts):
    provision, boot, uptime, wall = guest_times(aux, status, counts)
    measured = counts["measured"] if counts else 0.0
    c = counts or {"ok": 0, "failed": 0, "unsupported": 0, "planned": 0, "names": []}
    return {"name": guest, "runtime": runtime, "image": "debian-12", "image_key": IMAGE_KEY,
            "image_manifest": IMAGE_MANIFEST, "domain": "crbench-%s-%s" % (run_id, guest), "vcpus": 2,
            "memory_bytes": 4294967296, "nested": runtime == "kata", "pinned_cpus": [0, 1], "status": status,
            "reason": reason, "harvest": harvest, "steps_planned": c["planned"], "steps_harvested": len(c["names"]),
            "steps_ok": c["ok"], "steps_failed": c["failed"], "steps_unsupported": c["unsupported"],
            "provision_seconds": provision, "boot_seconds": boot, "wall_seconds": wall, "measured_seconds": measured,
            "overhead_seconds": round(wall - measured, 6) if wall > 0 else 0.0, "agent_unit_uptime": uptime,
            "boots": 0 if status == "not-run" else 1}


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_run(name, run_id, reps, warmup, guests, status, seed, host_changes=None):
    rng = random.Random(seed)  # the step entries' values: only write_guest draws from it
    aux = random.Random("make-runs.py " + name)  # everything else
    rundir = os.path.join(HERE, name)
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    with open(os.path.join(rundir, "plan.ini"), "w") as f:
        f.write(plan_ini(name, reps, warmup, [(g[0], g[1]) for g in guests]))
    gj = []
    for g, rt, gstatus, reason, faults in guests:
        counts = None
        harvest = None
        if faults is not None:
            counts = write_guest(rundir, rng, aux, g, rt, reps, warmup, faults)
            harvest = "verified"
        elif gstatus != "not-run":
            os.makedirs(os.path.join(rundir, g))
            with open(os.path.join(rundir, g, "console.log"), "w") as f:
                f.write("[    3.120981] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n")
            harvest = "incomplete"
        if harvest:
            dump(os.path.join(rundir, g, "harvest.json"), harvest_json(run_id, g, counts), newline=False)
        gj.append(guest_json(run_id, aux, g, rt, gstatus, reason, harvest, counts))
    # run ids are <plan name>-<UTC start>-<4 hex digits>; the guests ran one after the other (parallel = no)
    started = datetime.datetime.strptime(run_id.rsplit("-", 3)[1] + run_id.rsplit("-", 3)[2], "%Y%m%d%H%M%S")
    started = started.replace(tzinfo=datetime.timezone.utc).timestamp()
    payload = round(aux.uniform(0.03, 0.06), 6)
    images = {"path": "%s/images/containers-%s/disk.raw" % (CACHE, CONTAINER_KEYS), "made": False,
              "seconds": round(aux.uniform(1e-5, 3e-5), 9)}
    wall = round(payload + images["seconds"] + sum(x["wall_seconds"] + aux.uniform(0.4, 0.9) for x in gj
                                                   if x["status"] != "not-run") + aux.uniform(0.5, 1.5), 6)
    measured = round(sum(x["measured_seconds"] for x in gj), 6)
    host = {"kernel": "6.1.0-28-amd64", "kernel_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
            "machine": "x86_64", "cpu_model": "Intel(R) Xeon(R) E-2288G CPU @ 3.70GHz", "cpus": 16,
            "memory_bytes": 67108864000, "libvirt_version": "9.0.0", "qemu_version": "7.2.15", "uri": "qemu:///system",
            "libvirt_host": "kvmhost", "accel": "kvm", "accel_reason": "/dev/kvm works and the CPU has vmx"}
    host.update(host_changes or {})
    # in the order host/lib/session.c sets them (prepare, then write_manifest)
    run = {"format": "crbench-run", "version": 1, "run_id": run_id, "crbench_version": AGENT_VERSION, "seed": 20201,
           "plan": plan_json(name, reps, warmup, [(g[0], g[1]) for g in guests]), "host": host, "accel": "kvm",
           "pinning": "each vCPU pinned to its own host CPU, disjoint between guests running together",
           "payload_seconds": payload, "injected_fault": None, "images_disk": images, "started": utc(started),
           "remote": None, "guests": gj, "status": status, "finished": utc(started + wall), "wall_seconds": wall,
           "measured_seconds": measured, "overhead_seconds": round(wall - measured, 6)}
    dump(os.path.join(rundir, "run.json"), run)


make_run("complete", "complete-20261122-071502-3fa9", 5, 1,
         [("runc", "runc", "complete", None, {}), ("runsc", "runsc", "complete", None, {})], "complete", 1)
# a second complete run of the same plan, slower boots and disk for runsc: what compare must flag
PROFILES["runsc"]["boot"] *= 1.35
PROFILES["runsc"]["out"] *= 0.8
make_run("complete-b", "complete-20261123-071502-77c1", 5, 1,
         [("runc", "runc", "complete", None, {}), ("runsc", "runsc", "complete", None, {})], "complete", 2)
PROFILES["runsc"]["boot"] /= 1.35
PROFILES["runsc"]["out"] /= 0.8
KATA_HOST = "Kata Containers cannot use the host's network namespace (--network host)"
make_run("degraded", "degraded-20261124-090000-0b1e", 3, 1, [
    ("runc", "runc", "complete", None, {"disk": ("not-measured", "block_in_kps", [2])}),
    ("kata", "kata", "complete", None, {
        "net-host-bridge-idle": ("unsupported", KATA_HOST, None),
        "net-host-bridge-stress": ("unsupported", KATA_HOST, None),
        "disk": ("failed", "bonnie++ exited with 1: Can't write block.: Input/output error", None),
        "boot": ("failed", "the httpd container never answered 200 on http://172.17.0.2/ (120 attempts)", [3])}),
    ("runsc", "runsc", "failed", "the guest kernel panicked (see console.log)", None),
    ("crun", "crun", "not-run", None, None),
], "partial", 3)
# runc, crun, and a Kata guest whose agent refused to measure: it had no /dev/kvm
KATA_REFUSED = ("Kata would not run a real nested VM: the guest has no /dev/kvm (No such file or directory); "
                "the host gave it no nested virtualization")
make_run("runtimes", "runtimes-20261125-090000-5d2a", 2, 0, [
    ("runc", "runc", "complete", None, {}),
    ("crun", "crun", "complete", None, {}),
    ("kata", "kata", "refused", "nothing measured: " + KATA_REFUSED, {"*": ("failed", KATA_REFUSED, None)}),
], "partial", 4)
# a third run of complete's plan, on a second host whose runs are all a little slower: what crbench report pools
for rt in PROFILES:
    PROFILES[rt]["boot"] *= 1.12
    PROFILES[rt]["out"] *= 0.9
make_run("complete-c", "complete-20261126-071502-c3d4", 5, 1,
         [("runc", "runc", "complete", None, {}), ("runsc", "runsc", "complete", None, {})], "complete", 5,
         {"cpu_model": "AMD EPYC 7302P 16-Core Processor", "cpus": 32, "memory_bytes": 134217728000,
          "libvirt_host": "kvmhost2", "accel_reason": "/dev/kvm works and the CPU has svm"})
