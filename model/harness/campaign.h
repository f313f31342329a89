// model/harness/campaign.h — runs a scenario's searches and returns the
// report (tlsm_harness; `tlsm check` is argument parsing around it).
//
// For each scenario, a Campaign runs the configured strategies in order
// (each wrapped in the determinism check unless it is off) until one finds
// a bug or a harness error (later searches are reported as skipped). For a
// bug it then searches for a minimal counterexample (the bounded search at
// bounds 0, 1, ... up to 3 or the finding bound minus one; 200 000 executions
// per bound, 30 s in all), replays that too when the determinism check is
// on, and writes the failure artifact and its HTML page. Every scenario's
// rows go to <scenario>.result.json (report_files.h lists the files).
//
// The campaign prints nothing: live output (rows as they finish, harness
// errors, the failure report, warnings about files it could not write) goes
// to the CampaignObserver the caller passes (report_text.h prints tlsm's
// text). Searches and replays run in forked children unless
// SearchOptions::fork is false; progress lines go to stderr when
// SearchOptions::progress is set.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model/harness/determinism.h"
#include "model/harness/report.h"
#include "model/harness/strategy.h"

namespace tlsm::harness {

struct CampaignOptions {
  // The searches, in order (Strategies() for `--search all`).
  std::vector<const SearchStrategy*> strategies;
  SearchOptions search;
  std::filesystem::path results = "results";  // artifact directory
  bool minimise = true;     // search for a minimal counterexample after a bug
  bool determinism = true;  // the determinism self-check (determinism.h)
  BuildIdentity build;      // goes into tokens and artifacts
  std::string program = "tlsm";  // replay commands: "<program> replay <token>"
};

// Live events of a campaign, in the order they happen. Default: ignore.
class CampaignObserver {
 public:
  virtual ~CampaignObserver() = default;
  // A search finished (or was skipped). A passing row may later turn into
  // ERROR (nondeterministic) in the returned report: the determinism check
  // of passing executions judges the search after its row is out.
  virtual void OnRow(const Row&) {}
  // The scenario's searches ended with a harness error, or the failure's
  // replay did not reproduce it (after OnFailure).
  virtual void OnHarnessError(const std::string& /*scenario*/, const std::string& /*error*/) {}
  // A bug, fully reported (minimal counterexample, page written).
  virtual void OnFailure(const FailureReport&) {}
  // A result file could not be written ("cannot write <path>: <why>").
  virtual void OnWarning(const std::string&) {}
};

class Campaign {
 public:
  // `observer` may be null; it must outlive the campaign.
  explicit Campaign(CampaignOptions o, CampaignObserver* observer = nullptr);

  // Runs every search of `s` and returns what they found.
  ScenarioReport CheckScenario(const tlsm::model::ScenarioInfo& s);

  const CampaignOptions& options() const { return opt_; }

 private:
  MinimalReport Minimise(const Failure& f);
  // Fills the report of f; writes its page and artifact.
  FailureReport ReportFailure(const Failure& f);
  void WriteScenarioResult(const ScenarioReport& rep);

  CampaignOptions opt_;
  CampaignObserver* observer_;  // never null: a no-op observer when none is given
  // The searches as run: opt_.strategies, each wrapped in the determinism
  // check when it is on (wrappers_ owns the wrappers).
  std::vector<const SearchStrategy*> searches_;
  std::vector<std::unique_ptr<DeterminismChecked>> wrappers_;
};

}  // namespace tlsm::harness
