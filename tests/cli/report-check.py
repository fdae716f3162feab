#!/usr/bin/env python3
"""Independent checks of crbench report and compare, for tests/cli/report.t and compare.t.

Recomputes every statistic from the raw step entries of a run directory with
Python's statistics module and its own reading of docs/run-format.md, and
compares with what crbench wrote. Prints what differs; exits 1 when anything
does. Python standard library only.

  report-check.py stats RUN REPORT_DIR        every cell of report.json and the CSVs
  report-check.py ratio RUN REPORT_DIR METRIC GUEST    one ratio and its interval
  report-check.py ratios RUN REPORT_DIR                every ratio of report.json
  report-check.py claims RUN REPORT_DIR                every two-cell claim: ratio, exact p by enumeration, verdict
  report-check.py compare RUN_A RUN_B COMPARE_JSON
  report-check.py pooled REPORT_DIR RUN...    every cell and ratio of a pooled report, its CSV columns too
  report-check.py compare-pooled REPORT_A REPORT_B COMPARE_JSON   compare of sets of runs (or one run against a set), from their reports
  report-check.py png FILE                    a screenshot or figure is not blank, and shows bars
"""
import collections
import csv
import glob
import json
import math
import os
import statistics
import subprocess
import sys

def _betacf(a, b, x):
    # the continued fraction of the regularized incomplete beta (Lentz's method)
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def _t_cdf(t, df):
    # P(T <= t) for Student's t with df degrees of freedom, from I_x(df/2, 1/2)
    x = df / (df + t * t)
    a, b = df / 2, 0.5
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log(1 - x))
    ib = front * _betacf(a, b, x) / a if x < (a + 1) / (a + b + 2) else 1 - front * _betacf(b, a, 1 - x) / b
    return 1 - ib / 2 if t > 0 else ib / 2


def t975(df):
    # t(0.975, df) for any df > 0, computed here by bisection on the t distribution, independently of stats.c
    if df == math.inf:
        return statistics.NormalDist().inv_cdf(0.975)
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _t_cdf(mid, df) < 0.975 else (lo, mid)
    return (lo + hi) / 2


PAIRS = ["bridge-bridge", "host-bridge", "macvlan-macvlan", "overlay-overlay"]
LOADS = ["idle", "stress"]
problems = []


def close(a, b, rel=1e-8):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def entries(run, guest):
    out = []
    for path in sorted(glob.glob(os.path.join(run, guest, "results", "[0-9][0-9][0-9][0-9]-*.json"))):
        with open(path) as f:
            out.append(json.load(f))
    return out


def values(entry):
    """{metric id: value or None} this entry gives, read the way docs/run-format.md describes."""
    step, d, out = entry["step"], entry.get("data") or {}, {}
    if step == "boot":
        for kind, fields in (("httpd", ("first_200", "create", "start")), ("trivial", ("create", "start"))):
            for f in fields:
                out["boot.%s.%s" % (kind, f)] = (d.get(kind) or {}).get(f + "_seconds")
        out["boot.trivial.api_run"] = (d.get("trivial") or {}).get("api_run_seconds")
        out["boot.trivial.docker_run"] = (d.get("docker_cli") or {}).get("run_seconds")
    if step == "disk":
        for name, key in (("block_out", "block_out_kps"), ("rewrite", "rewrite_kps"), ("block_in", "block_in_kps"),
                          ("seeks", "seeks_per_second")):
            out["disk." + name] = d.get(key)
            cpu = key.rsplit("_", 1)[0] + "_cpu" if name != "seeks" else "seeks_cpu"
            out["disk.%s_cpu" % name] = d.get(cpu)
    if step == "cpu-mem":
        mem = d.get("delta", {}).get("memory", {})
        for f in ("total", "used", "free", "available", "active", "inactive", "buffers", "cached"):
            out["mem." + f] = mem[f] / 1048576 if f in mem else None
    if step == "net-io":
        ifaces = d.get("delta", {}).get("net_io", {})
        for f in ("bytes_sent", "bytes_recv", "packets_sent", "packets_recv"):
            out["netio." + f] = sum(v[f] for k, v in ifaces.items() if k != "lo") if ifaces else None
    phase = {"cpu-mem": "idle", "boot": "boot", "disk": "disk", "net-io": "net-io"}.get(step)
    if phase:
        ticks = d.get("delta", {}).get("cpu_times") if step == "cpu-mem" else entry.get("system", {}).get("cpu_times")
        if ticks:
            total = sum(v for k, v in ticks.items() if k != "ticks_per_second")
            for f in ("user", "nice", "system", "idle", "iowait"):
                out["cpu.%s.%s" % (phase, f)] = 100.0 * ticks[f] / total
    if step.startswith("net-") and step != "net-io":
        pair, load = step[4:].rsplit("-", 1)
        bps = (d.get("iperf3") or {}).get("bits_per_second")
        out["net.%s.%s.bandwidth" % (pair, load)] = bps / 1e9 if bps is not None else None
        for q in ("avg", "p50", "p99", "p99_9"):
            out["net.%s.%s.%s" % (pair, load, q)] = (d.get("sockperf") or {}).get(q + "_us")
    return out


