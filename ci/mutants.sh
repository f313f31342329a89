#!/usr/bin/env bash
# The mutant table: every deliberately injected bug in engine/sync/mutants.def
# is built (one mutant per engine build) and its twin scenarios are run
# against it with `tlsm check --expect-bug`. Prints
#   mutant | invariant | caught by | time to detection | replay token
# and writes build/mutants/table.md and table.json. A mutant that no check
# catches fails the run (exit 1).
#
#   ci/mutants.sh                      all mutants, model twins
#   ci/mutants.sh --with-properties    also run the property tests against
#                                      each mutant (one production build each)
#   ci/mutants.sh NAME...              only these mutants
set -euo pipefail
cd "$(dirname "$0")/.."

with_props=0
selected=()
for a in "$@"; do
  case "$a" in
    --with-properties) with_props=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "mutants.sh: unknown option $a" >&2; exit 2 ;;
    *) selected+=("$a") ;;
  esac
done

ci/install-deps.sh
jobs=${TLSM_JOBS:-$(nproc)}
cmake --preset model >/dev/null

mapfile -t lines < <(grep -E '^TLSM_MUTANT_DEF\(' engine/sync/mutants.def)
names=()
for l in "${lines[@]}"; do
  n=$(sed -E 's/^TLSM_MUTANT_DEF\([0-9]+, *([a-z0-9_]+),.*/\1/' <<<"$l")
  if [[ ${#selected[@]} -eq 0 ]] || printf '%s\n' "${selected[@]}" | grep -qx "$n"; then
    names+=("$n")
  fi
done
for s in "${selected[@]}"; do
  printf '%s\n' "${names[@]}" | grep -qx "$s" || { echo "mutants.sh: unknown mutant '$s'" >&2; exit 2; }
done

targets=()
for n in "${names[@]}"; do targets+=("tlsm_mutant_$n"); done
cmake --build build/model -j "$jobs" --target "${targets[@]}"

out=build/mutants
rm -rf "$out" && mkdir -p "$out"
survivors=0
for n in "${names[@]}"; do
  l=$(grep -E "^TLSM_MUTANT_DEF\([0-9]+, *$n," engine/sync/mutants.def)
  scen=$(sed -E 's/^[^"]*"[^"]*", *"([^"]*)".*/\1/' <<<"$l")
  start=$(date +%s.%N)
  set +e
  # shellcheck disable=SC2086
  build/model/model/cli/tlsm_mutant_$n check --expect-bug --no-minimise --no-progress \
      --results "$out/$n" $scen >"$out/$n.log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  echo "$n $rc $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')" >>"$out/runs.txt"
  [[ $rc -eq 0 ]] || survivors=$((survivors + 1))
  if [[ $with_props -eq 1 ]]; then
    pb=build/mutants/prop_$n
    cmake -S . -B "$pb" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTLSM_MUTANT="$n" \
          -DTLSM_BUILD_MODEL=OFF -DTLSM_BUILD_BENCH=OFF >/dev/null
    cmake --build "$pb" -j "$jobs" >/dev/null
    set +e
    ctest --test-dir "$pb" -L property >"$out/$n.props.log" 2>&1
    echo "$n $?" >>"$out/props.txt"
    set -e
  fi
done

python3 ci/mutant_table.py "$out" engine/sync/mutants.def
if [[ $survivors -ne 0 ]]; then
  echo "mutants.sh: $survivors mutant(s) survived" >&2
  exit 1
fi
