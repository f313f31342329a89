#!/usr/bin/env bash
# ci/package_test.sh [BUILD_DIR] — the installed package, used the way a
# user uses it. Reuses BUILD_DIR (default build/release, already configured):
#   1. builds the installable targets there and installs into a temp prefix;
#   2. checks that the package config names no path of this machine's build
#      or source tree (relocatable);
#   3. configures examples/db_host against the prefix only, in Debug (the
#      opposite NDEBUG of the Release library) and in Release, builds and
#      runs it (the NDEBUG test: layouts come from the installed tlsm/config.h);
#   4. configures examples/parts (the matrix alone, the SuperVersion cache
#      alone: each links one part target), builds and runs both;
#   5. configures examples/treiber_stack, builds its model checker, and checks
#      that stack.push_pop is verified at K=2 (--search bounded --bound 2),
#      that the broken twin fails with a replay token, that the token replays
#      the failure, and that the generated ctests pass (the model check of
#      stack.push_pop and the EXPECT_BUG twin of stack.push_pop_broken).
# Registered as the ctest `package` (label package) of a model-enabled build.
# Prints one summary line "package  N passed M failed"; exit 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build/release}
jobs=${TLSM_JOBS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
pass=0 fail=0
step() {  # step <name> <command...>: runs it, counts it
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then
    pass=$((pass + 1)); echo "ok    $name"
  else
    fail=$((fail + 1)); echo "FAIL  $name"; tail -30 "$work/$name.log"
  fi
}
no_build_paths() {
  local dir
  dir=$(dirname "$(find "$prefix" -name tlsmConfig.cmake | head -1)")
  [[ -f "$dir/tlsmConfig.cmake" ]] || return 1
  ! grep -rIl -e "$root" "$dir"
}
configure() {  # configure <example> <build type>
  cmake -S "examples/$1" -B "$work/$1.$2" -G Ninja -DCMAKE_BUILD_TYPE="$2" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF &&
    cmake --build "$work/$1.$2" -j "$jobs"
}
verified_k2() {
  "$work/treiber_stack.Release/stack_check" check stack.push_pop --search bounded --bound 2 \
      --results "$work/r1" | tee /dev/stderr | grep -q "1 search verified (complete)"
}
broken_twin() {
  local out
  out=$("$work/treiber_stack.Release/stack_check" check stack.push_pop_broken --no-minimise \
        --results "$work/r2" 2>&1)
  local rc=$?
  echo "$out"
  (( rc == 1 )) || return 1  # 1: a bug found
  token=$(grep -oE "stack_check replay [^ ]+" <<<"$out" | head -1 | awk '{print $3}')
  [[ -n "$token" ]] && echo "$token" >"$work/token"
}
replay() {  # exit 1 = the replayed execution failed again (2, 3: usage, harness)
  "$work/treiber_stack.Release/stack_check" replay "$(cat "$work/token")"
  [[ $? -eq 1 ]]
}

treiber_ctest() {  # both generated ctests exist and pass
  local dir=$work/treiber_stack.Release listed
  listed=$(ctest --test-dir "$dir" -N) || return 1  # not piped: grep -q would SIGPIPE it
  grep -q "stack_check.model.stack.push_pop$" <<<"$listed" &&
    grep -q "stack_check.twin.stack.push_pop_broken$" <<<"$listed" &&
    ctest --test-dir "$dir" --no-tests=error --output-on-failure
}

same_checks() {  # a consumer with either NDEBUG sees the library's debug checks
  printf '#include "engine/sync/build.h"\nstatic_assert(TLSM_DEBUG_CHECKS == TLSM_CONFIG_DEBUG_CHECKS);\n' \
      >"$work/checks.cc"
  g++ -std=c++20 -fsyntax-only -DNDEBUG -I"$prefix/include" "$work/checks.cc" &&
    g++ -std=c++20 -fsyntax-only -UNDEBUG -I"$prefix/include" "$work/checks.cc"
}

installed=(tlsm_sync tlsm_matrix tlsm_perf tlsm_batch tlsm_version tlsm_db)
installed+=("${installed[@]/%/_model}" tlsm_harness tlsm_driver tlsm)
step build cmake --build "$build" -j "$jobs" --target "${installed[@]}"
step install cmake --install "$build" --prefix "$prefix"
step relocatable no_build_paths
step same_debug_checks same_checks
step db_host.Debug configure db_host Debug
step db_host.Debug.run "$work/db_host.Debug/db_host_example"
step db_host.Release configure db_host Release
step db_host.Release.run "$work/db_host.Release/db_host_example"
step parts.build configure parts Release
step parts.matrix_only.run "$work/parts.Release/matrix_only"
step parts.sv_cache_only.run "$work/parts.Release/sv_cache_only"
step treiber_stack.build configure treiber_stack Release
step treiber_stack.verified_k2 verified_k2
step treiber_stack.broken_twin broken_twin
step treiber_stack.replay replay
step treiber_stack.ctest treiber_ctest
printf '%-8s %4d passed %4d failed\n' package "$pass" "$fail"
(( fail == 0 ))
