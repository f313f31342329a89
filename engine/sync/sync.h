// engine/sync/sync.h — the one seam between engine code and the machine.
//
// Contract
//   Engine code names no std or Relacy synchronisation primitive, no
//   `thread_local` and no raw new/delete for shared objects; it uses:
//     Atomic<T>        atomics; every operation names its memory order
//     Statistic<T>     a counter nothing decides on (Add/Sub/Read, relaxed
//                      in production; not a scheduling point in the model)
//     Mutex, MutexLock a mutex and its scoped lock (Clang thread-safety
//                      capabilities: thread_annotations.h), HeldByMe()
//     Cell<T>          plain shared data, touched only inside With/WithMut
//                      closures so the model build can race-check it
//     New/Delete       allocation of shared objects, tracked by the model
//                      build (use-after-free, double free, leak); in a
//                      fault-injection test build New/NewArray are
//                      allocation points that can be made to throw
//                      std::bad_alloc (engine/sync/alloc_fault.h)
//     ThreadRow        the calling thread's row pointer and its teardown, and
//                      its row's slot array (the matrix's one-load fast path)
//     ProcessGlobal<T> a process-wide object (leaked in production so it
//                      survives static destruction; per execution in model)
//     TLSM_INVARIANT   an invariant/misuse assertion carrying an invariant id
//     Name, ApiCall    object names and API-call markers for the model's
//                      failure histories; nothing in production
//                      (history_marks.h)
//     LightFence, HeavyBarrier
//                      the asymmetric fence pair: a cheap fence for a hot
//                      side (a reader) and an expensive one for a rare side
//                      (an installer) that together act as two seq_cst
//                      fences (below)
//   The same text compiles against the standard library (production) or the
//   Relacy Race Detector (TLSM_MODEL=1). ci/check_seam.sh enforces the rule.
//
// Memory ordering: exactly what the caller names; the std build maps Order
// one-to-one onto std::memory_order, the model build onto rl::memory_order.
//
// Asymmetric fences: a LightFence and a HeavyBarrier are ordered as if both
// were seq_cst fences in the single total order (C++ proposal P1202,
// asymmetric_thread_fence_light / _heavy; folly's asymmetricLightBarrier /
// asymmetricHeavyBarrier). So in the store-buffering shape
//     light side: W(a); LightFence(); R(b)    heavy side: W(b); HeavyBarrier(); R(a)
// at least one read sees the other side's write. Production: on Linux with
// membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) (registered by a constructor
// that runs before any ordinary static initializer, so before threads
// exist) the light side is a compiler barrier and the heavy side is the
// system call (every running thread of the process passes a full barrier);
// where the kernel refuses the registration, or TLSM_SYNC_NO_MEMBARRIER=1
// is set in the environment (the tests force the fallback this way), both
// sides are seq_cst fences. AsymmetricFenceMode() says which. The model
// build makes both sides seq_cst fences, which is what they are specified
// to be.
//
// Cost: in the production build every wrapper is an inline forward to the
// std primitive; the source location parameters are unused and vanish.
#pragma once

// Every standard header engine code uses is included here, before Relacy,
// because relacy.hpp redefines new, delete and the memory_order names.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <source_location>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/sync/alloc_fault.h"
#include "engine/sync/build.h"
#include "engine/sync/thread_annotations.h"

TLSM_BEGIN
namespace sync {

enum class Order { kRelaxed, kAcquire, kRelease, kAcqRel, kSeqCst };

// The failure order a compare-exchange uses for a given success order.
constexpr Order FailureOrder(Order success) {
  switch (success) {
    case Order::kAcqRel: return Order::kAcquire;
    case Order::kRelease: return Order::kRelaxed;
    default: return success;
  }
}

using Loc = std::source_location;

// Reports a violated invariant or an API misuse. `id` is an invariant id from
// docs/design.md ("TLS-ONCE", ...) or "MISUSE". Model build: fails the execution
// through Relacy (the report carries id and message). Production: prints and
// aborts when debug checks are on; compiled out otherwise.
[[noreturn]] void AbortWithInvariant(const char* id, const char* message,
                                     Loc loc);

}  // namespace sync
TLSM_END

#if TLSM_MODEL
#include "engine/sync/model_backend.h"
#else
#include "engine/sync/std_backend.h"
#endif
#include "engine/sync/history_marks.h"

TLSM_BEGIN
namespace sync {

// Scoped lock of a sync::Mutex: locks on construction (the caller's source
// location goes into the model's history), unlocks on destruction.
class TLSM_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu, Loc l = Loc::current()) TLSM_ACQUIRE(mu) : mu_(mu) {
    mu_.Lock(l);
  }
  ~MutexLock() TLSM_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Exception safety for code that allocates in steps: returns f(); if f
// throws (std::bad_alloc: engine/sync/alloc_fault.h), runs undo() and
// rethrows. undo must not throw.
template <class F, class U>
decltype(auto) UndoOnThrow(F&& f, U&& undo) {
  try {
    return std::forward<F>(f)();
  } catch (...) {
    std::forward<U>(undo)();
    throw;
  }
}

}  // namespace sync
TLSM_END

#if TLSM_DEBUG_CHECKS
#define TLSM_INVARIANT(cond, id, message)                          \
  do {                                                             \
    if (!(cond)) ::tlsm::sync::ReportInvariant((id), (message),    \
                                               std::source_location::current()); \
  } while (0)
#else
#define TLSM_INVARIANT(cond, id, message) \
  do {                                    \
    (void)sizeof(cond);                   \
  } while (0)
#endif
