#!/usr/bin/env bash
# The seam rule: outside engine/sync, engine code never names std or Relacy
# synchronisation primitives, thread_local, or raw new/delete.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
pattern='std::atomic|std::mutex|std::shared_mutex|std::condition_variable|std::lock_guard|std::unique_lock|thread_local[^_A-Za-z]|rl::|<relacy|[^_A-Za-z.>]new [A-Za-z_]|[^_A-Za-z]delete [A-Za-z_(]|std::thread[^_]'
hits=$(grep -RnE "$pattern" "$root/engine" --include='*.h' --include='*.cc' \
        | grep -v "^$root/engine/sync/" \
        | grep -vE ':[0-9]+:\s*//' || true)
if [[ -n "$hits" ]]; then
  echo "seam violation: only engine/sync may name these primitives:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "seam check: engine/ outside engine/sync names no std/Relacy primitive"
