// engine/sync/alloc_fault.h — allocation-failure injection for tests.
//
// Contract
//   A build configured with -DTLSM_ALLOC_FAULT_INJECTION=ON (the default in
//   Debug builds, so the debug and asan presets; off in Release builds and in
//   the model build) counts allocation points and can make the N-th one
//   throw std::bad_alloc. Allocation points are
//     - every sync::New / sync::NewArray (the seam, std_backend.h), and
//     - every global operator new / new[] of a test binary that replaces
//       them and asks OperatorNewShouldFail() (tests/db/alloc_failure_test.cc).
//   Both paths share one counter. The seam's own `new T` is one point, not
//   two: sync::New counts it, then tells the replaced operator new to skip
//   the one allocation that follows (SkipNextOperatorNew).
//
//   Arm(n) starts counting from zero on every thread (n = 0: count only;
//   n >= 1: the n-th point throws, once); Disarm() stops counting. While
//   disarmed, or on a thread inside a Suspend scope (test code checking
//   results), points are not counted and never fail.
//
// Cost: with the option off, kEnabled is false, the seam's hook is an
//   `if constexpr` that folds away and nothing here is compiled in.
#pragma once

#include <cstdint>

#include "engine/sync/build.h"

// TLSM_CONFIG_ALLOC_FAULT comes from tlsm/config.h (CMake option
// TLSM_ALLOC_FAULT_INJECTION); the model build never injects.
#if defined(TLSM_CONFIG_ALLOC_FAULT) && !TLSM_MODEL
#define TLSM_ALLOC_FAULT TLSM_CONFIG_ALLOC_FAULT
#else
#define TLSM_ALLOC_FAULT 0
#endif

TLSM_BEGIN
namespace sync {
namespace alloc_fault {

inline constexpr bool kEnabled = TLSM_ALLOC_FAULT != 0;

#if TLSM_ALLOC_FAULT
// Starts a run: resets the count; the fail_at-th point throws (0: never).
void Arm(std::uint64_t fail_at) noexcept;
// Ends a run; the count stays readable.
void Disarm() noexcept;
// Points counted since the last Arm.
std::uint64_t Count() noexcept;
// True once the armed point has thrown.
bool Fired() noexcept;
// Counts one point; true when it is the armed one (the caller throws).
bool Point() noexcept;
// The seam's hook: counts one point, throws std::bad_alloc at the armed one;
// otherwise the next replaced operator new on this thread is not counted.
void SeamPoint();
// For a replaced global operator new: false for the allocation a seam point
// already counted, and for a suspended or disarmed thread; else Point().
bool OperatorNewShouldFail() noexcept;

// While alive, this thread's allocations are neither counted nor failed.
class Suspend {
 public:
  Suspend() noexcept;
  ~Suspend();
  Suspend(const Suspend&) = delete;
  Suspend& operator=(const Suspend&) = delete;
};
#else
inline void SeamPoint() noexcept {}
#endif

}  // namespace alloc_fault
}  // namespace sync
TLSM_END
