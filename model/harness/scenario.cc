// model/harness/scenario.cc — scenario registry, budget, result mapping.
#include "model/harness/relacy_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tlsm::model {

const char* SearchName(SearchKind k) {
  switch (k) {
    case SearchKind::kRandom: return "random";
    case SearchKind::kExhaustive: return "exhaustive";
    case SearchKind::kBounded: return "bounded";
    case SearchKind::kPct: return "pct";
    case SearchKind::kPos: return "pos";
    case SearchKind::kPortfolio: return "portfolio";
  }
  return "?";
}

bool IsSampling(SearchKind k) {
  return k != SearchKind::kExhaustive && k != SearchKind::kBounded;
}

Sampler SamplerFor(SearchKind k) {
  switch (k) {
    case SearchKind::kPct: return Sampler::kPct;
    case SearchKind::kPos: return Sampler::kPos;
    case SearchKind::kPortfolio: return Sampler::kPortfolio;
    default: return Sampler::kRandom;
  }
}

std::vector<ScenarioInfo>& Scenarios() {
  static std::vector<ScenarioInfo>* all = new std::vector<ScenarioInfo>();
  return *all;
}

const ScenarioInfo* FindScenario(const std::string& name) {
  for (const auto& s : Scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

Registrar::Registrar(ScenarioInfo info) { Scenarios().push_back(std::move(info)); }

BoundedBudget::BoundedBudget(const char* scenario, double seconds) {
  for (ScenarioInfo& s : Scenarios()) {
    if (s.name == scenario) {
      s.bounded_budget_s = seconds;
      return;
    }
  }
  std::fprintf(stderr, "BoundedBudget: no scenario '%s' registered before it\n", scenario);
  std::abort();
}

Budget& CurrentBudget() {
  static Budget b;
  return b;
}

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void EnforceBudget() {
  Budget& b = CurrentBudget();
  // Relacy re-runs an execution that ended in a failure or a stop to record
  // its history: it must end the same way. Repeat a stop decided here; admit
  // anything else without a new decision (a cap of 1 in a replay, or a
  // failure found after after() — a leak — that was already counted, must
  // not turn the re-run into a stop).
  if (rl::ctx().collecting_history()) {
    if (b.stopped_at_admission != nullptr) {
      rl::ctx().rl_until(b.stopped_at_admission, rl::debug_info("budget", "", 0));
    }
    return;
  }
  b.stopped_at_admission = nullptr;
  if ((b.max_executions != 0 && b.completed >= b.max_executions) ||
      (b.deadline_s != 0 && (b.completed & 63) == 0 && NowSeconds() > b.deadline_s)) {
    b.hit = true;
    b.stopped_at_admission = "budget spent";
    if (b.on_stop != nullptr) b.on_stop(b.on_stop_arg);
    rl::ctx().rl_until(b.stopped_at_admission, rl::debug_info("budget", "", 0));
    return;
  }
  b.current_counted = false;
}

void CountCompleted() {
  Budget& b = CurrentBudget();
  // Relacy's history re-run of an execution that completed is not another
  // execution.
  if (!rl::ctx().collecting_history()) {
    ++b.completed;
    b.current_counted = true;
    if (b.progress != nullptr && (b.completed & 255) == 0) b.progress(b.completed, b.progress_arg);
  }
  if (b.capture) {
    // Stop with the execution complete: Relacy re-runs it to print its history.
    b.captured = true;
    rl::ctx().rl_until("capture", rl::debug_info("capture", "", 0));
  }
}

void PrepareParams(const RunConfig& cfg, rl::test_params* p) {
  Budget& b = CurrentBudget();
  b = Budget{};
  if (cfg.time_budget_s > 0) b.deadline_s = NowSeconds() + cfg.time_budget_s;
  b.capture = cfg.capture;
  b.progress = cfg.progress;
  b.progress_arg = cfg.progress_arg;
  p->execution_depth_limit = 20000;
  switch (cfg.search) {
    case SearchKind::kRandom:
    case SearchKind::kPct:
    case SearchKind::kPos:
    case SearchKind::kPortfolio:
      p->search_type = rl::sched_random;
      break;
    case SearchKind::kExhaustive:
      p->search_type = rl::sched_full;
      b.max_executions = cfg.executions;
      break;
    case SearchKind::kBounded:
      p->search_type = rl::sched_bound;
      p->context_bound = cfg.bound;
      b.max_executions = cfg.executions;
      break;
  }
  if (!cfg.checkpoint.resume_state.empty()) {
    // Resume a tree search where its checkpoint left it (not a replay: the
    // search goes on from that execution with the usual budget).
    p->initial_state = cfg.checkpoint.resume_state;
  } else if (!cfg.initial_state.empty()) {
    // Replay: exactly the execution the state names.
    p->initial_state = cfg.initial_state;
    b.max_executions = 1;
    if (IsSampling(cfg.search)) {
      // >= 1: Relacy's progress report divides by it at execution 0.
      p->iteration_count = std::max<std::uint64_t>(1, std::stoull(cfg.initial_state));
    }
  } else if (IsSampling(cfg.search)) {
    // Relacy runs executions start..iteration_count inclusive.
    p->initial_state = std::to_string(cfg.first_execution) + " ";
    // Relacy's progress report divides by iteration_count at execution 0, so
    // it must be >= 1; the budget then stops a one-execution run at 0.
    p->iteration_count = std::max<std::uint64_t>(
        1, cfg.first_execution + (cfg.executions == 0 ? 0 : cfg.executions - 1));
    b.max_executions = cfg.executions;
  }
  // Capture stops after one execution itself; a cap would also stop
  // Relacy's re-run of it (the history) before it starts.
  if (cfg.capture) b.max_executions = 0;
}

std::string InvariantForResult(rl::test_result_e r, const std::string& memory_invariant) {
  switch (r) {
    case rl::test_result_user_assert_failed:
    case rl::test_result_user_invariant_failed: {
      std::string id = tlsm::sync::LastViolationId();
      return id.empty() ? "ASSERT" : id;
    }
    case rl::test_result_data_race:
    case rl::test_result_access_to_freed_memory:
    // Relacy reports locking a freed mutex as use of a non-initialised one.
    case rl::test_result_usage_of_non_initialized_mutex:
    case rl::test_result_double_free:
    case rl::test_result_unitialized_access:
      return memory_invariant;
    case rl::test_result_memory_leak:
    case rl::test_result_resource_leak:
      return "NO-LEAK";
    case rl::test_result_deadlock:
      return "DEADLOCK";
    case rl::test_result_livelock:
      return "LIVELOCK";
    default:
      return "MISUSE";
  }
}

void FinishResult(const rl::test_params& p, const ScenarioInfo& info, double started,
                  RunResult* r) {
  r->seconds = NowSeconds() - started;
  const Budget& b = CurrentBudget();
  // A failing execution counts once whether it failed in a thread or only
  // after after() (a leak, counted on completion).
  const bool failed = p.test_result != rl::test_result_success &&
                      p.test_result != rl::test_result_until_condition_hit;
  r->executions = b.completed + (failed && !b.current_counted ? 1 : 0);
  if (p.test_result == rl::test_result_success) return;
  if (p.test_result == rl::test_result_until_condition_hit) {
    r->captured = b.captured;
    r->budget_hit = !b.captured;
    if (b.captured) r->final_state = p.final_state;
    return;
  }
  r->failed = true;
  r->invariant = InvariantForResult(p.test_result, info.memory_invariant);
  r->message = rl::test_result_str(p.test_result);
  r->failing_execution = p.stop_iteration;
  r->final_state = p.final_state;
}

}  // namespace tlsm::model
