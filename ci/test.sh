#!/usr/bin/env bash
# Runs every test TLS Matrix has, on a fresh machine (installs what it needs):
#   1. release model build: unit tests, tlsm CLI end-to-end tests, every model
#      scenario through tlsm (label model), every mutant twin (label
#      mutants: `tlsm check --mutant NAME` must find the injected bug), and
#      the distributed tests (label distributed: a one-node Slurm cluster
#      runs a sharded search as a job array, tlsm merge; the shipped GitHub
#      Actions workflow and Kubernetes manifest checked);
#   2. release build of the matrix benchmark: the fast-path probe
#      (ci/tls_fast_path_asm.sh: Get, Swap, CompareAndSwap compile to the
#      instructions of hand-written std code, every mutant branch folded);
#   2b. the installable package from that same build/release (ctest label
#      package, ci/package_test.sh: install into a temp prefix, the examples against
#      the prefix only, the NDEBUG test, the example's model checks);
#   3. debug build: unit, stress and property tests with debug assertions;
#   4. asan+ubsan and tsan builds: unit, stress and property tests;
#   5. fuzz: the libFuzzer targets of fuzz/ (ci/fuzz.sh), bounded time each.
# Before the builds: the seam check and Clang's thread-safety analysis of the
# engine (ci/check_thread_safety.sh, about 20 s of CPU).
# JUnit reports land in build/junit/. Exit 0 only if every stage passed.
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
ci/check_seam.sh .
ci/check_thread_safety.sh .

jobs=${TLSM_JOBS:-$(nproc)}
mkdir -p build/junit
summary=()
total_pass=0
total_fail=0

run_stage() {  # run_stage <preset> <ctest label regex>
  local preset=$1 labels=$2
  echo "=== [$preset] configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== [$preset] ctest -L '$labels'"
  local log=build/junit/$preset.log rc
  set +e
  ctest --test-dir "build/$preset" -L "$labels" -j "$jobs" --output-on-failure \
        --output-junit "$PWD/build/junit/$preset.xml" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  local line pass fail
  line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$log" | tail -1 || true)
  fail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$line")
  if [[ -z "$line" ]]; then fail=1; total=1; fi
  pass=$((total - fail))
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  summary+=("$(printf '%-8s %4d passed %4d failed' "$preset" "$pass" "$fail")")
  return "$rc"
}

status=0
run_stage model "unit|model|mutants|cli|distributed" || status=1
echo "=== [release] fast-path probe"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target thread_local_ptr_bench
if ci/tls_fast_path_asm.sh build/release; then
  summary+=("release  fast-path probe: same instructions as std")
else
  summary+=("release  fast-path probe: DIFFERS")
  status=1
fi
echo "=== [release] package (ctest -L package)"
set +e
TLSM_JOBS=$jobs ctest --test-dir build/release -L package -V \
    --output-junit "$PWD/build/junit/package.xml" 2>&1 | tee build/junit/package.log
rc=${PIPESTATUS[0]}
set -e
line=$(grep -oE "package +[0-9]+ passed +[0-9]+ failed" build/junit/package.log | tail -1 || true)
if [[ "$line" =~ ^package\ +([0-9]+)\ passed\ +([0-9]+)\ failed$ ]]; then
  total_pass=$((total_pass + BASH_REMATCH[1]))
  total_fail=$((total_fail + BASH_REMATCH[2]))
  summary+=("$line")
else
  total_fail=$((total_fail + 1))
  summary+=("package     0 passed    1 failed")
fi
(( rc == 0 )) || status=1
run_stage debug "unit|stress|property" || status=1
run_stage asan "unit|stress|property" || status=1
run_stage tsan "unit|stress|property" || status=1
echo "=== [fuzz] libFuzzer targets (ci/fuzz.sh, ${TLSM_FUZZ_SECONDS:-30} s each)"
fuzz_start=$SECONDS
if fuzz_out=$(ci/fuzz.sh 2>&1); then fuzz_ok=1; else fuzz_ok=0; status=1; fi
echo "$fuzz_out"
fuzz_line=$(grep -E '^fuzz [a-z_]+: ' <<<"$fuzz_out" | sed -E 's/^fuzz ([a-z_]+): ([0-9?]+) executions.*/\1 \2/' | tr '\n' ' ' || true)
if [[ $fuzz_ok -eq 1 ]]; then
  summary+=("$(printf 'fuzz     no crash in %ds; executions: %s' $((SECONDS - fuzz_start)) "$fuzz_line")")
else
  summary+=("fuzz     FAILED (crash, hang or leak; build/fuzz/*.log)")
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "tests: $total_pass passed, $total_fail failed"
exit "$status"
