// model/perf/perf_context_model.cc — Relacy scenarios of PerfContext and
// PerfAggregate.
#include "engine/perf/perf_aggregate.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::perf::Counter;
using tlsm::perf::GetPerfContext;
using tlsm::perf::PerfAggregate;
using tlsm::perf::PerfContext;
using tlsm::perf::PerfCount;
using tlsm::perf::PerfLevel;
using tlsm::perf::PerfTimer;
using tlsm::perf::SetPerfLevel;
using tlsm::perf::Timer;
using tlsm::sync::Atomic;
using tlsm::sync::Order;

// (1) Isolation — PERF-LOCAL. Two threads count different amounts, one
// resets meanwhile; each sees exactly its own counts in its own context.
struct Isolation : ModelTest<Isolation, 2> {
  Atomic<PerfContext*>* published[2] = {};
  Gate* published_gate[2] = {};  // passed once thread t published its context

  void Setup() {
    tlsm::perf::WarmUp();
    for (auto& p : published) p = tlsm::sync::New<Atomic<PerfContext*>>(nullptr);
    for (auto& g : published_gate) g = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    SetPerfLevel(PerfLevel::kCounts);
    PerfContext* mine = GetPerfContext();
    published[t]->Store(mine, Order::kRelease);
    published_gate[t]->Pass();
    const std::uint64_t n = t + 1;
    for (std::uint64_t i = 0; i < n; ++i) PerfCount(Counter::kGets);
    TLSM_INVARIANT(mine->Get(Counter::kGets) == n, "PERF-LOCAL",
                   "a thread's counter changed by another thread");
    if (t == 1) {
      GetPerfContext()->Reset();
      PerfCount(Counter::kPuts, 5);
    }
    published_gate[1 - t]->Wait();  // blocks until the other published (no polling)
    TLSM_INVARIANT(published[1 - t]->Load(Order::kAcquire) != mine, "PERF-LOCAL",
                   "two threads share one PerfContext");
    TLSM_INVARIANT(mine->Get(Counter::kGets) == (t == 1 ? 0 : n), "PERF-LOCAL",
                   "a thread's counter changed by another thread");
    TLSM_INVARIANT(mine->Get(Counter::kPuts) == (t == 1 ? 5 : 0), "PERF-LOCAL",
                   "a thread's counter changed by another thread");
  }
  void Teardown() {
    for (auto* p : published) tlsm::sync::Delete(p);
    for (auto* g : published_gate) tlsm::sync::Delete(g);
  }
};

TLSM_MODEL_SCENARIO(Isolation, "perf.isolation", (std::vector<std::string>{"PERF-LOCAL"}),
                    "two threads count and reset their own contexts", "PERF-LOCAL")

// (2) Levels — PERF-LEVEL. Two threads at different levels count the same
// events into their contexts and one aggregate; each counter moves only
// when the recording thread's level reaches its gate.
struct Levels : ModelTest<Levels, 2> {
  PerfAggregate* agg = nullptr;

  void Setup() {
    tlsm::perf::WarmUp();
    agg = tlsm::sync::New<PerfAggregate>();
  }
  void Body(unsigned t) {
    PerfContext* c = GetPerfContext();
    const PerfLevel level = t == 0 ? PerfLevel::kCounts : PerfLevel::kDetailedCounts;
    SetPerfLevel(level);
    PerfCount(Counter::kGets, 1, agg);
    PerfCount(Counter::kBatchCacheHits, 1, agg);
    { PerfTimer timer(Timer::kGetNanos, agg); }
    TLSM_INVARIANT(c->Get(Counter::kGets) == 1, "PERF-LEVEL", "a count gated at kCounts was lost");
    TLSM_INVARIANT(c->Get(Counter::kBatchCacheHits) == (t == 0 ? 0u : 1u), "PERF-LEVEL",
                   "a detailed counter ticked below kDetailedCounts");
    TLSM_INVARIANT(c->TimerCount(Timer::kGetNanos) == 0, "PERF-LEVEL",
                   "a timer ran below kTimings");
    SetPerfLevel(PerfLevel::kDisabled);
    PerfCount(Counter::kGets, 1, agg);
    TLSM_INVARIANT(c->Get(Counter::kGets) == 1, "PERF-LEVEL", "a counter ticked while disabled");
    SetPerfLevel(PerfLevel::kTimings);
    { PerfTimer timer(Timer::kGetNanos, agg); }
    TLSM_INVARIANT(c->TimerCount(Timer::kGetNanos) == 1, "PERF-LEVEL",
                   "a timer did not run at kTimings");
  }
  void Check() {
    auto s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) == 2 && s.Get(Counter::kBatchCacheHits) == 1 &&
                       s.Count(Timer::kGetNanos) == 2,
                   "PERF-LEVEL", "the aggregate counted events below their level");
  }
  void Teardown() { tlsm::sync::Delete(agg); }
};

