// engine/perf/perf_context.h — per-thread performance counters and timers.
//
//   perf::SetPerfLevel(perf::PerfLevel::kTimings);   // this thread only
//   perf::PerfCount(perf::Counter::kGets);           // gated by the level
//   { perf::PerfTimer t(perf::Timer::kGetNanos); ... }  // RAII, kTimings
//   perf::GetPerfContext()->ToString(); ->ToJson(); ->Reset();
//
// Every thread has its own PerfContext, created lazily the first time the
// thread touches it (one process-wide matrix column) and freed at thread
// exit. Only the owning thread writes it or reads it (PERF-LOCAL); a context
// is not a cross-thread object. Counters are atomics written relaxed by the
// owner (plain loads and stores on x86, no lock prefix).
//
// Levels (per thread, default kCounts): a counter or timer gated at level L
// changes only while the thread's level >= L (PERF-LEVEL).
//   kDisabled        nothing is recorded
//   kCounts          operation counters (gets, puts, deletes, writes, flushes)
//   kDetailedCounts  + cache counters (SuperVersion cache, batch cache)
//   kTimings         + timers (a clock read at start and end of each scope)
// Per-counter gates: CounterLevel(c) / TimerLevel(t).
//
// Per-DB aggregate (engine/perf/perf_aggregate.h): PerfCount(c, n, agg) also
// adds to the DB's PerfAggregate, under the same level gate.
//
// Allocation failure: a thread's first touch (GetPerfContext, PerfCount,
// PerfTimer, WarmUp; with an aggregate, its first count into it) creates
// the context or block and may throw std::bad_alloc; nothing is left
// behind and the next call tries again. Everything else, thread exit and
// ~PerfAggregate included, allocates nothing (ToString/ToJson build
// strings and may throw, changing nothing).
#pragma once

#include "engine/tls/thread_local_ptr.h"

TLSM_BEGIN
namespace perf {

enum class PerfLevel : std::uint8_t {
  kDisabled = 0,
  kCounts = 1,
  kDetailedCounts = 2,
  kTimings = 3,
};

enum class Counter : std::uint8_t {
  kGets,              // DB Get calls
  kPuts,              // Put operations (single Put or inside a batch write)
  kDeletes,           // Delete operations
  kWrites,            // Write calls (batches applied)
  kWriteBytes,        // bytes of batches applied
  kFlushes,           // memtable flushes
  kSvCacheHits,       // Get found a usable SuperVersion in its thread slot
  kSvCacheMisses,     // Get had to take the SuperVersion under the DB lock
  kSvInvalidations,   // Get found its slot invalidated by an install
  kBatchCacheHits,    // BatchCache::Acquire served from a thread cache or shard
  kBatchCacheMisses,  // BatchCache::Acquire allocated
  kNumCounters
};

enum class Timer : std::uint8_t {
  kGetNanos,           // time inside DB Get
  kWriteNanos,         // time inside DB Write/Put/Delete
  kFlushNanos,         // time inside Flush
  kBatchAcquireNanos,  // time inside BatchCache::Acquire
  kNumTimers
};

inline constexpr std::size_t kNumCounters = static_cast<std::size_t>(Counter::kNumCounters);
inline constexpr std::size_t kNumTimers = static_cast<std::size_t>(Timer::kNumTimers);

const char* CounterName(Counter c);  // "gets", "sv_cache_hits", ...
const char* TimerName(Timer t);      // "get_nanos", ...
const char* LevelName(PerfLevel l);

namespace detail {
// The gate of each counter/timer (CounterLevel applies the
// perf_gate_below_level mutant). constexpr, so that a gate of a constant
// counter compiles to a compare against an immediate.
inline constexpr PerfLevel kCacheGate = PerfLevel::kDetailedCounts;
inline constexpr PerfLevel kCounterLevel[] = {
    PerfLevel::kCounts,  // gets
    PerfLevel::kCounts,  // puts
    PerfLevel::kCounts,  // deletes
    PerfLevel::kCounts,  // writes
    PerfLevel::kCounts,  // write_bytes
    PerfLevel::kCounts,  // flushes
    kCacheGate,          // sv_cache_hits
    kCacheGate,          // sv_cache_misses
    kCacheGate,          // sv_invalidations
    kCacheGate,          // batch_cache_hits
    kCacheGate,          // batch_cache_misses
};
inline constexpr PerfLevel kTimerLevel[] = {
    PerfLevel::kTimings, PerfLevel::kTimings, PerfLevel::kTimings, PerfLevel::kTimings};
static_assert(sizeof(kCounterLevel) / sizeof(kCounterLevel[0]) == kNumCounters,
              "one gate per counter");
static_assert(sizeof(kTimerLevel) / sizeof(kTimerLevel[0]) == kNumTimers, "one gate per timer");
}  // namespace detail

inline PerfLevel CounterLevel(Counter c) {
  const PerfLevel l = detail::kCounterLevel[static_cast<std::size_t>(c)];
  // Injected (perf_gate_below_level): the cache counters, the only ones
  // gated at kDetailedCounts, tick at kCounts.
  if (sync::MutantIs(sync::Mutant::perf_gate_below_level) && l == PerfLevel::kDetailedCounts) {
    return PerfLevel::kCounts;
  }
  return l;
}
inline PerfLevel TimerLevel(Timer t) {
  return detail::kTimerLevel[static_cast<std::size_t>(t)];
}

// A plain value copy of a set of counters and timers (snapshots, sums).
struct PerfSnapshot {
  std::uint64_t counters[kNumCounters] = {};
  std::uint64_t timer_nanos[kNumTimers] = {};
  std::uint64_t timer_count[kNumTimers] = {};

