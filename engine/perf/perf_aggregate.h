// engine/perf/perf_aggregate.h — an opt-in per-DB total of perf counters.
//
//   perf::PerfAggregate agg;                          // one per DB (opt-in)
//   perf::PerfCount(perf::Counter::kGets, 1, &agg);   // thread ctx + DB total
//   perf::PerfSnapshot total = agg.Totals();          // every thread, ever
//
// Built on one matrix column: each thread that records into the aggregate
// gets its own PerfBlock (owner-written relaxed atomics), so the hot path
// takes no lock and writes nothing shared. Totals() folds the live blocks
// (tls Fold, under the registry lock) and adds the retired totals: when a
// thread exits, the column's unref handler adds its block to the retired
// totals (under the aggregate's own mutex) and frees it, so exited threads
// are still counted (PERF-SUM).
//
// Exactness: Totals() equals the sum of every thread's contributions when
// quiescent (no thread recording or exiting). While a thread is exiting its
// block may be briefly in neither place (taken out of the slot, not yet
// retired): a concurrent Totals() can undercount, never double count.
//
// Lifetime: the aggregate may be destroyed while threads that recorded into
// it are still alive or exiting; the retired totals live in a refcounted core
// that each block references, so an exit handler racing the destructor never
// touches freed memory. Record only while the aggregate is alive.
#pragma once

#include "engine/perf/perf_context.h"

TLSM_BEGIN
namespace perf {

namespace detail {
struct AggregateCore;
}

class PerfAggregate {
 public:
  PerfAggregate();
  ~PerfAggregate();
  PerfAggregate(const PerfAggregate&) = delete;
  PerfAggregate& operator=(const PerfAggregate&) = delete;

  // Ungated: callers gate through PerfCount / PerfTimer.
  void Add(Counter c, std::uint64_t n = 1) { Block()->Add(c, n); }
  void AddTime(Timer t, std::uint64_t nanos) { Block()->AddTime(t, nanos); }

  // Live blocks (Fold) + retired totals.
  PerfSnapshot Totals() const;
  // Only the totals of threads that exited (or were reclaimed).
  PerfSnapshot Retired() const;
  // Threads with a live block.
  std::size_t LiveThreads() const;

 private:
  PerfBlock* Block() {
    if (void* b = column_->Get()) return static_cast<PerfBlock*>(b);
    return CreateBlock();
  }
  PerfBlock* CreateBlock();

  detail::AggregateCore* const core_;   // refcounted; see Lifetime
  tls::ThreadLocalColumn* const column_;  // owned; reclaimed by the destructor
};

}  // namespace perf
TLSM_END
