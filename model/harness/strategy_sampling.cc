// model/harness/strategy_sampling.cc — the loop of sampling strategies.
#include "model/harness/strategy_sampling.h"

#include <algorithm>

namespace tlsm::harness {

using tlsm::model::RunConfig;
using tlsm::model::ScenarioInfo;

std::uint64_t LearnScheduleLength(const ScenarioInfo& s, std::uint64_t seed, bool fork) {
  RunConfig cfg;
  cfg.search = tlsm::model::SearchKind::kPct;
  cfg.pct_depth = 1;  // priorities only: no change point
  cfg.schedule_length = 0;
  cfg.first_execution = seed;
  cfg.executions = 1;
  // A failing learning run still counted its steps up to the failure; the
  // search itself finds and reports that failure.
  const tlsm::cli::Outcome out = tlsm::cli::RunIsolated(s, cfg, tlsm::cli::ProgressOptions{}, fork);
  return out.result.max_steps;
}

void CountCoverage(const std::vector<std::uint64_t>& hashes, Row* row) {
  std::vector<std::uint64_t> h = hashes;
  std::sort(h.begin(), h.end());
  std::uint64_t distinct = 0, once = 0;
  for (std::size_t i = 0; i < h.size();) {
    std::size_t j = i;
    while (j < h.size() && h[j] == h[i]) ++j;
    ++distinct;
    if (j - i == 1) ++once;
    i = j;
  }
  row->distinct_schedules = distinct;
  row->singleton_schedules = once;
  row->hashed_executions = h.size();
}

SearchResult SamplingStrategy::Run(const ScenarioInfo& s, const SearchOptions& o) const {
  SearchResult r;
  r.row = StartRow(*this, s, o);
  const std::uint64_t executions = o.executions ? *o.executions : DefaultExecutions();
  const double budget = o.time_budget ? *o.time_budget : 0;
  // Shard i of n: the contiguous slice [seed + i*N/n, seed + (i+1)*N/n).
  const std::uint64_t lo = executions * o.shard_index / o.shard_count;
  const std::uint64_t hi = executions * (o.shard_index + 1) / o.shard_count;
  r.row.first_execution = o.seed + lo;
  if (hi == lo) {
    r.row.result = "skipped (empty shard)";
    r.row.verdict = Verdict::kSkipped;
    return r;
  }
  RunConfig cfg = SearchConfig(*this, o);
  cfg.first_execution = o.seed + lo;
  cfg.executions = hi - lo;
  cfg.time_budget_s = budget;
  if (LearnsLength()) {
    // From the search's first execution, not the shard's: the same L everywhere.
    cfg.schedule_length = LearnScheduleLength(s, o.seed, o.fork);
    r.row.schedule_length = cfg.schedule_length;
  }
  const tlsm::cli::ProgressOptions p = ProgressFor(*this, s, o, hi - lo, false, budget);
  const tlsm::cli::Outcome out = o.jobs > 1 ? tlsm::cli::RunRandomInParallel(s, cfg, p, o.jobs)
                                           : tlsm::cli::RunIsolated(s, cfg, p, o.fork);
  if (Absorb(*this, s, cfg, out, &r)) {
    CountCoverage(out.result.schedule_hashes, &r.row);
    const bool budget_stopped = out.result.budget_hit && out.result.executions < cfg.executions;
    MarkSampled(std::string(Name()) + (budget_stopped ? ", time budget hit" : ""), &r.row);
  }
  return r;
}

std::vector<DeterminismSample> SamplingStrategy::PassingSamples(const ScenarioInfo&,
                                                                const Row& row,
                                                                const SearchOptions& o) const {
  std::vector<std::uint64_t> indices = {row.first_execution};
  if (row.executions > 1) indices.push_back(row.first_execution + row.executions / 2);
  std::vector<DeterminismSample> samples;
  for (std::uint64_t i : indices) {
    DeterminismSample d;
    d.config = SearchConfig(*this, o);
    d.config.schedule_length = row.schedule_length;
    d.config.first_execution = i;
    d.config.executions = 1;
    d.what = std::string(Name()) + " execution " + std::to_string(i);
    samples.push_back(std::move(d));
  }
  return samples;
}

}  // namespace tlsm::harness
