#!/usr/bin/env bash
# ci/package_test.sh [BUILD_DIR] — the installed package, used the way a
# user uses it. Reuses BUILD_DIR (default build/release, already configured):
#   1. builds the installable targets there and installs into a temp prefix;
#   2. checks that the package config names no path of this machine's build
#      or source tree (relocatable);
#   3. configures examples/db_host against the prefix only, in Debug (the
#      opposite NDEBUG of the Release library) and in Release, builds and
#      runs it (the NDEBUG test: layouts come from the installed tlsm/config.h);
#   4. configures examples/treiber_stack, builds its model checker, and checks
#      that stack.push_pop is verified at K=2 (--search bounded --bound 2),
#      that the broken twin fails with a replay token, that the token replays
#      the failure, and that the generated ctests pass.
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
  [[ -f "$prefix/lib/cmake/tlsm/tlsmConfig.cmake" ]] || return 1
  ! grep -rIl -e "$root" "$prefix/lib/cmake/tlsm"
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

same_checks() {  # a consumer with either NDEBUG sees the library's debug checks
  printf '#include "engine/sync/build.h"\nstatic_assert(TLSM_DEBUG_CHECKS == TLSM_CONFIG_DEBUG_CHECKS);\n' \
      >"$work/checks.cc"
  g++ -std=c++20 -fsyntax-only -DNDEBUG -I"$prefix/include" "$work/checks.cc" &&
    g++ -std=c++20 -fsyntax-only -UNDEBUG -I"$prefix/include" "$work/checks.cc"
}

step build cmake --build "$build" -j "$jobs" --target tlsm_engine tlsm_engine_model tlsm tlsm_driver
step install cmake --install "$build" --prefix "$prefix"
step relocatable no_build_paths
step same_debug_checks same_checks
step db_host.Debug configure db_host Debug
step db_host.Debug.run "$work/db_host.Debug/db_host_example"
step db_host.Release configure db_host Release
step db_host.Release.run "$work/db_host.Release/db_host_example"
step treiber_stack.build configure treiber_stack Release
step treiber_stack.verified_k2 verified_k2
step treiber_stack.broken_twin broken_twin
step treiber_stack.replay replay
step treiber_stack.ctest ctest --test-dir "$work/treiber_stack.Release" -R "stack.push_pop$" --no-tests=error \
     --output-on-failure
printf '%-8s %4d passed %4d failed\n' package "$pass" "$fail"
(( fail == 0 ))
