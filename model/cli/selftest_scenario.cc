// model/cli/selftest_scenario.cc — a scenario that is broken by construction.
//
// "selftest.broken" exists so the harness can test itself end to end: check
// must find its bug, print a token, replay it byte-identically, minimise it.
// It lives in the CLI (not in model/*/), so it is not a ctest model check and
// `tlsm check` without arguments skips it (selftest.* runs only when named).
//
// The bug: two threads increment a counter with a load followed by a store
// (a lost update). Thread 0 first does some unrelated work so that random
// search tends to find interleavings with several preemptions, and the
// minimiser has something to shrink: one preemption suffices.
#include <random>

#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;

struct SelftestBroken : ModelTest<SelftestBroken, 2> {
  Atomic<int>* counter = nullptr;
  Atomic<int>* noise = nullptr;

  void Setup() {
    counter = tlsm::sync::New<Atomic<int>>(0);
    noise = tlsm::sync::New<Atomic<int>>(0);
  }
  void Body(unsigned t) {
    noise->FetchAdd(1, Order::kRelaxed);
    noise->FetchAdd(1, Order::kRelaxed);
    // seq_cst: the only bug is the read-modify-write split in two, so it
    // needs a preemption between the load and the store (bound 1).
    const int seen = counter->Load(Order::kSeqCst);
    counter->Store(seen + 1, Order::kSeqCst);
  }
  void Check() {
    TLSM_INVARIANT(counter->Load(Order::kSeqCst) == 2, "SELFTEST",
                   "an increment was lost (deliberate bug)");
  }
  void Teardown() {
    tlsm::sync::Delete(counter);
    tlsm::sync::Delete(noise);
  }
};

TLSM_MODEL_SCENARIO(SelftestBroken, "selftest.broken",
                    (std::vector<std::string>{"SELFTEST"}),
                    "broken by construction: a lost update (tests the harness itself)",
                    "SELFTEST")

// A correct twin (one FetchAdd per thread) with a small tree, so tests can
// check complete exhaustive searches, shards and determinism quickly.
struct SelftestOk : ModelTest<SelftestOk, 2> {
  Atomic<int>* counter = nullptr;

  void Setup() { counter = tlsm::sync::New<Atomic<int>>(0); }
  void Body(unsigned t) {
    counter->FetchAdd(1, Order::kSeqCst);
    counter->FetchAdd(1, Order::kSeqCst);
  }
  void Check() {
    TLSM_INVARIANT(counter->Load(Order::kSeqCst) == 4, "SELFTEST", "an increment was lost");
  }
  void Teardown() { tlsm::sync::Delete(counter); }
};

TLSM_MODEL_SCENARIO(SelftestOk, "selftest.ok", (std::vector<std::string>{"SELFTEST"}),
                    "correct by construction: atomic increments (tests the harness itself)",
                    "SELFTEST")

// Nondeterministic by construction: the number of steps depends on a value
// from outside the simulation (std::random_device), so the determinism
// self-check must report a harness error (exit 3), not an engine bug.
struct SelftestNondeterministic : ModelTest<SelftestNondeterministic, 2> {
  Atomic<int>* counter = nullptr;
  unsigned extra = 0;

  void Setup() {
    counter = tlsm::sync::New<Atomic<int>>(0);
    extra = std::random_device{}() % 1000;
  }
  void Body(unsigned t) {
    for (unsigned i = 0; i <= (t == 0 ? extra : 0); ++i) counter->FetchAdd(1, Order::kSeqCst);
  }
  void Teardown() { tlsm::sync::Delete(counter); }
};

TLSM_MODEL_SCENARIO(SelftestNondeterministic, "selftest.nondeterministic",
                    (std::vector<std::string>{"SELFTEST"}),
                    "nondeterministic by construction (the determinism check must catch it)",
                    "SELFTEST")

// Leaks by construction, in one thread only: the failure is found after
// after() (Relacy's leak check), not in a thread, so the execution already
// completed when Relacy re-runs it for its history. Tests that replays and
// execution counts handle a failure found that late.
struct SelftestLeak : ModelTest<SelftestLeak, 2> {
  void Body(unsigned t) {
    if (t == 1) (void)tlsm::sync::New<Atomic<int>>(7);  // never freed
  }
};

TLSM_MODEL_SCENARIO(SelftestLeak, "selftest.leak", (std::vector<std::string>{"SELFTEST"}),
                    "leaks by construction (a failure found after the execution completed)",
                    "SELFTEST")

}  // namespace
}  // namespace tlsm::model
