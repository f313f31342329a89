// engine/sync/alloc_fault.cc — the counter behind alloc_fault.h (test builds).
#include "engine/sync/alloc_fault.h"

#if TLSM_ALLOC_FAULT
#include <atomic>
#include <new>

TLSM_BEGIN
namespace sync {
namespace alloc_fault {
namespace {
// Test instrumentation, not engine state: relaxed everywhere except the
// armed flag, which publishes fail_at and the reset count (Arm/Disarm are
// called by the test's driving thread around a workload).
std::atomic<bool> g_armed{false};
std::atomic<std::uint64_t> g_count{0};
std::atomic<std::uint64_t> g_fail_at{0};
std::atomic<bool> g_fired{false};
thread_local int t_suspended = 0;
thread_local bool t_skip_next = false;
}  // namespace

void Arm(std::uint64_t fail_at) noexcept {
  g_count.store(0, std::memory_order_relaxed);
  g_fired.store(false, std::memory_order_relaxed);
  g_fail_at.store(fail_at, std::memory_order_relaxed);
  t_skip_next = false;
  g_armed.store(true, std::memory_order_release);
}

void Disarm() noexcept { g_armed.store(false, std::memory_order_release); }

std::uint64_t Count() noexcept { return g_count.load(std::memory_order_relaxed); }

bool Fired() noexcept { return g_fired.load(std::memory_order_relaxed); }

bool Point() noexcept {
  if (!g_armed.load(std::memory_order_acquire) || t_suspended != 0) return false;
  const std::uint64_t n = g_count.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n != g_fail_at.load(std::memory_order_relaxed)) return false;
  g_fired.store(true, std::memory_order_relaxed);
  return true;
}

void SeamPoint() {
  if (Point()) throw std::bad_alloc();
  // The `new T` that follows calls operator new once, first (before T's
  // constructor, which may allocate points of its own).
  t_skip_next = g_armed.load(std::memory_order_relaxed) && t_suspended == 0;
}

bool OperatorNewShouldFail() noexcept {
  if (t_skip_next) {
    t_skip_next = false;
    return false;
  }
  return Point();
}

Suspend::Suspend() noexcept { ++t_suspended; }
Suspend::~Suspend() { --t_suspended; }

}  // namespace alloc_fault
}  // namespace sync
TLSM_END
#endif
