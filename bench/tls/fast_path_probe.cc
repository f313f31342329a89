// bench/tls/fast_path_probe.cc — see fast_path_probe.h. Benchmark code, not
// engine code: it may name std primitives directly.
#include "bench/tls/fast_path_probe.h"

#include <atomic>

namespace tlsm_probe {
thread_local StdSlots t_std_slots{nullptr, 0};
}  // namespace tlsm_probe

namespace {
using tlsm_probe::t_std_slots;
thread_local std::atomic<void*> t_raw{nullptr};
}  // namespace

extern "C" {

__attribute__((noinline)) void* tlsm_probe_matrix_get(const tlsm::tls::ThreadLocalColumn* column) {
  return column->Get();
}

__attribute__((noinline)) void* tlsm_probe_std_get(std::uint32_t id) {
  const tlsm_probe::StdSlots s = t_std_slots;
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

}  // extern "C"

void TlsmProbeStdInstall(void* slots, std::uint32_t n) {
  t_std_slots = tlsm_probe::StdSlots{static_cast<std::atomic<void*>*>(slots), n};
}