def steps_of(metric):
    m = metric.split(".")
    if m[0] == "net":
        return "net-%s-%s" % (m[1], m[2])
    if m[0] == "cpu":
        return {"idle": "cpu-mem"}.get(m[1], m[1])
    return {"boot": "boot", "disk": "disk", "mem": "cpu-mem", "netio": "net-io"}[m[0]]


def expected(run, guest, metric):
    """(status, samples) of one cell, from the raw entries."""
    samples, failed, unsupported, not_measured = [], 0, 0, 0
    for e in entries(run, guest):
        if e["step"] != steps_of(metric) or e.get("warmup"):
            continue
        if e["status"] == "ok":
            v = values(e).get(metric)
            if v is None:
                not_measured += 1
            else:
                samples.append(float(v))
        elif e["status"] == "unsupported":
            unsupported += 1
        else:
            failed += 1
    status = ("ok" if samples else "unsupported" if unsupported else "failed" if failed
              else "not measured" if not_measured else "missing")
    return status, samples


def describe(x):
    """docs/report.md: every sample > 0, the geometric mean and t on the logarithms; else the mean and t, bounded at 0."""
    n = len(x)
    s = {"n": n, "median": None, "mean": None, "sd": None, "gmean": None, "estimate": None, "ci_low": None, "ci_high": None,
         "cv_percent": None, "min": None, "max": None}
    pos = n and min(x) > 0
    if n:
        s.update(median=statistics.median(x), mean=statistics.fmean(x), min=min(x), max=max(x))
        s["estimate"] = s["mean"]
    if pos:
        s["gmean"] = s["estimate"] = math.exp(statistics.fmean([math.log(v) for v in x]))
    if n >= 2:
        sd = statistics.stdev(x)
        s.update(sd=sd, cv_percent=100 * sd / abs(s["mean"]) if s["mean"] else None)
        if pos:
            logs = [math.log(v) for v in x]
            half = t975(n - 1) * statistics.stdev(logs) / math.sqrt(n)
            s.update(ci_low=math.exp(statistics.fmean(logs) - half), ci_high=math.exp(statistics.fmean(logs) + half))
        else:
            half = t975(n - 1) * sd / math.sqrt(n)
            low = s["mean"] - half
            s.update(ci_low=0.0 if low < 0 and min(x) >= 0 else low, ci_high=s["mean"] + half)
    return s


def read_csv_rows(report_dir):
    """{(metric, guest): row} of every CSV of a report"""
    rows = {}
    for path in glob.glob(os.path.join(report_dir, "*.csv")):
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                rows[(row["metric"], row["guest"])] = row
    return rows


def check_stats(run, report_dir):
    with open(os.path.join(report_dir, "report.json")) as f:
        rep = json.load(f)
    csv_rows = read_csv_rows(report_dir)
    cells = 0
    for table in rep["tables"]:
        for m in table["metrics"]:
            for guest, cell in m["cells"].items():
                cells += 1
                status, samples = expected(run, guest, m["id"])
                where = "%s@%s" % (m["id"], guest)
                if cell["status"] != status:
                    problems.append("%s: status %s, expected %s" % (where, cell["status"], status))
                if len(cell["samples"]) != len(samples) or not all(close(a, b) for a, b in zip(cell["samples"], samples)):
                    problems.append("%s: samples %s, expected %s" % (where, cell["samples"], samples))
                row = csv_rows.get((m["id"], guest))
                if row is None:
                    problems.append("%s: no CSV row" % where)
                for key, want in describe(samples).items():
                    if not close(cell[key], want):
                        problems.append("%s: %s is %s in report.json, expected %s" % (where, key, cell[key], want))
                    got = row and (float(row[key]) if row[key] != "" else None)
                    if row and not close(got, want, 1e-8):
                        problems.append("%s: %s is %s in the CSV, expected %s" % (where, key, row[key], want))
    # every metric of the run is in the report
    ids = {m["id"] for t in rep["tables"] for m in t["metrics"]}
    for guest in [g["name"] for g in rep["guests"]]:
        for e in entries(run, guest):
            for metric in values(e):
                if metric not in ids:
                    problems.append("metric %s of %s is not in the report" % (metric, guest))
    print("# %d cells checked" % cells)


