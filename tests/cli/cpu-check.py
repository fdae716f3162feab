#!/usr/bin/env python3
"""The CPU each guest of a run saw, from its env entry, against what crbench
gives it (host/lib/domain.c): under TCG every guest has qemu64 made a whole
x86-64-v2 (ssse3, sse4.1, sse4.2, popcnt: what Kata's kata-check needs, and
what code that picks x86-64-v2 by those flags needs), the same for every
runtime compared; a nested guest has svm, npt (nested paging) and /dev/kvm
besides, any other guest no svm and no /dev/kvm.
Under KVM a nested guest has vmx or svm and /dev/kvm.

usage: cpu-check.py RUN_DIR; prints a line per guest, exits 1 on a mismatch.
"""
import glob
import json
import os
import sys

TCG = ("lm", "ssse3", "sse4_1", "sse4_2", "popcnt")
NESTED_TCG = TCG + ("svm", "npt")


def flags(cpuinfo):
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def main():
    run_dir = sys.argv[1]
    run = json.load(open(os.path.join(run_dir, "run.json")))
    accel = run["host"]["accel"]
    bad = 0
    for g in run["guests"]:
        envs = sorted(glob.glob(os.path.join(run_dir, g["name"], "results", "[0-9][0-9][0-9][0-9]-env-*.json")))
        if not envs:
            print("# guest %s: no env entry" % g["name"])
            bad = 1
            continue
        data = json.load(open(envs[0]))["data"]
        have, kvm = flags(data["cpuinfo"]), data["dev_kvm"]
        if accel == "tcg" and g["nested"]:
            want_ok = set(NESTED_TCG) <= have and kvm
            want = "flags %s and /dev/kvm" % " ".join(NESTED_TCG)
        elif accel == "tcg":
            want_ok = set(TCG) <= have and "svm" not in have and not kvm
            want = "flags %s, no svm, no /dev/kvm" % " ".join(TCG)
        elif g["nested"]:
            want_ok = bool(have & {"svm", "vmx"}) and kvm
            want = "vmx or svm and /dev/kvm"
        else:
            want_ok, want = True, "anything (KVM, not nested)"
        got = "%s; /dev/kvm %s" % (" ".join(sorted(have & set(NESTED_TCG + ("vmx",)))), "yes" if kvm else "no")
        print("# guest %s (%s, nested %s): wants %s; has %s" % (g["name"], accel, g["nested"], want, got))
        if not want_ok:
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
