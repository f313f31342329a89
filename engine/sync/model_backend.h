// engine/sync/model_backend.h — the seam bound to the Relacy Race Detector.
// Internal: include engine/sync/sync.h, never this file.
//
// Every shared access is visible to Relacy: atomics with their orders, Cells
// as rl::var accesses, mutexes, tracked allocation. Freed objects are
// poisoned: the destructor of every Atomic and Cell writes its tracking
// variable first, so a read of a shared object that is not ordered before its
// Delete is reported as a data race (Relacy does not treat free as a write).
// Requires -fno-lifetime-dse, or GCC drops those writes as dead stores.
#pragma once

#include <relacy/relacy.hpp>

// relacy.hpp redefines these names for test code; engine code uses the seam
// instead, and standard headers included later must see the real names.
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#undef errno
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef VAR
#undef VAR_T
#undef TLS_T
// Restore glibc's errno (relacy.hpp replaced it with its own emulation).
#define errno (*__errno_location())

TLSM_BEGIN
namespace sync {

inline rl::debug_info Info(const Loc& l) {
  return rl::debug_info(l.function_name(), l.file_name(), l.line());
}
// The seam's own bookkeeping events carry these function names instead of
// the caller's (the file and line stay the caller's), so a history reader
// can hide them (model/cli/history.h): an Atomic's LifeMark read before each
// operation, and its initializing store.
inline constexpr const char* kSeamLifeMark = "[seam] life mark";
inline constexpr const char* kSeamInit = "[seam] initial store";
inline rl::debug_info SeamInfo(const char* what, const Loc& l) {
  return rl::debug_info(what, l.file_name(), l.line());
}

constexpr rl::memory_order ToRl(Order o) {
  switch (o) {
    case Order::kRelaxed: return rl::mo_relaxed;
    case Order::kAcquire: return rl::mo_acquire;
    case Order::kRelease: return rl::mo_release;
    case Order::kAcqRel: return rl::mo_acq_rel;
    case Order::kSeqCst: return rl::mo_seq_cst;
  }
  return rl::mo_seq_cst;
}

// Fails the current execution; the description starts with the invariant id.
void ReportInvariant(const char* id, const char* message, Loc loc);

inline constexpr int kPoison = 0x0DEAD;

// Which backend this is (see std_backend.h).
inline constexpr bool kModelBuild = true;

// The operation each simulated thread performs at its next scheduling point,
// as the harness's partial-order reduction sees it (model/harness/
// tree_scheduler.h). The seam declares it just before the Relacy call that
// schedules and clears it when the call returns, so a scheduling point the
// seam did not declare (thread start and exit, yield, a seq_cst fence,
// Relacy primitives used directly) reads as kGlobal: dependent with
// everything. Two operations are independent only if they touch different
// objects, or both read one. kStart: the thread has not run yet; its first
// step runs its own code up to its first scheduling point and touches no
// shared object, so it is independent of everything. kLock / kUnlock: a
// mutex acquisition (or an attempt that blocks) and its release.
enum class OpKind : std::uint8_t { kGlobal = 0, kStart, kRead, kWrite, kRmw, kLock, kUnlock };
struct PendingOp {
  const void* object = nullptr;
  OpKind kind = OpKind::kGlobal;
};
inline constexpr unsigned kMaxModelThreads = 16;

class PendingOps {
 public:
  static PendingOp Of(unsigned thread) { return ops_[thread]; }
  static void Declare(OpKind k, const void* object) {
    ops_[rl::thread_index()] = PendingOp{object, k};
  }
  static void Clear() { ops_[rl::thread_index()] = PendingOp{}; }
  // Harness only: every thread back to "not started" (start of an execution).
  static void ResetAll() {
    for (PendingOp& op : ops_) op = PendingOp{nullptr, OpKind::kStart};
  }

 private:
  static inline PendingOp ops_[kMaxModelThreads] = {};
};

// Declares the calling thread's next operation for the scope of one call.
class DeclaredOp {
 public:
  DeclaredOp(OpKind k, const void* object) { PendingOps::Declare(k, object); }
  ~DeclaredOp() { PendingOps::Clear(); }
  DeclaredOp(const DeclaredOp&) = delete;
  DeclaredOp& operator=(const DeclaredOp&) = delete;
};

// A tracked plain variable that marks an object's life: read by every access,
// written (poisoned) by the destructor.
class LifeMark {
 public:
  explicit LifeMark(Loc l = Loc::current()) : v_(1) { (void)l; }
  ~LifeMark() { v_(rl::debug_info("~(freed object)", "", 0)) = kPoison; }
  void Touch(const Loc& l) const { (void)static_cast<int>(v_(Info(l))); }
  // Touch by an Atomic's operation: seam bookkeeping in the history.
  void TouchForAtomic(const Loc& l) const {
    (void)static_cast<int>(v_(SeamInfo(kSeamLifeMark, l)));
  }
  void Write(const Loc& l) { v_(Info(l)) = 1; }

