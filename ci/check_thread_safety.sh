#!/usr/bin/env bash
# Clang's thread-safety analysis over the production engine.
#
# Usage: ci/check_thread_safety.sh [repo root]
#   1. every engine/**/*.cc compiles (syntax only, production build, debug
#      checks on) with clang++ -Wthread-safety -Werror=thread-safety: each
#      TLSM_GUARDED_BY field is touched only with its mutex held, each
#      TLSM_REQUIRES function called only with it held
#      (engine/sync/thread_annotations.h);
#   2. the check has teeth: ci/thread_safety/wrong_lock_use.cc compiles with
#      the lock taken (-DTLSM_TSA_LOCKED) and fails with a thread-safety
#      error without it.
# Needs clang >= 15 (libstdc++'s <source_location> needs its
# __builtin_source_location); CLANGXX overrides the search. Exit 0 when both
# hold, 1 when a check fails, 2 when no usable clang is installed.
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)

clangxx=""
for c in "${CLANGXX:-}" clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++; do
  [[ -n "$c" ]] && command -v "$c" >/dev/null || continue
  major=$("$c" -dumpversion | cut -d. -f1)
  if (( major >= 15 )); then clangxx=$c; break; fi
done
if [[ -z "$clangxx" ]]; then
  echo "check_thread_safety: no clang++ >= 15 found (ci/install-deps.sh installs clang-16)" >&2
  exit 2
fi

flags=(-std=c++20 -fsyntax-only -I"$root" -Wthread-safety -Werror=thread-safety)
mapfile -t sources < <(cd "$root" && ls engine/*/*.cc)
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${sources[@]}"; do
  if ! "$clangxx" "${flags[@]}" "$root/$f" >>"$log" 2>&1; then
    echo "check_thread_safety: $f fails the analysis" >&2
    status=1
  fi
done
if (( status != 0 )); then
  cat "$log" >&2
  exit 1
fi
echo "thread-safety: ${#sources[@]} engine sources clean ($clangxx -Wthread-safety)"

teeth=$root/ci/thread_safety/wrong_lock_use.cc
if ! "$clangxx" "${flags[@]}" -DTLSM_TSA_LOCKED "$teeth" >"$log" 2>&1; then
  echo "check_thread_safety: the locked variant of $teeth does not compile:" >&2
  cat "$log" >&2
  exit 1
fi
if "$clangxx" "${flags[@]}" "$teeth" >"$log" 2>&1; then
  echo "check_thread_safety: $teeth compiled without its lock: the analysis is not on" >&2
  exit 1
fi
if ! grep -q "Werror,-Wthread-safety" "$log"; then
  echo "check_thread_safety: $teeth failed, but not with a thread-safety error:" >&2
  cat "$log" >&2
  exit 1
fi
echo "thread-safety: the wrong lock use is rejected ($(grep -c 'error:' "$log") errors)"
