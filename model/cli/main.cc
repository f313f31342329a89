// model/cli/main.cc — tlsm: list, check and replay the Relacy model scenarios.
//
// Exit codes: 0 every check passed (replay: -), 1 a bug was found (replay:
// the failure reproduced), 2 bad usage (unknown flag or scenario, bad value,
// bad or foreign token), 3 harness error (a simulation crashed, a replay did
// not reproduce, the determinism self-check failed). docs/harness.md.
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model/cli/build_info.h"
#include "model/cli/history.h"
#include "model/cli/html.h"
#include "model/cli/runner.h"
#include "model/cli/token.h"
#include "model/harness/scenario.h"

namespace tlsm_cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;
using tlsm_model::RunConfig;
using tlsm_model::RunResult;
using tlsm_model::ScenarioInfo;
using tlsm_model::SearchKind;

enum ExitCode { kExitPass = 0, kExitBug = 1, kExitUsage = 2, kExitHarness = 3 };

// Default budgets: `tlsm check` over every engine scenario stays within a few
// minutes on 2 cores (docs/harness.md, "Budgets"). Tree searches have no
// execution cap, only a time budget: a bounded K=2 search that completes
// within it verifies the scenario at that bound.
constexpr std::uint64_t kDefaultRandomExecutions = 20000;
constexpr std::uint64_t kDefaultTreeCap = 0;
constexpr double kDefaultBoundedSeconds = 30;
constexpr double kDefaultExhaustiveSeconds = 5;
constexpr unsigned kDefaultBound = 2;
// Minimisation: bounded search at bounds 0..kMinimiseMaxBound.
constexpr unsigned kMinimiseMaxBound = 3;
constexpr std::uint64_t kMinimiseCap = 200000;
constexpr double kMinimiseSeconds = 30;

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string g_argv0 = "tlsm";

std::string SelfCommand() { return g_argv0; }

bool IsSelftest(const std::string& name) { return name.rfind("selftest.", 0) == 0; }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
  return o;
}

std::string MutantLabel(const std::string& mutant) {
  return mutant.empty() ? "no mutant" : "mutant " + mutant;
}

std::optional<SearchKind> ParseSearch(const std::string& s) {
  if (s == "random") return SearchKind::kRandom;
  if (s == "exhaustive") return SearchKind::kExhaustive;
  if (s == "bounded") return SearchKind::kBounded;
  return std::nullopt;
}

std::uint64_t ParseUint(const std::string& flag, const std::string& v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 19) {
    throw UsageError("--" + flag + " expects a non-negative integer, got '" + v + "'");
  }
  return std::stoull(v);
}

double ParseSeconds(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d >= 0) || d > 1e7) {
    throw UsageError("--" + flag + " expects seconds >= 0, got '" + v + "'");
  }
  return d;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.1fs", s);
  return buf;
}

void WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

