#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-16
# (-fsanitize=fuzzer,address,undefined) into build/fuzz, from only the
# parsing sources each needs, and runs each for a bounded time on its seed
# corpus (fuzz/corpus/<target>/, copied so the repo is not written).
# The first byte of a replay_file input chooses --minimal (odd: yes); a
# check_args input is `tlsm check`'s argv split at NUL/newline (parse only);
# a merge input is up to three files split at NUL (fuzz/merge_fuzz.cc).
# Fails on any crash, hang (-timeout), leak or sanitizer report; prints the
# executions each target ran.
#   TLSM_FUZZ_SECONDS  seconds per target (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${TLSM_FUZZ_SECONDS:-30}
cxx=${TLSM_FUZZ_CXX:-clang++-16}
out=build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)

# target -> the sources it links (its own file first).
declare -A sources=(
  [token]="fuzz/token_fuzz.cc model/cli/token.cc"
  [replay_file]="fuzz/replay_file_fuzz.cc model/cli/replay_input.cc model/cli/token.cc"
  [check_args]="fuzz/check_args_fuzz.cc model/cli/check_args.cc"
  [merge]="fuzz/merge_fuzz.cc model/harness/merge.cc model/harness/report.cc model/harness/report_json.cc model/cli/history.cc"
)
# target -> the libraries it links (after its sources).
declare -A libs=(
  [check_args]="-lboost_program_options"
)

status=0
for t in "${!sources[@]}"; do
  echo "=== [fuzz] build $t"
  # shellcheck disable=SC2086
  "$cxx" "${flags[@]}" ${sources[$t]} ${libs[$t]:-} -o "$out/${t}_fuzz"
  rm -rf "$out/corpus_$t"
  cp -r "fuzz/corpus/$t" "$out/corpus_$t"
  echo "=== [fuzz] run $t for ${seconds}s"
  log=$out/$t.log
  if (cd "$out" && "./${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "corpus_$t") >"$log" 2>&1; then
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz $t: ${execs:-?} executions, no crash"
  else
    echo "fuzz $t: FAILED (crash, hang or leak); see $log" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit "$status"
