// model/harness/model_test.h — the base of every Relacy scenario.
#pragma once

#include "model/harness/scenario.h"

namespace tlsm::model {

// Per-execution budget shared by the runner and ModelTest::before().
// Executions are counted when they complete; Relacy's re-run of a failing
// execution (to collect its history) is admitted and not counted.
struct Budget {
  std::uint64_t max_executions = 0;  // 0 = unlimited
  double deadline_s = 0;             // 0 = none; monotonic seconds
  std::uint64_t completed = 0;
  bool current_counted = false;  // the last admitted execution reached after()
  const char* stopped_at_admission = nullptr;  // why the last execution was stopped in before()
  bool hit = false;
  bool capture = false;      // RunConfig::capture
  bool captured = false;
  // Tree searches with reduction: the running execution reached a state
  // where every enabled thread slept; what it does from there is equivalent
  // to executions already explored (set by TreeScheduler).
  bool execution_sleep_blocked = false;
  // Called when the budget stops a search, before it stops (tree searches
  // write their final checkpoint; TreeScheduler registers it).
  void (*on_stop)(void*) = nullptr;
  void* on_stop_arg = nullptr;
  void (*progress)(std::uint64_t, void*) = nullptr;
  void* progress_arg = nullptr;
};
Budget& CurrentBudget();
double NowSeconds();

// Stops the search cleanly when the budget is spent (Relacy "until").
void EnforceBudget();
void CountCompleted();

template <class Derived, unsigned Threads>
struct ModelTest : rl::test_suite<Derived, Threads> {
  static constexpr unsigned kThreads = Threads;

  void before() {
    tlsm::sync::ThreadRow::ResetAll();
    tlsm::sync::PendingOps::ResetAll();
    tlsm::sync::ForgetProcessGlobals();
    tlsm::sync::ForgetQuarantine();
    tlsm::sync::ClearLastViolation();
    tlsm::sync::ResetModelClock();
    EnforceBudget();
    static_cast<Derived*>(this)->Setup();
  }
  void thread(unsigned t) {
    static_cast<Derived*>(this)->Body(t);
    // Relacy runs no thread-local destructors: emulate the thread's exit.
    tlsm::sync::ThreadRow::RunExitForCurrentThread();
  }
  void after() {
    static_cast<Derived*>(this)->Check();
    static_cast<Derived*>(this)->Teardown();
    tlsm::sync::DestroyProcessGlobals();
    tlsm::sync::ReleaseQuarantine();
    CountCompleted();
  }
  // Defaults; scenarios override what they need.
  void Setup() {}
  void Check() {}
  // Frees what the scenario owns (before process globals go).
  void Teardown() {}
};

}  // namespace tlsm::model
