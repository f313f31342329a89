#!/usr/bin/env bash
# How a sharded tree search scales through Slurm on this machine
# (docs/benchmarks.md, "Scale-out").
#
#   ci/slurm_scaling.sh TLSM ["SCENARIO..."] [N...]
#
# Starts a one-node cluster (ci/slurm_cluster.sh), then for each N (default
# 1 2 4 8) submits the bounded K=2 search of the scenarios (a quoted list;
# default sv.readers_vs_install) split at depth TLSM_SPLIT_DEPTH (default 16:
# docs/harness.md, "Choosing D") as `sbatch
# --array=0-(N-1)`, one CPU per task, and times it from release to the last
# task's end (plus the merge). Prints one markdown row per N: wall seconds,
# executions (the sum of the shards', equal for every N), executions/s,
# skeleton executions, the largest shard's share of the executions, and the
# scaling efficiency: throughput / (min(N, CPUs) x the N = 1 throughput).
# With more tasks than CPUs Slurm runs them in waves (no oversubscription).
set -euo pipefail

tlsm=$(realpath "${1:?usage: ci/slurm_scaling.sh TLSM [SCENARIO] [N...]}")
scenario=${2:-sv.readers_vs_install}
shift $(( $# >= 2 ? 2 : 1 ))
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1 2 4 8)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tlsm-scaling.XXXXXX)
chmod 755 "$work"
trap '"$here/slurm_cluster.sh" stop "$work/cluster" || true' EXIT
started=$("$here/slurm_cluster.sh" start "$work/cluster") || { echo "slurm_scaling: no cluster" >&2; exit 1; }
eval "$started"
export SLURM_CONF
cpus=$(nproc)
search="--search bounded --bound 2 --split-depth ${TLSM_SPLIT_DEPTH:-16} --time-budget 0 --no-progress --no-determinism-check"

echo "| shards | tasks at once | wall (s) | executions | executions/s | skeletons | largest shard | efficiency |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
base_rate=""
for n in "${counts[@]}"; do
  dir=$work/n$n
  mkdir -p "$dir"
  job=$(sbatch --parsable --hold --job-name="tlsm-scale-$n" --array="0-$((n - 1))" --cpus-per-task=1 \
    --output="$dir/slurm-%A_%a.out" \
    --wrap "$tlsm check $scenario $search --shard \$SLURM_ARRAY_TASK_ID/$n --results $dir/shard-\$SLURM_ARRAY_TASK_ID")
  t0=$(date +%s.%N)
  scontrol release "$job"
  while [[ -n $(squeue -h -j "$job" -o '%i' 2>/dev/null) ]]; do sleep 0.2; done
  "$tlsm" merge "$dir"/shard-* --results "$dir/merged" > "$dir/merge.log" || {
    cat "$dir/merge.log" >&2
    echo "slurm_scaling: merge of $n shards failed" >&2
    exit 1
  }
  t1=$(date +%s.%N)
  /usr/bin/python3 - "$dir" "$n" "$cpus" "$t0" "$t1" "$base_rate" <<'EOF' | tee "$dir/row"
import glob, json, sys
d, n, cpus, t0, t1, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
rows = json.load(open(f"{d}/merged/summary.json"))["rows"]
assert all(r["verdict"] == "verified" for r in rows), [r["result"] for r in rows]
executions = sum(r["executions"] for r in rows)
skeletons, largest = 0, 0
for f in glob.glob(f"{d}/shard-*/summary*.json"):
    shard = json.load(open(f))["rows"]
    skeletons += sum(r["split"]["skeletons"] for r in shard)
    largest = max(largest, sum(r["executions"] for r in shard))
wall = t1 - t0
rate = executions / wall
eff = rate / (min(n, cpus) * float(base)) if base else 1.0
print(f"| {n} | {min(n, cpus)} | {wall:.1f} | {executions} | {rate:.0f} | {skeletons} | {largest / executions:.2f} | {eff:.2f} |")
EOF
  if [[ -z $base_rate ]]; then
    base_rate=$(awk -F'|' '{ gsub(/ /, "", $6); print $6 }' "$dir/row")  # executions/s
  fi
done
