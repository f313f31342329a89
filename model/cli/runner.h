// model/cli/runner.h — runs one scenario search, isolated in a child process.
//
// Relacy aborts the process on an internal assertion (for example when a
// replay does not follow the recorded interleaving: a nondeterministic test
// or a state from another build). Running every search in a forked child
// turns such an abort, or any crash, into a reported harness error instead
// of killing tlsm.
#pragma once

#include <cstdint>
#include <string>

#include "model/harness/scenario.h"

namespace tlsm::cli {

struct ProgressOptions {
  bool enabled = false;            // stderr is a tty, or --progress
  std::string label;               // "sv.readers_vs_install random"
  std::uint64_t total = 0;         // executions expected (0 = unknown)
  bool total_is_cap = false;       // total is a cap, not a known size
  double time_budget_s = 0;
};

struct Outcome {
  tlsm::model::RunResult result;
  bool harness_error = false;      // the child crashed or aborted
  std::string error;               // what happened (with Relacy's output)
  std::string history;             // Relacy's raw history (failed or captured)
  double cpu_seconds = 0;          // CPU time of the child (forked runs only)
};

// Runs info.run(cfg) in a child process (fork=false: in this process).
// cfg.history_path is managed here.
Outcome RunIsolated(const tlsm::model::ScenarioInfo& info, tlsm::model::RunConfig cfg,
                    const ProgressOptions& progress, bool fork_child = true);

// Runs the random search cfg (executions first_execution ..
// first_execution + executions - 1) as `jobs` contiguous slices in parallel
// child processes and merges them into the outcome one serial search would
// report: executions and CPU time summed, wall time the longest slice's, and
// the failure of the earliest failing execution (every execution has its own
// seed, so slices are independent). Slices after a failing one are stopped
// (their executions are not counted). Harness errors win over results.
Outcome RunRandomInParallel(const tlsm::model::ScenarioInfo& info, tlsm::model::RunConfig cfg,
                            const ProgressOptions& progress, unsigned jobs);

// Runs the split tree search cfg (cfg.split_depth != 0; shard
// cfg.shard_index of cfg.shard_count) as `jobs` prefix shards in parallel
// child processes: child j runs shard shard_index + j * shard_count of
// shard_count * jobs, which together own exactly this shard's prefixes.
// Merged into the outcome one process reports: executions, skeletons and
// CPU time summed, wall time the longest child's, the prefix counts checked
// (every child must have seen the same prefixes, or it is a harness error:
// the search is not deterministic), and the failure in the earliest prefix
// (the one a single process meets first). Harness errors win over results.
Outcome RunTreeInParallel(const tlsm::model::ScenarioInfo& info, tlsm::model::RunConfig cfg,
                          const ProgressOptions& progress, unsigned jobs);

}  // namespace tlsm::cli