  std::uint64_t Get(Counter c) const { return counters[static_cast<std::size_t>(c)]; }
  std::uint64_t Nanos(Timer t) const { return timer_nanos[static_cast<std::size_t>(t)]; }
  std::uint64_t Count(Timer t) const { return timer_count[static_cast<std::size_t>(t)]; }
  PerfSnapshot& operator+=(const PerfSnapshot& o);
  bool operator==(const PerfSnapshot& o) const;
  // "gets = 3, puts = 1, ..." (exclude_zero drops zero entries).
  std::string ToString(bool exclude_zero = false) const;
  // {"counters":{"gets":3,...},"timers":{"get_nanos":{"nanos":..,"count":..},...}}
  std::string ToJson() const;
};

// Owner-written relaxed counters (one block per thread, or per thread and DB
// in an aggregate). Other threads read them only with relaxed loads.
struct PerfBlock {
  sync::Atomic<std::uint64_t> counters[kNumCounters];
  sync::Atomic<std::uint64_t> timer_nanos[kNumTimers];
  sync::Atomic<std::uint64_t> timer_count[kNumTimers];

  // Owner only: load + store, no read-modify-write (relaxed: one writer;
  // readers accept any recent value).
  void Add(Counter c, std::uint64_t n) {
    auto& a = counters[static_cast<std::size_t>(c)];
    a.Store(a.Load(sync::Order::kRelaxed) + n, sync::Order::kRelaxed);
  }
  void AddTime(Timer t, std::uint64_t nanos) {
    const auto i = static_cast<std::size_t>(t);
    timer_nanos[i].Store(timer_nanos[i].Load(sync::Order::kRelaxed) + nanos,
                         sync::Order::kRelaxed);
    timer_count[i].Store(timer_count[i].Load(sync::Order::kRelaxed) + 1,
                         sync::Order::kRelaxed);
  }
  void Clear();                          // owner only
  void AddTo(PerfSnapshot* out) const;   // relaxed reads
  // Names every counter and timer in the model's history
  // ("perf context[T1].gets", "....get_nanos.count"; sync::Name).
  void NameInHistory(const char* owner, unsigned thread) const;
};

class PerfContext {
 public:
  PerfContext() = default;
  PerfContext(const PerfContext&) = delete;
  PerfContext& operator=(const PerfContext&) = delete;

  PerfLevel level() const {
    return static_cast<PerfLevel>(level_.Load(sync::Order::kRelaxed));
  }
  void SetLevel(PerfLevel l) {
    level_.Store(static_cast<std::uint8_t>(l), sync::Order::kRelaxed);
  }
  bool Enabled(Counter c) const { return level() >= CounterLevel(c); }
  bool Enabled(Timer t) const { return level() >= TimerLevel(t); }

