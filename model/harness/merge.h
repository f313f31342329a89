// model/harness/merge.h — combines the result files of a sharded `tlsm check`
// into the report the unsharded run gives (`tlsm merge DIR...`).
//
// Input: every summary file (summary.json, summary.shard-I-of-N.json) found
// directly in the given directories, and the failure artifacts next to them.
// The rules (docs/harness.md, "Merging shards"):
//   - every file must come from one build (build id and mutant) and one
//     search (the options object `tlsm check` records: search, budgets,
//     bound, split depth, scheduler, reduction, scenarios) with one shard
//     count N, else MergeError kRefused (exit 2), naming what differs;
//   - shards 0..N-1 must each appear exactly once, else MergeError
//     kIncomplete (exit 3) naming the missing or duplicated ones; a shard
//     re-run alone (after it died or was cancelled) replaces nothing: put
//     its directory in place of the dead one's;
//   - per scenario and search: executions and CPU time add up, wall time is
//     the longest shard's; a bug in any shard makes the row BUG, and the
//     reported failure is the one with the fewest preemptions (its minimal
//     counterexample's when one was found), with its token; a harness error
//     in any shard makes it ERROR; a tree search is `verified` only if every
//     shard completed its part and their prefix counts add up (every shard
//     enumerated the same prefixes, each owned by one shard), else a
//     mismatch is a harness error; a shard stopped by a cap or a budget
//     makes the row `sampled`.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/harness/report.h"

namespace tlsm::harness {

struct MergeError : std::runtime_error {
  enum Kind { kRefused, kIncomplete };
  MergeError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

struct MergeResult {
  BuildIdentity build;
  unsigned shard_count = 0;
  nlohmann::json options;                // the search options every shard shares
  std::vector<ScenarioReport> reports;   // per scenario: merged rows, the failure shown
  std::vector<Row> rows;                 // every merged row, in the shards' order
  std::vector<std::string> bugs, errors; // scenario names
};

// Reads and merges the shards' files. Throws MergeError (see above), or
// MergeError kRefused for a file that is not a tlsm summary.
MergeResult MergeShards(const std::vector<std::filesystem::path>& dirs);

}  // namespace tlsm::harness
