// model/harness/strategy.h — the search-strategy interface (tlsm_harness).
//
// A strategy is one way of exploring a scenario's interleavings: `random`
// (strategy_random.cc), `bounded` (strategy_bounded.cc), `exhaustive`
// (strategy_exhaustive.cc). Each maps onto the Relacy machinery of
// relacy_runner.h through RunConfig: the strategy decides which executions
// to run (slices, shards, budgets) and what the outcome proves; RunSearchOf
// runs them.
//
// Two families share their loops:
//   - sampling strategies (strategy_sampling.h): independent executions,
//     execution i seeded with i; sharded and parallelised by cutting the
//     execution range; never verify;
//   - tree strategies (strategy_tree.h): a depth-first search of Relacy's
//     decision tree; sharded and parallelised by schedule prefix; a completed
//     search verifies the scenario (within its bound).
//
// Adding a strategy: one file defining a class derived from SamplingStrategy
// or TreeStrategy and a `const SearchStrategy& XStrategy()` accessor, plus
// one line in strategy_registry.cc. A strategy that needs a scheduler Relacy
// does not have also needs its SearchKind and its case in RunSearchOf.
//
// Strategies are stateless singletons; everything a search needs comes in
// SearchOptions. Run is called from one thread at a time (the runner forks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/cli/runner.h"
#include "model/cli/token.h"
#include "model/harness/report.h"
#include "model/harness/scenario.h"

namespace tlsm::harness {

// The options every search of a campaign shares (tlsm check's flags).
struct SearchOptions {
  std::uint64_t seed = 0;                   // sampling: first execution index
  std::optional<std::uint64_t> executions;  // sampling: executions; tree: cap (0 = none)
  unsigned bound = 2;                       // bounded: preemption bound
  unsigned depth = 3;                       // pct: depth d (d-1 change points)
  std::optional<double> time_budget;        // seconds per search; unset = the strategy's default
  unsigned shard_index = 0, shard_count = 1;
  // Tree searches: split at this many branching decisions (prefix sharding,
  // tree_scheduler.h); unset: DefaultSplitDepth(shard_count) when sharded,
  // else no split. A split search with jobs > 1 runs as prefix shards in
  // parallel processes; an unsplit one in one process.
  std::optional<unsigned> split_depth;
  unsigned jobs = 1;                        // parallel slices (sampling) or prefix shards (tree)
  bool progress = false;                    // progress line on stderr
  bool fork = true;                         // each search in a child process
  // Tree searches: stock Relacy's scheduler instead of the harness's, address
  // reuse explored, partial-order reduction.
  bool stock_scheduler = false;
  bool address_reuse = false;
  tlsm::model::Reduction reduction = tlsm::model::Reduction::kDpor;
  // One tree search of one scenario: checkpoint file and resumed position
  // (campaign_checkpoint.h; docs/harness.md, "Checkpoints").
  tlsm::model::Checkpoint checkpoint;

  // "" unsharded, ".shard-I-of-N" otherwise: artifact file names.
  std::string ShardSuffix() const;
};

// What one search returned.
struct SearchResult {
  Row row;
  std::optional<Failure> failure;  // a bug was found
  std::string error;               // a harness error ("" = none)
  // The determinism check of a passing search (determinism.h): a
  // nondeterminism found by re-running sampled executions ("" = none).
  std::string nondeterminism;
};

// One execution the determinism check re-runs: its configuration (without
// capture) and how the report names it.
struct DeterminismSample {
  tlsm::model::RunConfig config;
  std::string what;  // "random execution 5", "the first bounded execution"
};

class SearchStrategy {
 public:
  virtual ~SearchStrategy() = default;

  // The --search value, the token's "se" field, the start of the row label.
  virtual const char* Name() const = 0;
  // The Relacy machinery its executions run on (RunConfig::search).
  virtual tlsm::model::SearchKind Kind() const = 0;
  // A tree search (sharded by prefix; can verify) or a sampling one.
  virtual bool IsTree() const = 0;
  // The preemption bound the search runs with, if it has one.
  virtual std::optional<unsigned> PreemptionBound(const SearchOptions&) const {
    return std::nullopt;
  }
  // Tree searches: the reduction the search applies ("none" for sampling).
  virtual std::string ReductionName(const SearchOptions&) const { return "none"; }
  // Runs the search (this shard's part of it) of one scenario.
  virtual SearchResult Run(const tlsm::model::ScenarioInfo& s, const SearchOptions& o) const = 0;
  // The executions of a passing search the determinism check re-runs.
  virtual std::vector<DeterminismSample> PassingSamples(const tlsm::model::ScenarioInfo& s,
                                                        const Row& row,
                                                        const SearchOptions& o) const = 0;
};

// Every registered strategy (strategy_registry.cc).
const std::vector<const SearchStrategy*>& Strategies();
// What `--search all` runs, in order: portfolio, bounded, exhaustive.
const std::vector<const SearchStrategy*>& DefaultStrategies();
// nullptr when no strategy has that name.
const SearchStrategy* FindStrategy(const std::string& name);

// "bounded K=2": the name plus the bound, without scheduler options (the
// label of a skipped search).
std::string SearchLabel(const SearchStrategy& st, const SearchOptions& o);

// A row for scenario `s` describing the search as `o` configures it
// (label SearchLabel, tree-search configuration fields, shard).
Row StartRow(const SearchStrategy& st, const tlsm::model::ScenarioInfo& s, const SearchOptions& o);

// The token naming the failing execution `r` of a search (cfg: its scheduler
// and address policy).
tlsm::cli::Token MakeToken(const tlsm::model::ScenarioInfo& s, const SearchStrategy& st,
                          unsigned bound, const tlsm::model::RunResult& r,
                          const tlsm::model::RunConfig& cfg, const BuildIdentity& build);

// The run configuration of a search of kind st.Kind() as `o` configures it:
// bound, scheduler, address policy and reduction (the last three matter to
// tree searches only).
tlsm::model::RunConfig SearchConfig(const SearchStrategy& st, const SearchOptions& o);

// Tree searches: the split depth when none is given for a search in
// shard_count shards: 12, or log2(shard_count) + 10 when larger (at least
// 1 024 prefixes per shard where the tree branches in two at every decision:
// sleep sets prune far more, and balance needs the large prefixes split;
// docs/harness.md, "Choosing D").
unsigned DefaultSplitDepth(unsigned shard_count);
// The split depth the search runs with (0: no split; sampling searches: 0).
unsigned SplitDepth(const SearchStrategy& st, const SearchOptions& o);

// The progress line of one search process of `s` (disabled unless o.progress).
tlsm::cli::ProgressOptions ProgressFor(const SearchStrategy& st, const tlsm::model::ScenarioInfo& s,
                                      const SearchOptions& o, std::uint64_t total,
                                      bool total_is_cap, double budget);

// Adds one search process's outcome `out` (run with cfg) to r: executions,
// times, and a harness error or a failure (row marked BUG). Returns true when
// that process passed, for the strategy to say what it proved.
bool Absorb(const SearchStrategy& st, const tlsm::model::ScenarioInfo& s,
            const tlsm::model::RunConfig& cfg, const tlsm::cli::Outcome& out, SearchResult* r);


// The one execution a token names. REQUIRES: FindStrategy(t.search) != nullptr.
tlsm::model::RunConfig ReplayConfig(const tlsm::cli::Token& t);

}  // namespace tlsm::harness
