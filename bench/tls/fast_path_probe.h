// bench/tls/fast_path_probe.h — tiny out-of-line functions whose machine code
// ci/tls_fast_path_asm.sh compares: the matrix's Get, Swap and
// CompareAndSwap through the seam versus the same algorithms hand-written
// with std::atomic and thread_local (constant memory orders, no mutant
// branch), and a bare thread_local pointer read (the floor). They live in
// the benchmark program's own object file, so the linker keeps them.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/tls/thread_local_ptr.h"

extern "C" {
// ThreadLocalColumn::Get, inlined into a function of its own.
void* tlsm_probe_matrix_get(const tlsm::tls::ThreadLocalColumn* column);
// The same fast path (the thread's slot array from thread-local words ->
// bounds check -> acquire load) written by hand with std::atomic and
// thread_local.
void* tlsm_probe_std_get(std::uint32_t id);
// A single thread_local std::atomic<void*> read with acquire order.
void* tlsm_probe_raw_get();
// Swap then CompareAndSwap back, through the matrix (calls into the .cc).
void* tlsm_probe_matrix_swap_cas(tlsm::tls::ThreadLocalColumn* column, void* sentinel);
// ThreadLocalColumn::Swap and ::CompareAndSwap, each inlined into a
// function of its own.
void* tlsm_probe_matrix_swap(tlsm::tls::ThreadLocalColumn* column, void* p);
bool tlsm_probe_matrix_cas(tlsm::tls::ThreadLocalColumn* column, void** expected, void* desired);
// Their hand-written twins: slot array from thread-local words -> bounds
// check -> acq_rel exchange / compare-exchange, else an out-of-line call for
// the slot (the matrix's SlotForWrite).
void* tlsm_probe_std_swap(std::uint32_t id, void* p);
bool tlsm_probe_std_cas(std::uint32_t id, void** expected, void* desired);
}

namespace tlsm::probe {
struct StdSlots {  // hand-written twin of sync::ThreadRow::Slots
  std::atomic<void*>* base;
  std::uint32_t count;
};
extern thread_local StdSlots t_std_slots;
}  // namespace tlsm::probe

// The twin's slot for `id` on the calling thread (inline fast path; the
// benchmark installs a slot array first, so there is no slow path here).
inline std::atomic<void*>* TlsmProbeStdSlot(std::uint32_t id) {
  const tlsm::probe::StdSlots s = tlsm::probe::t_std_slots;
  if (id >= s.count) __builtin_trap();
  return &s.base[id];
}

// Points the hand-written thread-local slot array at `slots` (`n` slots) for
// the calling thread.
void TlsmProbeStdInstall(void* slots, std::uint32_t n);
