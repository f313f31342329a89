// model/harness/strategy_bounded.cc — `bounded`: every interleaving with at
// most K preemptions (--bound, default 2).
//
// Relacy's context-bound tree search, on the harness's TreeScheduler with
// BPOR (DPOR compensated for the bound) and the bounded sleep-set rule
// (tree_scheduler.h), or on stock Relacy's. 30 s per search by default (more for a scenario that
// declares a BoundedBudget), no cap: with the default budgets the K=2 search
// completes for every engine scenario.
#include "model/harness/strategy_tree.h"

namespace tlsm::harness {
namespace {

class Bounded final : public TreeStrategy {
 public:
  const char* Name() const override { return "bounded"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kBounded; }
  std::optional<unsigned> PreemptionBound(const SearchOptions& o) const override {
    return o.bound;
  }

 protected:
  double DefaultTimeBudget(const tlsm::model::ScenarioInfo& s) const override {
    return s.bounded_budget_s > 0 ? s.bounded_budget_s : 30;
  }
  // DPOR with BPOR's backtrack points for the dependences the bound induces.
  const char* DporName() const override { return "bpor+sleep-sets"; }
  // Bounded rows have never marked --reduction sleep-sets (JSON says it).
  const char* SleepSetsMark() const override { return ""; }
};

}  // namespace

const SearchStrategy& BoundedStrategy() {
  static const Bounded s;
  return s;
}

}  // namespace tlsm::harness
