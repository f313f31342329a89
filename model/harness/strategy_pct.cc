// model/harness/strategy_pct.cc — `pct`: probabilistic concurrency testing.
//
// PCT with depth d (--depth, default 3; sampling_scheduler.h): random
// distinct thread priorities and d-1 priority change points over the
// learned execution length L. A bug of depth d (d ordering constraints) in
// a program of n threads and k steps is found by one execution with
// probability at least 1/(n·k^(d-1)) (Burckhardt et al., ASPLOS 2010).
// 20 000 executions by default, like random.
#include "model/harness/strategy_sampling.h"

namespace tlsm::harness {
namespace {

class Pct final : public SamplingStrategy {
 public:
  const char* Name() const override { return "pct"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kPct; }

 protected:
  std::uint64_t DefaultExecutions() const override { return 20000; }
  bool LearnsLength() const override { return true; }
};

}  // namespace

const SearchStrategy& PctStrategy() {
  static const Pct s;
  return s;
}

}  // namespace tlsm::harness
