#!/usr/bin/env python3
"""Turns the JSON of iptc_bench_classbench (Google Benchmark, with repetitions) into the
markdown tables of benchmarks/RESULTS.md: per set, ns per packet and Mpps of each engine and
the ratios to rte_acl; then build time per stage against rule count. Uses the median
aggregate of each benchmark (or the single run when there are no repetitions), and the
thread's CPU time unless --wall: on a shared machine the wall clock also counts the time other
processes held the core."""
import argparse
import json
import re
import sys

ENGINES = ["Interp", "Jit", "RteAcl", "Linear"]
STAGES = ["IptcParse", "IptcVerify", "RteAcl", "Jit"]
NAME = re.compile(r"^BM_(Classify|Build)_([^/]+)_([A-Za-z]+)(?:/.*)?$")
TO_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            continue
        agg = b.get("aggregate_name")
        if agg not in (None, "median"):
            continue
        m = NAME.match(b["run_name"] if "run_name" in b else b["name"])
        if not m:
            continue
        key = m.groups()
        # Prefer the median when both a single run and aggregates exist.
        if key in runs and agg is None:
            continue
        runs[key] = b
    return data, runs


def set_order(name):
    family, size = name.rsplit("_", 1)
    return (int(size), family)


def fmt(x, digits=1):
    if x is None:
        return "—"
    if 0 < x < 0.1:
        return f"{x:.2g}"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--header")
    ap.add_argument("--wall", action="store_true",
                    help="use wall-clock time instead of the thread's CPU time")
    args = ap.parse_args()
    key = "real_time" if args.wall else "cpu_time"
    clock = "wall-clock" if args.wall else "CPU"
    data, runs = load(args.json)
    sets = sorted({k[1] for k in runs}, key=set_order)
    out = []
    if args.header:
        with open(args.header) as f:
            out.append(f.read().rstrip())
        out.append("")

    have = [e for e in ENGINES if any(("Classify", s, e) in runs for s in sets)]
    out.append(f"Time per packet (median, {clock} time), single core:")
    out.append("")
    head = "| set | rules | headers | " + " | ".join(f"{e} ns/pkt | {e} Mpps" for e in have)
    ratio_cols = [e for e in have if e != "RteAcl"] if "RteAcl" in have else []
    head += "".join(f" | {e} / RteAcl" for e in ratio_cols) + " |"
    out.append(head)
    out.append("|" + "---|" * (3 + 2 * len(have) + len(ratio_cols)))
    for s in sets:
        ns = {}
        headers = {}
        for e in have:
            b = runs.get(("Classify", s, e))
            if not b:
                continue
            pk = b["packets"]
            ns[e] = b[key] * TO_NS[b["time_unit"]] / pk
            headers[e] = int(pk)
        rules = None
        for st in STAGES:
            b = runs.get(("Build", s, st))
            if b and "rules" in b:
                rules = int(b["rules"])
        full = max(headers.values()) if headers else 0
        row = f"| {s} | {rules if rules is not None else '—'} | {full} | "
        cells = []
        for e in have:
            if e not in ns:
                cells += ["—", "—"]
                continue
            mark = "" if headers[e] == full else f" (sample of {headers[e]})"
            cells += [fmt(ns[e]) + mark, fmt(1e3 / ns[e], 2)]
        row += " | ".join(cells)
        for e in ratio_cols:
            r = ns[e] / ns["RteAcl"] if e in ns and "RteAcl" in ns else None
            row += f" | {fmt(r)}×" if r is not None else " | —"
        out.append(row + " |")

    stages = [st for st in STAGES if any(("Build", s, st) in runs for s in sets)]
    out.append("")
    out.append(f"Build time per stage (median, {clock} time, ms) and rte_acl memory:")
    out.append("")
    out.append("| set | rules | " + " | ".join(f"{st} ms" for st in stages) + " | RteAcl memory | RteAcl bytes/rule |")
    out.append("|" + "---|" * (2 + len(stages) + 2))
    for s in sets:
        rules = None
        cells = []
        mem = None
        for st in stages:
            b = runs.get(("Build", s, st))
            if not b:
                cells.append("—")
                continue
            rules = int(b.get("rules", 0)) or rules
            cells.append(fmt(b[key] * TO_NS[b["time_unit"]] / 1e6, 2))
            if st == "RteAcl" and "bytes" in b:
                mem = b["bytes"]
        memcell = f"{mem / 2**20:.1f} MiB" if mem else "—"
        per_rule = fmt(mem / rules, 0) if mem and rules else "—"
        out.append(f"| {s} | {rules} | " + " | ".join(cells) + f" | {memcell} | {per_rule} |")
    ctx = data.get("context", {})
    out.append("")
    out.append(f"Google Benchmark context: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
               f"library build {ctx.get('library_build_type')}.")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