// Parses a subcommand's arguments: the options in `desc` plus any number of
// positional arguments (collected into *positional under the option name
// `positional_name`). Prints the help and returns false on --help; bad
// options throw (a usage error, exit 2).
bool ParseCommand(const po::options_description& desc, const char* positional_name,
                  std::vector<std::string>* positional, const std::vector<std::string>& args,
                  po::variables_map* vm) {
  po::options_description hidden;
  hidden.add_options()(positional_name, po::value(positional));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add(positional_name, -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), *vm);
  po::notify(*vm);
  if (vm->count("help")) {
    std::cout << desc << "\n";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- list

int CmdList(const std::vector<std::string>& args) {
  po::options_description desc("tlsm list [--json]\n\nLists every registered model scenario.\n\noptions");
  desc.add_options()("json", "machine-readable output")("help,h", "this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitPass;
  }
  auto all = tlsm_model::Scenarios();
  std::sort(all.begin(), all.end(), [](const ScenarioInfo& a, const ScenarioInfo& b) {
    return IsSelftest(a.name) != IsSelftest(b.name) ? IsSelftest(b.name) : a.name < b.name;
  });
  if (vm.count("json")) {
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
  std::printf("\nbuild %s (%s)\n", kBuildId, MutantLabel(kMutantName).c_str());
  return kExitPass;
}

// ---------------------------------------------------------------- check

struct CheckOptions {
  std::vector<SearchKind> searches;
  bool search_all = true;
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> iterations;
  unsigned bound = kDefaultBound;
  std::optional<double> time_budget;
  unsigned shard_index = 0, shard_count = 1;
  fs::path results = "results";
  bool expect_bug = false;
  bool minimise = true;
  bool determinism = true;
  bool progress = false;
  bool fork = true;
  unsigned jobs = 1;  // random search: parallel slices
  // Tree searches: stock Relacy's scheduler (comparisons) instead of ours,
  // address reuse explored, partial-order reduction.
  bool stock_scheduler = false;
  bool address_reuse = false;
  tlsm_model::Reduction reduction = tlsm_model::Reduction::kDpor;
  // One tree search of one scenario: write checkpoints to this file, and/or
  // continue from the one read (resume_*; docs/harness.md, "Checkpoints").
  std::string checkpoint;
  std::string checkpoint_header;
  std::string resume_state, resume_info;
  std::uint64_t resume_completed = 0, resume_sleep_blocked = 0;
};

// The first line of a checkpoint: what search it belongs to. A resume must
// be the same search of the same build.
std::string CheckpointHeader(const CheckOptions& o, const std::string& scenario) {
  const SearchKind k = o.searches.front();
  return std::string("tlsm-checkpoint v1 build=") + kBuildId + " mutant=" +
         (kMutantName[0] ? kMutantName : "-") + " scenario=" + scenario +
         " search=" + tlsm_model::SearchName(k) +
         (k == SearchKind::kBounded ? " bound=" + std::to_string(o.bound) : std::string()) +
         " reuse=" + (o.address_reuse ? "1" : "0") + " reduction=" +
         (o.reduction == tlsm_model::Reduction::kNone        ? "none"
          : o.reduction == tlsm_model::Reduction::kSleepSets ? "sleep-sets"
                                                              : "dpor");
}

// Reads a checkpoint written for `header` into o's resume fields.
void ReadCheckpoint(const std::string& path, CheckOptions* o) {
  std::ifstream in(path);
  if (!in) throw UsageError("--resume: cannot read '" + path + "'");
  std::string header, completed_line;
  std::getline(in, header);
  std::getline(in, completed_line);
  std::getline(in, o->resume_state);
  std::getline(in, o->resume_info);
  if (header.rfind("tlsm-checkpoint v1 ", 0) != 0) {
    throw UsageError("--resume: '" + path + "' is not a tlsm checkpoint");
  }
  if (header != o->checkpoint_header) {
    throw UsageError("--resume: '" + path + "' belongs to another search or build:\n  file: " +
                     header + "\n  this: " + o->checkpoint_header);
  }
  std::istringstream c(completed_line);
  std::string word;
  if (!(c >> word >> o->resume_completed >> o->resume_sleep_blocked) || word != "completed" ||
      o->resume_state.empty() || o->resume_info.rfind("nodes ", 0) != 0) {
    throw UsageError("--resume: '" + path + "' is damaged (truncated or edited)");
  }
}

struct Row {
  std::string scenario, search;
  std::uint64_t iterations = 0;
  std::uint64_t first_iteration = 0;  // random: first execution index
  unsigned bound = 0;
  double seconds = 0;
  double cpu_seconds = 0;             // CPU time of the search processes
  std::string result;                 // verified (...) / sampled (...) / BUG <id> / ERROR / skipped ...
  std::string verdict;                // verified | sampled | bug | error | skipped
  std::uint64_t sleep_blocked = 0;    // tree searches: sleep-blocked executions
  bool bug = false, error = false, ran = false;
  std::vector<int> first_threads;     // tree shards: subtrees explored
};

struct Failure {
  const ScenarioInfo* info = nullptr;
  SearchKind kind = SearchKind::kRandom;
  unsigned bound = 0;
  RunConfig config;  // the search that found it (scheduler, address policy)
  RunResult result;
  std::string raw_history;
};

struct ScenarioReport {
  std::vector<Row> rows;
  bool bug = false;
  bool harness_error = false;
  std::string error;
};

Token MakeToken(const ScenarioInfo& s, SearchKind k, unsigned bound, const RunResult& r,
                const RunConfig& cfg) {
  Token t;
  t.stock_scheduler = k != SearchKind::kRandom && cfg.stock_scheduler;
  t.address_reuse = k != SearchKind::kRandom && !cfg.stock_scheduler && cfg.address_reuse;
  t.scenario = s.name;
  t.search = tlsm_model::SearchName(k);
  t.bound = k == SearchKind::kBounded ? bound : 0;
  t.build_id = kBuildId;
  t.mutant = kMutantName;
  t.invariant = r.invariant;
  t.state = r.final_state;
  return t;
}

std::string ReplayCommand(const std::string& token) { return SelfCommand() + " replay " + token; }

// "USER ASSERT FAILED (SV-SAFE: msg)" -> "msg"; "DATA RACE (data race detected)" -> that.
std::string FailureMessage(const History& h, const std::string& invariant) {
  std::string m = h.result;
  const std::size_t lp = m.find(" (");
  if (lp != std::string::npos && !m.empty() && m.back() == ')') {
    m = m.substr(lp + 2, m.size() - lp - 3);
    if (m.rfind(invariant + ": ", 0) == 0) m = m.substr(invariant.size() + 2);
  }
  return m;
}

// Scenario families (gen.*) append what they found to the run's message
// after "; " (e.g. the shrunk program); keep it in the report.
std::string WithScenarioDetail(std::string m, const RunResult& r) {
  const std::size_t at = r.message.find("; ");
  if (at != std::string::npos) m += r.message.substr(at);
  return m;
}

RunConfig ReplayConfig(const Token& t) {
  RunConfig cfg;
  cfg.search = *ParseSearch(t.search);
  cfg.bound = t.bound;
  cfg.initial_state = t.state;
  cfg.stock_scheduler = t.stock_scheduler;
  cfg.address_reuse = t.address_reuse;
  return cfg;
}

// What a passing search proved: a completed tree search verified the
// scenario within its bound; anything else sampled it.
void MarkVerified(SearchKind k, unsigned bound, Row* row) {
  row->verdict = "verified";
  row->result = k == SearchKind::kBounded ? "verified (K=" + std::to_string(bound) + ", complete)"
                                          : "verified (exhaustive)";
}
void MarkSampled(const char* why, Row* row) {
  row->verdict = "sampled";
  row->result = "sampled (" + std::to_string(row->iterations) + " executions" +
                (why[0] != '\0' ? std::string(", ") + why : std::string()) + ")";
}

// Line-by-line comparison; "" when equal, else where they differ.
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

class Checker {
 public:
  explicit Checker(CheckOptions o) : opt_(std::move(o)) {}

  ScenarioReport CheckScenario(const ScenarioInfo& s) {
    ScenarioReport rep;
    std::optional<Failure> failure;
    for (std::size_t i = 0; i < opt_.searches.size(); ++i) {
      const SearchKind k = opt_.searches[i];
      if (failure || rep.harness_error) {
        Row skipped;
        skipped.scenario = s.name;
        skipped.search = tlsm_model::SearchName(k);
        if (k == SearchKind::kBounded) skipped.search += " K=" + std::to_string(opt_.bound);
        skipped.result = failure ? "skipped (bug found)" : "skipped (error)";
        skipped.verdict = "skipped";
        rep.rows.push_back(skipped);
        PrintRow(skipped);
        continue;
      }
      Row row;
      std::optional<Failure> f;
      std::string err;
      RunSearch(s, k, &row, &f, &err);
      if (!err.empty()) {
        rep.harness_error = true;
        rep.error = err;
        row.error = true;
        row.result = "ERROR";
        row.verdict = "error";
      }
      PrintRow(row);
      rep.rows.push_back(row);
      if (f) failure = std::move(f);
      else if (row.ran && err.empty() && opt_.determinism) {
        const std::string d = DeterminismOfPassing(s, k, row);
        if (!d.empty()) {
          rep.harness_error = true;
          rep.error = d;
          rep.rows.back().error = true;
          rep.rows.back().result = "ERROR (nondeterministic)";
          rep.rows.back().verdict = "error";
        }
      }
    }
    if (rep.harness_error) {
      std::printf("\nHARNESS ERROR in %s: %s\n", s.name.c_str(), rep.error.c_str());
    }
    if (failure) {
      rep.bug = true;
      const std::string err = ReportFailure(*failure);
      if (!err.empty()) {
        rep.harness_error = true;
        rep.error = err;
        std::printf("\nHARNESS ERROR in %s: %s\n", s.name.c_str(), err.c_str());
      }
    } else {
      std::error_code ec;
      fs::remove(opt_.results / (s.name + ".failure" + ShardSuffix() + ".json"), ec);
      fs::remove(opt_.results / (s.name + ".failure" + ShardSuffix() + ".html"), ec);
    }
    WriteScenarioResult(s, rep);
    return rep;
  }

  const CheckOptions& options() const { return opt_; }

  // What the search's reduction was (tree_scheduler.h): DPOR with sleep sets
  // (exhaustive), BPOR — DPOR compensated for the bound — with the bounded
  // sleep-set rule (bounded), or sleep sets alone.
  std::string ReductionName(bool bounded) const {
    if (opt_.stock_scheduler || opt_.reduction == tlsm_model::Reduction::kNone) return "none";
    if (opt_.reduction == tlsm_model::Reduction::kDpor)
      return bounded ? "bpor+sleep-sets" : "dpor+sleep-sets";
    return "sleep-sets";
  }

  // A search of kind k as the options configure it (scheduler, address
  // policy and reduction apply to tree searches only).
  RunConfig TreeConfig(SearchKind k) const {
    RunConfig cfg;
    cfg.search = k;
    cfg.bound = opt_.bound;
    cfg.stock_scheduler = opt_.stock_scheduler;
    cfg.address_reuse = opt_.address_reuse;
    cfg.reduction = opt_.reduction;
    return cfg;
  }

  std::string ShardSuffix() const {
    if (opt_.shard_count == 1) return "";
    return ".shard-" + std::to_string(opt_.shard_index) + "-of-" + std::to_string(opt_.shard_count);
  }

 private:
  ProgressOptions Progress(const ScenarioInfo& s, SearchKind k, std::uint64_t total, bool cap,
                           double budget) const {
    ProgressOptions p;
    p.enabled = opt_.progress;
    p.label = s.name + " " + tlsm_model::SearchName(k);
    p.total = total;
    p.total_is_cap = cap;
    p.time_budget_s = budget;
    return p;
  }

  void RunSearch(const ScenarioInfo& s, SearchKind k, Row* row, std::optional<Failure>* failure,
                 std::string* error) {
    row->scenario = s.name;
    row->search = tlsm_model::SearchName(k);
    row->bound = k == SearchKind::kBounded ? opt_.bound : 0;
    if (k == SearchKind::kBounded) row->search += " K=" + std::to_string(opt_.bound);
    const bool tree = k != SearchKind::kRandom;
    if (tree && opt_.stock_scheduler) row->search += " stock";
    if (tree && !opt_.stock_scheduler && opt_.address_reuse) row->search += " +reuse";
    if (tree && !opt_.stock_scheduler && opt_.reduction == tlsm_model::Reduction::kNone)
      row->search += " nored";
    if (tree && !opt_.stock_scheduler && opt_.reduction == tlsm_model::Reduction::kSleepSets &&
        k == SearchKind::kExhaustive)
      row->search += " sleep";
    const std::uint64_t iterations =
        opt_.iterations ? *opt_.iterations : (tree ? kDefaultTreeCap : kDefaultRandomExecutions);
    const double budget = opt_.time_budget ? *opt_.time_budget
                          : k == SearchKind::kBounded ? kDefaultBoundedSeconds
                          : k == SearchKind::kExhaustive ? kDefaultExhaustiveSeconds : 0;
    if (!tree) {
      // Shard i of n: the contiguous slice [seed + i*N/n, seed + (i+1)*N/n).
      const std::uint64_t lo = iterations * opt_.shard_index / opt_.shard_count;
      const std::uint64_t hi = iterations * (opt_.shard_index + 1) / opt_.shard_count;
      row->first_iteration = opt_.seed + lo;
      if (hi == lo) {
        row->result = "skipped (empty shard)";
        row->verdict = "skipped";
        return;
      }
      RunConfig cfg;
      cfg.search = k;
      cfg.first_iteration = opt_.seed + lo;
      cfg.iterations = hi - lo;
      cfg.time_budget_s = budget;
      const ProgressOptions p = Progress(s, k, hi - lo, false, budget);
      Outcome o = opt_.jobs > 1 ? RunRandomInParallel(s, cfg, p, opt_.jobs)
                                : RunIsolated(s, cfg, p, opt_.fork);
      Absorb(s, k, cfg, o, row, failure, error);
      return;
    }
    // Tree searches: shard i of n explores the subtrees whose first scheduled
    // thread t has t % n == i (each a contiguous part of the depth-first search).
    std::vector<int> firsts;
    if (opt_.shard_count == 1) {
      firsts.push_back(-1);
    } else if (!opt_.stock_scheduler && opt_.reduction == tlsm_model::Reduction::kDpor) {
      // DPOR never reverses the first step (it races with nothing): every
      // execution of the search starts with thread 0, one subtree.
      if (opt_.shard_index == 0) firsts.push_back(0);
    } else {
      for (unsigned t = 0; t < s.threads; ++t)
        if (t % opt_.shard_count == opt_.shard_index) firsts.push_back(static_cast<int>(t));
    }
    if (firsts.empty()) {
      row->result = "skipped (shard has no subtree)";
      row->verdict = "skipped";
      return;
    }
    const double started = NowSeconds();
    for (int t : firsts) {
      RunConfig cfg = TreeConfig(k);
      cfg.first_thread = t;
      cfg.checkpoint_path = opt_.checkpoint;
      cfg.checkpoint_header = opt_.checkpoint_header;
      cfg.resume_state = opt_.resume_state;
      cfg.resume_info = opt_.resume_info;
      cfg.resume_completed = opt_.resume_completed;
      cfg.resume_sleep_blocked = opt_.resume_sleep_blocked;
      if (!opt_.resume_state.empty() && row->iterations == 0) {
        row->iterations = opt_.resume_completed;
        row->sleep_blocked = opt_.resume_sleep_blocked;
      }
      if (iterations != 0) {
        if (row->iterations >= iterations) {
          MarkSampled("cap hit", row);
          return;
        }
        cfg.iterations = iterations - row->iterations;
      } else {
        cfg.iterations = 0;
      }
      if (budget > 0) {
        const double left = budget - (NowSeconds() - started);
        if (left <= 0) {
          MarkSampled("time budget hit", row);
          return;
        }
        cfg.time_budget_s = left;
      }
      if (t >= 0) row->first_threads.push_back(t);
      Outcome o = RunIsolated(s, cfg, Progress(s, k, cfg.iterations, true, cfg.time_budget_s),
                              opt_.fork);
      Absorb(s, k, cfg, o, row, failure, error);
      if (*failure || !error->empty()) return;
      if (o.result.budget_hit) return;
    }
  }

  void Absorb(const ScenarioInfo& s, SearchKind k, const RunConfig& cfg, const Outcome& o,
              Row* row, std::optional<Failure>* failure, std::string* error) {
    row->ran = true;
    row->seconds += o.result.seconds;
    row->cpu_seconds += o.cpu_seconds;
    row->iterations += o.result.iterations;
    row->sleep_blocked += o.result.sleep_blocked;
    if (o.harness_error) {
      *error = o.error;
      return;
    }
    const RunResult& r = o.result;
    if (r.failed) {
      row->bug = true;
      row->result = "BUG " + r.invariant;
      row->verdict = "bug";
      Failure f;
      f.info = &s;
      f.kind = k;
      f.bound = cfg.bound;
      f.result = r;
      f.config = cfg;
      f.raw_history = o.history;
      *failure = std::move(f);
      return;
    }
    if (k == SearchKind::kRandom) {
      MarkSampled(r.budget_hit && r.iterations < cfg.iterations ? "random, time budget hit"
                                                                : "random",
                  row);
    } else if (r.budget_hit) {
      const bool capped = cfg.iterations != 0 && r.iterations >= cfg.iterations;
      MarkSampled(capped ? "cap hit" : "time budget hit", row);
    } else if (row->verdict.empty() || row->verdict == "verified") {
      // A shard completes only its part: verified needs every shard (merge).
      if (opt_.shard_count > 1) {
        row->verdict = "shard complete";
        row->result = "shard complete (" + std::string(k == SearchKind::kBounded
                                                           ? "K=" + std::to_string(cfg.bound)
                                                           : "exhaustive") + ")";
      } else {
        MarkVerified(k, cfg.bound, row);
      }
    }
  }

  void PrintRow(const Row& r) {
    std::printf("  %-32s %-14s %10llu executions  %8s  %s\n", r.scenario.c_str(),
                r.search.c_str(), static_cast<unsigned long long>(r.iterations),
                Seconds(r.seconds).c_str(), r.result.c_str());
    std::fflush(stdout);
  }

  // Capture one execution (state "" = the search's first) twice, in separate
  // processes, and compare the normalised histories.
  std::string CompareCaptures(const ScenarioInfo& s, RunConfig cfg, const std::string& what) {
    cfg.capture = true;
    ProgressOptions quiet;
    Outcome a = RunIsolated(s, cfg, quiet, opt_.fork);
    if (a.harness_error) return "determinism check of " + what + ": " + a.error;
    if (!a.result.captured && !a.result.failed) {
      // The scenario drives Relacy itself (gen.tls_programs) and does not
      // support capture: nothing to compare.
      return "";
    }
    if (a.result.failed) {
      return "determinism check of " + what + ": the execution " +
             (a.result.failed ? "failed (" + a.result.invariant + ")" : "was not captured") +
             " when re-run, but passed in the search";
    }
    cfg.initial_state = a.result.final_state;
    Outcome b = RunIsolated(s, cfg, quiet, opt_.fork);
    if (b.harness_error) return "determinism check of " + what + ": " + b.error;
    const std::string ha = RenderHistory(ParseHistory(a.history, s.threads));
    const std::string hb = RenderHistory(ParseHistory(b.history, s.threads));
    const std::string d = FirstDifference(ha, hb);
    if (!d.empty()) {
      return "nondeterminism: re-running " + what + " gave a different history (" + d +
             ")\n  the scenario or engine depends on something outside the simulation "
             "(addresses, statics, rand)";
    }
    return "";
  }

  std::string DeterminismOfPassing(const ScenarioInfo& s, SearchKind k, const Row& row) {
    RunConfig cfg = TreeConfig(k);
    if (k == SearchKind::kRandom) {
      std::vector<std::uint64_t> sample = {row.first_iteration};
      if (row.iterations > 1) sample.push_back(row.first_iteration + row.iterations / 2);
      for (std::uint64_t i : sample) {
        cfg.first_iteration = i;
        cfg.iterations = 1;
        const std::string d = CompareCaptures(s, cfg, "random execution " + std::to_string(i));
        if (!d.empty()) return d;
      }
      return "";
    }
    cfg.first_thread = row.first_threads.empty() ? -1 : row.first_threads.front();
    return CompareCaptures(s, cfg, std::string("the first ") + tlsm_model::SearchName(k) +
                                       " execution");
  }

  struct Minimal {
    bool found = false;
    unsigned bound = 0;
    bool proven = false;  // every lower bound was searched completely
    Token token;
    RunResult result;
    std::string raw_history;
    std::string note;
  };

  Minimal Minimise(const Failure& f) {
    Minimal m;
    const ScenarioInfo& s = *f.info;
    const unsigned max_bound =
        f.kind == SearchKind::kBounded ? (f.bound == 0 ? 0 : f.bound - 1) : kMinimiseMaxBound;
    if (f.kind == SearchKind::kBounded && f.bound == 0) {
      m.note = "found at preemption bound 0: already minimal";
      return m;
    }
    const double started = NowSeconds();
    bool complete_below = true;
    for (unsigned k = 0; k <= max_bound; ++k) {
      const double left = kMinimiseSeconds - (NowSeconds() - started);
      if (left <= 0) {
        m.note = "minimisation budget (" + Seconds(kMinimiseSeconds) + ") spent at bound " +
                 std::to_string(k);
        return m;
      }
      RunConfig cfg;
      cfg.search = SearchKind::kBounded;
      cfg.bound = k;
      cfg.iterations = kMinimiseCap;
      cfg.time_budget_s = left;
      ProgressOptions p;
      p.enabled = opt_.progress;
      p.label = s.name + " minimise K=" + std::to_string(k);
      p.total = kMinimiseCap;
      p.total_is_cap = true;
      p.time_budget_s = left;
      Outcome o = RunIsolated(s, cfg, p, opt_.fork);
      if (o.harness_error) {
        m.note = "minimisation stopped: " + o.error;
        return m;
      }
      if (o.result.failed && o.result.invariant == f.result.invariant) {
        m.found = true;
        m.bound = k;
        m.proven = complete_below;
        m.result = o.result;
        m.raw_history = o.history;
        m.token = MakeToken(s, SearchKind::kBounded, k, o.result, cfg);
        return m;
      }
      if (o.result.failed) {
        m.note += "bound " + std::to_string(k) + " first hits another failure (" +
                  o.result.invariant + "); ";
        complete_below = false;
      }
      if (o.result.budget_hit) complete_below = false;
    }
    if (f.kind == SearchKind::kBounded) {
      m.note += "no failure below the original bound " + std::to_string(f.bound) +
                (complete_below ? " (searched completely): it is minimal" : " (capped)");
    } else {
      m.note += "not reproduced with up to " + std::to_string(max_bound) + " preemptions";
    }
    return m;
  }

  // Replays a token twice in fresh processes; histories must match `expected`.
  std::string CheckReplays(const ScenarioInfo& s, const Token& t, const std::string& expected) {
    for (int n = 1; n <= 2; ++n) {
      Outcome o = RunIsolated(s, ReplayConfig(t), ProgressOptions{}, opt_.fork);
      if (o.harness_error) return "replay #" + std::to_string(n) + " of the failure: " + o.error;
      if (!o.result.failed || o.result.invariant != t.invariant) {
        return "replay #" + std::to_string(n) + " of the failure did not reproduce it (" +
               (o.result.failed ? "failed with " + o.result.invariant : "passed") +
               "): nondeterministic scenario or engine";
      }
      const std::string got = RenderHistory(ParseHistory(o.history, s.threads));
      const std::string d = FirstDifference(expected, got);
      if (!d.empty()) {
        return "nondeterminism: replay #" + std::to_string(n) +
               " of the failing execution gave a different history (" + d + ")";
      }
    }
    return "";
  }

  // Prints the failure, writes the artifact. Returns a harness error or "".
  std::string ReportFailure(const Failure& f) {
    const ScenarioInfo& s = *f.info;
    const Token tok = MakeToken(s, f.kind, f.bound, f.result, f.config);
    const std::string token = EncodeToken(tok);
    const History h = ParseHistory(f.raw_history, s.threads);
    const std::string text = RenderHistory(h);
    const std::string message =
        WithScenarioDetail(FailureMessage(h, f.result.invariant), f.result);
    std::string harness_error;
    if (opt_.determinism) harness_error = CheckReplays(s, tok, text);
    std::optional<Minimal> min;
    if (opt_.minimise && harness_error.empty()) {
      min = Minimise(f);
      if (min->found && opt_.determinism) {
        harness_error = CheckReplays(s, min->token,
                                     RenderHistory(ParseHistory(min->raw_history, s.threads)));
      }
    }
    std::string where = tlsm_model::SearchName(f.kind);
    if (f.kind == SearchKind::kRandom) {
      where += ", execution " + std::to_string(f.result.failing_iteration) + " (seed " +
               std::to_string(f.result.failing_iteration) + ")";
    } else {
      if (f.kind == SearchKind::kBounded) where += " (preemption bound " + std::to_string(f.bound) + ")";
      where += ", execution " + std::to_string(f.result.iterations);
    }
    std::printf("\nFAIL %s: %s  %s\n", s.name.c_str(), f.result.invariant.c_str(), message.c_str());
    std::printf("  invariant  %s\n", f.result.invariant.c_str());
    std::printf("  scenario   %s (%u threads)\n", s.name.c_str(), s.threads);
    std::printf("  search     %s\n", where.c_str());
    const unsigned preemptions = CountPreemptions(h);
    std::printf("  history    %zu events, %u preemption%s\n", h.events.size(), preemptions,
                preemptions == 1 ? "" : "s");
    std::printf("  relacy     %s\n", h.result.c_str());
    // Scenarios may append detail to Relacy's verdict ("...; minimal program: ...").
    std::string detail;
    if (const std::size_t semi = f.result.message.find("; "); semi != std::string::npos) {
      detail = f.result.message.substr(semi + 2);
      while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
      std::string indented;
      for (char c : detail) indented += c == '\n' ? std::string("\n             ") : std::string(1, c);
      std::printf("  detail     %s\n", indented.c_str());
    }
    std::printf("  state      %s\n", f.result.final_state.c_str());
    std::printf("  replay     %s\n", ReplayCommand(token).c_str());
    const History* shown = &h;
    History mh;
    std::string min_token;
    if (min) {
      if (min->found) {
        mh = ParseHistory(min->raw_history, s.threads);
        shown = &mh;
        min_token = EncodeToken(min->token);
        const unsigned pre = CountPreemptions(mh);
        std::printf("  minimal    %u preemption%s (bounded search, bound %u)%s\n", pre,
                    pre == 1 ? "" : "s", min->bound,
                    min->proven ? "; lower bounds searched completely: no fewer suffice"
                                : "; lower bounds were capped");
        std::printf("  replay minimal  %s\n", ReplayCommand(min_token).c_str());
      } else {
        std::printf("  minimal    %s\n", min->note.c_str());
      }
    }
    const fs::path artifact = opt_.results / (s.name + ".failure" + ShardSuffix() + ".json");
    const fs::path page = opt_.results / (s.name + ".failure" + ShardSuffix() + ".html");
    std::printf("  artifact   %s\n", artifact.string().c_str());
    try {
      fs::create_directories(opt_.results);
      const std::string& shown_token = min_token.empty() ? token : min_token;
      HtmlInfo info{s.name, shown == &h ? tok.search : "bounded (minimal)", f.result.invariant,
                    message, shown_token, ReplayCommand(shown_token), kBuildId};
      WriteFileAtomically(page, RenderHtml(*shown, info));
      std::printf("  html       %s\n", page.string().c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tlsm: cannot write %s: %s\n", page.string().c_str(), e.what());
    }
    std::printf("\n%s history:\n%s", shown == &h ? "failing" : "minimal failing",
                RenderHistory(*shown).c_str());
    std::fflush(stdout);

    json j = FailureJson(s, f, tok, token, h, message);
    if (!detail.empty()) j["detail"] = detail;
    if (min) {
      if (min->found) {
        j["minimal"] = {{"bound", min->bound},
                        {"preemptions", CountPreemptions(mh)},
                        {"proven_minimal", min->proven},
                        {"token", min_token},
                        {"replay_command", ReplayCommand(min_token)},
                        {"state", min->result.final_state},
                        {"history", HistoryJson(mh)},
                        {"history_text", RenderHistory(mh)}};
      } else {
        j["minimal"] = {{"note", min->note}};
      }
    }
    if (!harness_error.empty()) j["harness_error"] = harness_error;
    try {
      fs::create_directories(opt_.results);
      WriteFileAtomically(artifact, j.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tlsm: cannot write %s: %s\n", artifact.string().c_str(), e.what());
    }
    return harness_error;
  }

  static json HistoryJson(const History& h) {
    json ev = json::array();
    for (const auto& e : h.events) {
      ev.push_back({{"step", e.step}, {"thread", e.thread}, {"event", e.what},
                    {"function", e.where}, {"file", e.file}, {"line", e.line}});
    }
    return ev;
  }

  json FailureJson(const ScenarioInfo& s, const Failure& f, const Token& tok,
                   const std::string& token, const History& h, const std::string& message) {
    return {{"tlsm_failure", 1},
            {"scenario", s.name},
            {"search", tok.search},
            {"bound", tok.bound},
            {"execution", f.result.failing_iteration},
            {"executions_run", f.result.iterations},
            {"invariant", f.result.invariant},
            {"message", message},
            {"relacy_result", h.result},
            {"state", f.result.final_state},
            {"build_id", kBuildId},
            {"mutant", kMutantName},
            {"token", token},
            {"replay_command", ReplayCommand(token)},
            {"failing_step", h.failing_step},
            {"preemptions", CountPreemptions(h)},
            {"history", HistoryJson(h)},
            {"history_text", RenderHistory(h)}};
  }

  void WriteScenarioResult(const ScenarioInfo& s, const ScenarioReport& rep) {
    json rows = json::array();
    for (const auto& r : rep.rows) rows.push_back(RowJson(r));
    json j = {{"scenario", s.name}, {"bug", rep.bug}, {"harness_error", rep.error},
              {"build_id", kBuildId}, {"rows", rows}};
    try {
      fs::create_directories(opt_.results);
      WriteFileAtomically(opt_.results / (s.name + ".result" + ShardSuffix() + ".json"),
                          j.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tlsm: cannot write results: %s\n", e.what());
    }
  }

 public:
  json RowJson(const Row& r) const {
    json j = {{"scenario", r.scenario}, {"search", r.search}, {"executions", r.iterations},
              {"seconds", r.seconds}, {"cpu_seconds", r.cpu_seconds}, {"result", r.result},
              {"verdict", r.verdict}, {"bug", r.bug}, {"error", r.error},
              {"shard", std::to_string(opt_.shard_index) + "/" + std::to_string(opt_.shard_count)}};
    if (r.search == "random") {
      j["first_execution"] = r.first_iteration;
    } else {
      j["scheduler"] = opt_.stock_scheduler ? "stock" : "tlsm";
      j["address_reuse"] = opt_.stock_scheduler || opt_.address_reuse;
      j["reduction"] = ReductionName(r.search.rfind("bounded", 0) == 0);
      j["sleep_blocked"] = r.sleep_blocked;
    }
    if (!r.first_threads.empty()) j["first_threads"] = r.first_threads;
    return j;
  }

 private:
  CheckOptions opt_;
};

const char* kCheckHelp =
    "tlsm check [SCENARIO|GLOB ...] [options]\n\n"
    "Runs model checks. Without scenarios: every scenario except the harness\n"
    "self-tests (selftest.*, run only when named). Globs use shell syntax\n"
    "(quote them): 'sv.*'.\n\n"
    "Exit: 0 all passed, 1 a bug was found, 2 bad usage, 3 harness error.\n"
    "With --expect-bug: 0 only if every selected scenario found a bug.\n\noptions";

int CmdCheck(const std::vector<std::string>& args) {
  po::options_description desc(kCheckHelp);
  std::string search = "all", seed = "0", iterations, bound = std::to_string(kDefaultBound),
              time_budget, shard = "0/1", results = "results", jobs = "1", scheduler = "tlsm",
              reduction = "dpor", checkpoint, resume;
  std::vector<std::string> scenarios;
  desc.add_options()
    ("search", po::value<std::string>(&search)->value_name("KIND"), "random | exhaustive | bounded | all (default: all = random, then bounded, then exhaustive)")
    ("seed", po::value<std::string>(&seed)->value_name("N"), "random: index of the first execution (execution i uses seed i); default 0")
    ("iterations", po::value<std::string>(&iterations)->value_name("N"), "random: executions (default 20000); tree searches: cap (default none; 0 = none)")
    ("bound", po::value<std::string>(&bound)->value_name("K"), "bounded: preemption bound K (default 2)")
    ("time-budget", po::value<std::string>(&time_budget)->value_name("S"), "seconds per search (default: none for random, 30 for bounded, 5 for exhaustive; 0 = none)")
    ("shard", po::value<std::string>(&shard)->value_name("I/N"), "I/N: run shard I of N (0-based); see docs/harness.md")
    ("jobs,j", po::value<std::string>(&jobs)->value_name("N"), "random: run the search as N slices in parallel processes (default 1; 0 = one per CPU); same executions and result as one process")
    ("results", po::value<std::string>(&results)->value_name("DIR"), "directory for result and failure artifacts (default ./results)")
    ("expect-bug", "succeed only if every selected scenario finds a bug (mutant tests)")
    ("no-minimise", "skip the minimal-counterexample search after a failure")
    ("no-determinism-check", "skip the determinism self-check")
    ("progress", "show progress on stderr even when it is not a terminal")
    ("no-progress", "never show progress")
    ("no-fork", "run simulations in this process (debugging; a Relacy abort kills tlsm)")
    ("scheduler", po::value<std::string>(&scheduler)->value_name("NAME"), "tree searches: tlsm (default: no branch on frees, quarantine, sleep sets) | stock (Relacy's own, for comparison)")
    ("address-reuse", "tree searches: also explore a freed address being reused at once (Relacy's coin at every free; ABA through recycled memory)")
    ("checkpoint", po::value<std::string>(&checkpoint)->value_name("FILE"), "one tree search of one scenario: write its position to FILE every 10 s and when its budget stops it")
    ("resume", po::value<std::string>(&resume)->value_name("FILE"), "continue the tree search a checkpoint FILE recorded (same build and options; keeps checkpointing to FILE unless --checkpoint names another)")
    ("reduction", po::value<std::string>(&reduction)->value_name("R"), "tree searches: dpor (default: DPOR with sleep sets; bounded: BPOR, DPOR compensated for the bound) | sleep-sets | none")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "scenario", &scenarios, args, &vm)) return kExitPass;  // --help
  if (scheduler != "tlsm" && scheduler != "stock") {
    throw UsageError("--scheduler must be tlsm or stock, got '" + scheduler + "'");
  }
  if (reduction != "dpor" && reduction != "sleep-sets" && reduction != "none") {
    throw UsageError("--reduction must be dpor, sleep-sets or none, got '" + reduction + "'");
  }
  CheckOptions opt;
  if (search == "all") {
    opt.searches = {SearchKind::kRandom, SearchKind::kBounded, SearchKind::kExhaustive};
  } else if (auto k = ParseSearch(search)) {
    opt.searches = {*k};
    opt.search_all = false;
  } else {
    throw UsageError("--search must be random, exhaustive, bounded or all, got '" + search + "'");
  }
  opt.seed = ParseUint("seed", seed);
  if (!iterations.empty()) {
    opt.iterations = ParseUint("iterations", iterations);
    if (*opt.iterations == 0 &&
        std::find(opt.searches.begin(), opt.searches.end(), SearchKind::kRandom) != opt.searches.end()) {
      throw UsageError("--iterations 0 (no cap) is only valid for --search exhaustive or bounded");
    }
  }
  const std::uint64_t b = ParseUint("bound", bound);
  if (b > 64) throw UsageError("--bound is a preemption bound; " + bound + " is too large");
  opt.bound = static_cast<unsigned>(b);
  if (!time_budget.empty()) opt.time_budget = ParseSeconds("time-budget", time_budget);
  {
    const std::size_t slash = shard.find('/');
    if (slash == std::string::npos) throw UsageError("--shard expects I/N (e.g. 0/4), got '" + shard + "'");
    const std::uint64_t i = ParseUint("shard", shard.substr(0, slash));
    const std::uint64_t n = ParseUint("shard", shard.substr(slash + 1));
    if (n == 0 || i >= n || n > 1000000) {
      throw UsageError("--shard I/N needs N >= 1 and 0 <= I < N, got '" + shard + "'");
    }
    opt.shard_index = static_cast<unsigned>(i);
    opt.shard_count = static_cast<unsigned>(n);
  }
  opt.results = results;
  opt.expect_bug = vm.count("expect-bug") != 0;
  opt.minimise = vm.count("no-minimise") == 0;
  opt.determinism = vm.count("no-determinism-check") == 0;
  opt.progress = (isatty(2) || vm.count("progress")) && !vm.count("no-progress");
  opt.fork = vm.count("no-fork") == 0;
  opt.stock_scheduler = scheduler == "stock";
  opt.address_reuse = vm.count("address-reuse") != 0;
  opt.reduction = reduction == "none"         ? tlsm_model::Reduction::kNone
                  : reduction == "sleep-sets" ? tlsm_model::Reduction::kSleepSets
                                              : tlsm_model::Reduction::kDpor;
  if (opt.stock_scheduler && (opt.address_reuse || vm.count("reduction"))) {
    throw UsageError("--address-reuse and --reduction choose options of the tlsm scheduler; "
                     "stock Relacy always reuses addresses and has no reduction");
  }
  {
    std::uint64_t j = ParseUint("jobs", jobs);
    if (j == 0) j = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    if (j > 256) throw UsageError("--jobs " + jobs + " is too many (at most 256)");
    if (j > 1 && !opt.fork) throw UsageError("--jobs needs forked runs; drop --no-fork");
    opt.jobs = static_cast<unsigned>(j);
  }

  // Selection, in registry order without duplicates.
  std::vector<const ScenarioInfo*> selected;
  const auto& reg = tlsm_model::Scenarios();
  auto add = [&](const ScenarioInfo& s) {
    if (std::find(selected.begin(), selected.end(), &s) == selected.end()) selected.push_back(&s);
  };
  if (scenarios.empty()) {
    for (const auto& s : reg)
      if (!IsSelftest(s.name)) add(s);
  }
  for (const auto& pat : scenarios) {
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

  if (!checkpoint.empty() || !resume.empty()) {
    if (selected.size() != 1 || opt.searches.size() != 1 ||
        opt.searches.front() == SearchKind::kRandom || opt.shard_count != 1 ||
        opt.stock_scheduler) {
      throw UsageError("--checkpoint and --resume need one scenario, --search bounded or "
                       "exhaustive, no --shard, and the tlsm scheduler");
    }
    opt.checkpoint = checkpoint.empty() ? resume : checkpoint;
    opt.checkpoint_header = CheckpointHeader(opt, selected.front()->name);
    if (!resume.empty()) ReadCheckpoint(resume, &opt);
  }

  Checker checker(opt);
  std::printf("tlsm check: %zu scenario%s, build %s (%s)%s\n", selected.size(),
              selected.size() == 1 ? "" : "s", kBuildId, MutantLabel(kMutantName).c_str(),
              opt.shard_count > 1 ? (", shard " + std::to_string(opt.shard_index) + "/" +
                                     std::to_string(opt.shard_count)).c_str()
                                  : "");
  std::vector<Row> rows;
  std::vector<std::string> missed, bugs, errors;
  for (const ScenarioInfo* s : selected) {
    ScenarioReport rep = checker.CheckScenario(*s);
    rows.insert(rows.end(), rep.rows.begin(), rep.rows.end());
    if (rep.bug) bugs.push_back(s->name);
    else missed.push_back(s->name);
    if (rep.harness_error) errors.push_back(s->name);
  }

  // Summary table.
  std::size_t w = 8;
  for (const auto& r : rows) w = std::max(w, r.scenario.size());
  std::printf("\nsummary\n%-*s  %-14s  %12s  %9s  %s\n", static_cast<int>(w), "scenario", "search",
              "executions", "time", "result");
  json jrows = json::array();
  for (const auto& r : rows) {
    std::printf("%-*s  %-14s  %12llu  %9s  %s\n", static_cast<int>(w), r.scenario.c_str(),
                r.search.c_str(), static_cast<unsigned long long>(r.iterations),
                Seconds(r.seconds).c_str(), r.result.c_str());
    jrows.push_back(checker.RowJson(r));
  }
  {
    std::size_t verified = 0, sampled = 0;
    for (const auto& r : rows) {
      if (r.verdict == "verified") ++verified;
      else if (r.verdict == "sampled") ++sampled;
    }
    std::printf("\n%zu search%s verified (complete), %zu sampled (random, or stopped by a "
                "budget)\n", verified, verified == 1 ? "" : "es", sampled);
  }
  try {
    fs::create_directories(opt.results);
    json summary = {{"build_id", kBuildId}, {"mutant", kMutantName}, {"rows", jrows},
                    {"bugs", bugs}, {"harness_errors", errors}};
    WriteFileAtomically(opt.results / ("summary" + checker.ShardSuffix() + ".json"),
                        summary.dump(2) + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tlsm: cannot write summary: %s\n", e.what());
  }
  if (!errors.empty()) {
    std::printf("\nHARNESS ERROR in %s (exit 3: the harness, not the engine, misbehaved)\n",
                Join(errors, ", ").c_str());
    return kExitHarness;
  }
  if (opt.expect_bug) {
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

const char* kReplayHelp =
    "tlsm replay TOKEN|FILE [--html OUT] [--raw] [--minimal]\n\n"
    "Re-runs exactly the interleaving a token names and prints its history.\n"
    "FILE is a failure artifact (results/<scenario>.failure.json) or a file\n"
    "holding a token. Exit: 1 the failure reproduced, 2 bad/foreign token,\n"
    "3 it did not reproduce (harness error).\n\noptions";

int CmdReplay(const std::vector<std::string>& args) {
  po::options_description desc(kReplayHelp);
  std::string html;
  std::vector<std::string> what;
  desc.add_options()
    ("html", po::value<std::string>(&html)->value_name("OUT"), "also write a self-contained HTML page with per-thread swimlanes")
    ("raw", "print Relacy's raw history too")
    ("minimal", "FILE: replay the artifact's minimal counterexample instead")
    ("no-fork", "run the simulation in this process (debugging)")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "token", &what, args, &vm)) return kExitPass;  // --help
  if (what.size() != 1) throw UsageError("replay takes exactly one TOKEN or FILE");
  std::string text = what[0];
  if (text.rfind("tlsm", 0) != 0) {
    std::ifstream in(text, std::ios::binary);
    if (!in) throw UsageError("'" + text + "' is neither a token (tlsm1:...) nor a readable file");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string content = ss.str();
    const std::size_t first = content.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && content[first] == '{') {
      try {
        const json j = json::parse(content);
        if (vm.count("minimal")) {
          if (!j.contains("minimal") || !j["minimal"].contains("token")) {
            throw UsageError("'" + what[0] + "' has no minimal counterexample");
          }
          text = j["minimal"]["token"].get<std::string>();
        } else {
          text = j.at("token").get<std::string>();
        }
      } catch (const UsageError&) {
        throw;
      } catch (const std::exception& e) {
        throw UsageError("'" + what[0] + "' is not a tlsm failure artifact (" + e.what() + ")");
      }
    } else {
      text = content;
    }
  }
  Token tok;
  std::string err;
  if (!DecodeToken(text, &tok, &err)) throw UsageError("bad token: " + err);
  const ScenarioInfo* s = tlsm_model::FindScenario(tok.scenario);
  if (s == nullptr) {
    throw UsageError("the token names scenario '" + tok.scenario +
                     "', which this build does not have (tlsm list)");
  }
  if (tok.build_id != kBuildId) {
    std::string why;
    if (tok.mutant != kMutantName) {
      why = "it was made by a build with " + MutantLabel(tok.mutant) + ", this tlsm has " +
            MutantLabel(kMutantName);
    } else {
      why = "the engine or model sources changed since it was made";
    }
    throw UsageError("stale token: " + why + " (token build " + tok.build_id + ", this build " +
                     kBuildId + "); replay it with the tlsm binary that printed it, or re-run "
                     "tlsm check to get a fresh token");
  }
  if (tok.search != "random" && tok.state.find_first_not_of("0123456789 ") == std::string::npos) {
    // A tree state starts "<iteration> <nodes> <count> ...": the first node
    // chooses among all the scenario's threads.
    std::istringstream st(tok.state);
    unsigned long long iter = 0, nodes = 0, count = 0;
    if (!(st >> iter >> nodes) || nodes == 0 || !(st >> count) || count != s->threads) {
      throw UsageError("the token's state does not fit scenario '" + s->name + "' (" +
                       std::to_string(s->threads) + " threads): damaged or forged token");
    }
  }
  std::printf("replay %s: %s search%s, expecting %s\n", s->name.c_str(), tok.search.c_str(),
              tok.search == "bounded" ? (" (bound " + std::to_string(tok.bound) + ")").c_str() : "",
              tok.invariant.c_str());
  Outcome o = RunIsolated(*s, ReplayConfig(tok), ProgressOptions{}, vm.count("no-fork") == 0);
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
      WithScenarioDetail(FailureMessage(h, o.result.invariant), o.result);
  std::printf("FAIL %s: %s  %s\n\n%s", s->name.c_str(), o.result.invariant.c_str(),
              message.c_str(), RenderHistory(h).c_str());
  if (vm.count("raw")) std::printf("\nrelacy history:\n%s", o.history.c_str());
  if (!html.empty()) {
    HtmlInfo info{s->name, tok.search, o.result.invariant, message, EncodeToken(tok),
                  ReplayCommand(EncodeToken(tok)), kBuildId};
    try {
      WriteFileAtomically(html, RenderHtml(h, info));
      std::printf("\nwrote %s\n", html.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tlsm: cannot write %s: %s\n", html.c_str(), e.what());
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

const char* kTraceHelp =
    "tlsm trace SCENARIO [--seed N] [--html OUT]\n\n"
    "Prints the history of one random execution (execution N, seed N), passing\n"
    "or failing: to see what a scenario does, or how long its executions are.\n"
    "Exit: 0 the execution passed, 1 it failed, 2 bad usage, 3 harness error.\n\noptions";

int CmdTrace(const std::vector<std::string>& args) {
  po::options_description desc(kTraceHelp);
  std::string seed = "0", html;
  std::vector<std::string> what;
  desc.add_options()
    ("seed", po::value<std::string>(&seed)->value_name("N"), "the random execution to show (default 0)")
    ("html", po::value<std::string>(&html)->value_name("OUT"), "also write the swimlane HTML page")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "scenario", &what, args, &vm)) return kExitPass;  // --help
  if (what.size() != 1) throw UsageError("trace takes exactly one SCENARIO");
  const ScenarioInfo* s = tlsm_model::FindScenario(what[0]);
  if (s == nullptr) throw UsageError("no scenario '" + what[0] + "' (tlsm list)");
  RunConfig cfg;
  cfg.search = SearchKind::kRandom;
  cfg.first_iteration = ParseUint("seed", seed);
  cfg.iterations = 1;
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
  std::printf("%s, random execution %s: %s\n\n%s", s->name.c_str(), seed.c_str(),
              o.result.failed ? ("FAIL " + o.result.invariant).c_str() : "pass",
              RenderHistory(h).c_str());
  if (!html.empty()) {
    HtmlInfo info{s->name, "random, execution " + seed, o.result.invariant, "", "", "", kBuildId};
    WriteFileAtomically(html, RenderHtml(h, info));
    std::printf("\nwrote %s\n", html.c_str());
  }
  return o.result.failed ? kExitBug : kExitPass;
}

// ---------------------------------------------------------------- main

const char* kUsage =
    "usage: tlsm <command> [options]\n\n"
    "commands:\n"
    "  list                       the registered model scenarios (--json)\n"
    "  check [SCENARIO|GLOB...]   run model checks (random, bounded, exhaustive search)\n"
    "  replay TOKEN|FILE          re-run one failing interleaving, print its history (--html)\n"
    "  trace SCENARIO [--seed N]  print the history of one random execution, passing or not\n"
    "  version                    print the build id\n\n"
    "tlsm <command> --help for options; docs/harness.md for the guide.\n"
    "exit codes: 0 pass, 1 bug found, 2 bad usage, 3 harness error\n";

int Main(int argc, char** argv) {
  if (argc > 0 && std::string(argv[0]).find('/') != std::string::npos) g_argv0 = argv[0];
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (cmd == "list") return CmdList(args);
    if (cmd == "check") return CmdCheck(args);
    if (cmd == "replay") return CmdReplay(args);
    if (cmd == "trace") return CmdTrace(args);
    if (cmd == "version" || cmd == "--version") {
      std::printf("tlsm build %s (%s)\n", kBuildId, MutantLabel(kMutantName).c_str());
      return kExitPass;
    }
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::printf("%s", kUsage);
      return kExitPass;
    }
    std::fprintf(stderr, "tlsm: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tlsm %s: %s\n", cmd.c_str(), e.what());
    return kExitUsage;
  } catch (const po::error& e) {
    std::fprintf(stderr, "tlsm %s: %s (see tlsm %s --help)\n", cmd.c_str(), e.what(), cmd.c_str());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tlsm %s: internal error: %s\n", cmd.c_str(), e.what());
    return kExitHarness;
  }
}

}  // namespace
}  // namespace tlsm_cli

int main(int argc, char** argv) { return tlsm_cli::Main(argc, argv); }
