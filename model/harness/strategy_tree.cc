// model/harness/strategy_tree.cc — the loop of tree strategies.
#include "model/harness/strategy_tree.h"

namespace tlsm::harness {
namespace {

using tlsm::model::Reduction;
using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;

// Tree searches have no execution cap unless --executions gives one.
constexpr std::uint64_t kDefaultTreeCap = 0;

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
  if (const unsigned d = SplitDepth(*this, o)) label += " split=" + std::to_string(d);
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
  RunConfig cfg = SearchConfig(*this, o);
  cfg.checkpoint = o.checkpoint;
  if (!o.checkpoint.resume_state.empty()) {
    row.executions = o.checkpoint.resume_completed;
    row.sleep_blocked = o.checkpoint.resume_sleep_blocked;
  }
  if (cap != 0 && row.executions >= cap) {
    MarkSampled("cap hit", &row);
    return r;
  }
  cfg.executions = cap == 0 ? 0 : cap - row.executions;
  cfg.time_budget_s = budget;
  const tlsm::cli::ProgressOptions progress =
      ProgressFor(*this, s, o, cfg.executions, true, cfg.time_budget_s);
  const tlsm::cli::Outcome out =
      o.jobs > 1 && cfg.split_depth != 0 ? tlsm::cli::RunTreeInParallel(s, cfg, progress, o.jobs)
                          : tlsm::cli::RunIsolated(s, cfg, progress, o.fork);
  row.prefix = out.result.prefix;  // a resumed search's: the checkpoint carried the earlier part's
  if (!Absorb(*this, s, cfg, out, &r)) return r;  // a bug or a harness error
  if (out.result.budget_hit) {
    const bool capped = cfg.executions != 0 && out.result.executions >= cfg.executions;
    MarkSampled(capped ? "cap hit" : "time budget hit", &row);
    return r;
  }
  // A shard completes only its part: verified needs every shard (tlsm merge).
  const std::string what = bound ? "K=" + std::to_string(*bound) : std::string(Name());
  if (o.shard_count > 1) {
    row.verdict = Verdict::kShardComplete;
    row.result = "shard complete (" + what + ")";
  } else {
    row.verdict = Verdict::kVerified;
    row.result = "verified (" + (bound ? what + ", complete" : what) + ")";
  }
  return r;
}

std::vector<DeterminismSample> TreeStrategy::PassingSamples(const ScenarioInfo&, const Row& row,
                                                            const SearchOptions& o) const {
  DeterminismSample d;
  d.config = SearchConfig(*this, o);
  d.what = std::string("the first ") + Name() + " execution";
  return {d};
}

}  // namespace tlsm::harness
