// model/harness/strategy_portfolio.cc — `portfolio`: the samplers interleaved.
//
// Execution i runs sampler i mod 4: random, PCT d=2, PCT d=3, POS
// (sampling_scheduler.h, SamplerOf); PCT's L is learned once per search.
// No single sampler is best on every bug (random finds shallow ones first,
// PCT deep orderings, POS rare partial orders); interleaving them costs at
// most a factor of 4 against the best one on each bug. Each execution
// replays alone: its token names the sampler that ran it. 20 000 executions
// by default (5 000 per sampler). `--depth` does not apply.
#include "model/harness/strategy_sampling.h"

namespace tlsm::harness {
namespace {

class Portfolio final : public SamplingStrategy {
 public:
  const char* Name() const override { return "portfolio"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kPortfolio; }

 protected:
  std::uint64_t DefaultExecutions() const override { return 20000; }
  bool LearnsLength() const override { return true; }
};

}  // namespace

const SearchStrategy& PortfolioStrategy() {
  static const Portfolio s;
  return s;
}

}  // namespace tlsm::harness
