// model/harness/scenario.h — how a model scenario is declared and run.
//
// A scenario is a Relacy test over the real engine (model build). It derives
// from ModelTest<Derived, Threads> and provides:
//   void Setup();              // single-threaded, before the threads start
//   void Body(unsigned t);     // thread t's work
//   void Check();              // after every thread finished (and exited)
// and registers itself with TLSM_MODEL_SCENARIO(Type, name, invariants,
// description, primary invariant of memory errors).
//
// ModelTest runs the engine's own row teardown when a thread's Body returns
// (Relacy runs no thread-local destructors), resets the process globals
// between executions, and destroys them before Relacy's leak check.
// Invariants are asserted with TLSM_INVARIANT(cond, "ID", "message").
#pragma once

#include "engine/sync/sync.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tlsm::model {

// kRandom, kPct, kPos and kPortfolio are sampling searches (independent
// executions, model/harness/sampling_scheduler.h); the others tree searches.
enum class SearchKind { kRandom, kExhaustive, kBounded, kPct, kPos, kPortfolio };
const char* SearchName(SearchKind k);
bool IsSampling(SearchKind k);

// How one sampled execution chooses threads (sampling_scheduler.h). The
// numbers are part of replay tokens' state: append only.
enum class Sampler : unsigned { kRandom = 0, kPct = 1, kPos = 2, kPortfolio = 3 };
Sampler SamplerFor(SearchKind k);

// How a tree search reduces its tree (tree searches only; tree_scheduler.h).
enum class Reduction {
  kNone,       // every interleaving within the bound
  kSleepSets,  // sleep sets only
  kDpor,       // the default: exhaustive searches use dynamic partial-order
               // reduction with sleep sets; bounded searches, sleep sets
};


// A tree search's checkpoint (TreeScheduler). Every period_s, and when the
// budget stops the search, its position is written to `path` (atomically:
// tmp + rename) as
//   header
//   completed <executions so far, resume_completed included> <sleep-blocked>
//   <Relacy state of the next execution to run>
//   nodes <n> <backtrack> <done> ...   (per tree node; DPOR's sets)
// resume_state / resume_info / resume_completed / resume_sleep_blocked are
// those lines read back (empty: a new search).
struct Checkpoint {
  std::string path;  // "" = no checkpoints
  std::string header;
  double period_s = 10;
  std::string resume_state;
  std::string resume_info;
  std::uint64_t resume_completed = 0;
  std::uint64_t resume_sleep_blocked = 0;
};

// What a split search saw of the prefixes (tree_scheduler.h). `sum` adds a hash
// of every prefix's choice sequence, `own_sum` of the shard's own: every
// shard of one search must report the same count and sum, and the shards'
// own counts and own sums must add up to them (each prefix in one shard).
struct PrefixCounts {
  std::uint64_t count = 0, own = 0, skeletons = 0;
  std::uint64_t sum = 0, own_sum = 0;
  std::uint64_t current = 0;  // the ordinal of the running (last) execution's prefix
};

struct RunConfig {
  SearchKind search = SearchKind::kRandom;
  // Random search: executions first_execution .. first_execution+executions-1
  // (execution i is seeded with i). Tree searches: a cap (0 = no cap).
  std::uint64_t executions = 10000;
  std::uint64_t first_execution = 0;
  unsigned bound = 2;            // preemption bound for kBounded
  // kPct: the depth d (d-1 priority change points); kPct and kPortfolio: L,
  // the execution length (scheduling points) change points are drawn from
  // (0 = none: no change points, the strategy's first run that learns L).
  unsigned pct_depth = 3;
  std::uint64_t schedule_length = 0;
  // Tree searches: Relacy's own scheduler (branches on every free) instead of
  // the harness's TreeScheduler (tree_scheduler.h). For comparisons.
  bool stock_scheduler = false;
  // TreeScheduler only: explore address reuse (Relacy's coin at every free)
  // instead of quarantining freed objects until the execution ends.
  bool address_reuse = false;
  // TreeScheduler only: partial-order reduction (tree_scheduler.h).
  Reduction reduction = Reduction::kDpor;
  // The differential check's twin only: a deliberately wrong independence
  // rule (two RMWs or lock operations of one object commute).
  bool wrong_independence_for_test = false;
  // The bounded check's twin only: bounded DPOR without BPOR's conservative
  // backtrack points (unsound under a preemption bound).
  bool skip_bound_compensation_for_test = false;
  double time_budget_s = 0;      // 0 = none; checked between executions
  std::string initial_state;     // replay: a failing run's final_state
  // Tree searches (TreeScheduler): checkpoints and resuming.
  Checkpoint checkpoint;
  std::string history_path;      // where Relacy writes the failing history
  // Tree searches only: prefix sharding (tree_scheduler.h, SearchParams):
  // split at split_depth branching decisions, run the prefixes of shard
  // shard_index of shard_count.
  unsigned split_depth = 0;
  unsigned shard_index = 0, shard_count = 1;
  // Capture: stop right after the first execution completes (pass or fail)
  // and record its history and state (determinism self-check of passing
  // executions). With initial_state set, that is exactly the named execution.
  bool capture = false;
  // Called from the simulation every 256 completed executions (progress).
  // It runs inside the simulation: it must not allocate (Relacy's operator
  // new would record it and change the execution) nor touch shared state.
  void (*progress)(std::uint64_t completed, void* arg) = nullptr;
  void* progress_arg = nullptr;
};

struct RunResult {
  bool failed = false;
  bool budget_hit = false;       // stopped by iteration cap or time budget
  std::string invariant;         // "SV-SAFE", ... or "" when passed
  std::string message;           // Relacy's failure description
  std::uint64_t executions = 0;  // executions run
  std::uint64_t failing_execution = 0;
  std::string final_state;       // replay state of the failing execution
                                 // (capture: of the captured execution)
  bool captured = false;         // capture mode: an execution was recorded
  std::uint64_t sleep_blocked = 0;  // tree searches: executions that ended
                                    // in a sleep-blocked state (counted in
                                    // executions)
  // Sampling searches: the most scheduling points of any execution (PCT
  // learns L from it), and the hash of each completed execution's choice
  // sequence, in execution order (coverage).
  std::uint64_t max_steps = 0;
  std::vector<std::uint64_t> schedule_hashes;
  // Split tree searches: the prefixes seen (prefix.current: of the failing
  // execution when one failed).
  PrefixCounts prefix;
  double seconds = 0;
};

struct ScenarioInfo {
  std::string name;
  std::vector<std::string> invariants;  // ids the scenario checks
  std::string description;
  std::string memory_invariant;  // id reported for races/use-after-free/double free
  unsigned threads = 0;
  RunResult (*run)(const RunConfig&) = nullptr;
  // Seconds the bounded search gets when --time-budget is not given, where
  // the strategy's default is too short for the K=2 search to complete (set
  // with BoundedBudget; 0 = the strategy's default).
  double bounded_budget_s = 0;
};

std::vector<ScenarioInfo>& Scenarios();
const ScenarioInfo* FindScenario(const std::string& name);

struct Registrar {
  explicit Registrar(ScenarioInfo info);
};

// Gives a registered scenario (defined earlier in the same file) a longer
// default budget for its bounded search: `const BoundedBudget b{"sv.x", 300};`
// next to its TLSM_MODEL_SCENARIO, with the measurement that needs it.
struct BoundedBudget {
  BoundedBudget(const char* scenario, double seconds);
};

}  // namespace tlsm::model
