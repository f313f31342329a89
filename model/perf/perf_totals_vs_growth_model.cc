// model/perf/perf_totals_vs_growth_model.cc — PerfAggregate::Totals() racing
// a thread that grows its matrix row (its first count into a second DB's
// aggregate, whose column id is beyond the row's slot array).
#include "engine/perf/perf_aggregate.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::perf::Counter;
using tlsm::perf::PerfAggregate;
using tlsm::perf::PerfCount;
using tlsm::perf::PerfSnapshot;

// Totals vs row growth — PERF-SUM (and TLS-OWN: a Fold visits every
// non-null value). Aggregate `a` is created first, so its column has the
// lowest id; `b` (a second DB's) gets a higher one. Thread 0 counts a get
// into `a`, making the oldest row; threads 1 and 2 then count a put and a
// delete into `a` (newer rows: a Fold visits them first, each block 19
// counter and timer loads). Thread 1 then lets thread 0 count into `b` —
// its row grows: a new slot array replaces the old one under the registry
// lock, with the old values copied in — and folds `a` meanwhile. Nobody
// records into `a` or exits during that Totals(): `a` is quiescent, so the
// sum is exact (1 get, 1 put, 1 delete) whatever the growth does. Threads 0
// and 2 exit only after it; then everything is retired (Check()).
struct TotalsVsGrowth : ModelTest<TotalsVsGrowth, 3> {
  PerfAggregate* a = nullptr;
  PerfAggregate* b = nullptr;
  Gate* oldest = nullptr;    // thread 0 counted into a: its row is the oldest
  Gate* recorded = nullptr;  // thread 2 counted into a
  Gate* grow = nullptr;      // thread 0 may count into b now
  Gate* folded = nullptr;    // the Totals() racing the growth is done

  void Setup() {
    a = tlsm::sync::New<PerfAggregate>();  // also creates the context column
    b = tlsm::sync::New<PerfAggregate>();
    oldest = tlsm::sync::New<Gate>();
    recorded = tlsm::sync::New<Gate>();
    grow = tlsm::sync::New<Gate>();
    folded = tlsm::sync::New<Gate>();
  }
  static bool Exact(const PerfSnapshot& s) {
    return s.Get(Counter::kGets) == 1 && s.Get(Counter::kPuts) == 1 &&
           s.Get(Counter::kDeletes) == 1;
  }
  void Body(unsigned t) {
    if (t == 0) {
      PerfCount(Counter::kGets, 1, a);
      oldest->Pass(2);
      grow->Wait();
      PerfCount(Counter::kGets, 1, b);  // the row grows: b's column is new to it
      folded->Wait();
      return;  // exit retires both blocks
    }
    oldest->Wait();
    if (t == 2) {
      PerfCount(Counter::kDeletes, 1, a);
      recorded->Pass();
      folded->Wait();
      return;
    }
    PerfCount(Counter::kPuts, 1, a);
    recorded->Wait();
    grow->Pass();
    TLSM_INVARIANT(Exact(a->Totals()), "PERF-SUM",
                   "Totals() of a quiescent aggregate missed a live thread's block "
                   "(its row was growing for another column)");
    folded->Pass(2);
  }
  void Check() {
    TLSM_INVARIANT(Exact(a->Totals()) && Exact(a->Retired()), "PERF-SUM",
                   "the exited threads' blocks were not retired exactly once");
    TLSM_INVARIANT(b->Totals().Get(Counter::kGets) == 1, "PERF-SUM",
                   "the second aggregate lost thread 0's count");
    TLSM_INVARIANT(a->LiveThreads() == 0 && b->LiveThreads() == 0, "PERF-SUM",
                   "an exited thread's block is still live");
  }
  void Teardown() {
    tlsm::sync::Delete(b);
    tlsm::sync::Delete(a);
    tlsm::sync::Delete(oldest);
    tlsm::sync::Delete(recorded);
    tlsm::sync::Delete(grow);
    tlsm::sync::Delete(folded);
  }
};

TLSM_MODEL_SCENARIO(TotalsVsGrowth, "perf.totals_vs_growth",
                    (std::vector<std::string>{"PERF-SUM", "TLS-OWN"}),
                    "three threads count into an aggregate, then one grows its row (its "
                    "first count into a second aggregate) while another folds the first",
                    "PERF-SUM")

}  // namespace
}  // namespace tlsm::model
