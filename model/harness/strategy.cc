// model/harness/strategy.cc — what every strategy shares: rows, tokens, replay.
#include "model/harness/strategy.h"

#include <algorithm>

namespace tlsm::harness {

using tlsm::model::RunConfig;
using tlsm::model::RunResult;
using tlsm::model::ScenarioInfo;

std::string SearchOptions::ShardSuffix() const {
  if (shard_count == 1) return "";
  return ".shard-" + std::to_string(shard_index) + "-of-" + std::to_string(shard_count);
}

std::string SearchLabel(const SearchStrategy& st, const SearchOptions& o) {
  std::string label = st.Name();
  if (const auto k = st.PreemptionBound(o)) label += " K=" + std::to_string(*k);
  if (st.Kind() == tlsm::model::SearchKind::kPct) label += " d=" + std::to_string(o.depth);
  return label;
}

Row StartRow(const SearchStrategy& st, const ScenarioInfo& s, const SearchOptions& o) {
  Row row;
  row.scenario = s.name;
  row.search = SearchLabel(st, o);
  row.bound = st.PreemptionBound(o).value_or(0);
  row.tree = st.IsTree();
  row.scheduler = o.stock_scheduler ? "stock" : "tlsm";
  row.address_reuse = o.stock_scheduler || o.address_reuse;
  row.reduction = st.ReductionName(o);
  row.shard = std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count);
  row.shard_index = o.shard_index;
  row.shard_count = o.shard_count;
  row.split_depth = SplitDepth(st, o);
  if (st.Kind() == tlsm::model::SearchKind::kPct) row.depth = o.depth;
  return row;
}

tlsm::cli::Token MakeToken(const ScenarioInfo& s, const SearchStrategy& st, unsigned bound,
                          const RunResult& r, const RunConfig& cfg, const BuildIdentity& build) {
  // Sampling searches run stock Relacy's random scheduler whatever the
  // options say; only tree tokens name a scheduler and an address policy.
  tlsm::cli::Token t;
  t.stock_scheduler = st.IsTree() && cfg.stock_scheduler;
  t.address_reuse = st.IsTree() && !cfg.stock_scheduler && cfg.address_reuse;
  t.scenario = s.name;
  t.search = st.Name();
  t.bound = st.Kind() == tlsm::model::SearchKind::kBounded ? bound : 0;
  t.build_id = build.id;
  t.mutant = build.mutant;
  t.invariant = r.invariant;
  t.state = r.final_state;
  return t;
}

RunConfig SearchConfig(const SearchStrategy& st, const SearchOptions& o) {
  RunConfig cfg;
  cfg.search = st.Kind();
  cfg.bound = o.bound;
  cfg.stock_scheduler = o.stock_scheduler;
  cfg.address_reuse = o.address_reuse;
  cfg.reduction = o.reduction;
  cfg.pct_depth = o.depth;
  if (st.IsTree()) {
    cfg.split_depth = SplitDepth(st, o);
    cfg.shard_index = o.shard_index;
    cfg.shard_count = o.shard_count;
  }
  return cfg;
}

unsigned DefaultSplitDepth(unsigned shard_count) {
  unsigned log2 = 0;
  while ((1ull << log2) < shard_count) ++log2;
  return std::max(12u, log2 + 10);
}

unsigned SplitDepth(const SearchStrategy& st, const SearchOptions& o) {
  if (!st.IsTree()) return 0;
  if (o.split_depth) return *o.split_depth;
  // --jobs alone does not split: a split search runs more executions (the
  // top D decisions are not reduced), so it is asked for, not implied.
  return o.shard_count > 1 ? DefaultSplitDepth(o.shard_count) : 0;
}

tlsm::cli::ProgressOptions ProgressFor(const SearchStrategy& st, const ScenarioInfo& s,
                                      const SearchOptions& o, std::uint64_t total,
                                      bool total_is_cap, double budget) {
  tlsm::cli::ProgressOptions p;
  p.enabled = o.progress;
  p.label = s.name + " " + st.Name();
  p.total = total;
  p.total_is_cap = total_is_cap;
  p.time_budget_s = budget;
  return p;
}

bool Absorb(const SearchStrategy& st, const ScenarioInfo& s, const RunConfig& cfg,
            const tlsm::cli::Outcome& out, SearchResult* r) {
  Row& row = r->row;
  row.ran = true;
  row.seconds += out.result.seconds;
  row.cpu_seconds += out.cpu_seconds;
  row.executions += out.result.executions;
  row.sleep_blocked += out.result.sleep_blocked;
  if (out.harness_error) {
    r->error = out.error;
    return false;
  }
  if (out.result.failed) {
    row.result = "BUG " + out.result.invariant;
    row.verdict = Verdict::kBug;
    Failure f;
    f.info = &s;
    f.strategy = &st;
    f.bound = cfg.bound;
    f.result = out.result;
    f.config = cfg;
    f.raw_history = out.history;
    r->failure = std::move(f);
    return false;
  }
  return true;
}

RunConfig ReplayConfig(const tlsm::cli::Token& t) {
  RunConfig cfg;
  cfg.search = FindStrategy(t.search)->Kind();
  cfg.bound = t.bound;
  cfg.initial_state = t.state;
  cfg.stock_scheduler = t.stock_scheduler;
  cfg.address_reuse = t.address_reuse;
  return cfg;
}

}  // namespace tlsm::harness
