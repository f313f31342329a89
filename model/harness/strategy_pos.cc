// model/harness/strategy_pos.cc — `pos`: partial order sampling.
//
// POS (Yuan, Yang, Gu, CAV 2018; sampling_scheduler.h): a random priority
// per pending operation, drawn again for the operation that ran and for
// every pending operation racing with it (the seam's PendingOps). It samples
// partial orders more evenly than a random walk samples interleavings.
// 20 000 executions by default.
#include "model/harness/strategy_sampling.h"

namespace tlsm::harness {
namespace {

class Pos final : public SamplingStrategy {
 public:
  const char* Name() const override { return "pos"; }
  tlsm::model::SearchKind Kind() const override { return tlsm::model::SearchKind::kPos; }

 protected:
  std::uint64_t DefaultExecutions() const override { return 20000; }
};

}  // namespace

const SearchStrategy& PosStrategy() {
  static const Pos s;
  return s;
}

}  // namespace tlsm::harness
