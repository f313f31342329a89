#!/usr/bin/env python3
"""The deep-bug benchmark: executions to the first failure, per bug and strategy.

For every catalogued mutant (`tlsm mutants --json`) and every sampling
strategy, runs the mutant's first twin scenario with S seeds (seed s runs the
executions [s*B, s*B + B), B the budget) and records how many executions the
search ran up to and including the first failing one, or that it found
nothing within B (SCTBench style: Thomson, Donaldson, Betts, TOPC 2016).
Execution counts do not depend on the CPU, so the table is comparable across
machines; run it with low parallelism on a shared machine.

    ci/strategy_bench.py [--build build/model] [--seeds 20] [--budget 20000]
                         [--strategies random,pct,pos,portfolio] [-j 1]
                         [--markdown OUT] [--json OUT] [MUTANT...]

Prints a markdown table: per bug and strategy "found/S, mean, worst" (mean
and worst over the seeds that found it; worst is "> B" when a seed did not),
and for the portfolio its speed-up over random (mean executions of random,
counting a miss as B, over the portfolio's). Builds the driver unless
--no-build (cmake --build <build> --target tlsm) and runs each mutant with
`tlsm check --mutant NAME`. Exit 0; 2 on bad usage.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mutants(binary):
    """The catalogue as the driver reports it (tlsm mutants --json)."""
    p = subprocess.run([binary, "mutants", "--json"], stdout=subprocess.PIPE, text=True,
                       check=True)
    doc = json.loads(p.stdout)
    return doc["mutants"] if isinstance(doc, dict) else doc


def run_one(binary, mutant, scenario, strategy, seed, budget):
    """Executions up to the first failure, or None when none failed."""
    with tempfile.TemporaryDirectory(prefix="tlsm-bench-") as results:
        cmd = [binary, "check", scenario, "--mutant", mutant, "--search", strategy,
               "--seed", str(seed * budget),
               "--executions", str(budget), "--no-minimise", "--no-determinism-check",
               "--no-progress", "--results", results]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode,
                                                     (p.stdout + p.stderr)[-2000:]))
        with open(os.path.join(results, "summary.json")) as f:
            rows = json.load(f)
        rows = rows["rows"] if isinstance(rows, dict) else rows
        row = rows[0]
        return row["executions"] if row["verdict"] == "bug" else None


def cell(runs, budget):
    found = [r for r in runs if r is not None]
    if not found:
        return "0/%d, —, > %d" % (len(runs), budget)
    mean = sum(found) / len(found)
    worst = "> %d" % budget if len(found) < len(runs) else str(max(found))
    return "%d/%d, %.0f, %s" % (len(found), len(runs), mean, worst)


def mean_with_misses(runs, budget):
    return sum(budget if r is None else r for r in runs) / len(runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "model"))
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budget", type=int, default=20000)
    ap.add_argument("--strategies", default="random,pct,pos,portfolio")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("mutant", nargs="*")
    a = ap.parse_args()
    if a.seeds < 1 or a.budget < 1 or a.jobs < 1:
        print("strategy_bench.py: --seeds, --budget and -j must be >= 1", file=sys.stderr)
        return 2
    strategies = a.strategies.split(",")
    binary = os.path.join(a.build, "model", "cli", "tlsm")
    if not a.no_build:
        subprocess.run(["cmake", "--build", a.build, "-j", str(a.jobs), "--target", "tlsm"],
                       check=True, stdout=subprocess.DEVNULL)
    catalogue = mutants(binary)
    if a.mutant:
        known = {m["name"] for m in catalogue}
        bad = [n for n in a.mutant if n not in known]
        if bad:
            print("strategy_bench.py: unknown mutant(s): " + " ".join(bad), file=sys.stderr)
            return 2
        catalogue = [m for m in catalogue if m["name"] in a.mutant]
    jobs = []
    for m in catalogue:
        for st in strategies:
            for s in range(a.seeds):
                jobs.append((m["name"], st, s, binary, m["scenarios"][0]))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = {pool.submit(run_one, b, n, sc, st, s, a.budget): (n, st, s)
                for (n, st, s, b, sc) in jobs}
        for f in concurrent.futures.as_completed(futs):
            n, st, s = futs[f]
            results.setdefault((n, st), [None] * a.seeds)[s] = f.result()
    head = "| # | bug | invariant | scenario | " + " | ".join(strategies)
    if "random" in strategies and "portfolio" in strategies:
        head += " | portfolio vs random"
    lines = [head + " |", "|" + " --- |" * (head.count("|"))]
    for m in catalogue:
        row = "| %d | `%s` | %s | %s | " % (m["number"], m["name"], m["invariant"],
                                           m["scenarios"][0])
        row += " | ".join(cell(results[(m["name"], st)], a.budget) for st in strategies)
        if "random" in strategies and "portfolio" in strategies:
            r = mean_with_misses(results[(m["name"], "random")], a.budget)
            p = mean_with_misses(results[(m["name"], "portfolio")], a.budget)
            row += " | %.1f×" % (r / p)
        lines.append(row + " |")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"seeds": a.seeds, "budget": a.budget,
                       "runs": [{"mutant": n, "strategy": st, "executions_to_failure": r}
                                for (n, st), r in sorted(results.items())]}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
