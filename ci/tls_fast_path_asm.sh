#!/usr/bin/env bash
# Prints the machine code of the matrix's fast-path probes (bench/tls/fast_path_probe.cc)
# side by side with their hand-written std twins, from a Release build of
# thread_local_ptr_bench, and says whether Get compiles to the same
# instructions (modulo the TLS offset, the register and where the id comes from).
#
#   ci/tls_fast_path_asm.sh [build-dir]     (default: build/release)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/release}"
bin="$build/bench/tls/thread_local_ptr_bench"
[[ -x "$bin" ]] || { echo "no $bin (build thread_local_ptr_bench in Release first)" >&2; exit 2; }

dis() {  # function -> its instructions, addresses and operands' immediates stripped
  objdump -d --no-show-raw-insn -C --disassemble="$1" "$bin" |
    sed -n "/<$1>:/,/^\$/p" | tail -n +2 | sed -e 's/^ *[0-9a-f]*:\s*//' -e '/^$/d'
}
for f in tlsm_probe_matrix_get tlsm_probe_std_get tlsm_probe_raw_get tlsm_probe_matrix_swap_cas; do
  echo "== $f"
  dis "$f"
done
mnemonics() { dis "$1" | awk '{print $1}' | grep -v -E '^(nop|xchg|data16|cs)' ; }
if diff <(mnemonics tlsm_probe_matrix_get | grep -v '^mov$') \
        <(mnemonics tlsm_probe_std_get | grep -v '^mov$') >/dev/null &&
   [[ $(mnemonics tlsm_probe_matrix_get | wc -l) -le $(mnemonics tlsm_probe_std_get | wc -l) ]]; then
  echo "Get: same instructions as the hand-written std fast path"
else
  echo "Get: DIFFERS from the hand-written std fast path" >&2
  exit 1
fi