def ratio(a, b):
    """(ratio, low, high) of a / b, docs/report.md: Welch t on the logarithms when every sample is > 0, else Fieller."""
    if not a or not b:
        return None, None, None
    logs = min(a) > 0 and min(b) > 0
    xa, xb = ([math.log(v) for v in a], [math.log(v) for v in b]) if logs else (a, b)
    ma, mb = statistics.fmean(xa), statistics.fmean(xb)
    if not logs and mb == 0:
        return None, None, None
    r = math.exp(ma - mb) if logs else ma / mb
    if len(a) < 2 or len(b) < 2:
        return r, None, None
    va, vb = statistics.variance(xa) / len(a), statistics.variance(xb) / len(b)
    den = va * va / (len(a) - 1) + vb * vb / (len(b) - 1)
    t = t975((va + vb) ** 2 / den if den > 0 else math.inf)
    if logs:
        return r, math.exp(ma - mb - t * math.sqrt(va + vb)), math.exp(ma - mb + t * math.sqrt(va + vb))
    qa, qb, qc = mb * mb - t * t * vb, -2 * ma * mb, ma * ma - t * t * va
    disc = qb * qb - 4 * qa * qc
    if qa <= 0 or disc < 0:
        return r, None, None
    lo, hi = sorted(((-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)))
    if lo < 0 and min(a) >= 0 and min(b) >= 0:
        lo = 0.0
    return r, lo, hi


def check_ratio(run, report_dir, metric, guest):
    with open(os.path.join(report_dir, "report.json")) as f:
        rep = json.load(f)
    base = rep["baseline"]
    cell = [m for t in rep["tables"] for m in t["metrics"] if m["id"] == metric][0]["cells"][guest]
    want = ratio(expected(run, guest, metric)[1], expected(run, base, metric)[1])
    got = (cell["ratio"]["value"], cell["ratio"]["low"], cell["ratio"]["high"])
    if cell["ratio"]["over"] != base or not all(close(g, w, 1e-8) for g, w in zip(got, want)):
        problems.append("%s@%s over %s: ratio %s, expected %s" % (metric, guest, base, got, want))
    print("# %s@%s / %s: %s" % (metric, guest, base, want))


def check_ratios(run, report_dir):
    """every ratio of report.json"""
    with open(os.path.join(report_dir, "report.json")) as f:
        rep = json.load(f)
    base, count = rep["baseline"], 0
    for table in rep["tables"]:
        for m in table["metrics"]:
            for guest, cell in m["cells"].items():
                if guest == base:
                    continue
                count += 1
                want = ratio(expected(run, guest, m["id"])[1], expected(run, base, m["id"])[1])
                got = (cell["ratio"]["value"], cell["ratio"]["low"], cell["ratio"]["high"])
                if not all(close(g, w, 1e-8) for g, w in zip(got, want)):
                    problems.append("%s@%s: ratio %s, expected %s" % (m["id"], guest, got, want))
    print("# %d ratios checked" % count)


def check_compare(run_a, run_b, compare_json):
    with open(compare_json) as f:
        doc = json.load(f)
    rows = doc["metrics"]
    if not rows:
        problems.append("no metric compared")
    for row in rows:
        a = expected(run_a, row["guest"], row["metric"])[1]
        b = expected(run_b, row["guest"], row["metric"])[1]
        if not a or not b:
            continue
        change = 100 * (statistics.fmean(b) - statistics.fmean(a)) / statistics.fmean(a) if statistics.fmean(a) else None
        if not close(row["change_percent"], change):
            problems.append("%s@%s: change %s, expected %s" % (row["metric"], row["guest"], row["change_percent"], change))
        q, lo, hi = ratio(b, a)
        if not (close(row["ratio"], q, 1e-8) and close(row["ratio_low"], lo, 1e-8) and close(row["ratio_high"], hi, 1e-8)):
            problems.append("%s@%s: B/A %s [%s, %s], expected %s [%s, %s]" % (
                row["metric"], row["guest"], row["ratio"], row["ratio_low"], row["ratio_high"], q, lo, hi))
        if row["outside_noise"] != (lo is not None and (lo > 1 or hi < 1)):
            problems.append("%s@%s: outside_noise is %s" % (row["metric"], row["guest"], row["outside_noise"]))
    print("# %d rows recomputed" % len(rows))


