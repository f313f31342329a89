// model/perf/perf_totals_vs_old_exit_model.cc — PerfAggregate::Totals()
// racing the exit of the thread with the oldest row (a Fold visits it last).
#include "engine/perf/perf_aggregate.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::perf::Counter;
using tlsm::perf::PerfAggregate;
using tlsm::perf::PerfCount;
using tlsm::perf::PerfSnapshot;

// Totals vs the oldest row's exit — PERF-SUM (and TLS-OWN: a value leaves
// its slot before its handler runs). Thread 0 counts a get, making the
// oldest row; threads 1 and 2 then count a put and a delete (newer rows: a
// Fold visits them first, 19 counter and timer loads each, and thread 0's
// last). Thread 1 then lets thread 0 exit — its block moves from its slot to
// the retired totals (the unref handler, under the aggregate's mutex) and is
// freed — and calls Totals() meanwhile. perf_aggregate.h allows a Totals()
// racing an exit to undercount, never to count the exiting thread twice,
// and the Fold never visits a freed block; threads 1 and 2 neither record
// nor exit meanwhile, so their counts are exact. Thread 2 exits after it;
// then everything is retired (Check()).
struct TotalsVsOldExit : ModelTest<TotalsVsOldExit, 3> {
  PerfAggregate* agg = nullptr;
  Gate* oldest = nullptr;    // thread 0 counted: its row is the oldest
  Gate* recorded = nullptr;  // thread 2 counted
  Gate* leave = nullptr;     // thread 0 may exit now
  Gate* folded = nullptr;    // the Totals() racing the exit is done

  void Setup() {
    agg = tlsm::sync::New<PerfAggregate>();
    oldest = tlsm::sync::New<Gate>();
    recorded = tlsm::sync::New<Gate>();
    leave = tlsm::sync::New<Gate>();
    folded = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t == 0) {
      PerfCount(Counter::kGets, 1, agg);
      oldest->Pass(2);
      leave->Wait();
      return;  // the harness runs the row teardown: the exit handler
    }
    oldest->Wait();
    if (t == 2) {
      PerfCount(Counter::kDeletes, 1, agg);
      recorded->Pass();
      folded->Wait();
      return;
    }
    PerfCount(Counter::kPuts, 1, agg);
    recorded->Wait();
    leave->Pass();
    const PerfSnapshot s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) <= 1, "PERF-SUM",
                   "Totals() counted an exiting thread twice");
    TLSM_INVARIANT(s.Get(Counter::kPuts) == 1 && s.Get(Counter::kDeletes) == 1, "PERF-SUM",
                   "Totals() lost a live thread that neither recorded nor exited during it");
    folded->Pass();
  }
  void Check() {
    const PerfSnapshot s = agg->Totals();
    TLSM_INVARIANT(s.Get(Counter::kGets) == 1 && s.Get(Counter::kPuts) == 1 &&
                       s.Get(Counter::kDeletes) == 1 && agg->Retired() == s,
                   "PERF-SUM", "the exited threads' blocks were not retired exactly once");
    TLSM_INVARIANT(agg->LiveThreads() == 0, "PERF-SUM", "an exited thread's block is still live");
  }
  void Teardown() {
    tlsm::sync::Delete(agg);
    tlsm::sync::Delete(oldest);
    tlsm::sync::Delete(recorded);
    tlsm::sync::Delete(leave);
    tlsm::sync::Delete(folded);
  }
};

TLSM_MODEL_SCENARIO(TotalsVsOldExit, "perf.totals_vs_old_exit",
                    (std::vector<std::string>{"PERF-SUM", "TLS-OWN"}),
                    "three threads count into an aggregate, then the one with the oldest row "
                    "exits while another folds",
                    "PERF-SUM")

}  // namespace
}  // namespace tlsm::model
