// model/harness/strategy_sampling.h — strategies of independent executions.
//
// A sampling strategy runs the executions [seed, seed + N) of a scenario,
// execution i seeded with i, so any slice of the range can run anywhere:
// shard I of M runs the contiguous slice [seed + I·N/M, seed + (I+1)·N/M),
// and `jobs` > 1 cuts this shard's slice again into parallel child processes
// (runner.h, RunRandomInParallel), merged into the row one process would
// report. A passing sampling search is `sampled`, never `verified`.
//
// Strategies that use PCT (pct, portfolio) first learn L, the execution
// length their change points are drawn from: one PCT execution without
// change points (execution `seed`, depth 1) is run and its scheduling points
// counted. L is a function of the scenario and the seed only, so every slice
// and shard uses the same L and execution i is the same execution wherever
// it runs; the row reports it (`schedule_length`).
//
// Coverage: each passing execution's choice sequence is hashed
// (sampling_scheduler.h); the row counts distinct hashes and those seen
// exactly once (Good–Turing estimate of the unseen share: singletons ÷
// executions).
#pragma once

#include "model/harness/strategy.h"

namespace tlsm::harness {

class SamplingStrategy : public SearchStrategy {
 public:
  bool IsTree() const final { return false; }
  SearchResult Run(const tlsm::model::ScenarioInfo& s, const SearchOptions& o) const override;
  // The first execution of the range and the middle one.
  std::vector<DeterminismSample> PassingSamples(const tlsm::model::ScenarioInfo& s, const Row& row,
                                                const SearchOptions& o) const override;

 protected:
  // N when --executions is not given.
  virtual std::uint64_t DefaultExecutions() const = 0;
  // Whether its executions need L (PCT change points).
  virtual bool LearnsLength() const { return false; }
};

// L for a search of `s` starting at execution `seed` (see above); 0 when the
// learning run failed to run (a harness error is reported by the search).
std::uint64_t LearnScheduleLength(const tlsm::model::ScenarioInfo& s, std::uint64_t seed,
                                  bool fork);

// Distinct and once-seen hashes of `hashes` into the row's coverage fields.
void CountCoverage(const std::vector<std::uint64_t>& hashes, Row* row);

}  // namespace tlsm::harness