def rank_p(a, b):
    """two-sided exact rank-sum p by enumerating every split (mid-ranks for ties)"""
    import itertools
    pooled = sorted(a + b)
    rank = {}
    for v in set(pooled):
        first = pooled.index(v)
        rank[v] = first + 1 + (pooled.count(v) - 1) / 2
    ranks = [rank[v] for v in a + b]
    expect = len(a) * (len(a) + len(b) + 1) / 2
    obs = abs(sum(rank[v] for v in a) - expect)
    total = extreme = 0
    for split in itertools.combinations(ranks, len(a)):
        total += 1
        extreme += abs(sum(split) - expect) >= obs - 1e-9
    return extreme / total


def check_claims(run, report_dir):
    """every two-cell claim of report.json: its ratio and interval, its p by enumeration, its verdict from both"""
    with open(os.path.join(report_dir, "report.json")) as f:
        rep = json.load(f)
    guests = {g["name"]: g for g in rep["guests"]}
    count = 0
    for c in rep["claims"]:
        if c["test"] != "exact rank-sum (Mann-Whitney)":
            continue
        ga, gb, metric = c["effect"].replace(",", "").replace(" / ", " ").split()
        a, b = expected(run, ga, metric)[1], expected(run, gb, metric)[1]
        if math.comb(len(a) + len(b), len(a)) > 200000:
            continue
        count += 1
        want_p = rank_p(a, b)
        r, lo, hi = ratio(a, b)
        if not close(c["p"], want_p, 1e-9) or not all(close(x, y, 1e-8) for x, y in ((c["ratio"], r), (c["low"], lo), (c["high"], hi))):
            problems.append("%s %s: ratio %s [%s, %s] p %s, expected %s [%s, %s] p %s" % (
                c["id"], c["effect"], c["ratio"], c["low"], c["high"], c["p"], r, lo, hi, want_p))
        if c["id"] == "kt.seeks":
            verdict = ("holds" if lo >= 1 / 1.1 and hi <= 1.1 else "contradicted" if lo > 1.1 or hi < 1 / 1.1
                       else "inconclusive")
        else:
            expect = -1 if c["id"] in ("kt.block_out", "kt.block_in", "cm.bandwidth") else 1
            verdict = ("inconclusive" if want_p >= 0.05 or r == 1 else
                       "holds" if (r > 1) == (expect > 0) else "contradicted")
        if c["verdict"] != verdict:
            problems.append("%s %s: verdict %s, expected %s" % (c["id"], c["effect"], c["verdict"], verdict))
    print("# %d claims recomputed" % count)
    if not count:
        problems.append("no claim recomputed")


def pooled_cell(runs):
    """docs/report.md, 'Pooling runs': (run values, statistics, between-run share) of one cell's samples per run."""
    every = [v for x in runs for v in x]
    logs = bool(every) and min(every) > 0
    vals = [math.exp(statistics.fmean([math.log(v) for v in x])) if logs else statistics.fmean(x) if x else None for x in runs]
    present = [v for v in vals if v is not None]
    if logs or not present:
        st = describe(present)
    else:
        # the mean of the run means with its t interval, bounded at 0 when no sample is negative
        st = describe(present)
        st["gmean"], st["estimate"] = None, st["mean"]
        if len(present) >= 2:
            half = t975(len(present) - 1) * statistics.stdev(present) / math.sqrt(len(present))
            low = st["mean"] - half
            st["ci_low"], st["ci_high"] = (0.0 if low < 0 and min(every) >= 0 else low), st["mean"] + half
        else:
            st["ci_low"] = st["ci_high"] = None
    # one-way ANOVA, method of moments, on log x (or x)
    ys = [[math.log(v) if logs else v for v in x] for x in runs if x]
    k, total = len(ys), sum(len(y) for y in ys)
    share = None
    if k >= 2 and total > k:
        grand = sum(sum(y) for y in ys) / total
        msb = sum(len(y) * (statistics.fmean(y) - grand) ** 2 for y in ys) / (k - 1)
        msw = sum(sum((v - statistics.fmean(y)) ** 2 for v in y) for y in ys) / (total - k)
        n0 = (total - sum(len(y) ** 2 for y in ys) / total) / (k - 1)
        sb2 = max(0.0, (msb - msw) / n0)
        share = sb2 / (sb2 + msw) if sb2 + msw > 0 else None
    return vals, st, share, logs


