// model/harness/determinism.h — the determinism self-check (tlsm_harness).
//
// Relacy can only replay what is deterministic. DeterminismChecked wraps any
// strategy: after the wrapped search it
//   - replays a failure twice, each in a fresh process (or in this one
//     without fork), and requires the same invariant and a byte-identical
//     normalised history (Failure::replay_error otherwise);
//   - for a passing search, captures each of the strategy's PassingSamples
//     twice and compares the histories (SearchResult::nondeterminism
//     otherwise).
// A mismatch means the scenario or the engine depends on something outside
// the simulation (a static that survives executions, an address used as a
// hash, rand(), time): a harness error, not an engine bug.
#pragma once

#include <string>

#include "model/cli/token.h"
#include "model/harness/strategy.h"

namespace tlsm::harness {

class DeterminismChecked final : public SearchStrategy {
 public:
  explicit DeterminismChecked(const SearchStrategy& inner) : inner_(inner) {}

  const char* Name() const override { return inner_.Name(); }
  tlsm::model::SearchKind Kind() const override { return inner_.Kind(); }
  bool IsTree() const override { return inner_.IsTree(); }
  std::optional<unsigned> PreemptionBound(const SearchOptions& o) const override {
    return inner_.PreemptionBound(o);
  }
  std::string ReductionName(const SearchOptions& o) const override {
    return inner_.ReductionName(o);
  }
  // The wrapped search, then the checks above.
  SearchResult Run(const tlsm::model::ScenarioInfo& s, const SearchOptions& o) const override;
  std::vector<DeterminismSample> PassingSamples(const tlsm::model::ScenarioInfo& s, const Row& row,
                                                const SearchOptions& o) const override {
    return inner_.PassingSamples(s, row, o);
  }

 private:
  const SearchStrategy& inner_;
};

// Replays the execution token `t` names twice in fresh processes; each must
// fail with t.invariant and render exactly `expected` (RenderHistory with raw: every event).
// Returns "" or what differed.
std::string CheckReplays(const tlsm::model::ScenarioInfo& s, const tlsm::cli::Token& t,
                         const std::string& expected, bool fork);

// Captures the execution cfg names twice in separate processes and compares
// the normalised histories. "" when equal (or when the scenario does not
// support capture), else the harness error.
std::string CompareCaptures(const tlsm::model::ScenarioInfo& s, tlsm::model::RunConfig cfg,
                            const std::string& what, bool fork);

// Line-by-line comparison: "" when equal, else where they differ.
std::string FirstDifference(const std::string& a, const std::string& b);

}  // namespace tlsm::harness
