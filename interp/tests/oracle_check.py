#!/usr/bin/env python3
"""oracle_check: run `iptc trace --json` on every recorded kernel answer set and compare.

    oracle_check.py IPTC ORACLE_DIR [--set NAME] [--verbose] [--expect FILE]

For every NAME.rules in ORACLE_DIR (with NAME.host, NAME.packets, NAME.expected.jsonl) it
runs `IPTC trace NAME.rules --packets NAME.packets --host NAME.host --json` and compares the
output with the kernel's answers through ORACLE_DIR/compare-trace. It prints one line per set
(agree=N/M, or why the set could not be traced) and a total.

Exit status: 0 when every set that iptc can load agrees completely, or, with --expect FILE,
when no set does worse than the floor recorded there (lines "NAME AGREE TOTAL"). A set whose
rules iptc cannot load (a kind not implemented yet) is reported and skipped, not failed. 1
otherwise.
"""

import argparse
import os
import re
import subprocess
import sys


def run_set(iptc, d, name, verbose):
    rules = os.path.join(d, name + ".rules")
    cmd = [iptc, "trace", rules, "--packets", os.path.join(d, name + ".packets"),
           "--host", os.path.join(d, name + ".host"), "--json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        first = (p.stderr.strip().splitlines() or ["?"])[0]
        if not p.stdout.strip() and ": error: " in first and ".rules:" in first:
            return None, None, "rules not loadable: " + first
        return None, None, "iptc trace failed: " + first
    actual = os.path.join(os.environ.get("TMPDIR", "/tmp"), "iptc-oracle-%s-%d.jsonl" % (name, os.getpid()))
    with open(actual, "w") as f:
        f.write(p.stdout)
    cmp = [sys.executable, os.path.join(d, "compare-trace"), os.path.join(d, name + ".expected.jsonl"),
           actual, "--max-report", "0" if verbose else "10"]
    c = subprocess.run(cmp, capture_output=True, text=True)
    os.unlink(actual)
    last = c.stdout.strip().splitlines()[-1] if c.stdout.strip() else ""
    m = re.match(r"agree=(\d+)/(\d+)", last)
    if not m:
        return None, None, "compare-trace: " + (c.stderr.strip() or last)
    detail = c.stdout if (verbose or c.returncode != 0) else ""
    return int(m.group(1)), int(m.group(2)), detail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iptc")
    ap.add_argument("oracle_dir")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--expect")
    a = ap.parse_args()
    names = sorted(f[:-6] for f in os.listdir(a.oracle_dir) if f.endswith(".rules"))
    if a.set:
        names = [n for n in names if n in a.set]
    floor = {}
    if a.expect:
        with open(a.expect) as f:
            for line in f:
                line = line.split("#")[0].split()
                if len(line) == 3:
                    floor[line[0]] = (line[1], line[2])
    ok = True
    tot_a = tot_m = 0
    for n in names:
        agree, total, detail = run_set(a.iptc, a.oracle_dir, n, a.verbose)
        if agree is None:
            print("%-24s not traced: %s" % (n, detail))
            if not detail.startswith("rules not loadable"):
                ok = False
            continue
        tot_a += agree
        tot_m += total
        print("%-24s agree=%d/%d" % (n, agree, total))
        if detail and a.verbose:
            sys.stdout.write(detail)
        if a.expect and n in floor:
            if agree < int(floor[n][0]):
                ok = False
                sys.stdout.write(detail)
        elif agree != total:
            ok = False
            if not a.verbose:
                sys.stdout.write(detail)
    print("total agree=%d/%d" % (tot_a, tot_m))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