def check_pooled(report_dir, runs):
    with open(os.path.join(report_dir, "report.json")) as f:
        rep = json.load(f)
    csv_rows = read_csv_rows(report_dir)
    ids = [json.load(open(os.path.join(r, "run.json")))["run_id"] for r in runs]
    if [r["run_id"] for r in rep.get("runs", [])] != ids:
        problems.append("runs of report.json: %s, expected %s" % (rep.get("runs"), ids))
    base, cells, ratios = rep["baseline"], 0, 0
    for table in rep["tables"]:
        for m in table["metrics"]:
            per_guest = {}
            for guest, cell in m["cells"].items():
                cells += 1
                where = "%s@%s" % (m["id"], guest)
                samples = [expected(r, guest, m["id"])[1] for r in runs]
                vals, st, share, logs = pooled_cell(samples)
                per_guest[guest] = (vals, logs)
                pooled = cell["pooled"]
                got_vals = [x["value"] for x in pooled["per_run"]]
                if not all(close(a, b) for a, b in zip(got_vals, vals)) or [x["n"] for x in pooled["per_run"]] != [len(x) for x in samples]:
                    problems.append("%s: per run %s, expected %s" % (where, pooled["per_run"], vals))
                if pooled["samples"] != sum(len(x) for x in samples) or not close(pooled["between_run_share"], share):
                    problems.append("%s: samples %s share %s, expected %s %s" % (
                        where, pooled["samples"], pooled["between_run_share"], sum(len(x) for x in samples), share))
                for key in ("n", "estimate", "ci_low", "ci_high", "mean", "median"):
                    if not close(cell[key], st[key]):
                        problems.append("%s: %s is %s, expected %s" % (where, key, cell[key], st[key]))
                row = csv_rows.get((m["id"], guest))
                if row is None:
                    problems.append("%s: no CSV row" % where)
                    continue
                for j, rid in enumerate(ids):
                    got = float(row["value " + rid]) if row["value " + rid] != "" else None
                    if not close(got, vals[j]) or int(row["n " + rid]) != len(samples[j]):
                        problems.append("%s: CSV run %s: %s (%s), expected %s (%d)" % (
                            where, rid, row["value " + rid], row["n " + rid], vals[j], len(samples[j])))
                if not close(float(row["estimate"]) if row["estimate"] else None, st["estimate"]):
                    problems.append("%s: CSV estimate %s, expected %s" % (where, row["estimate"], st["estimate"]))
            # the ratio to the baseline, paired by run: geometric mean of the runs' ratios, t on their logarithms
            for guest, cell in m["cells"].items():
                if guest == base or not (per_guest[guest][1] and per_guest[base][1]):
                    continue
                q = [a / b for a, b in zip(per_guest[guest][0], per_guest[base][0]) if a is not None and b is not None]
                if not q:
                    continue
                ratios += 1
                lq = [math.log(v) for v in q]
                want = [math.exp(statistics.fmean(lq)), None, None]
                if len(q) >= 2:
                    half = t975(len(q) - 1) * statistics.stdev(lq) / math.sqrt(len(q))
                    want[1:] = math.exp(statistics.fmean(lq) - half), math.exp(statistics.fmean(lq) + half)
                got = (cell["ratio"]["value"], cell["ratio"]["low"], cell["ratio"]["high"])
                if not all(close(g, w, 1e-8) for g, w in zip(got, want)):
                    problems.append("%s@%s: pooled ratio %s, expected %s" % (m["id"], guest, got, want))
    print("# %d pooled cells and %d ratios checked" % (cells, ratios))
    if not cells or not ratios:
        problems.append("nothing checked")


