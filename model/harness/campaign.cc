// model/harness/campaign.cc — a scenario's searches, minimisation and report.
#include "model/harness/campaign.h"

#include <chrono>
#include <system_error>

#include "model/cli/history.h"
#include "model/cli/runner.h"
#include "model/harness/report_failure.h"
#include "model/harness/report_files.h"
#include "model/harness/report_html.h"
#include "model/harness/report_json.h"

namespace tlsm::harness {

const SearchStrategy& BoundedStrategy();  // strategy_bounded.cc: the minimiser's search

namespace {

namespace fs = std::filesystem;
using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;

// Minimisation: the bounded search at bounds 0..kMinimiseMaxBound, each
// capped, all within one time budget.
constexpr unsigned kMinimiseMaxBound = 3;
constexpr std::uint64_t kMinimiseCap = 200000;
constexpr double kMinimiseSeconds = 30;

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

CampaignObserver* IgnoreEvents() {
  static CampaignObserver none;  // stateless: every event is a no-op
  return &none;
}

}  // namespace

Campaign::Campaign(CampaignOptions o, CampaignObserver* observer)
    : opt_(std::move(o)), observer_(observer ? observer : IgnoreEvents()) {
  for (const SearchStrategy* st : opt_.strategies) {
    if (opt_.determinism) {
      wrappers_.push_back(std::make_unique<DeterminismChecked>(*st));
      searches_.push_back(wrappers_.back().get());
    } else {
      searches_.push_back(st);
    }
  }
}

ScenarioReport Campaign::CheckScenario(const ScenarioInfo& s) {
  const SearchOptions& so = opt_.search;
  ScenarioReport rep;
  rep.scenario = s.name;
  std::optional<Failure> failure;
  for (const SearchStrategy* st : searches_) {
    if (failure || rep.harness_error) {
      Row skipped = StartRow(*st, s, so);
      skipped.result = failure ? "skipped (bug found)" : "skipped (error)";
      skipped.verdict = Verdict::kSkipped;
      rep.rows.push_back(skipped);
      observer_->OnRow(skipped);
      continue;
    }
    SearchResult r = st->Run(s, so);
    if (!r.error.empty()) {
      rep.harness_error = true;
      rep.error = r.error;
      r.row.result = "ERROR";
      r.row.verdict = Verdict::kError;
    }
    observer_->OnRow(r.row);
    rep.rows.push_back(r.row);
    if (r.failure) {
      failure = std::move(r.failure);
    } else if (!r.nondeterminism.empty()) {
      rep.harness_error = true;
      rep.error = r.nondeterminism;
      rep.rows.back().result = "ERROR (nondeterministic)";
      rep.rows.back().verdict = Verdict::kError;
    }
  }
  if (rep.harness_error) observer_->OnHarnessError(s.name, rep.error);
  const std::string suffix = so.ShardSuffix();
  if (failure) {
    rep.bug = true;
    rep.failure = ReportFailure(*failure);
    if (!rep.failure->harness_error.empty()) {
      rep.harness_error = true;
      rep.error = rep.failure->harness_error;
      observer_->OnHarnessError(s.name, rep.error);
    }
  } else {
    std::error_code ec;
    fs::remove(opt_.results / (s.name + ".failure" + suffix + ".json"), ec);
    fs::remove(opt_.results / (s.name + ".failure" + suffix + ".html"), ec);
  }
  WriteScenarioResult(rep);
  return rep;
}

MinimalReport Campaign::Minimise(const Failure& f) {
  MinimalReport m;
  const ScenarioInfo& s = *f.info;
  const bool bounded = f.strategy->PreemptionBound(opt_.search).has_value();
  if (bounded && f.bound == 0) {
    m.note = "found at preemption bound 0: already minimal";
    return m;
  }
  const unsigned max_bound = bounded ? f.bound - 1 : kMinimiseMaxBound;
  const double started = NowSeconds();
  bool complete_below = true;
  for (unsigned k = 0; k <= max_bound; ++k) {
    const double left = kMinimiseSeconds - (NowSeconds() - started);
    if (left <= 0) {
      m.note = "minimisation budget (" + FormatSeconds(kMinimiseSeconds) + ") spent at bound " +
               std::to_string(k);
      return m;
    }
    RunConfig cfg;
    cfg.search = tlsm::model::SearchKind::kBounded;
    cfg.bound = k;
    cfg.executions = kMinimiseCap;
    cfg.time_budget_s = left;
    tlsm::cli::ProgressOptions p;
    p.enabled = opt_.search.progress;
    p.label = s.name + " minimise K=" + std::to_string(k);
    p.total = kMinimiseCap;
    p.total_is_cap = true;
    p.time_budget_s = left;
    const tlsm::cli::Outcome o = tlsm::cli::RunIsolated(s, cfg, p, opt_.search.fork);
    if (o.harness_error) {
      m.note = "minimisation stopped: " + o.error;
      return m;
    }
    if (o.result.failed && o.result.invariant == f.result.invariant) {
      m.found = true;
      m.bound = k;
      m.proven = complete_below;
      m.state = o.result.final_state;
      m.history = tlsm::cli::ParseHistory(o.history, s.threads);
      m.preemptions = tlsm::cli::CountPreemptions(m.history);
      m.token_value = MakeToken(s, BoundedStrategy(), k, o.result, cfg, opt_.build);
      m.token = tlsm::cli::EncodeToken(m.token_value);
      m.replay_command = ReplayCommand(opt_.program, m.token);
      return m;
    }
    if (o.result.failed) {
      m.note += "bound " + std::to_string(k) + " first hits another failure (" +
                o.result.invariant + "); ";
      complete_below = false;
    }
    if (o.result.budget_hit) complete_below = false;
  }
  if (bounded) {
    m.note += "no failure below the original bound " + std::to_string(f.bound) +
              (complete_below ? " (searched completely): it is minimal" : " (capped)");
  } else {
    m.note += "not reproduced with up to " + std::to_string(max_bound) + " preemptions";
  }
  return m;
}

FailureReport Campaign::ReportFailure(const Failure& f) {
  const ScenarioInfo& s = *f.info;
  FailureReport rep = DescribeFailure(f, opt_.search, opt_.build, opt_.program);
  // The determinism wrapper replayed the failure (when it is on).
  std::string harness_error = f.replay_error;
  if (opt_.minimise && harness_error.empty()) {
    rep.minimal = Minimise(f);
    if (rep.minimal->found && opt_.determinism) {
      harness_error = CheckReplays(s, rep.minimal->token_value,
                                   tlsm::cli::RenderHistory(rep.minimal->history, {.raw = true}),
                                   opt_.search.fork);
    }
  }
  rep.harness_error = harness_error;
  const std::string base = s.name + ".failure" + opt_.search.ShardSuffix();
  rep.artifact = (opt_.results / (base + ".json")).string();
  const fs::path page = opt_.results / (base + ".html");
  try {
    WriteResultFile(opt_.results, base + ".html", FailurePage(rep));
    rep.html = page.string();
  } catch (const std::exception& e) {
    observer_->OnWarning("cannot write " + page.string() + ": " + e.what());
  }
  // The report goes out before the artifact is written, as tlsm always did:
  // a warning about the artifact follows the report.
  observer_->OnFailure(rep);
  try {
    WriteResultFile(opt_.results, base + ".json", FailureJson(rep).dump(2) + "\n");
  } catch (const std::exception& e) {
    observer_->OnWarning("cannot write " + rep.artifact + ": " + e.what());
  }
  return rep;
}

void Campaign::WriteScenarioResult(const ScenarioReport& rep) {
  try {
    WriteResultFile(opt_.results, rep.scenario + ".result" + opt_.search.ShardSuffix() + ".json",
                    ScenarioResultJson(rep, opt_.build).dump(2) + "\n");
  } catch (const std::exception& e) {
    observer_->OnWarning("cannot write results: " + std::string(e.what()));
  }
}

}  // namespace tlsm::harness
