// model/harness/strategy_sampling.h — strategies of independent executions.
//
// A sampling strategy runs the executions [seed, seed + N) of a scenario,
// execution i seeded with i, so any slice of the range can run anywhere:
// shard I of M runs the contiguous slice [seed + I·N/M, seed + (I+1)·N/M),
// and `jobs` > 1 cuts this shard's slice again into parallel child processes
// (runner.h, RunRandomInParallel), merged into the row one process would
// report. A passing sampling search is `sampled`, never `verified`.
#pragma once

#include "model/harness/strategy.h"

namespace tlsm_harness {

class SamplingStrategy : public SearchStrategy {
 public:
  bool IsTree() const final { return false; }
  SearchResult Run(const tlsm_model::ScenarioInfo& s, const SearchOptions& o) const override;
  // The first execution of the range and the middle one.
  std::vector<DeterminismSample> PassingSamples(const tlsm_model::ScenarioInfo& s, const Row& row,
                                                const SearchOptions& o) const override;

 protected:
  // N when --iterations is not given.
  virtual std::uint64_t DefaultExecutions() const = 0;
};

}  // namespace tlsm_harness
