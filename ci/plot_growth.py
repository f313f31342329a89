#!/usr/bin/env python3
"""Draws the cost-growth figures from one growth_bench JSON run.

usage: ci/plot_growth.py <output dir> <growth.json>... [--markdown]

Writes install_vs_slots.png, scrape_fold_vs_threads.png,
matrix_vs_columns.png, memory_vs_columns.png and db_vs_threads.png (every
peer of a figure comes from the same run), and with --markdown prints the
numbers behind them as Markdown tables. Needs python3-matplotlib.
Exit 2 on a missing or malformed input.
"""
import json
import os
import re
import sys
from collections import defaultdict

NAME = re.compile(r"^(?P<op>\w+)/(?P<impl>\w+)(?:/(?P<arg>slots|threads|columns):(?P<n>\d+))?"
                  r"(?:/iterations:\d+)?(?:/real_time)?(?:/threads:(?P<t>\d+))?$")


def fail(msg):
    print(f"plot_growth.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load(paths):
    rows, data = [], {}
    for path in paths:
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"cannot read {path}: {e}")
        rows += [b for b in data.get("benchmarks", [])
                 if b.get("aggregate_name", "median") == "median"]
    if not rows:
        fail(f"{' '.join(paths)}: no benchmark rows")
    # series[(op, impl)] = [(size, row)]
    series = defaultdict(list)
    for b in rows:
        m = NAME.match(b.get("run_name", b["name"]))
        if not m:
            continue
        size = int(m.group("n") or m.group("t") or 1)
        series[(m.group("op"), m.group("impl"))].append((size, b))
    for v in series.values():
        v.sort(key=lambda p: p[0])
    return data.get("context", {}), series


def value(b, key):
    if key == "ns":
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        return b["real_time"] * scale
    return b[key]


def figure(plt, series, panels, title, xlabel, path, context, logx=True):
    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.4), squeeze=False)
    for ax, (subtitle, ylabel, key, curves) in zip(axes[0], panels):
        for op, impl in curves:
            pts = series.get((op, impl))
            if not pts:
                continue
            ax.plot([p[0] for p in pts], [value(p[1], key) for p in pts], marker="o",
                    label=f"{op}/{impl}")
        ax.set_title(subtitle)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if logx:
            ax.set_xscale("log", base=2 if "threads" in xlabel or "slots" in xlabel else 10)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    host = f"{context.get('num_cpus', '?')} CPUs, load {context.get('load_avg', '?')}"
    fig.suptitle(f"{title}\n({host}; one run, every curve measured in it)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


FIGURES = [
    ("install_vs_slots.png", "Install latency against threads holding the old version",
     "threads holding a cached slot", [
         ("Install (real time per install)", "ns", "ns",
          [("Install", "sv_cache"), ("Install", "urcu_memb"), ("Install", "mutex_refcount")])]),
    ("scrape_fold_vs_threads.png", "Cross-thread passes against threads", "threads with a slot", [
         ("Scrape (matrix column)", "ns", "ns", [("Scrape", "matrix")]),
         ("Fold / totals", "ns", "ns",
          [("Fold", "matrix"), ("Fold", "perf_totals"), ("Fold", "mutex_registry")])]),
    ("matrix_vs_columns.png", "Matrix slot access against live columns", "live columns", [
         ("Get", "ns", "ns", [("Get", "matrix"), ("Get", "boost_tsp")]),
         ("Swap", "ns", "ns", [("Swap", "matrix"), ("Swap", "boost_tsp")])]),
    ("memory_vs_columns.png", "Memory per thread against columns", "columns holding a value", [
         ("live heap bytes per thread", "bytes", "bytes_per_thread",
          [("Memory", "matrix"), ("Memory", "boost_tsp")])]),
    ("db_vs_threads.png", "DB host throughput against threads (4, 8 oversubscribe 2 cores)",
     "threads", [
         ("Get", "items/s", "items_per_second", [("DbGet", "sv_cache"), ("DbGet", "no_cache")]),
         ("Put", "items/s", "items_per_second", [("DbPut", "sv_cache"), ("DbPut", "no_cache")])]),
]


def markdown(series):
    for _, title, xlabel, panels in FIGURES:
        print(f"\n{title}:\n")
        curves = [(op, impl, key) for _, _, key, cs in panels for op, impl in cs
                  if (op, impl) in series]
        sizes = sorted({s for op, impl, _ in curves for s, _ in series[(op, impl)]})
        print("| " + " | ".join([xlabel] + [f"{op}/{impl}" for op, impl, _ in curves]) + " |")
        print("| " + " | ".join(["---"] * (len(curves) + 1)) + " |")
        for s in sizes:
            cells = [str(s)]
            for op, impl, key in curves:
                d = dict(series[(op, impl)])
                if s not in d:
                    cells.append("")
                    continue
                v = value(d[s], key)
                cells.append(f"{v / 1e6:.1f} M/s" if key == "items_per_second" else
                             f"{v:,.0f}" if v >= 100 else f"{v:.2f}")
            print("| " + " | ".join(cells) + " |")


def main():
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    if len(args) < 2:
        fail("usage: ci/plot_growth.py <output dir> <growth.json>... [--markdown]")
    context, series = load(args[1:])
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        fail("needs matplotlib (apt-get install python3-matplotlib)")
    os.makedirs(args[0], exist_ok=True)
    for name, title, xlabel, panels in FIGURES:
        figure(plt, series, panels, title, xlabel, os.path.join(args[0], name), context)
    if "--markdown" in sys.argv:
        markdown(series)


if __name__ == "__main__":
    main()
