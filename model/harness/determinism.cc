// model/harness/determinism.cc — the determinism self-check.
#include "model/harness/determinism.h"

#include <sstream>

#include "model/cli/history.h"
#include "model/cli/runner.h"

namespace tlsm::harness {

using tlsm::cli::Outcome;
using tlsm::cli::ParseHistory;
using tlsm::cli::ProgressOptions;
using tlsm::cli::RenderHistory;
using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;

namespace {
// Every event, seam internals included: the comparison sees all of them.
constexpr tlsm::cli::RenderOptions kFullHistory{.raw = true};
}  // namespace

SearchResult DeterminismChecked::Run(const ScenarioInfo& s, const SearchOptions& o) const {
  SearchResult r = inner_.Run(s, o);
  if (!r.error.empty()) return r;
  if (r.failure) {
    const Failure& f = *r.failure;
    // The build identity does not change which execution a token names.
    const tlsm::cli::Token t = MakeToken(s, *f.strategy, f.bound, f.result, f.config, {});
    r.failure->replay_error =
        CheckReplays(s, t, RenderHistory(ParseHistory(f.raw_history, s.threads), kFullHistory), o.fork);
    return r;
  }
  if (!r.row.ran) return r;
  for (const DeterminismSample& d : inner_.PassingSamples(s, r.row, o)) {
    r.nondeterminism = CompareCaptures(s, d.config, d.what, o.fork);
    if (!r.nondeterminism.empty()) break;
  }
  return r;
}

std::string CheckReplays(const ScenarioInfo& s, const tlsm::cli::Token& t,
                         const std::string& expected, bool fork) {
  for (int n = 1; n <= 2; ++n) {
    const Outcome o = tlsm::cli::RunIsolated(s, ReplayConfig(t), ProgressOptions{}, fork);
    if (o.harness_error) return "replay #" + std::to_string(n) + " of the failure: " + o.error;
    if (!o.result.failed || o.result.invariant != t.invariant) {
      return "replay #" + std::to_string(n) + " of the failure did not reproduce it (" +
             (o.result.failed ? "failed with " + o.result.invariant : "passed") +
             "): nondeterministic scenario or engine";
    }
    const std::string got = RenderHistory(ParseHistory(o.history, s.threads), kFullHistory);
    const std::string d = FirstDifference(expected, got);
    if (!d.empty()) {
      return "nondeterminism: replay #" + std::to_string(n) +
             " of the failing execution gave a different history (" + d + ")";
    }
  }
  return "";
}

std::string CompareCaptures(const ScenarioInfo& s, RunConfig cfg, const std::string& what,
                            bool fork) {
  cfg.capture = true;
  const ProgressOptions quiet;
  const Outcome a = tlsm::cli::RunIsolated(s, cfg, quiet, fork);
  if (a.harness_error) return "determinism check of " + what + ": " + a.error;
  if (!a.result.captured && !a.result.failed) {
    // The scenario drives Relacy itself (gen.tls_programs) and does not
    // support capture: nothing to compare.
    return "";
  }
  if (a.result.failed) {
    return "determinism check of " + what + ": the execution failed (" + a.result.invariant +
           ") when re-run, but passed in the search";
  }
  cfg.initial_state = a.result.final_state;
  const Outcome b = tlsm::cli::RunIsolated(s, cfg, quiet, fork);
  if (b.harness_error) return "determinism check of " + what + ": " + b.error;
  const std::string ha = RenderHistory(ParseHistory(a.history, s.threads), kFullHistory);
  const std::string hb = RenderHistory(ParseHistory(b.history, s.threads), kFullHistory);
  const std::string d = FirstDifference(ha, hb);
  if (!d.empty()) {
    return "nondeterminism: re-running " + what + " gave a different history (" + d +
           ")\n  the scenario or engine depends on something outside the simulation "
           "(addresses, statics, rand)";
  }
  return "";
}

std::string FirstDifference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool ga = static_cast<bool>(std::getline(ia, la));
    const bool gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return "differ in line endings";
    if (!ga || !gb || la != lb) {
      return "line " + std::to_string(n) + ":\n    expected: " + (ga ? la : "<end>") +
             "\n    got:      " + (gb ? lb : "<end>");
    }
  }
}

}  // namespace tlsm::harness
