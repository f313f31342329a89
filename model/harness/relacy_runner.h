// model/harness/relacy_runner.h — runs one scenario type under Relacy.
// Internal to model/: scenario files use TLSM_MODEL_SCENARIO only.
#pragma once

#include <fstream>

#include "model/harness/model_test.h"
#include "model/harness/sampling_scheduler.h"
#include "model/harness/tree_scheduler.h"

namespace tlsm::model {

// Maps Relacy's verdict to an invariant id; user assertions carry their own.
std::string InvariantForResult(rl::test_result_e r, const std::string& memory_invariant);

// Fills the parts of RunResult that do not depend on the test type.
void FinishResult(const rl::test_params& p, const ScenarioInfo& info,
                  double started, RunResult* out);

void PrepareParams(const RunConfig& cfg, rl::test_params* p);

// rl::simulate for a given scheduler type (rl::simulate itself picks one of
// Relacy's three from test_params::search_type): runs the search and, on a
// failure, re-runs the failing execution with history collection.
template <class Test, class Scheduler>
void SimulateWith(SearchParams& p) {
  const char* name = typeid(Test).name();
  while (*name >= '0' && *name <= '9') ++name;
  p.test_name = name;
  *p.output_stream << p.test_name << std::endl;
  rl::ostringstream state;
  const rl::test_result_e res = rl::run_test<Test, Scheduler>(p, state, false);
  if (res == rl::test_result_success || p.output_history || p.collect_history) return;
  p.initial_state = state.str();
  p.final_state = state.str();
  p.collect_history = true;
  const rl::iteration_t stop = p.stop_iteration;
  const PrefixCounts prefix = p.prefix;  // the re-run is not another execution
  const std::uint64_t sleep_blocked = p.sleep_blocked;
  rl::ostringstream unused;
  rl::run_test<Test, Scheduler>(p, unused, true);
  p.stop_iteration = stop;
  p.prefix = prefix;
  p.sleep_blocked = sleep_blocked;
}

// Runs the search cfg names with the scheduler it names.
template <class Test>
void RunSearchOf(const RunConfig& cfg, SearchParams& p) {
  constexpr rl::thread_id_t n = Test::params::thread_count;
  p.reduction = cfg.reduction;
  p.wrong_independence = cfg.wrong_independence_for_test;
  p.skip_bound_compensation = cfg.skip_bound_compensation_for_test;
  p.checkpoint = cfg.checkpoint;
  p.split_depth = cfg.split_depth;
  p.shard_index = cfg.shard_index;
  p.shard_count = cfg.shard_count;
  if (IsSampling(cfg.search)) {
    // Sampling searches keep Relacy's address coin (no quarantine).
    p.sampler = SamplerFor(cfg.search);
    p.pct_depth = cfg.pct_depth;
    p.schedule_length = cfg.schedule_length;
    tlsm::sync::SetFreeQuarantine(false);
    SimulateWith<Test, SampledScheduler<n>>(p);
    return;
  }
  const bool ours = !cfg.stock_scheduler;
  tlsm::sync::SetFreeQuarantine(ours && !cfg.address_reuse);
  const bool bounded = cfg.search == SearchKind::kBounded;
  if (!ours) {
    rl::simulate<Test>(p);
  } else if (cfg.address_reuse) {
    if (bounded) SimulateWith<Test, TreeScheduler<n, true, true>>(p);
    else SimulateWith<Test, TreeScheduler<n, false, true>>(p);
  } else {
    if (bounded) SimulateWith<Test, TreeScheduler<n, true, false>>(p);
    else SimulateWith<Test, TreeScheduler<n, false, false>>(p);
  }
  tlsm::sync::SetFreeQuarantine(false);
}

template <class Test>
RunResult RunRelacy(const RunConfig& cfg, const ScenarioInfo& info) {
  SearchParams p;
  PrepareParams(cfg, &p);
  // Relacy must not write to an ostringstream (see README): use files.
  std::ofstream out(cfg.history_path.empty() ? "/dev/null" : cfg.history_path,
                    std::ios::trunc);
  std::ofstream progress("/dev/null");
  p.output_stream = &out;
  p.progress_stream = &progress;
  const double started = NowSeconds();
  RunSearchOf<Test>(cfg, p);
  out.flush();
  RunResult r;
  FinishResult(p, info, started, &r);
  r.sleep_blocked = p.sleep_blocked;
  r.prefix = p.prefix;
  r.max_steps = p.max_steps;
  r.schedule_hashes.assign(p.schedule_hashes.begin(), p.schedule_hashes.end());
  return r;
}

}  // namespace tlsm::model

// Registers a scenario type; use it in the namespace that declares Type.
// `invariants` is a parenthesised std::vector<std::string>{...}.
#define TLSM_MODEL_SCENARIO(Type, name, invariants, description, memory_inv) \
  ::tlsm::model::RunResult Run_##Type(const ::tlsm::model::RunConfig& cfg) {   \
    return ::tlsm::model::RunRelacy<Type>(cfg, *::tlsm::model::FindScenario(name)); \
  }                                                                          \
  const ::tlsm::model::Registrar registrar_##Type{::tlsm::model::ScenarioInfo{ \
      name, invariants, description, memory_inv, Type::kThreads, &Run_##Type}};
