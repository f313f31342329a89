// model/harness/report.h — the values a campaign returns (tlsm_harness).
//
// A campaign (campaign.h) runs a scenario's searches and returns a
// ScenarioReport: one Row per search (what it ran, how it ended) and, when a
// search found a bug, the FailureReport (token, histories, minimal
// counterexample, artifact paths). Reporters (report_text.h, report_json.h,
// report_junit.h, report_html.h) turn these values into text; nothing here
// prints.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "model/cli/history.h"
#include "model/cli/token.h"
#include "model/harness/scenario.h"

namespace tlsm::harness {

class SearchStrategy;

// Which binary made the tokens and artifacts: tokens of another build are
// refused on replay (docs/harness.md, "Tokens").
struct BuildIdentity {
  std::string id;      // "m<mutant>-<hash>" (model/cli/build_id.cmake)
  std::string mutant;  // mutant name, "" = none
};

// How one search ended. Only kVerified says the search covered every
// execution in its scope; kSampled is a passing search that did not (a
// sampling search, or a tree search stopped by a cap or a time budget).
enum class Verdict {
  kPending,        // the search has not ended yet (a row being filled in)
  kVerified,       // complete search, no bug
  kSampled,        // passing executions only, not complete
  kShardComplete,  // this shard's part of a tree search is complete, no bug
  kBug,            // an execution violated an invariant
  kError,          // the harness failed (crash, nondeterminism, bad scenario)
  kSkipped,        // not run (an earlier search found a bug, an empty shard)
};

// The word the reports print and the JSON carries ("verified", "shard complete").
const char* VerdictName(Verdict v);
// Its inverse (kPending for any other word).
Verdict VerdictFromName(const std::string& name);

struct Row;
// Marks a passing row sampled: "sampled (N executions[, why])".
void MarkSampled(const std::string& why, Row* row);

// One search of one scenario: a line of the summary, a row of the JSON.
struct Row {
  std::string scenario;
  std::string search;                 // "random", "bounded K=2 stock", ...
  std::uint64_t executions = 0;       // executions run
  std::uint64_t first_execution = 0;  // sampling searches: first execution index
  unsigned bound = 0;                 // bounded searches: the preemption bound
  double seconds = 0;                 // wall time of the search
  double cpu_seconds = 0;             // CPU time of the search processes
  std::string result;   // verified (...) / sampled (...) / BUG <id> / ERROR / skipped ...
  Verdict verdict = Verdict::kPending;
  std::uint64_t sleep_blocked = 0;    // tree searches: sleep-blocked executions
  bool ran = false;                   // at least one search process ran
  // How the search was configured (JSON fields of tree searches).
  bool tree = false;                  // a tree search (bounded, exhaustive)
  std::string scheduler;              // tree: "tlsm" | "stock"
  bool address_reuse = false;         // tree: freed addresses reused
  std::string reduction;              // tree: "dpor+sleep-sets" | "sleep-sets" | "none"
  std::string shard;                  // "I/N"
  unsigned shard_index = 0, shard_count = 1;
  // Split tree searches (prefix sharding): the split depth (0 = none) and
  // the prefixes the search saw (tree_scheduler.h).
  unsigned split_depth = 0;
  tlsm::model::PrefixCounts prefix;
  // Sampling searches: PCT's depth (0: no PCT) and L, the learned execution
  // length its change points are drawn from; coverage: distinct schedules
  // among the passing executions (hash of the choice sequence) and how many
  // were seen exactly once (Good–Turing: singletons / executions estimates
  // the chance that the next execution is a schedule not seen yet).
  unsigned depth = 0;
  std::uint64_t schedule_length = 0;
  std::uint64_t distinct_schedules = 0;
  std::uint64_t singleton_schedules = 0;
  std::uint64_t hashed_executions = 0;  // executions the coverage counts cover
};

// What a search found: the failing execution as the search reported it.
struct Failure {
  const tlsm::model::ScenarioInfo* info = nullptr;
  const SearchStrategy* strategy = nullptr;  // the strategy that found it
  unsigned bound = 0;                        // the search's preemption bound
  tlsm::model::RunConfig config;              // the search (scheduler, address policy)
  tlsm::model::RunResult result;
  std::string raw_history;                   // Relacy's history of the failing execution
  // The determinism check (determinism.h): why replaying the failure in a
  // fresh process did not reproduce it; "" = it did, or it was not checked.
  std::string replay_error;
};

// The minimal-counterexample search's answer (campaign.cc, Minimise).
struct MinimalReport {
  bool found = false;
  unsigned bound = 0;      // found: the preemption bound that reproduced it
  bool proven = false;     // found: every lower bound was searched completely
  unsigned preemptions = 0;
  tlsm::cli::Token token_value;  // found: the minimal execution's token
  std::string token;       // ... encoded
  std::string replay_command;
  std::string state;       // its Relacy state
  tlsm::cli::History history;
  std::string note;        // not found: why
};

// A failure as reported: what the text reporter prints and the JSON
// artifact holds.
struct FailureReport {
  std::string scenario;
  unsigned threads = 0;
  tlsm::cli::Token token_value;   // the failing execution's token, decoded
  std::string token;             // ... and encoded
  std::string replay_command;
  std::string invariant;
  std::string message;           // the failure's message (with scenario detail)
  std::string detail;            // a scenario's appended detail ("" = none)
  std::string where;             // "random, execution 2 (seed 2)"
  std::uint64_t execution = 0;   // failing execution index
  std::uint64_t executions_run = 0;
  std::string state;             // Relacy's state of the failing execution
  tlsm::cli::History history;     // its normalised history
  unsigned preemptions = 0;
  std::optional<MinimalReport> minimal;  // absent: minimisation not run
  BuildIdentity build;
  std::string artifact;          // path of the JSON artifact
  std::string html;              // path of the HTML page ("" = not written)
  std::string harness_error;     // the replay/determinism check failed ("" = none)

  // The history the report shows: the minimal one when found.
  const tlsm::cli::History& ShownHistory() const {
    return minimal && minimal->found ? minimal->history : history;
  }
  const std::string& ShownToken() const {
    return minimal && minimal->found ? minimal->token : token;
  }
};

// Every search of one scenario.
struct ScenarioReport {
  std::string scenario;
  std::vector<Row> rows;
  bool bug = false;
  bool harness_error = false;
  std::string error;                     // the harness error ("" = none)
  std::optional<FailureReport> failure;  // the bug found, if any
};

// "0.05s", "12.3s": the time column of the tables.
inline std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.1fs", s);
  return buf;
}

}  // namespace tlsm::harness