 private:
  rl::var<int> v_;
};

template <class T>
class Atomic {
 public:
  Atomic() : Atomic(T()) {}
  // The initializing store is not a scheduling point: no other thread can
  // reach an object under construction, so the store commutes with every
  // other thread's step and a preemption here adds no behaviour (only
  // longer executions and bigger search trees). Relacy still records it.
  explicit Atomic(T v, Loc l = Loc::current()) {
    rl::preemption_disabler no_preemption(rl::ctx());
    v_.store(v, rl::mo_relaxed, SeamInfo(kSeamInit, l));
  }
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T Load(Order o, Loc l = Loc::current()) const {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kRead, &v_);
    return v_.load(ToRl(o), Info(l));
  }
  void Store(T v, Order o, Loc l = Loc::current()) {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kWrite, &v_);
    v_.store(v, ToRl(o), Info(l));
  }
  T Exchange(T v, Order o, Loc l = Loc::current()) {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kRmw, &v_);
    return v_.exchange(v, ToRl(o), Info(l));
  }
  bool CompareExchange(T& expected, T desired, Order o, Loc l = Loc::current()) {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kRmw, &v_);
    return v_.compare_exchange_strong(expected, desired, ToRl(o), Info(l),
                                      ToRl(FailureOrder(o)), Info(l));
  }
  T FetchAdd(T d, Order o, Loc l = Loc::current()) {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kRmw, &v_);
    return v_.fetch_add(d, ToRl(o), Info(l));
  }
  T FetchSub(T d, Order o, Loc l = Loc::current()) {
    life_.TouchForAtomic(l);
    DeclaredOp op(OpKind::kRmw, &v_);
    return v_.fetch_sub(d, ToRl(o), Info(l));
  }

 private:
  LifeMark life_;
  rl::atomic<T> v_;
};

// A counter nothing decides on (see std_backend.h). Not modelled: its
// updates are no scheduling points and no operations of the memory model,
// because their order changes no behaviour — each interleaving of two
// updates would only double the search tree. The simulation runs on one OS
// thread, so a plain integer is exact; reads see the latest value, never a
// lagging one, which is all that invariant checks at quiescent points need.
template <class T>
class Statistic {
 public:
  explicit Statistic(T v = T()) : v_(v) {}
  Statistic(const Statistic&) = delete;
  Statistic& operator=(const Statistic&) = delete;
  void Add(T d) { v_ += d; }
  void Sub(T d) { v_ -= d; }
  T Read() const { return v_; }

 private:
  T v_;
};

inline void Fence(Order o, Loc l = Loc::current()) {
  rl::atomic_thread_fence(ToRl(o), Info(l));
}

// The asymmetric fence pair, modelled as what it is specified to be: both
// sides are seq_cst fences (P1202 places an asymmetric_thread_fence_light
// and _heavy in the single total order S of seq_cst fences, exactly as two
// seq_cst fences), so Relacy checks the protocol against that guarantee.
// A mutant that drops one side leaves a plain relaxed pattern behind.
enum class FenceMode { kMembarrier, kSeqCstFences, kModel };
inline FenceMode AsymmetricFenceMode() { return FenceMode::kModel; }
inline void LightFence(Loc l = Loc::current()) { Fence(Order::kSeqCst, l); }
inline void HeavyBarrier(Loc l = Loc::current()) { Fence(Order::kSeqCst, l); }

// A deterministic logical clock: every read advances it by 1000 "ns", and
// the harness resets it at the start of each execution (ResetModelClock), so
// timings are a pure function of the interleaving and replays match.
std::uint64_t NowNanos();
void ResetModelClock();

// Lets other threads run; Relacy reports a wait that never ends as livelock.
inline void Yield(Loc l = Loc::current()) { rl::yield(1, Info(l)); }

inline std::uintptr_t CurrentThreadToken() {
  return static_cast<std::uintptr_t>(rl::thread_index()) + 1;
}

namespace history_detail {  // history_marks.h
bool Recording();
void RecordMutex(const void* mutex, const Loc& l);
}  // namespace history_detail

class TLSM_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock(Loc l = Loc::current()) TLSM_ACQUIRE() {
    // Relacy names a mutex by its internal state's address: tell the
    // history which seam Mutex the next lock event is.
    if (history_detail::Recording()) history_detail::RecordMutex(this, l);
    {
      DeclaredOp op(OpKind::kLock, &mu_);
      mu_.lock(Info(l));
    }
    owner_ = CurrentThreadToken();
  }
  void Unlock(Loc l = Loc::current()) TLSM_RELEASE() {
    owner_ = 0;
    DeclaredOp op(OpKind::kUnlock, &mu_);
    mu_.unlock(Info(l));
  }
  // The simulation runs on one OS thread, so reading owner_ is not a race.
  bool HeldByMe() const { return owner_ == CurrentThreadToken(); }

 private:
  rl::mutex mu_;
  std::uintptr_t owner_ = 0;
};

