#!/usr/bin/env python3
"""Harness throughput: executions per second for every scenario and search.

usage: model/cli/bench_harness.py <tlsm binary> [--executions N] [--time-budget S]

Runs `tlsm check --search S` for each search over all scenarios (no
minimisation, no determinism check) and prints a markdown table of
executions/s, by wall clock and by the search process's CPU time (the CPU
rate is what to compare across machines and loads). The table goes into
docs/benchmarks.md, section "Harness".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tlsm")
    ap.add_argument("--executions", default="50000")
    ap.add_argument("--time-budget", default="20")
    ap.add_argument("scenarios", nargs="*")
    a = ap.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for search in ("random", "bounded", "exhaustive"):
            out = os.path.join(tmp, search)
            cmd = [a.tlsm, "check", "--search", search, "--executions", a.executions,
                   "--time-budget", a.time_budget, "--no-minimise", "--no-determinism-check",
                   "--no-progress", "--results", out] + a.scenarios
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(os.path.join(out, "summary.json")) as f:
                for r in json.load(f)["rows"]:
                    rows.setdefault(r["scenario"], {})[search] = r
    print("| scenario | search | executions | wall s | exec/s (wall) | exec/s (CPU) | result |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for name in sorted(rows):
        for search in ("random", "bounded", "exhaustive"):
            r = rows[name].get(search)
            if not r:
                continue
            n, w, c = r["executions"], r["seconds"], r.get("cpu_seconds", 0)
            wall = f"{n / w:,.0f}" if w > 0 else "-"
            cpu = f"{n / c:,.0f}" if c > 0 else "-"
            print(f"| {name} | {r['search']} | {n} | {w:.2f} | {wall} | {cpu} | {r['result']} |")


if __name__ == "__main__":
    sys.exit(main())
