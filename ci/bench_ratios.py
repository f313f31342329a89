#!/usr/bin/env python3
"""Ratios of Google Benchmark results against baselines measured in the same run.

Benchmarks are named  <op>/<impl>[/threads:N]  (e.g. Get/ThreadLocalPtr/threads:1).
For each op and thread count every impl is divided by the op's baseline impl.

  thread_local_ptr_bench --benchmark_format=json --benchmark_repetitions=5 \\
      --benchmark_report_aggregates_only=true > out.json
  ci/bench_ratios.py out.json                 # table, targets marked ok/MISS
  ci/bench_ratios.py out.json --markdown      # the same as a markdown table
  ci/bench_ratios.py out.json --check         # exit 1 when a target is missed

Times are per-iteration CPU time (--real for wall time); with repetitions the
median aggregate is used, otherwise the mean of the runs.

Defaults are the thread-local matrix's (bench/tls): baselines
Get=thread_local, SwapCas=two_rmw_private_line, Reset=thread_local, and the
targets  Get/ThreadLocalPtr <= 1.5 ns  and  SwapCas/ThreadLocalPtr <= 1.1x
baseline. Other benches pass --baseline OP=IMPL, --target-ns OP/IMPL=NS and
--target-ratio OP/IMPL=X (repeatable; any given replaces the defaults).
"""
import argparse
import collections
import json
import sys

DEFAULT_BASELINES = {"Get": "thread_local", "SwapCas": "two_rmw_private_line",
                     "Reset": "thread_local"}
DEFAULT_TARGET_NS = {"Get/ThreadLocalPtr": 1.5}
DEFAULT_TARGET_RATIO = {"SwapCas/ThreadLocalPtr": 1.1}

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def parse_pairs(items, cast):
    out = {}
    for item in items or []:
        key, _, val = item.partition("=")
        if not val:
            sys.exit(f"bad option value {item!r}: expected KEY=VALUE")
        out[key] = cast(val)
    return out


def load(path, real):
    with (sys.stdin if path == "-" else open(path)) as f:
        data = json.load(f)
    field = "real_time" if real else "cpu_time"
    medians, runs = {}, collections.defaultdict(list)
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        ns = b[field] * UNIT_NS[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = ns
        else:
            runs[name].append(ns)
    times = {n: sum(v) / len(v) for n, v in runs.items()}
    times.update(medians)
    return data.get("context", {}), times


def split(name):
    parts = name.split("/")
    threads = 1
    if parts[-1].startswith("threads:"):
        threads = int(parts[-1].split(":")[1])
        parts = parts[:-1]
    if len(parts) < 2:
        return None
    return parts[0], "/".join(parts[1:]), threads


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="--benchmark_format=json output, or - for stdin")
    ap.add_argument("--real", action="store_true", help="use real_time, not cpu_time")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--baseline", action="append")
    ap.add_argument("--target-ns", action="append")
    ap.add_argument("--target-ratio", action="append")
    a = ap.parse_args()

    custom = a.baseline or a.target_ns or a.target_ratio
    baselines = parse_pairs(a.baseline, str) if custom else DEFAULT_BASELINES
    target_ns = parse_pairs(a.target_ns, float) if custom else DEFAULT_TARGET_NS
    target_ratio = parse_pairs(a.target_ratio, float) if custom else DEFAULT_TARGET_RATIO

    ctx, times = load(a.json, a.real)
    table = collections.defaultdict(dict)  # (op, threads) -> impl -> ns
    for name, ns in times.items():
        s = split(name)
        if s:
            op, impl, threads = s
            table[(op, threads)][impl] = ns

    rows, missed = [], []
    for (op, threads) in sorted(table):
        impls = table[(op, threads)]
        base_impl = baselines.get(op)
        base = impls.get(base_impl)
        for impl, ns in sorted(impls.items(), key=lambda kv: kv[1]):
            ratio = ns / base if base else None
            key = f"{op}/{impl}"
            notes = []
            if key in target_ns:
                ok = ns <= target_ns[key]
                notes.append(f"target <= {target_ns[key]:g} ns: {'ok' if ok else 'MISS'}")
                if not ok:
                    missed.append(f"{key} threads:{threads}")
            if key in target_ratio and ratio is not None:
                ok = ratio <= target_ratio[key]
                notes.append(f"target <= {target_ratio[key]:g}x {base_impl}: {'ok' if ok else 'MISS'}")
                if not ok:
                    missed.append(f"{key} threads:{threads}")
            if impl == base_impl:
                notes.append("baseline")
            rows.append((op, threads, impl, ns, ratio, base_impl, "; ".join(notes)))

    field = "real" if a.real else "cpu"
    if a.markdown:
        print(f"| op | threads | impl | {field} ns/op | ratio to baseline | note |")
        print("| --- | --- | --- | --- | --- | --- |")
        for op, th, impl, ns, ratio, base_impl, note in rows:
            r = f"{ratio:.2f}x" if ratio is not None else "-"
            print(f"| {op} | {th} | {impl} | {ns:.2f} | {r} | {note} |")
    else:
        print(f"{'op':<8} {'thr':>3}  {'impl':<26} {field + ' ns/op':>11} {'ratio':>8}  note")
        for op, th, impl, ns, ratio, base_impl, note in rows:
            r = f"{ratio:.2f}x" if ratio is not None else "-"
            print(f"{op:<8} {th:>3}  {impl:<26} {ns:>11.2f} {r:>8}  {note}")
    if ctx:
        print(f"\n(host: {ctx.get('num_cpus', '?')} cpus @ {ctx.get('mhz_per_cpu', '?')} MHz, "
              f"load {ctx.get('load_avg', '?')}, library build {ctx.get('library_build_type', '?')})")
    if missed:
        print("targets missed: " + ", ".join(missed))
        if a.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
