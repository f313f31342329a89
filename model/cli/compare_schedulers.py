#!/usr/bin/env python3
"""Stock Relacy's tree-search scheduler against the harness's, side by side.

usage: compare_schedulers.py TLSM [--stock-budget S] [--ours-budget S] [SCENARIO...]

For every scenario (default: every engine scenario except selftest.* and
gen.*) runs bounded K=0..2 and exhaustive with `--scheduler stock`, and
bounded K=0..3 and exhaustive with the default scheduler, each uncapped with
the given time budget, and prints one Markdown table: executions and seconds
to complete, or how far the search got ("> N (not done in T s)").
"""
import argparse
import json
import subprocess
import sys
import tempfile


def run(tlsm, scenario, search, bound, stock, budget, results):
    cmd = [tlsm, "check", scenario, "--search", search, "--executions", "0",
           "--time-budget", str(budget), "--no-progress", "--no-minimise",
           "--no-determinism-check", "--results", results]
    if search == "bounded":
        cmd += ["--bound", str(bound)]
    if stock:
        cmd += ["--scheduler", "stock"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(f"{results}/summary.json") as f:
        row = json.load(f)["rows"][0]
    return row["executions"], row["seconds"], row["verdict"]


def cell(r):
    executions, seconds, verdict = r
    n = f"{executions:,}".replace(",", " ")
    if verdict == "verified":
        return f"{n} ({seconds:.2f} s)"
    if verdict == "bug":
        return f"BUG after {n}"
    return f"> {n} (not done in {seconds:.0f} s)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tlsm")
    ap.add_argument("--stock-budget", type=float, default=10)
    ap.add_argument("--ours-budget", type=float, default=30)
    ap.add_argument("scenarios", nargs="*")
    a = ap.parse_args()
    names = a.scenarios
    if not names:
        listing = json.loads(subprocess.check_output([a.tlsm, "list", "--json"]))
        names = [s["name"] for s in listing
                 if not s["selftest"] and not s["name"].startswith("gen.")]
    columns = [("stock", 0), ("ours", 0), ("stock", 1), ("ours", 1), ("stock", 2), ("ours", 2),
               ("ours", 3), ("stock", None), ("ours", None)]
    print("| scenario | K=0 stock | K=0 ours | K=1 stock | K=1 ours | K=2 stock | K=2 ours "
          "| K=3 ours | exhaustive stock | exhaustive ours |")
    print("| --- |" + " ---: |" * len(columns))
    with tempfile.TemporaryDirectory() as results:
        for name in names:
            cells = []
            for who, k in columns:
                stock = who == "stock"
                budget = a.stock_budget if stock else a.ours_budget
                search = "exhaustive" if k is None else "bounded"
                cells.append(cell(run(a.tlsm, name, search, k or 0, stock, budget, results)))
            print(f"| {name} | " + " | ".join(cells) + " |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
