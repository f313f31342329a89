// model/harness/strategy_tree.cc — the loop of tree strategies.
#include "model/harness/strategy_tree.h"

#include <chrono>

namespace tlsm::harness {
namespace {

using tlsm::model::Reduction;
using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;

// Tree searches have no execution cap unless --executions gives one.
constexpr std::uint64_t kDefaultTreeCap = 0;

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string TreeStrategy::ReductionName(const SearchOptions& o) const {
  if (o.stock_scheduler || o.reduction == Reduction::kNone) return "none";
  if (o.reduction == Reduction::kSleepSets) return "sleep-sets";
  return DporName();
}

std::string TreeStrategy::RowLabel(const SearchOptions& o) const {
  std::string label = SearchLabel(*this, o);
  if (o.stock_scheduler) return label + " stock";
  if (o.address_reuse) label += " +reuse";
  if (o.reduction == Reduction::kNone) label += " nored";
  if (o.reduction == Reduction::kSleepSets) label += SleepSetsMark();
  return label;
}

SearchResult TreeStrategy::Run(const ScenarioInfo& s, const SearchOptions& o) const {
  SearchResult r;
  Row& row = r.row;
  row = StartRow(*this, s, o);
  row.search = RowLabel(o);
  const std::uint64_t cap = o.executions ? *o.executions : kDefaultTreeCap;
  const double budget = o.time_budget ? *o.time_budget : DefaultTimeBudget(s);
  const std::optional<unsigned> bound = PreemptionBound(o);
  // Shard i of n explores the subtrees whose first scheduled thread t has
  // t % n == i (each a contiguous part of the depth-first search).
  std::vector<int> firsts;
  if (o.shard_count == 1) {
    firsts.push_back(-1);
  } else if (!o.stock_scheduler && o.reduction == Reduction::kDpor) {
    // DPOR never reverses the first step (it races with nothing): every
    // execution of the search starts with thread 0, one subtree.
    if (o.shard_index == 0) firsts.push_back(0);
  } else {
    for (unsigned t = 0; t < s.threads; ++t)
      if (t % o.shard_count == o.shard_index) firsts.push_back(static_cast<int>(t));
  }
  if (firsts.empty()) {
    row.result = "skipped (shard has no subtree)";
    row.verdict = Verdict::kSkipped;
    return r;
  }
  const double started = NowSeconds();
  for (int t : firsts) {
    RunConfig cfg = SearchConfig(*this, o);
    cfg.first_thread = t;
    cfg.checkpoint = o.checkpoint;
    if (!o.checkpoint.resume_state.empty() && row.executions == 0) {
      row.executions = o.checkpoint.resume_completed;
      row.sleep_blocked = o.checkpoint.resume_sleep_blocked;
    }
    if (cap != 0) {
      if (row.executions >= cap) {
        MarkSampled("cap hit", &row);
        return r;
      }
      cfg.executions = cap - row.executions;
    } else {
      cfg.executions = 0;
    }
    if (budget > 0) {
      const double left = budget - (NowSeconds() - started);
      if (left <= 0) {
        MarkSampled("time budget hit", &row);
        return r;
      }
      cfg.time_budget_s = left;
    }
    if (t >= 0) row.first_threads.push_back(t);
    const tlsm::cli::Outcome out = tlsm::cli::RunIsolated(
        s, cfg, ProgressFor(*this, s, o, cfg.executions, true, cfg.time_budget_s), o.fork);
    if (!Absorb(*this, s, cfg, out, &r)) return r;  // a bug or a harness error
    if (out.result.budget_hit) {
      const bool capped = cfg.executions != 0 && out.result.executions >= cfg.executions;
      MarkSampled(capped ? "cap hit" : "time budget hit", &row);
      return r;
    }
    if (row.verdict == Verdict::kPending || row.verdict == Verdict::kVerified) {
      // A shard completes only its part: verified needs every shard.
      const std::string what = bound ? "K=" + std::to_string(*bound) : std::string(Name());
      if (o.shard_count > 1) {
        row.verdict = Verdict::kShardComplete;
        row.result = "shard complete (" + what + ")";
      } else {
        row.verdict = Verdict::kVerified;
        row.result = "verified (" + (bound ? what + ", complete" : what) + ")";
      }
    }
  }
  return r;
}

std::vector<DeterminismSample> TreeStrategy::PassingSamples(const ScenarioInfo&, const Row& row,
                                                            const SearchOptions& o) const {
  DeterminismSample d;
  d.config = SearchConfig(*this, o);
  d.config.first_thread = row.first_threads.empty() ? -1 : row.first_threads.front();
  d.what = std::string("the first ") + Name() + " execution";
  return {d};
}

}  // namespace tlsm::harness
