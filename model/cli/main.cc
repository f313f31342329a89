// model/cli/main.cc — tlsm: list, check and replay the Relacy model scenarios.
//
// Exit codes: 0 every check passed (replay: -), 1 a bug was found (replay:
// the failure reproduced), 2 bad usage (unknown flag, scenario or mutant,
// bad value, bad or foreign token), 3 harness error (a simulation crashed, a replay did
// not reproduce, the determinism self-check failed). docs/harness.md.
//
// This file parses arguments and prints. The searches, the failure reports
// and the result files are the harness library's (model/harness/campaign.h,
// docs/harness.md "The harness as a library").
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/sync/mutant.h"
#include "model/cli/build_info.h"
#include "model/cli/check_args.h"
#include "model/cli/history.h"
#include "model/cli/html.h"
#include "model/cli/replay_input.h"
#include "model/cli/runner.h"
#include "model/cli/token.h"
#include "model/harness/campaign.h"
#include "model/harness/campaign_checkpoint.h"
#include "model/harness/merge.h"
#include "model/harness/report_failure.h"
#include "model/harness/report_files.h"
#include "model/harness/report_json.h"
#include "model/harness/report_junit.h"
#include "model/harness/report_text.h"
#include "model/harness/scenario.h"
#include "model/harness/strategy.h"