def check_compare_pooled(report_a, report_b, compare_json):
    """B/A of two sets of runs: Welch on the logarithms of the run values (checked by 'pooled' against the raw entries)."""
    def run_values(report_dir):
        """a pooled report's run values per cell; a single run's samples (checked by 'stats')"""
        with open(os.path.join(report_dir, "report.json")) as f:
            rep = json.load(f)
        return "runs" in rep, {(m["id"], g): [x["value"] for x in c["pooled"]["per_run"] if x["n"]] if "runs" in rep
                               else c["samples"] for t in rep["tables"] for m in t["metrics"] for g, c in m["cells"].items()}
    (pa, va), (pb, vb) = run_values(report_a), run_values(report_b)
    with open(compare_json) as f:
        rows = json.load(f)["metrics"]
    checked = 0
    for row in rows:
        a, b = va[(row["metric"], row["guest"])], vb[(row["metric"], row["guest"])]
        if not a or not b:
            continue
        checked += 1
        if pa == pb:
            q, lo, hi = ratio(b, a)
        else:
            # one run against runs: its geometric mean against theirs, the t prediction interval of a new run
            runs, one = (a, b) if pa else (b, a)
            if min(runs + one) <= 0:
                continue
            lr = [math.log(v) for v in runs]
            d = statistics.fmean([math.log(v) for v in one]) - statistics.fmean(lr)
            d = d if pa else -d
            q, lo, hi = math.exp(d), None, None
            if len(runs) >= 2:
                half = t975(len(runs) - 1) * statistics.stdev(lr) * math.sqrt(1 + 1 / len(runs))
                lo, hi = math.exp(d - half), math.exp(d + half)
        if not (close(row["ratio"], q, 1e-8) and close(row["ratio_low"], lo, 1e-8) and close(row["ratio_high"], hi, 1e-8)):
            problems.append("%s@%s: B/A %s [%s, %s], expected %s [%s, %s]" % (
                row["metric"], row["guest"], row["ratio"], row["ratio_low"], row["ratio_high"], q, lo, hi))
        if row["a"]["n"] != len(a) or row["b"]["n"] != len(b) or row["outside_noise"] != (lo is not None and (lo > 1 or hi < 1)):
            problems.append("%s@%s: n %s and %s (expected %d and %d), outside_noise %s" % (
                row["metric"], row["guest"], row["a"]["n"], row["b"]["n"], len(a), len(b), row["outside_noise"]))
    print("# %d rows recomputed from the run values" % checked)
    if not checked:
        problems.append("no row recomputed")


def png_colours(path):
    """(width, height, {RGB triple: count}) of a PNG, every second pixel of every second row.

    netpbm's pngtopnm (libpng) decodes it: a decoder of PNG's row filters in
    Python took 26 s on a Chromium screenshot of the report.
    """
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG")
    ppm = subprocess.run(["pngtopnm", "-mix", path], check=True, stdout=subprocess.PIPE).stdout
    magic, width, height, maxval, pixels = ppm.split(maxsplit=4)
    width, height = int(width), int(height)
    bpp = {b"P6": 3, b"P5": 1}.get(magic)  # colour, or grey
    if bpp is None or maxval != b"255" or len(pixels) != width * height * bpp:
        raise ValueError("%s: pngtopnm gave no 8-bit image" % path)
    stride, counts = width * bpp, collections.Counter()
    for y in range(0, height, 2):
        row = pixels[y * stride:(y + 1) * stride]
        counts.update(row[i:i + bpp] * (3 // bpp) for i in range(0, stride, 2 * bpp))
    return width, height, counts


def check_png(path):
    width, height, counts = png_colours(path)
    sampled = sum(counts.values())
    dark = sum(n for (r, g, b), n in counts.items() if r + g + b < 384)
    # gnuplot's first two line colours, filled at 0.7: violet and green bars
    bars = sum(n for (r, g, b), n in counts.items() if (r > g + 60 and b > g + 60) or (g > r + 60 and g > b + 10))
    print("# %s: %dx%d, %d colours, %d dark and %d bar pixels of %d sampled" % (path, width, height, len(counts), dark, bars, sampled))
    if len(counts) < 8 or dark < sampled // 1000:
        problems.append("%s looks blank" % path)
    if bars < sampled // 500:
        problems.append("%s shows no bars of a figure" % path)


def main(argv):
    cmd = argv[1]
    if cmd == "stats":
        check_stats(argv[2], argv[3])
    elif cmd == "ratio":
        check_ratio(argv[2], argv[3], argv[4], argv[5])
    elif cmd == "ratios":
        check_ratios(argv[2], argv[3])
    elif cmd == "claims":
        check_claims(argv[2], argv[3])
    elif cmd == "compare":
        check_compare(argv[2], argv[3], argv[4])
    elif cmd == "pooled":
        check_pooled(argv[2], argv[3:])
    elif cmd == "compare-pooled":
        check_compare_pooled(argv[2], argv[3], argv[4])
    elif cmd == "png":
        check_png(argv[2])
    else:
        sys.exit("unknown check " + cmd)
    for p in problems[:20]:
        print("# " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
