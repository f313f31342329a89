// model/harness/strategy_exhaustive.cc — `exhaustive`: every interleaving.
//
// Relacy's full tree search, on the harness's TreeScheduler with DPOR and
// sleep sets (tree_scheduler.h, dpor.h), or on stock Relacy's. 10 s per search
// by default (10 of the 17 engine scenarios complete within it), no cap.
#include "model/harness/strategy_tree.h"

namespace tlsm::harness {
namespace {

class Exhaustive final : public TreeStrategy {
 public:
  const char* Name() const override { return "exhaustive"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kExhaustive; }

 protected:
  double DefaultTimeBudget(const tlsm::model::ScenarioInfo&) const override { return 10; }
  const char* DporName() const override { return "dpor+sleep-sets"; }
  const char* SleepSetsMark() const override { return " sleep"; }
};

}  // namespace

const SearchStrategy& ExhaustiveStrategy() {
  static const Exhaustive s;
  return s;
}

}  // namespace tlsm::harness