TLSM_MODEL_SCENARIO(Levels, "perf.levels", (std::vector<std::string>{"PERF-LEVEL", "PERF-SUM"}),
                    "two threads at different levels count into contexts and an aggregate",
                    "PERF-LEVEL")

// (3) Aggregation with exits — PERF-SUM. Threads 0 and 1 record and exit;
// thread 2 folds once thread 0 recorded, so its fold can meet thread 0's
// exit (block collected, retired, or still live) — it must never count a
// thread twice nor exceed what was recorded. After every thread exited,
// the totals are exactly the contributions (all retired).
struct AggregateExit : ModelTest<AggregateExit, 3> {
  PerfAggregate* agg = nullptr;
  Gate* recorded = nullptr;

  void Setup() {
    tlsm::perf::WarmUp();
    agg = tlsm::sync::New<PerfAggregate>();
    recorded = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t == 0) {
      PerfCount(Counter::kGets, 1, agg);
      PerfCount(Counter::kGets, 1, agg);
      // The folder sees the counts once its Wait returns (the pass orders them).
      recorded->Pass();
    } else if (t == 1) {
      PerfCount(Counter::kPuts, 3, agg);
      PerfCount(Counter::kGets, 1, agg);
    } else {
      recorded->Wait();
      auto s = agg->Totals();
      TLSM_INVARIANT(s.Get(Counter::kGets) <= 3 && s.Get(Counter::kPuts) <= 3, "PERF-SUM",
                     "the aggregate counted a thread twice");
    }
  }
  void Check() {
    auto s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) == 3 && s.Get(Counter::kPuts) == 3, "PERF-SUM",
                   "the aggregate lost the counts of exited threads");
    TLSM_INVARIANT(agg->LiveThreads() == 0, "PERF-SUM", "an exited thread's block is still live");
  }
  void Teardown() {
    tlsm::sync::Delete(agg);
    tlsm::sync::Delete(recorded);
  }
};

TLSM_MODEL_SCENARIO(AggregateExit, "perf.aggregate_exit", (std::vector<std::string>{"PERF-SUM"}),
                    "two threads record and exit while a third folds", "PERF-SUM")

// (4) Aggregate destroyed racing a thread's exit — PERF-SUM (memory). Thread
// 0 records and exits; thread 1 folds once it recorded, then destroys the
// aggregate while thread 0's exit handler may still be retiring its block.
struct AggregateVsClose : ModelTest<AggregateVsClose, 2> {
  PerfAggregate* agg = nullptr;
  Gate* recorded = nullptr;

  void Setup() {
    tlsm::perf::WarmUp();
    agg = tlsm::sync::New<PerfAggregate>();
    recorded = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t == 0) {
      PerfCount(Counter::kGets, 1, agg);
      // Thread 1 sees the block and its count once its Wait returns.
      recorded->Pass();
      return;
    }
    recorded->Wait();
    auto s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) <= 1, "PERF-SUM", "a thread counted twice");
    tlsm::sync::Delete(agg);
    agg = nullptr;
  }
  void Teardown() { tlsm::sync::Delete(recorded); }
};

TLSM_MODEL_SCENARIO(AggregateVsClose, "perf.aggregate_vs_close",
                    (std::vector<std::string>{"PERF-SUM"}),
                    "a thread exits while another destroys the aggregate", "PERF-SUM")

}  // namespace
}  // namespace tlsm::model
