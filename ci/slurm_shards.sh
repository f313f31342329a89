#!/usr/bin/env bash
# One tlsm search over a Slurm job array, merged into one verdict, checked
# against the unsharded run of the same search (ctest label `distributed`).
#
#   ci/slurm_shards.sh TLSM [N]
#
# Starts a one-node cluster (ci/slurm_cluster.sh: munged, slurmctld, slurmd on
# localhost), then:
#   1. submits `sbatch --array=0-(N-1)` running `tlsm check --shard
#      $SLURM_ARRAY_TASK_ID/N` of a bounded K=2 search of several scenarios,
#      one task per shard, with shard 2 cancelled before it runs; tlsm merge
#      must name it missing (exit 3); the shard re-run alone as its own
#      one-task array joins the others, and the merge must give the
#      unsharded run's verdicts and execution counts (and verified rows);
#   2. runs a mutant's search over the array: the merge must report the bug
#      (exit 1) with a token that replays (exit 1).
# Exit 0 only if every check held. Default N = 5 (more shards than CPUs).
set -euo pipefail

tlsm=$(realpath "${1:?usage: ci/slurm_shards.sh TLSM [N]}")
n=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tlsm-slurm.XXXXXX)
chmod 755 "$work"  # munged runs as user munge
cleanup() { "$here/slurm_cluster.sh" stop "$work/cluster" || true; }
trap cleanup EXIT

started=$("$here/slurm_cluster.sh" start "$work/cluster") || { echo "slurm_shards: the cluster did not start" >&2; exit 1; }
eval "$started"
export SLURM_CONF

fail() { echo "slurm_shards: FAIL: $*" >&2; exit 1; }
# exit_code LOG CMD...: runs CMD, its output into LOG; prints its exit code.
exit_code() {
  local log=$1
  shift
  "$@" > "$log" 2>&1 && echo 0 || echo $?
}

scenarios="tls.id_reuse tls.exit_vs_reclaim sv.exit_vs_scrape db.put_vs_put"
search="--search bounded --bound 2 --split-depth 10 --no-progress"

# submit NAME ARRAY EXTRA: a job array, held; prints the job id.
submit() {
  local name=$1 array=$2 extra=$3
  sbatch --parsable --hold --job-name="tlsm-$name" --array="$array" --cpus-per-task=1 \
    --output="$work/$name/slurm-%A_%a.out" \
    --wrap "$tlsm check $scenarios $search $extra --shard \$SLURM_ARRAY_TASK_ID/$n --results $work/$name/shard-\$SLURM_ARRAY_TASK_ID"
}

# wait_for JOB: until none of its tasks is pending or running.
wait_for() {
  while [[ -n $(squeue -h -j "$1" -o '%i' 2>/dev/null) ]]; do sleep 0.5; done
}

echo "=== unsharded: tlsm check $scenarios $search"
# shellcheck disable=SC2086
rc=$(exit_code "$work/whole.log" "$tlsm" check $scenarios $search --results "$work/whole")
[[ $rc -eq 0 ]] || { cat "$work/whole.log"; fail "the unsharded search exited $rc"; }

echo "=== $n shards through sbatch --array=0-$((n - 1)), shard 2 cancelled"
mkdir -p "$work/pass"
job=$(submit pass "0-$((n - 1))" "")
scancel "${job}_2"
scontrol release "$job"
wait_for "$job"
rc=$(exit_code "$work/merge-missing.log" "$tlsm" merge "$work"/pass/shard-*)
[[ $rc -eq 3 ]] || { cat "$work/merge-missing.log"; fail "merge without shard 2 exited $rc, not 3"; }
grep -q "missing shard 2 of 0..$((n - 1))" "$work/merge-missing.log" ||
  fail "merge did not name the missing shard: $(cat "$work/merge-missing.log")"

echo "=== shard 2 re-run alone"
job=$(submit pass 2 "")
scontrol release "$job"
wait_for "$job"
"$tlsm" merge "$work"/pass/shard-* --results "$work/merged" --junit "$work/merged.xml" |
  tee "$work/merge.log" || fail "the merge of $n shards failed"

/usr/bin/python3 - "$work/whole/summary.json" "$work/merged/summary.json" <<'EOF'
import json, sys
whole = json.load(open(sys.argv[1]))["rows"]
merged = json.load(open(sys.argv[2]))["rows"]
assert len(whole) == len(merged), (len(whole), len(merged))
for w, m in zip(whole, merged):
    key = (w["scenario"], w["search"])
    assert key == (m["scenario"], m["search"]), (key, m["scenario"], m["search"])
    assert w["verdict"] == "verified", (key, w["result"])
    assert m["verdict"] == w["verdict"] and m["result"] == w["result"], (key, w["result"], m["result"])
    assert m["executions"] == w["executions"], (key, w["executions"], m["executions"])
    s = m["split"]
    assert s["own_prefixes"] == s["prefixes"] == w["split"]["prefixes"], (key, s)
    print(f"  {key[0]:<22} {key[1]:<22} {m['executions']:>8} executions, "
          f"{s['prefixes']} prefixes: {m['result']} (unsharded: the same)")
EOF

echo "=== a mutant over $n shards"
mkdir -p "$work/bug"
scenarios=sv.install_vs_install
job=$(submit bug "0-$((n - 1))" "--mutant db_flush_installs_unlocked --no-minimise")
scontrol release "$job"
wait_for "$job"
rc=$(exit_code "$work/merge-bug.log" "$tlsm" merge "$work"/bug/shard-*)
cat "$work/merge-bug.log"
[[ $rc -eq 1 ]] || fail "the merge of the mutant's shards exited $rc, not 1"
token=$(sed -n 's/^  replay: .* replay \(tlsm1:[^ ]*\)$/\1/p' "$work/merge-bug.log" | head -1)
[[ -n $token ]] || fail "no replay token in the merge's report"
rc=$(exit_code "$work/replay.log" "$tlsm" replay "$token")
[[ $rc -eq 1 ]] || { cat "$work/replay.log"; fail "the merged failure's token did not replay (exit $rc)"; }
echo "slurm_shards: ok ($n shards through Slurm: verdicts and executions equal to the unsharded run; the mutant's token replays)"
