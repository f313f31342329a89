// model/harness/strategy_tree.h — strategies that explore Relacy's decision tree.
//
// A tree strategy runs one depth-first search of the scenario's decision
// tree (relacy_runner.h picks the scheduler: the harness's TreeScheduler, or
// stock Relacy's with --scheduler stock). A split search (--split-depth,
// --shard, --jobs: tree_scheduler.h, SearchParams) numbers the schedule
// prefixes of its first D branching decisions; shard I of N explores the
// prefixes p with p % N == I, and --jobs J runs shard I as the J prefix
// shards I + N*j of N*J in parallel processes. The cap and the time budget
// apply to the shard as a whole. A search that explored its whole tree is
// `verified` (a shard: `shard complete`, verified by tlsm merge when every
// shard is); one stopped by its cap or budget is `sampled`. docs/harness.md,
// "What a tree search proves" and "Sharding".
#pragma once

#include "model/harness/strategy.h"

namespace tlsm::harness {

class TreeStrategy : public SearchStrategy {
 public:
  bool IsTree() const final { return true; }
  // "none" (stock scheduler, or --reduction none), "sleep-sets"
  // (--reduction sleep-sets), else DporName().
  std::string ReductionName(const SearchOptions& o) const override;
  SearchResult Run(const tlsm::model::ScenarioInfo& s, const SearchOptions& o) const override;
  // The search's first execution (a split search's: its first prefix's).
  std::vector<DeterminismSample> PassingSamples(const tlsm::model::ScenarioInfo& s, const Row& row,
                                                const SearchOptions& o) const override;

 protected:
  // Seconds per search of `s` when --time-budget is not given (0 = none).
  virtual double DefaultTimeBudget(const tlsm::model::ScenarioInfo& s) const = 0;
  // What --reduction dpor (the default) gives this search, as JSON names it
  // (tree_scheduler.h: "dpor+sleep-sets", or "bpor+sleep-sets" under a
  // preemption bound).
  virtual const char* DporName() const = 0;
  // What the row label appends under --reduction sleep-sets ("" = nothing).
  virtual const char* SleepSetsMark() const = 0;

 private:
  // "bounded K=2 stock": the label plus the scheduler options in effect.
  std::string RowLabel(const SearchOptions& o) const;
};

}  // namespace tlsm::harness
