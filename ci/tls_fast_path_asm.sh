#!/usr/bin/env bash
# Prints the machine code of the matrix's fast-path probes (bench/tls/fast_path_probe.cc)
# side by side with their hand-written std twins, from a Release build of
# thread_local_ptr_bench, and checks that Get, Swap and CompareAndSwap each
# compile to the same instructions as the twin (modulo register moves: the
# TLS offset, the registers and where the id comes from). The twins use
# constant memory orders and have no mutant branch, so a match also shows
# that the production build folds every mutant branch away
# (sync::MutantIs is a constexpr false there) and passes constant orders.
#
#   ci/tls_fast_path_asm.sh [build-dir]     (default: build/release)
# Exit 0 all three match, 1 one differs, 2 no benchmark binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/release}"
bin="$build/bench/tls/thread_local_ptr_bench"
[[ -x "$bin" ]] || { echo "no $bin (build thread_local_ptr_bench in Release first)" >&2; exit 2; }

dis() {  # function -> its instructions, addresses and operands' immediates stripped
  objdump -d --no-show-raw-insn -C --disassemble="$1" "$bin" |
    sed -n "/<$1>:/,/^\$/p" | tail -n +2 | sed -e 's/^ *[0-9a-f]*:\s*//' -e '/^$/d'
}
for f in tlsm_probe_matrix_get tlsm_probe_std_get tlsm_probe_raw_get \
         tlsm_probe_matrix_swap tlsm_probe_std_swap tlsm_probe_matrix_cas tlsm_probe_std_cas \
         tlsm_probe_matrix_swap_cas; do
  echo "== $f"
  dis "$f"
done
# Mnemonics without padding (nop, data16, cs, the two-byte nop xchg %ax,%ax)
# and without register moves.
mnemonics() {
  dis "$1" | grep -v -E '^(nop|data16|cs)|^xchg +%ax,%ax' | awk '{print $1}' | grep -v -E '^mov'
}
status=0
for op in get swap cas; do
  m=tlsm_probe_matrix_$op s=tlsm_probe_std_$op
  if [[ -z "$(dis "$m")" || -z "$(dis "$s")" ]]; then
    echo "$op: probe $m or $s not found in $bin" >&2
    status=1
  elif diff <(mnemonics "$m") <(mnemonics "$s") >/dev/null; then
    echo "$op: same instructions as the hand-written std fast path"
  else
    echo "$op: DIFFERS from the hand-written std fast path:" >&2
    diff <(mnemonics "$m") <(mnemonics "$s") >&2 || true
    status=1
  fi
done
exit "$status"