namespace tlsm::cli {
namespace {

namespace po = boost::program_options;
using nlohmann::json;
using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;
using tlsm::model::SearchKind;

std::string g_argv0 = "tlsm";

std::string SelfCommand() { return g_argv0; }

bool IsSelftest(const std::string& name) { return name.rfind("selftest.", 0) == 0; }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
  return o;
}

namespace sync = tlsm::sync;

std::string MutantLabel(const std::string& mutant) {
  return mutant.empty() ? "no mutant" : "mutant " + mutant;
}

// The name of the selected mutant ("" = the correct engine).
std::string SelectedMutantName() {
  const sync::MutantInfo* m = sync::FindMutant(sync::SelectedMutant());
  return m == nullptr ? "" : m->name;
}

std::string MutantNames() {
  std::string o;
  for (const sync::MutantInfo& m : sync::kMutants) o += (o.empty() ? "" : ", ") + std::string(m.name);
  return o;
}

// Selects the catalogued mutant `name` for every execution of this process
// (and its forked children). Must run before any execution starts.
void SelectMutantOrThrow(const std::string& name) {
  const sync::MutantInfo* m = sync::FindMutant(std::string_view(name));
  if (m == nullptr) {
    throw UsageError("no mutant '" + name + "' in this build (tlsm mutants); known: " +
                     MutantNames());
  }
  sync::SelectMutant(m->id);
}

// The scenarios of a catalogue entry (its twins), in catalogue order.
std::vector<std::string> MutantScenarios(const sync::MutantInfo& m) {
  std::vector<std::string> out;
  std::istringstream in(m.scenarios);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

tlsm::harness::BuildIdentity Build() { return {kBuildId, SelectedMutantName()}; }

std::string ReplayCommand(const std::string& token) {
  return tlsm::harness::ReplayCommand(SelfCommand(), token);
}

// ---------------------------------------------------------------- list

int CmdList(const std::vector<std::string>& args) {
  ListArgs a;
  std::string help;
  if (!ParseListArgs("list", "tlsm list [--json]\n\nLists every registered model scenario.\n\noptions",
                     args, &a, &help)) {
    std::cout << help << "\n";
    return kExitPass;
  }
  auto all = tlsm::model::Scenarios();
  std::sort(all.begin(), all.end(), [](const ScenarioInfo& a, const ScenarioInfo& b) {
    return IsSelftest(a.name) != IsSelftest(b.name) ? IsSelftest(b.name) : a.name < b.name;
  });
  if (a.json) {
    json j = json::array();
    for (const auto& s : all) {
      j.push_back({{"name", s.name},
                   {"invariants", s.invariants},
                   {"memory_invariant", s.memory_invariant},
                   {"threads", s.threads},
                   {"description", s.description},
                   {"selftest", IsSelftest(s.name)}});
    }
    std::cout << j.dump(2) << "\n";
    return kExitPass;
  }
  std::size_t w = 8, wi = 10;
  for (const auto& s : all) {
    w = std::max(w, s.name.size());
    wi = std::max(wi, Join(s.invariants, ",").size());
  }
  std::printf("%-*s  %-*s  %7s  %s\n", static_cast<int>(w), "scenario", static_cast<int>(wi),
              "invariants", "threads", "description");
  bool selftest_header = false;
  for (const auto& s : all) {
    if (IsSelftest(s.name) && !selftest_header) {
      std::printf("\nharness self-tests (run only when named, e.g. tlsm check selftest.ok):\n");
      selftest_header = true;
    }
    std::printf("%-*s  %-*s  %7u  %s\n", static_cast<int>(w), s.name.c_str(),
                static_cast<int>(wi), Join(s.invariants, ",").c_str(), s.threads,
                s.description.c_str());
  }
  std::printf("\nbuild %s (%zu mutants: tlsm mutants)\n", kBuildId, std::size(sync::kMutants));
  return kExitPass;
}

// ---------------------------------------------------------------- mutants

// The catalogue (engine/sync/mutants.def, parsed by the C preprocessor in
// engine/sync/mutant.h): the one source CMake, ci scripts and docs read.
int CmdMutants(const std::vector<std::string>& args) {
  ListArgs a;
  std::string help;
  if (!ParseListArgs("mutants",
                     "tlsm mutants [--json]\n\nLists the catalogued mutants (deliberately injected bugs) this\n"
                     "build carries; run one with tlsm check --mutant NAME.\n\noptions",
                     args, &a, &help)) {
    std::cout << help << "\n";
    return kExitPass;
  }
  if (a.json) {
    json j = json::array();
    for (const sync::MutantInfo& m : sync::kMutants) {
      j.push_back({{"name", m.name},
                   {"number", static_cast<int>(m.id)},
                   {"invariant", m.invariant},
                   {"scenarios", MutantScenarios(m)},
                   {"description", m.description}});
    }
    std::cout << j.dump(2) << "\n";
    return kExitPass;
  }
  std::size_t w = 6, wi = 9;
  for (const sync::MutantInfo& m : sync::kMutants) {
    w = std::max(w, std::strlen(m.name));
    wi = std::max(wi, std::strlen(m.invariant));
  }
  std::printf("%3s  %-*s  %-*s  %s\n", "#", static_cast<int>(w), "mutant", static_cast<int>(wi),
              "invariant", "scenarios (twins)");
  for (const sync::MutantInfo& m : sync::kMutants) {
    std::printf("%3d  %-*s  %-*s  %s\n", static_cast<int>(m.id), static_cast<int>(w), m.name,
                static_cast<int>(wi), m.invariant, m.scenarios);
  }
  return kExitPass;
}

// ---------------------------------------------------------------- check

// The scenarios `patterns` select, sorted by name without duplicates: every
// scenario except the self-tests when there are none; a pattern matching
// nothing is a usage error.
std::vector<const ScenarioInfo*> SelectScenarios(const std::vector<std::string>& patterns) {
  std::vector<const ScenarioInfo*> selected;
  const auto& reg = tlsm::model::Scenarios();
  auto add = [&](const ScenarioInfo& s) {
    if (std::find(selected.begin(), selected.end(), &s) == selected.end()) selected.push_back(&s);
  };
  if (patterns.empty()) {
    for (const auto& s : reg)
      if (!IsSelftest(s.name)) add(s);
  }
  for (const auto& pat : patterns) {
    bool any = false;
    for (const auto& s : reg) {
      if (fnmatch(pat.c_str(), s.name.c_str(), 0) != 0) continue;
      if (IsSelftest(s.name) && !IsSelftest(pat) && pat != s.name) continue;
      add(s);
      any = true;
    }
    if (!any) {
      std::vector<std::string> names;
      for (const auto& s : reg) names.push_back(s.name);
      std::sort(names.begin(), names.end());
      throw UsageError("no scenario matches '" + pat + "'; known: " + Join(names, ", "));
    }
  }
  std::sort(selected.begin(), selected.end(),
            [](const ScenarioInfo* a, const ScenarioInfo* b) { return a->name < b->name; });
  return selected;
}

int CmdCheck(const std::vector<std::string>& args) {
  CheckArgs a;
  std::string help;
  if (!ParseCheckArgs(args, &a, &help)) {  // --help
    std::cout << help << "\n";
    return kExitPass;
  }
  if (a.mutant) SelectMutantOrThrow(*a.mutant);  // before any execution
  tlsm::harness::CampaignOptions opt;
  tlsm::harness::SearchOptions& so = opt.search;
  if (a.search == "all") {
    opt.strategies = tlsm::harness::DefaultStrategies();
  } else if (const tlsm::harness::SearchStrategy* st = tlsm::harness::FindStrategy(a.search)) {
    opt.strategies = {st};
  } else {
    throw UsageError("--search must be random, pct, pos, portfolio, exhaustive, bounded or all, got '" +
                     a.search + "'");
  }
  const bool any_sampling =
      std::any_of(opt.strategies.begin(), opt.strategies.end(),
                  [](const tlsm::harness::SearchStrategy* st) { return !st->IsTree(); });
  if (a.executions && *a.executions == 0 && any_sampling) {
    throw UsageError("--executions 0 (no cap) is only valid for --search exhaustive or bounded");
  }
  so.seed = a.seed;
  so.executions = a.executions;
  so.bound = a.bound;
  so.depth = a.depth;
  so.time_budget = a.time_budget;
  so.shard_index = a.shard_index;
  so.shard_count = a.shard_count;
  so.split_depth = a.split_depth;
  opt.results = a.results;
  const bool expect_bug = a.expect_bug;
  opt.minimise = a.minimise;
  opt.determinism = a.determinism;
  so.progress = (isatty(2) || a.progress) && !a.no_progress;
  so.fork = a.fork;
  so.stock_scheduler = a.stock_scheduler;
  so.address_reuse = a.address_reuse;
  so.reduction = a.reduction == "none"         ? tlsm::model::Reduction::kNone
                 : a.reduction == "sleep-sets" ? tlsm::model::Reduction::kSleepSets
                                               : tlsm::model::Reduction::kDpor;
  so.jobs = a.jobs;
  const bool any_tree =
      std::any_of(opt.strategies.begin(), opt.strategies.end(),
                  [](const tlsm::harness::SearchStrategy* st) { return st->IsTree(); });
  if (any_tree && so.stock_scheduler &&
      (so.shard_count > 1 || so.jobs > 1 || (so.split_depth && *so.split_depth != 0))) {
    throw UsageError("--shard, --jobs and --split-depth split a tree search by schedule prefix, "
                     "which needs the tlsm scheduler (not --scheduler stock)");
  }
  const std::string& checkpoint = a.checkpoint;
  const std::string& resume = a.resume;
  const std::string& junit = a.junit;
  const std::vector<std::string>& scenarios = a.scenarios;
  opt.build = Build();
  opt.program = SelfCommand();

  const std::vector<const ScenarioInfo*> selected = SelectScenarios(scenarios);

  if (!checkpoint.empty() || !resume.empty()) {
    if (selected.size() != 1 || opt.strategies.size() != 1 || !opt.strategies.front()->IsTree() ||
        so.jobs > 1 || so.stock_scheduler) {
      throw UsageError("--checkpoint and --resume need one scenario, --search bounded or "
                       "exhaustive, no --jobs, and the tlsm scheduler");
    }
    so.checkpoint.path = checkpoint.empty() ? resume : checkpoint;
    so.checkpoint.header = tlsm::harness::CheckpointHeader(*opt.strategies.front(), so,
                                                          selected.front()->name, opt.build);
    if (!resume.empty()) {
      try {
        tlsm::harness::ReadCheckpoint(resume, &so);
      } catch (const tlsm::harness::CheckpointError& e) {
        throw UsageError(e.what());
      }
    }
  }

  std::printf("tlsm check: %zu scenario%s, build %s (%s)%s\n", selected.size(),
              selected.size() == 1 ? "" : "s", kBuildId, MutantLabel(SelectedMutantName()).c_str(),
              so.shard_count > 1 ? (", shard " + std::to_string(so.shard_index) + "/" +
                                    std::to_string(so.shard_count)).c_str()
                                 : "");
  tlsm::harness::TextReporter text(stdout, stderr);
  tlsm::harness::Campaign campaign(opt, &text);
  std::vector<tlsm::harness::Row> rows;
  std::vector<tlsm::harness::ScenarioReport> reports;
  std::vector<std::string> missed, bugs, errors;
  for (const ScenarioInfo* s : selected) {
    reports.push_back(campaign.CheckScenario(*s));
    const tlsm::harness::ScenarioReport& rep = reports.back();
    rows.insert(rows.end(), rep.rows.begin(), rep.rows.end());
    if (rep.bug) bugs.push_back(s->name);
    else missed.push_back(s->name);
    if (rep.harness_error) errors.push_back(s->name);
  }

  tlsm::harness::PrintSummary(stdout, rows);
  // What decides which executions run: tlsm merge refuses shards that differ.
  std::vector<std::string> names;
  for (const ScenarioInfo* s : selected) names.push_back(s->name);
  const json options = {
      {"search", a.search},
      {"seed", a.seed},
      // Tree searches: --executions 0 is no cap, as when it is not given.
      {"executions", a.executions && *a.executions != 0 ? json(*a.executions) : json(nullptr)},
      {"bound", a.bound},
      {"depth", a.depth},
      {"time_budget", a.time_budget ? json(*a.time_budget) : json(nullptr)},
      {"split_depth", a.split_depth ? json(*a.split_depth) : json(nullptr)},
      {"scheduler", a.stock_scheduler ? "stock" : "tlsm"},
      {"address_reuse", a.address_reuse},
      {"reduction", a.reduction},
      {"scenarios", names}};
  try {
    tlsm::harness::WriteResultFile(
        opt.results, "summary" + so.ShardSuffix() + ".json",
        tlsm::harness::SummaryJson(rows, bugs, errors, opt.build, options, so.shard_index,
                                   so.shard_count)
                .dump(2) +
            "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tlsm: cannot write summary: %s\n", e.what());
  }
  if (!junit.empty()) {
    try {
      tlsm::harness::WriteFileAtomically(junit, tlsm::harness::JUnitXml(reports));
    } catch (const std::exception& e) {
      // Asked for and not written: the run's report is incomplete.
      std::fprintf(stderr, "tlsm: cannot write %s: %s\n", junit.c_str(), e.what());
      errors.push_back("--junit " + junit);
    }
  }
  if (!errors.empty()) {
    std::printf("\nHARNESS ERROR in %s (exit 3: the harness, not the engine, misbehaved)\n",
                Join(errors, ", ").c_str());
    return kExitHarness;
  }
  if (expect_bug) {
    if (missed.empty()) {
      std::printf("\nexpected a bug in every scenario: found (%s)\n", Join(bugs, ", ").c_str());
      return kExitPass;
    }
    std::printf("\nEXPECTED A BUG but none was found in: %s\n", Join(missed, ", ").c_str());
    return kExitBug;
  }
  if (!bugs.empty()) {
    std::printf("\nBUG found in: %s\n", Join(bugs, ", ").c_str());
    return kExitBug;
  }
  std::printf("\nall %zu scenario%s passed\n", selected.size(), selected.size() == 1 ? "" : "s");
  return kExitPass;
}

// ---------------------------------------------------------------- replay

// `replay --json` / `trace --json`: one history as a JSON document
// (docs/harness.md, "JSON events"). invariant: empty if the execution passed.
json HistoryDocument(const History& h, const std::string& scenario, const std::string& search,
                     const std::string& invariant, const std::string& message) {
  return {{"tlsm_history", 1},
          {"scenario", scenario},
          {"search", search},
          {"failed", !invariant.empty()},
          {"invariant", invariant},
          {"message", message},
          {"relacy_result", h.result},
          {"threads", h.threads},
          {"failing_step", h.failing_step},
          {"preemptions", tlsm::cli::CountPreemptions(h)},
          {"events", tlsm::harness::HistoryJson(h)}};
}

int CmdReplay(const std::vector<std::string>& args) {
  ReplayArgs a;
  std::string help;
  if (!ParseReplayArgs(args, &a, &help)) {  // --help
    std::cout << help << "\n";
    return kExitPass;
  }
  std::string text = a.what;
  if (text.rfind("tlsm", 0) != 0) {
    std::ifstream in(text, std::ios::binary);
    if (!in) throw UsageError("'" + text + "' is neither a token (tlsm1:...) nor a readable file");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string err;
    if (!ReplayTextFromFile(a.what, ss.str(), a.minimal, &text, &err)) {
      throw UsageError(err);
    }
  }
  Token tok;
  std::string err;
  if (!DecodeToken(text, &tok, &err)) throw UsageError("bad token: " + err);
  const ScenarioInfo* s = tlsm::model::FindScenario(tok.scenario);
  if (s == nullptr) {
    throw UsageError("the token names scenario '" + tok.scenario +
                     "', which this build does not have (tlsm list)");
  }
  if (!tok.mutant.empty() && sync::FindMutant(std::string_view(tok.mutant)) == nullptr) {
    throw UsageError("the token was made with mutant '" + tok.mutant +
                     "', which this build does not have (tlsm mutants); replay it with the "
                     "tlsm binary that printed it");
  }
  if (tok.build_id != kBuildId) {
    throw UsageError("stale token: the engine or model sources changed since it was made "
                     "(token build " + tok.build_id + ", " + MutantLabel(tok.mutant) +
                     "; this build " + kBuildId + "); replay it with the tlsm binary that "
                     "printed it, or re-run tlsm check to get a fresh token");
  }
  if (!tok.mutant.empty()) SelectMutantOrThrow(tok.mutant);  // the run the token recorded
  // DecodeToken accepts only the names of registered strategies.
  const tlsm::harness::SearchStrategy& strategy = *tlsm::harness::FindStrategy(tok.search);
  if (strategy.IsTree() && tok.state.find_first_not_of("0123456789 ") == std::string::npos) {
    // A tree state starts "<iteration> <nodes> <count> ...": the first node
    // chooses among all the scenario's threads.
    std::istringstream st(tok.state);
    unsigned long long iter = 0, nodes = 0, count = 0;
    if (!(st >> iter >> nodes) || nodes == 0 || !(st >> count) || count != s->threads) {
      throw UsageError("the token's state does not fit scenario '" + s->name + "' (" +
                       std::to_string(s->threads) + " threads): damaged or forged token");
    }
  }
  if (!a.json) {
    std::printf("replay %s: %s search%s, %s, expecting %s\n", s->name.c_str(),
                tok.search.c_str(),
                tok.search == "bounded" ? (" (bound " + std::to_string(tok.bound) + ")").c_str()
                                        : "",
                MutantLabel(tok.mutant).c_str(), tok.invariant.c_str());
  }
  Outcome o = RunIsolated(*s, tlsm::harness::ReplayConfig(tok), ProgressOptions{}, a.fork);
  if (o.harness_error) {
    std::printf("HARNESS ERROR: the replay crashed: %s\n", o.error.c_str());
    return kExitHarness;
  }
  if (!o.result.failed) {
    std::printf("HARNESS ERROR: the replay did not reproduce the failure (the execution passed);\n"
                "the scenario or engine is nondeterministic (exit 3)\n");
    return kExitHarness;
  }
  const History h = ParseHistory(o.history, s->threads);
  const std::string message =
      tlsm::harness::WithScenarioDetail(tlsm::harness::FailureMessage(h, o.result.invariant),
                                       o.result);
  if (a.json) {
    json doc = HistoryDocument(h, s->name, tok.search, o.result.invariant, message);
    doc["token"] = EncodeToken(tok);
    doc["mutant"] = tok.mutant;
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    std::printf("FAIL %s: %s  %s\n\n%s", s->name.c_str(), o.result.invariant.c_str(),
                message.c_str(), RenderHistory(h, {.raw = a.raw}).c_str());
    if (a.raw) std::printf("\nrelacy history:\n%s", o.history.c_str());
  }
  if (!a.html.empty()) {
    HtmlInfo info{s->name, tok.search, o.result.invariant, message, EncodeToken(tok),
                  ReplayCommand(EncodeToken(tok)), kBuildId};
    try {
      tlsm::harness::WriteFileAtomically(a.html, RenderHtml(h, info));
      std::fprintf(a.json ? stderr : stdout, "\nwrote %s\n", a.html.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tlsm: cannot write %s: %s\n", a.html.c_str(), e.what());
      return kExitUsage;
    }
  }
  if (o.result.invariant != tok.invariant) {
    std::printf("\nHARNESS ERROR: the replay failed with %s, but the token recorded %s\n",
                o.result.invariant.c_str(), tok.invariant.c_str());
    return kExitHarness;
  }
  return kExitBug;
}

// ---------------------------------------------------------------- trace

int CmdTrace(const std::vector<std::string>& args) {
  TraceArgs a;
  std::string help;
  if (!ParseTraceArgs(args, &a, &help)) {  // --help
    std::cout << help << "\n";
    return kExitPass;
  }
  if (a.mutant) SelectMutantOrThrow(*a.mutant);  // before any execution
  const ScenarioInfo* s = tlsm::model::FindScenario(a.scenario);
  if (s == nullptr) throw UsageError("no scenario '" + a.scenario + "' (tlsm list)");
  RunConfig cfg;
  cfg.search = SearchKind::kRandom;
  cfg.first_execution = a.seed;
  cfg.executions = 1;
  cfg.capture = true;
  Outcome o = RunIsolated(*s, cfg, ProgressOptions{}, true);
  if (o.harness_error) {
    std::printf("HARNESS ERROR: %s\n", o.error.c_str());
    return kExitHarness;
  }
  if (!o.result.captured && !o.result.failed) {
    std::printf("%s does not support tracing one execution\n", s->name.c_str());
    return kExitHarness;
  }
  const History h = ParseHistory(o.history, s->threads);
  if (a.json) {
    json doc = HistoryDocument(h, s->name, "random, execution " + std::to_string(a.seed),
                               o.result.failed ? o.result.invariant : "", "");
    doc["mutant"] = a.mutant ? *a.mutant : "";
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    std::printf("%s, random execution %llu: %s\n\n%s", s->name.c_str(),
                static_cast<unsigned long long>(a.seed),
                o.result.failed ? ("FAIL " + o.result.invariant).c_str() : "pass",
                RenderHistory(h, {.raw = a.raw}).c_str());
  }
  if (!a.html.empty()) {
    HtmlInfo info{s->name, "random, execution " + std::to_string(a.seed), o.result.invariant, "", "", "", kBuildId};
    tlsm::harness::WriteFileAtomically(a.html, RenderHtml(h, info));
    std::fprintf(a.json ? stderr : stdout, "\nwrote %s\n", a.html.c_str());
  }
  return o.result.failed ? kExitBug : kExitPass;
}

// ---------------------------------------------------------------- merge

int CmdMerge(const std::vector<std::string>& args) {
  MergeArgs a;
  std::string help;
  if (!ParseMergeArgs(args, &a, &help)) {
    std::cout << help << "\n";
    return kExitPass;
  }
  std::vector<std::filesystem::path> dirs(a.dirs.begin(), a.dirs.end());
  tlsm::harness::MergeResult m;
  try {
    m = tlsm::harness::MergeShards(dirs);
  } catch (const tlsm::harness::MergeError& e) {
    std::fprintf(stderr, "tlsm merge: %s\n", e.what());
    return e.kind == tlsm::harness::MergeError::kRefused ? kExitUsage : kExitHarness;
  }
  std::printf("tlsm merge: %u shard%s of build %s (%s)\n", m.shard_count,
              m.shard_count == 1 ? "" : "s", m.build.id.c_str(), MutantLabel(m.build.mutant).c_str());
  for (const tlsm::harness::ScenarioReport& rep : m.reports) {
    if (!rep.failure) continue;
    const tlsm::harness::FailureReport& f = *rep.failure;
    std::printf("\nFAIL %s: %s  %s\n  found by %s; %u preemption%s (the fewest of the shards that "
                "found it)\n  replay: %s\n  artifact: %s\n",
                f.scenario.c_str(), f.invariant.c_str(), f.message.c_str(), f.where.c_str(),
                f.preemptions, f.preemptions == 1 ? "" : "s", f.replay_command.c_str(),
                f.artifact.c_str());
  }
  tlsm::harness::PrintSummary(stdout, m.rows);
  try {
    tlsm::harness::WriteResultFile(
        a.results, "summary.json",
        tlsm::harness::SummaryJson(m.rows, m.bugs, m.errors, m.build, m.options, 0, 1).dump(2) +
            "\n");
    if (!a.junit.empty()) {
      tlsm::harness::WriteFileAtomically(a.junit, tlsm::harness::JUnitXml(m.reports));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tlsm merge: cannot write the merged report: %s\n", e.what());
    return kExitHarness;
  }
  if (!m.errors.empty()) {
    std::printf("\nHARNESS ERROR in %s (exit 3)\n", Join(m.errors, ", ").c_str());
    return kExitHarness;
  }
  if (!m.bugs.empty()) {
    std::printf("\nBUG found in: %s\n", Join(m.bugs, ", ").c_str());
    return kExitBug;
  }
  std::printf("\nall %zu scenario%s passed\n", m.reports.size(), m.reports.size() == 1 ? "" : "s");
  return kExitPass;
}

// ---------------------------------------------------------------- main

const char* kUsage =
    "usage: tlsm <command> [options]\n\n"
    "commands:\n"
    "  list                       the registered model scenarios (--json)\n"
    "  check [SCENARIO|GLOB...]   run model checks (random, bounded, exhaustive search)\n"
    "  replay TOKEN|FILE          re-run one failing interleaving, print its history (--html)\n"
    "  trace SCENARIO [--seed N]  print the history of one random execution, passing or not\n"
    "  merge DIR...               combine the shards of a check --shard run into one report\n"
    "  mutants                    the catalogued mutants; check --mutant NAME runs one (--json)\n"
    "  version                    print the build id\n\n"
    "tlsm <command> --help for options; docs/harness.md for the guide.\n"
    "exit codes: 0 pass, 1 bug found, 2 bad usage, 3 harness error\n";

int Main(int argc, char** argv) {
  SetSourceRoot(kSourceRoot);
  if (argc > 0 && std::string(argv[0]).find('/') != std::string::npos) g_argv0 = argv[0];
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  std::string message;
  const int code = RunGuarded(cmd, [&] {
    if (cmd == "list") return CmdList(args);
    if (cmd == "check") return CmdCheck(args);
    if (cmd == "replay") return CmdReplay(args);
    if (cmd == "trace") return CmdTrace(args);
    if (cmd == "mutants") return CmdMutants(args);
    if (cmd == "merge") return CmdMerge(args);
    if (cmd == "version" || cmd == "--version") {
      std::printf("tlsm build %s (%zu mutants)\n", kBuildId, std::size(sync::kMutants));
      return static_cast<int>(kExitPass);
    }
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::printf("%s", kUsage);
      return static_cast<int>(kExitPass);
    }
    std::fprintf(stderr, "tlsm: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
    return static_cast<int>(kExitUsage);
  }, &message);
  if (!message.empty()) std::fprintf(stderr, "%s\n", message.c_str());
  return code;
}

}  // namespace
}  // namespace tlsm::cli

int main(int argc, char** argv) { return tlsm::cli::Main(argc, argv); }
