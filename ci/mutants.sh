#!/usr/bin/env bash
# The mutant table: every deliberately injected bug of the catalogue
# (`tlsm mutants --json`, from engine/sync/mutants.def) is run against its
# twin scenarios with `tlsm check --mutant NAME --expect-bug` (one model
# build, one tlsm). Prints
#   mutant | invariant | caught by | time to detection | replay token
# and writes build/mutants/table.md and table.json. A mutant that no check
# catches fails the run (exit 1).
#
#   ci/mutants.sh                      all mutants, model twins
#   ci/mutants.sh --with-properties    also run the property tests against
#                                      each mutant (one production build with
#                                      TLSM_RUNTIME_MUTANTS=ON, preset
#                                      `mutants`; TLSM_MUTANT=NAME per run)
#   ci/mutants.sh NAME...              only these mutants
set -euo pipefail
cd "$(dirname "$0")/.."

with_props=0
selected=()
for a in "$@"; do
  case "$a" in
    --with-properties) with_props=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "mutants.sh: unknown option $a" >&2; exit 2 ;;
    *) selected+=("$a") ;;
  esac
done

ci/install-deps.sh
jobs=${TLSM_JOBS:-$(nproc)}
cmake --preset model >/dev/null
cmake --build build/model -j "$jobs" --target tlsm
tlsm=build/model/model/cli/tlsm

out=build/mutants
rm -rf "$out" && mkdir -p "$out"
"$tlsm" mutants --json >"$out/catalogue.json"
# name<TAB>scenarios, one line per mutant, in catalogue order.
mapfile -t entries < <(python3 -c '
import json, sys
for m in json.load(open(sys.argv[1])):
    print(m["name"] + "\t" + " ".join(m["scenarios"]))' "$out/catalogue.json")
names=()
declare -A scenarios
for e in "${entries[@]}"; do
  n=${e%%$'\t'*}
  scenarios[$n]=${e#*$'\t'}
  if [[ ${#selected[@]} -eq 0 ]] || printf '%s\n' "${selected[@]}" | grep -qx "$n"; then
    names+=("$n")
  fi
done
for s in "${selected[@]}"; do
  [[ -n "${scenarios[$s]+x}" ]] || { echo "mutants.sh: unknown mutant '$s' (tlsm mutants)" >&2; exit 2; }
done

if [[ $with_props -eq 1 ]]; then
  cmake --preset mutants >/dev/null
  cmake --build --preset mutants -j "$jobs"
fi

survivors=0
for n in "${names[@]}"; do
  start=$(date +%s.%N)
  set +e
  # shellcheck disable=SC2086
  "$tlsm" check --mutant "$n" --expect-bug --no-minimise --no-progress \
      --results "$out/$n" ${scenarios[$n]} >"$out/$n.log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  echo "$n $rc $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')" >>"$out/runs.txt"
  [[ $rc -eq 0 ]] || survivors=$((survivors + 1))
  if [[ $with_props -eq 1 ]]; then
    set +e
    TLSM_MUTANT="$n" ctest --test-dir build/mutants -L property >"$out/$n.props.log" 2>&1
    echo "$n $?" >>"$out/props.txt"
    set -e
  fi
done

python3 ci/mutant_table.py "$out" "$out/catalogue.json"
if [[ $survivors -ne 0 ]]; then
  echo "mutants.sh: $survivors mutant(s) survived" >&2
  exit 1
fi
