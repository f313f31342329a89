// bench/tls/fast_path_probe.cc — see fast_path_probe.h. Benchmark code, not
// engine code: it may name std primitives directly.
#include "bench/tls/fast_path_probe.h"

#include <atomic>

namespace tlsm_probe {
thread_local StdRow* t_std_row = nullptr;
}  // namespace tlsm_probe

namespace {
using tlsm_probe::StdRow;
using tlsm_probe::t_std_row;
thread_local StdRow t_std_row_storage;
thread_local std::atomic<void*> t_raw{nullptr};
}  // namespace

extern "C" {

__attribute__((noinline)) void* tlsm_probe_matrix_get(const tlsm::tls::ThreadLocalColumn* column) {
  return column->Get();
}

__attribute__((noinline)) void* tlsm_probe_std_get(std::uint32_t id) {
  StdRow* row = t_std_row;
  if (row == nullptr) return nullptr;
  return id < row->capacity ? row->slots[id].load(std::memory_order_acquire) : nullptr;
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
  t_std_row_storage = StdRow{nullptr, static_cast<std::atomic<void*>*>(slots), n};
  t_std_row = &t_std_row_storage;
}