template <class T>
class Cell {
 public:
  template <class... A>
  explicit Cell(A&&... a) : v_(std::forward<A>(a)...) {}
  Cell(const Cell&) = delete;
  Cell& operator=(const Cell&) = delete;

  template <class F>
  decltype(auto) With(F&& f, Loc l = Loc::current()) const {
    mark_.Touch(l);
    return std::forward<F>(f)(static_cast<const T&>(v_));
  }
  template <class F>
  decltype(auto) WithMut(F&& f, Loc l = Loc::current()) {
    mark_.Write(l);
    return std::forward<F>(f)(v_);
  }

 private:
  LifeMark mark_;
  T v_;
};

template <class T, class... A>
T* New(A&&... a) {
  void* p = rl::ctx().alloc(sizeof(T), false,
                            rl::debug_info("sync::New", __FILE__, __LINE__));
  return ::new (p) T(std::forward<A>(a)...);
}
// Returns a block of New/NewArray to Relacy. While the free quarantine is
// on (the harness turns it on for tree searches) the block is only recorded:
// it stays destroyed and poisoned, its address is never reused, and it goes
// back to Relacy when the execution ends (ReleaseQuarantine), where a second
// free of the same block is reported as a double free.
void FreeTracked(void* p, bool is_array, const Loc& l);
// Harness only: quarantine on or off for the next executions.
void SetFreeQuarantine(bool on);
// Harness only: forget the quarantine of an abandoned (failed) execution; its
// memory is Relacy's, which ends that simulation.
void ForgetQuarantine();
// Harness only: free every quarantined block (end of an execution, before
// Relacy's leak check).
void ReleaseQuarantine();

template <class T>
void Delete(T* p, Loc l = Loc::current()) {
  if (p == nullptr) return;
  p->~T();  // poisons every Atomic and Cell inside
  FreeTracked(p, false, l);
}
template <class T>
T* NewArray(std::size_t n) {
  void* raw = rl::ctx().alloc(sizeof(T) * (n == 0 ? 1 : n), true,
                              rl::debug_info("sync::NewArray", __FILE__, __LINE__));
  T* p = static_cast<T*>(raw);
  for (std::size_t i = 0; i < n; ++i) ::new (p + i) T();
  return p;
}
template <class T>
void DeleteArray(T* p, std::size_t n, Loc l = Loc::current()) {
  if (p == nullptr) return;
  for (std::size_t i = n; i-- > 0;) p[i].~T();
  FreeTracked(p, true, l);
}

// Per simulated thread row storage. Relacy runs no thread-local destructors,
// so the harness calls RunExitForCurrentThread() when a simulated thread's
// body returns, which runs the engine's own row teardown.
// Slots: the row's slot array as its owner last set it (see std_backend.h).
class ThreadRow {
 public:
  using Teardown = void (*)(void* row);
  struct Slots {  // value-initialized ({}) means none
    void* base;
    std::uint32_t count;
  };
  static constexpr int kMaxThreads = kMaxModelThreads;
  static void* Get() { return rows_[rl::thread_index()]; }
  static void Set(void* row, Teardown teardown);
  static void Clear() {
    rows_[rl::thread_index()] = nullptr;
    slots_[rl::thread_index()] = Slots{};
  }
  static Slots GetSlots() { return slots_[rl::thread_index()]; }
  static void SetSlots(void* base, std::uint32_t count) {
    slots_[rl::thread_index()] = Slots{base, count};
  }
  // Harness only: emulates the thread's exit (teardown re-runs while it
  // re-arms the row, up to 4 times, as pthread keys do).
  static void RunExitForCurrentThread();
  // Harness only: forget every row (start of an execution).
  static void ResetAll();

 private:
  static inline void* rows_[kMaxThreads] = {};
  static inline Slots slots_[kMaxThreads] = {};
  static inline Teardown teardown_ = nullptr;
};

// Per-execution process globals: created in the simulation on first use,
// destroyed by the harness (DestroyProcessGlobals) before the leak check.
void RegisterProcessGlobal(void** slot, void (*destroy)(void*));
void DestroyProcessGlobals();
// Harness only: drop the pointers of an execution that was abandoned (a
// failed execution never reaches its teardown; its memory is Relacy's).
void ForgetProcessGlobals();

template <class T>
T& ProcessGlobal() {
  static T* instance = nullptr;
  if (instance == nullptr) {
    // T's constructor may reach scheduling points, so another simulated
    // thread can create it meanwhile: the loser frees its copy. Between the
    // second check and the assignment there is no scheduling point.
    T* fresh = New<T>();
    if (instance == nullptr) {
      instance = fresh;
      RegisterProcessGlobal(reinterpret_cast<void**>(&instance),
                            [](void* p) { Delete(static_cast<T*>(p)); });
    } else {
      Delete(fresh);
    }
  }
  return *instance;
}

// Harness only: the invariant id of the last reported violation ("" if none).
const char* LastViolationId();
void ClearLastViolation();

}  // namespace sync
TLSM_END
