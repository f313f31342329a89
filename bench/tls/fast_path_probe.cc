// bench/tls/fast_path_probe.cc — see fast_path_probe.h. Benchmark code, not
// engine code: it may name std primitives directly.
#include "bench/tls/fast_path_probe.h"

#include <atomic>

namespace tlsm::probe {
thread_local StdSlots t_std_slots{nullptr, 0};
}  // namespace tlsm::probe

namespace {
using tlsm::probe::t_std_slots;
thread_local std::atomic<void*> t_raw{nullptr};

// The twins' slow path, out of line like the matrix's SlotForWrite (which
// creates the row or grows it). noipa: the compiler may assume nothing about
// it (registers it keeps, constant arguments), as for SlotForWrite, which
// lives in another object. The probes compare code, they are not run past
// the installed slot array, so one spare slot stands in for growth.
__attribute__((noipa)) std::atomic<void*>& StdSlotForWrite(std::uint32_t) {
  static std::atomic<void*> spare{nullptr};
  return spare;
}
}  // namespace

extern "C" {

__attribute__((noinline)) void* tlsm_probe_matrix_get(const tlsm::tls::ThreadLocalColumn* column) {
  return column->Get();
}

__attribute__((noinline)) void* tlsm_probe_std_get(std::uint32_t id) {
  const tlsm::probe::StdSlots s = t_std_slots;
  return id < s.count ? s.base[id].load(std::memory_order_acquire) : nullptr;
}

__attribute__((noinline)) void* tlsm_probe_raw_get() {
  return t_raw.load(std::memory_order_acquire);
}

__attribute__((noinline)) void* tlsm_probe_matrix_swap_cas(tlsm::tls::ThreadLocalColumn* column,
                                                           void* sentinel) {
  void* v = column->Swap(sentinel);
  void* expected = sentinel;
  column->CompareAndSwap(expected, v);
  return v;
}

__attribute__((noinline)) void* tlsm_probe_matrix_swap(tlsm::tls::ThreadLocalColumn* column,
                                                       void* p) {
  return column->Swap(p);
}

__attribute__((noinline)) bool tlsm_probe_matrix_cas(tlsm::tls::ThreadLocalColumn* column,
                                                     void** expected, void* desired) {
  return column->CompareAndSwap(*expected, desired);
}

__attribute__((noinline)) void* tlsm_probe_std_swap(std::uint32_t id, void* p) {
  const tlsm::probe::StdSlots s = t_std_slots;
  if (id < s.count) [[likely]] return s.base[id].exchange(p, std::memory_order_acq_rel);
  return StdSlotForWrite(id).exchange(p, std::memory_order_acq_rel);
}

__attribute__((noinline)) bool tlsm_probe_std_cas(std::uint32_t id, void** expected,
                                                  void* desired) {
  const tlsm::probe::StdSlots s = t_std_slots;
  if (id < s.count) [[likely]] {
    return s.base[id].compare_exchange_strong(*expected, desired, std::memory_order_acq_rel,
                                              std::memory_order_acquire);
  }
  return StdSlotForWrite(id).compare_exchange_strong(*expected, desired,
                                                     std::memory_order_acq_rel,
                                                     std::memory_order_acquire);
}

}  // extern "C"

void TlsmProbeStdInstall(void* slots, std::uint32_t n) {
  t_std_slots = tlsm::probe::StdSlots{static_cast<std::atomic<void*>*>(slots), n};
}
