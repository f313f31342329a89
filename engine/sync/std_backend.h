// engine/sync/std_backend.h — the seam bound to the standard library.
// Internal: include engine/sync/sync.h, never this file.
#pragma once

#include <thread>

TLSM_BEGIN
namespace sync {

// Which backend this is, for engine constants sized per build (a constant,
// never a branch on behaviour: both builds run the same algorithm).
inline constexpr bool kModelBuild = false;

constexpr std::memory_order ToStd(Order o) {
  switch (o) {
    case Order::kRelaxed: return std::memory_order_relaxed;
    case Order::kAcquire: return std::memory_order_acquire;
    case Order::kRelease: return std::memory_order_release;
    case Order::kAcqRel: return std::memory_order_acq_rel;
    case Order::kSeqCst: return std::memory_order_seq_cst;
  }
  return std::memory_order_seq_cst;
}

[[noreturn]] inline void ReportInvariant(const char* id, const char* message,
                                         Loc loc) {
  AbortWithInvariant(id, message, loc);
}

template <class T>
class Atomic {
 public:
  constexpr Atomic() noexcept : v_() {}
  constexpr explicit Atomic(T v) noexcept : v_(v) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T Load(Order o, Loc = Loc::current()) const noexcept { return v_.load(ToStd(o)); }
  void Store(T v, Order o, Loc = Loc::current()) noexcept { v_.store(v, ToStd(o)); }
  T Exchange(T v, Order o, Loc = Loc::current()) noexcept {
    return v_.exchange(v, ToStd(o));
  }
  // Strong compare-exchange; on failure `expected` receives the current value.
  bool CompareExchange(T& expected, T desired, Order o,
                       Loc = Loc::current()) noexcept {
    return v_.compare_exchange_strong(expected, desired, ToStd(o),
                                      ToStd(FailureOrder(o)));
  }
  T FetchAdd(T d, Order o, Loc = Loc::current()) noexcept {
    return v_.fetch_add(d, ToStd(o));
  }
  T FetchSub(T d, Order o, Loc = Loc::current()) noexcept {
    return v_.fetch_sub(d, ToStd(o));
  }

 private:
  std::atomic<T> v_;
};

inline void Fence(Order o, Loc = Loc::current()) noexcept {
  std::atomic_thread_fence(ToStd(o));
}

// The asymmetric fence pair (contract in sync.h). The mode is decided once,
// by a constructor that runs before every ordinary static initializer (so
// before any thread can exist): kMembarrier when the kernel accepted
// MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, else kSeqCstFences. It never
// changes afterwards, so a light and a heavy side never disagree.
enum class FenceMode { kMembarrier, kSeqCstFences, kModel };
namespace detail {
// Written once before threads start (sync.cc); read by every light fence.
extern bool g_membarrier_registered;
}  // namespace detail
inline FenceMode AsymmetricFenceMode() noexcept {
  return detail::g_membarrier_registered ? FenceMode::kMembarrier : FenceMode::kSeqCstFences;
}
// Membarrier mode: a compiler barrier only (the heavy side makes every
// running thread execute a full barrier). Fallback: a seq_cst fence.
inline void LightFence(Loc = Loc::current()) noexcept {
  if (!detail::g_membarrier_registered) [[unlikely]] {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
}
// Membarrier mode: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which makes
// every thread of the process that is running pass a full barrier, plus a
// seq_cst fence on this thread. Fallback: a seq_cst fence.
void HeavyBarrier(Loc = Loc::current()) noexcept;

// Monotonic nanoseconds for timers. The model build substitutes a
// deterministic logical clock, so replays of an execution are identical.
inline std::uint64_t NowNanos() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// Lets other threads run (a wait loop's back-off).
inline void Yield() { std::this_thread::yield(); }

// A token naming the calling thread, for debug ownership checks only.
inline std::uintptr_t CurrentThreadToken() noexcept {
  static thread_local char marker;
  return reinterpret_cast<std::uintptr_t>(&marker);
}

// A counter whose value no code decides anything concurrent on (statistics,
// test instrumentation): relaxed read-modify-writes, and reads that may lag.
template <class T>
class Statistic {
 public:
  constexpr explicit Statistic(T v = T()) noexcept : v_(v) {}
  Statistic(const Statistic&) = delete;
  Statistic& operator=(const Statistic&) = delete;
  void Add(T d) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
  void Sub(T d) noexcept { v_.fetch_sub(d, std::memory_order_relaxed); }
  T Read() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<T> v_;
};

class TLSM_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock(Loc = Loc::current()) TLSM_ACQUIRE() {
    mu_.lock();
#if TLSM_DEBUG_CHECKS
    owner_.store(CurrentThreadToken(), std::memory_order_relaxed);
#endif
  }
  void Unlock(Loc = Loc::current()) TLSM_RELEASE() {
#if TLSM_DEBUG_CHECKS
    owner_.store(0, std::memory_order_relaxed);
#endif
    mu_.unlock();
  }
  // True when the calling thread holds the mutex (debug builds); always true
  // when debug checks are off, so it only ever feeds assertions.
  bool HeldByMe() const noexcept {
#if TLSM_DEBUG_CHECKS
    // relaxed: only the owner itself can observe its own token here.
    return owner_.load(std::memory_order_relaxed) == CurrentThreadToken();
#else
    return true;
#endif
  }

 private:
  std::mutex mu_;
#if TLSM_DEBUG_CHECKS
  std::atomic<std::uintptr_t> owner_{0};
#endif
};

// Plain shared data. Production: a plain T; the closures inline away.
template <class T>
class Cell {
 public:
  template <class... A>
  explicit Cell(A&&... a) : v_(std::forward<A>(a)...) {}
  Cell(const Cell&) = delete;
  Cell& operator=(const Cell&) = delete;

