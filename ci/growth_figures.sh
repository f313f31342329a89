#!/usr/bin/env bash
# The cost-growth figures of docs/benchmarks.md, by one command: builds
# growth_bench (release preset), runs it once (median of 3 repetitions), and
# draws docs/figures/*.png from that one run (ci/plot_growth.py), printing the
# numbers as Markdown tables. Needs python3-matplotlib (not needed by CI).
#   ci/growth_figures.sh [output dir (default docs/figures)]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/figures}
cmake --preset release >/dev/null
cmake --build --preset release --target growth_bench
mem=$(mktemp --suffix=.json) rest=$(mktemp --suffix=.json)
trap 'rm -f "$mem" "$rest"' EXIT
run() {  # run <json> <filter>
  build/release/bench/growth/growth_bench --benchmark_filter="$2" --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true --benchmark_min_time=0.1 \
      --benchmark_out="$1" --benchmark_out_format=json >/dev/null
}
# Memory first, in a process of its own: a row is sized by the highest column
# id its thread touches, and the other families' columns would raise the ids.
run "$mem" '^Memory/'
run "$rest" '-^Memory/'
# Debian's python3 (python3-matplotlib), not another python3 first on PATH.
py=/usr/bin/python3; [[ -x $py ]] || py=python3
"$py" ci/plot_growth.py "$out" "$mem" "$rest" --markdown
