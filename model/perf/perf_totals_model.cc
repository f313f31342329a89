// model/perf/perf_totals_model.cc — PerfAggregate::Totals() racing the
// hand-off of an exiting thread's block (live, visited by Fold -> retired
// totals, under the aggregate's mutex).
#include "engine/perf/perf_aggregate.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm_model {
namespace {

using tlsm::perf::Counter;
using tlsm::perf::PerfAggregate;
using tlsm::perf::PerfCount;
using tlsm::perf::PerfSnapshot;

// Totals vs thread exit — PERF-SUM: counted once, never twice, never lost.
// Threads 0 and 1 each record a distinct counter once; thread 0 exits,
// thread 1 calls Totals() and exits; thread 2 waits until both recorded,
// then calls Totals() twice while the exits move the blocks to the retired
// totals (and while thread 1's Totals() runs). perf_aggregate.h allows a Totals()
// racing an exit to undercount (a block taken out of its slot and not yet
// retired), never to count a thread twice: every fold is at most what was
// recorded. Once the second fold has run and every thread has exited, the
// totals are exact and no block is live (Check()).
struct TotalsVsExit : ModelTest<TotalsVsExit, 3> {
  PerfAggregate* agg = nullptr;
  Gate* recorded = nullptr;  // passed by each recorder after its count

  void Setup() {
    tlsm::perf::WarmUp();
    agg = tlsm::sync::New<PerfAggregate>();
    recorded = tlsm::sync::New<Gate>();
  }
  static void ExpectAtMostOnce(const PerfSnapshot& s) {
    TLSM_INVARIANT(s.Get(Counter::kGets) <= 1 && s.Get(Counter::kPuts) <= 1, "PERF-SUM",
                   "Totals() counted an exiting thread twice");
  }
  void Body(unsigned t) {
    if (t < 2) {
      PerfCount(t == 0 ? Counter::kGets : Counter::kPuts, 1, agg);
      recorded->Pass();  // the folder sees the count once its Wait returns
      if (t == 1) ExpectAtMostOnce(agg->Totals());
      return;  // the harness runs the row teardown: the exit handler
    }
    recorded->Wait(2);
    ExpectAtMostOnce(agg->Totals());
    ExpectAtMostOnce(agg->Totals());
  }
  void Check() {
    const PerfSnapshot s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) == 1 && s.Get(Counter::kPuts) == 1, "PERF-SUM",
                   "the totals lost an exited thread's count");
    TLSM_INVARIANT(agg->Retired().Get(Counter::kGets) == 1 &&
                       agg->Retired().Get(Counter::kPuts) == 1,
                   "PERF-SUM", "an exited thread's block was not retired exactly once");
    TLSM_INVARIANT(agg->LiveThreads() == 0, "PERF-SUM", "an exited thread's block is still live");
  }
  void Teardown() {
    tlsm::sync::Delete(agg);
    tlsm::sync::Delete(recorded);
  }
};

TLSM_MODEL_SCENARIO(TotalsVsExit, "perf.totals_vs_exit", (std::vector<std::string>{"PERF-SUM"}),
                    "two threads record once and exit (one folds first) while a third calls Totals() twice",
                    "PERF-SUM")

}  // namespace
}  // namespace tlsm_model