  // Gated by the level (PERF-LEVEL).
  void Add(Counter c, std::uint64_t n = 1) {
    if (Enabled(c)) block_.Add(c, n);
  }
  void AddTime(Timer t, std::uint64_t nanos) {
    if (Enabled(t)) block_.AddTime(t, nanos);
  }

  std::uint64_t Get(Counter c) const {
    return block_.counters[static_cast<std::size_t>(c)].Load(sync::Order::kRelaxed);
  }
  std::uint64_t TimerNanos(Timer t) const {
    return block_.timer_nanos[static_cast<std::size_t>(t)].Load(sync::Order::kRelaxed);
  }
  std::uint64_t TimerCount(Timer t) const {
    return block_.timer_count[static_cast<std::size_t>(t)].Load(sync::Order::kRelaxed);
  }
  PerfSnapshot Snapshot() const;
  // Zeroes every counter and timer (the level stays).
  void Reset() {
    sync::ApiCall call("PerfContext::Reset");
    block_.Clear();
  }
  std::string ToString(bool exclude_zero = false) const;
  std::string ToJson() const;

  PerfBlock& block() { return block_; }
  // Names the context ("perf context[T1]") and its block in the model's
  // history.
  void NameInHistory(unsigned thread) const;

 private:
  PerfBlock block_;
  // Owner only (relaxed).
  sync::Atomic<std::uint8_t> level_{static_cast<std::uint8_t>(PerfLevel::kCounts)};
};

namespace detail {
void DestroyContext(void* ctx, void* arg);  // the column's unref handler
struct ContextColumn {
  tls::ThreadLocalColumn column{tls::UnrefHandler{&DestroyContext, nullptr}};
};
inline tls::ThreadLocalColumn& ContextSlots() {
  return sync::ProcessGlobal<ContextColumn>().column;
}
PerfContext* CreateContext();  // slow path: first use on this thread
}  // namespace detail

// Creates the process-wide context column now instead of on first use (the
// model scenarios call it before their threads start).
void WarmUp();

// Per-thread contexts alive in this process (created and not yet freed), for
// leak checks (the shared context of the perf_shared_context mutant is not
// counted).
std::int64_t LivePerfContexts();

// The calling thread's context (created on first use, freed at thread exit).
inline PerfContext* GetPerfContext() {
  if (void* c = detail::ContextSlots().Get()) return static_cast<PerfContext*>(c);
  return detail::CreateContext();
}

inline void SetPerfLevel(PerfLevel l) { GetPerfContext()->SetLevel(l); }
inline PerfLevel GetPerfLevel() { return GetPerfContext()->level(); }

// Monotonic nanoseconds through the seam: steady_clock in production, a
// deterministic logical clock in the model build (so replays match).
inline std::uint64_t NowNanos() { return sync::NowNanos(); }

class PerfAggregate;
// Counts into the calling thread's context and, if agg is set, into the
// DB aggregate; both only when the thread's level enables c.
void PerfCount(Counter c, std::uint64_t n, PerfAggregate* agg);
inline void PerfCount(Counter c, std::uint64_t n = 1) { GetPerfContext()->Add(c, n); }

// RAII timer: reads the clock only when the thread's level enables t, and
// records elapsed nanoseconds (and one event) at scope end.
class PerfTimer {
 public:
  explicit PerfTimer(Timer t, PerfAggregate* agg = nullptr)
      : ctx_(GetPerfContext()), agg_(agg), timer_(t) {
    if (ctx_->Enabled(t)) {
      running_ = true;
      start_ = NowNanos();
    }
  }
  ~PerfTimer() { Stop(); }
  PerfTimer(const PerfTimer&) = delete;
  PerfTimer& operator=(const PerfTimer&) = delete;
  // Records now instead of at scope end (idempotent).
  void Stop();

 private:
  PerfContext* const ctx_;
  PerfAggregate* const agg_;
  const Timer timer_;
  bool running_ = false;
  std::uint64_t start_ = 0;
};

}  // namespace perf
TLSM_END
