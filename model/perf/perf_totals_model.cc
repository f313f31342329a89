// model/perf/perf_totals_model.cc — PerfAggregate::Totals() racing the
// hand-off of an exiting thread's block (live, visited by Fold -> retired
// totals, under the aggregate's mutex).
#include "engine/perf/perf_aggregate.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::perf::Counter;
using tlsm::perf::PerfAggregate;
using tlsm::perf::PerfCount;
using tlsm::perf::PerfSnapshot;

// Totals vs thread exit — PERF-SUM: counted once, never twice, never lost.
// Threads 0 and 1 each record a distinct counter once and wait; thread 2
// folds at that quiescent point (nobody recording or exiting: the totals
// are exact, both blocks live), then lets them go and calls Totals() twice
// while thread 0 exits and thread 1 calls Totals() and exits — the exits
// move the blocks to the retired totals. perf_aggregate.h allows a Totals()
// racing an exit to undercount (a block taken out of its slot and not yet
// retired), never to count a thread twice: every racing fold is at most
// what was recorded. After every thread exited the totals are exact again,
// all retired, and no block is live (Check()).
struct TotalsVsExit : ModelTest<TotalsVsExit, 3> {
  PerfAggregate* agg = nullptr;
  Gate* recorded = nullptr;  // passed by each recorder after its count
  Gate* folded = nullptr;    // the quiescent fold is done: recorders may exit

  void Setup() {
    tlsm::perf::WarmUp();
    agg = tlsm::sync::New<PerfAggregate>();
    recorded = tlsm::sync::New<Gate>();
    folded = tlsm::sync::New<Gate>();
  }
  static void ExpectAtMostOnce(const PerfSnapshot& s) {
    TLSM_INVARIANT(s.Get(Counter::kGets) <= 1 && s.Get(Counter::kPuts) <= 1, "PERF-SUM",
                   "Totals() counted an exiting thread twice");
  }
  void Body(unsigned t) {
    if (t < 2) {
      PerfCount(t == 0 ? Counter::kGets : Counter::kPuts, 1, agg);
      recorded->Pass();  // the folder sees the count once its Wait returns
      folded->Wait();
      if (t == 1) ExpectAtMostOnce(agg->Totals());
      return;  // the harness runs the row teardown: the exit handler
    }
    recorded->Wait(2);
    const PerfSnapshot quiescent = agg->Totals();
    TLSM_INVARIANT(quiescent.Get(Counter::kGets) == 1 && quiescent.Get(Counter::kPuts) == 1,
                   "PERF-SUM", "a quiescent Totals() is not the sum of the contributions");
    TLSM_INVARIANT(agg->LiveThreads() == 2, "PERF-SUM", "a live recorder's block is missing");
    folded->Pass(2);
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
    tlsm::sync::Delete(folded);
  }
};

TLSM_MODEL_SCENARIO(TotalsVsExit, "perf.totals_vs_exit", (std::vector<std::string>{"PERF-SUM"}),
                    "two threads record, a third folds them quiescent, then twice while "
                    "they exit (one folds too)",
                    "PERF-SUM")

}  // namespace
}  // namespace tlsm::model
