// model/harness/strategy_random.cc — `random`: Relacy's random scheduler.
//
// Execution i runs with seed i; each execution picks every scheduling and
// memory-model choice at random, and stock Relacy's address coin at every
// free (so ABA through a recycled address is explored). 20 000 executions
// by default, no time budget.
#include "model/harness/strategy_sampling.h"

namespace tlsm::harness {
namespace {

class Random final : public SamplingStrategy {
 public:
  const char* Name() const override { return "random"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kRandom; }

 protected:
  std::uint64_t DefaultExecutions() const override { return 20000; }
};

}  // namespace

const SearchStrategy& RandomStrategy() {
  static const Random s;
  return s;
}

}  // namespace tlsm::harness