  template <class F>
  decltype(auto) With(F&& f, Loc = Loc::current()) const {
    return std::forward<F>(f)(static_cast<const T&>(v_));
  }
  template <class F>
  decltype(auto) WithMut(F&& f, Loc = Loc::current()) {
    return std::forward<F>(f)(v_);
  }

 private:
  T v_;
};

// New and NewArray throw std::bad_alloc when allocation fails (and, in a
// fault-injection test build, when alloc_fault says so); nothing is
// allocated then. The hook folds away when injection is compiled out.
template <class T, class... A>
T* New(A&&... a) {
  if constexpr (alloc_fault::kEnabled) alloc_fault::SeamPoint();
  return new T(std::forward<A>(a)...);
}
template <class T>
void Delete(T* p, Loc = Loc::current()) {
  delete p;
}
template <class T>
T* NewArray(std::size_t n) {
  if constexpr (alloc_fault::kEnabled) alloc_fault::SeamPoint();
  return new T[n];
}
template <class T>
void DeleteArray(T* p, std::size_t, Loc = Loc::current()) {
  delete[] p;
}

// The calling thread's row pointer. Set() arms `teardown`, which runs once
// at the thread's real exit (after its C++ thread_local destructors, so they
// may still use the matrix). Teardown may Set() again; it is then re-run, up
// to PTHREAD_DESTRUCTOR_ITERATIONS times, like any pthread key.
//
// Beside the row pointer, the thread keeps its row's slot array (address and
// length) in its own thread-local words, so the matrix's fast path finds a
// slot with one thread-local load instead of following the row pointer. The
// row's owner alone sets it (SetSlots, when it creates or grows its slot
// array); Set() and Clear() empty it.
class ThreadRow {
 public:
  using Teardown = void (*)(void* row);
  struct Slots {  // value-initialized ({}) means none
    void* base;
    std::uint32_t count;
  };
  static void* Get() noexcept { return current_; }
  static void Set(void* row, Teardown teardown);
  static void Clear() noexcept;
  static Slots GetSlots() noexcept { return slots_; }
  static void SetSlots(void* base, std::uint32_t count) noexcept { slots_ = Slots{base, count}; }

 private:
  static inline thread_local void* current_ = nullptr;
  static inline thread_local Slots slots_{};
};

// A process-wide T, created on first use and never destroyed, so threads and
// static destructors that run after main still find it alive.
template <class T>
T& ProcessGlobal() {
  static T* instance = new T();
  return *instance;
}

}  // namespace sync
TLSM_END
