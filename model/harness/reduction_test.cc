// model/harness/reduction_test.cc — the differential check of the tree
// searches' partial-order reduction (tree_scheduler.h).
//
// Small programs made for the purpose (today's engine scenarios are too big
// for the stock exhaustive search) are explored by stock Relacy's exhaustive
// search, by ours without reduction, and by ours with sleep sets, exhaustive
// and bounded. Each execution records its outcome (a hash of the final
// observable state; every program here passes, so the verdict is the same).
// The reduced searches must reach exactly the outcome set of the unreduced
// ones, with strictly fewer executions. The twin: a deliberately wrong
// independence rule (two RMWs of one object independent) must make the
// check fail.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Mutex;
using tlsm::sync::Order;

// Outcomes of the executions of one search. Filled from inside the
// simulation, so it must not allocate (Relacy tracks the allocator there):
// a fixed open-addressing table.
class OutcomeTable {
 public:
  void Clear() { std::fill(std::begin(slots_), std::end(slots_), 0); }
  // Outcomes of sleep-blocked executions are not counted: the reduction
  // claims the other executions already reach them.
  void Add(std::uint64_t h) {
    if (CurrentBudget().execution_sleep_blocked) return;
    h = h * 2 + 1;  // never 0 (0 marks an empty slot)
    for (std::size_t i = h % kSlots;; i = (i + 1) % kSlots) {
      if (slots_[i] == h) return;
      if (slots_[i] == 0) {
        slots_[i] = h;
        return;
      }
    }
  }
  std::set<std::uint64_t> Values() const {
    std::set<std::uint64_t> out;
    for (std::uint64_t v : slots_)
      if (v != 0) out.insert(v);
    return out;
  }

 private:
  static constexpr std::size_t kSlots = 1 << 14;
  std::uint64_t slots_[kSlots] = {};
};

OutcomeTable& Outcomes() {
  static OutcomeTable t;
  return t;
}

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

// Three threads exchange into one object and keep what they saw: every
// order of the three RMWs is a distinct outcome (the twin's target). A
// fourth, independent object is bumped by each thread (pure reduction work).
struct ThreeExchanges : ModelTest<ThreeExchanges, 3> {
  Atomic<int> x{0};
  Atomic<int> seen[3] = {Atomic<int>(-1), Atomic<int>(-1), Atomic<int>(-1)};
  Atomic<int> own[3] = {Atomic<int>(0), Atomic<int>(0), Atomic<int>(0)};
  void Body(unsigned t) {
    own[t].Store(1, Order::kRelaxed);
    seen[t].Store(x.Exchange(static_cast<int>(t) + 1, Order::kAcqRel), Order::kRelaxed);
  }
  void Check() {
    std::uint64_t h = Mix(0, x.Load(Order::kRelaxed));
    for (auto& s : seen) h = Mix(h, s.Load(Order::kRelaxed));
    Outcomes().Add(h);
  }
};

// Message passing with weak memory: the reader may see the flag and (by
// acquire/release) the data, or not the flag; a relaxed side channel may be
// read stale. Loads choose among stores: Relacy's weak-memory branches.
struct MessagePassing : ModelTest<MessagePassing, 3> {
  Atomic<int> data{0}, flag{0}, side{0}, other{0};
  Atomic<int> r_flag{-1}, r_data{-1}, r_side{-1};
  void Body(unsigned t) {
    if (t == 0) {
      data.Store(1, Order::kRelaxed);
      flag.Store(1, Order::kRelease);
      side.Store(1, Order::kRelaxed);
    } else if (t == 1) {
      const int f = flag.Load(Order::kAcquire);
      r_flag.Store(f, Order::kRelaxed);
      r_data.Store(data.Load(Order::kRelaxed), Order::kRelaxed);
      r_side.Store(side.Load(Order::kRelaxed), Order::kRelaxed);
    } else {
      other.Store(1, Order::kRelaxed);
      other.Store(2, Order::kRelaxed);
    }
  }
  void Check() {
    std::uint64_t h = Mix(1, r_flag.Load(Order::kRelaxed));
    h = Mix(h, r_data.Load(Order::kRelaxed));
    h = Mix(h, r_side.Load(Order::kRelaxed));
    Outcomes().Add(h);
  }
};

// A mutex-protected log: the order in which two threads enter the critical
// section is the outcome, with what each read outside the lock from an
// object a third thread writes.
struct LockedLog : ModelTest<LockedLog, 3> {
  Mutex mu;
  Atomic<int> log{0};
  Atomic<int> outside{0};
  Atomic<int> r_outside[2] = {Atomic<int>(-1), Atomic<int>(-1)};
  void Body(unsigned t) {
    if (t == 2) {
      outside.Store(1, Order::kRelaxed);
      return;
    }
    r_outside[t].Store(outside.Load(Order::kRelaxed), Order::kRelaxed);
    mu.Lock();
    log.Store(log.Load(Order::kRelaxed) * 4 + static_cast<int>(t) + 1, Order::kRelaxed);
    mu.Unlock();
  }
  void Check() {
    std::uint64_t h = Mix(2, log.Load(Order::kRelaxed));
    for (auto& r : r_outside) h = Mix(h, r.Load(Order::kRelaxed));
    Outcomes().Add(h);
  }
};

// Store buffering (Dekker) in seq_cst order on two threads (both reading 0
// is forbidden), and a third thread writing a relaxed object one of them
// reads (which store it sees is a weak-memory branch).
struct StoreBuffering : ModelTest<StoreBuffering, 3> {
  Atomic<int> x{0}, y{0}, z{0};
  Atomic<int> r[3] = {Atomic<int>(-1), Atomic<int>(-1), Atomic<int>(-1)};
  void Body(unsigned t) {
    if (t == 0) {
      x.Store(1, Order::kSeqCst);
      r[0].Store(y.Load(Order::kSeqCst), Order::kRelaxed);
    } else if (t == 1) {
      y.Store(1, Order::kSeqCst);
      r[1].Store(x.Load(Order::kSeqCst), Order::kRelaxed);
      r[2].Store(z.Load(Order::kRelaxed), Order::kRelaxed);
    } else {
      z.Store(1, Order::kRelaxed);
    }
  }
  void Check() {
    std::uint64_t h = 3;
    for (auto& e : r) h = Mix(h, e.Load(Order::kRelaxed));
    Outcomes().Add(h);
  }
};

struct SearchOutcome {
  bool complete = false;
  std::uint64_t executions = 0;
  std::uint64_t sleep_blocked = 0;
  std::set<std::uint64_t> outcomes;
};

template <class Test>
SearchOutcome Explore(SearchKind kind, unsigned bound, bool stock, Reduction reduction,
                      bool wrong_rule = false, bool skip_bound_compensation = false) {
  RunConfig cfg;
  cfg.wrong_independence_for_test = wrong_rule;
  cfg.skip_bound_compensation_for_test = skip_bound_compensation;
  cfg.search = kind;
  cfg.bound = bound;
  cfg.executions = 0;
  cfg.stock_scheduler = stock;
  cfg.reduction = reduction;
  ScenarioInfo info{"reduction_test", {"OUTCOMES"}, "", "MEMORY", Test::kThreads, nullptr};
  Outcomes().Clear();
  const RunResult r = RunRelacy<Test>(cfg, info);
  EXPECT_FALSE(r.failed) << r.invariant << " " << r.message;
  SearchOutcome o;
  o.complete = !r.failed && !r.budget_hit;
  o.executions = r.executions;
  o.sleep_blocked = r.sleep_blocked;
  o.outcomes = Outcomes().Values();
  return o;
}

// Stock exhaustive = ours unreduced = ours reduced (same outcomes), and the
// reduction runs strictly fewer executions than both.
template <class Test>
void CheckExhaustive(const char* name) {
  const SearchOutcome stock = Explore<Test>(SearchKind::kExhaustive, 0, true, Reduction::kNone);
  const SearchOutcome plain = Explore<Test>(SearchKind::kExhaustive, 0, false, Reduction::kNone);
  const SearchOutcome sleep =
      Explore<Test>(SearchKind::kExhaustive, 0, false, Reduction::kSleepSets);
  const SearchOutcome dpor = Explore<Test>(SearchKind::kExhaustive, 0, false, Reduction::kDpor);
  ASSERT_TRUE(stock.complete && plain.complete && sleep.complete && dpor.complete) << name;
  EXPECT_GT(stock.outcomes.size(), 1u) << name << ": a program with one outcome tests nothing";
  EXPECT_EQ(plain.outcomes, stock.outcomes) << name;
  EXPECT_EQ(sleep.outcomes, stock.outcomes) << name;
  EXPECT_EQ(dpor.outcomes, stock.outcomes) << name;
  EXPECT_LT(sleep.executions, plain.executions) << name;
  EXPECT_LT(dpor.executions, plain.executions) << name;
  EXPECT_LE(dpor.executions, sleep.executions) << name;
  std::printf("%-16s exhaustive: stock %llu, ours %llu, sleep sets %llu (%llu sleep-blocked), "
              "dpor %llu (%llu sleep-blocked); %zu outcomes\n",
              name, static_cast<unsigned long long>(stock.executions),
              static_cast<unsigned long long>(plain.executions),
              static_cast<unsigned long long>(sleep.executions),
              static_cast<unsigned long long>(sleep.sleep_blocked),
              static_cast<unsigned long long>(dpor.executions),
              static_cast<unsigned long long>(dpor.sleep_blocked), stock.outcomes.size());
}

// Bounded: the reduced search reaches every outcome the unreduced one does at
// the same bound (never more, never fewer) and runs no more executions.
template <class Test>
void CheckBounded(const char* name) {
  for (unsigned k = 0; k <= 3; ++k) {
    const SearchOutcome plain = Explore<Test>(SearchKind::kBounded, k, false, Reduction::kNone);
    const SearchOutcome sleep =
        Explore<Test>(SearchKind::kBounded, k, false, Reduction::kSleepSets);
    const SearchOutcome bpor = Explore<Test>(SearchKind::kBounded, k, false, Reduction::kDpor);
    const SearchOutcome naive =
        Explore<Test>(SearchKind::kBounded, k, false, Reduction::kDpor, false, true);
    ASSERT_TRUE(plain.complete && sleep.complete && bpor.complete) << name << " K=" << k;
    EXPECT_EQ(sleep.outcomes, plain.outcomes) << name << " K=" << k;
    EXPECT_EQ(bpor.outcomes, plain.outcomes) << name << " K=" << k;
    EXPECT_LE(sleep.executions, plain.executions) << name << " K=" << k;
    EXPECT_LE(bpor.executions, sleep.executions) << name << " K=" << k;
    std::printf("%-16s bounded K=%u: ours %llu, sleep sets %llu, bpor %llu, bpor without "
                "compensation %llu (%zu of %zu outcomes)\n",
                name, k, static_cast<unsigned long long>(plain.executions),
                static_cast<unsigned long long>(sleep.executions),
                static_cast<unsigned long long>(bpor.executions),
                static_cast<unsigned long long>(naive.executions), naive.outcomes.size(),
                plain.outcomes.size());
  }
}

TEST(Reduction, ThreeExchangesExhaustive) { CheckExhaustive<ThreeExchanges>("three_exchanges"); }
TEST(Reduction, MessagePassingExhaustive) { CheckExhaustive<MessagePassing>("message_passing"); }
TEST(Reduction, LockedLogExhaustive) { CheckExhaustive<LockedLog>("locked_log"); }
TEST(Reduction, StoreBufferingExhaustive) { CheckExhaustive<StoreBuffering>("store_buffering"); }

TEST(Reduction, ThreeExchangesBounded) { CheckBounded<ThreeExchanges>("three_exchanges"); }
TEST(Reduction, MessagePassingBounded) { CheckBounded<MessagePassing>("message_passing"); }
TEST(Reduction, LockedLogBounded) { CheckBounded<LockedLog>("locked_log"); }
TEST(Reduction, StoreBufferingBounded) { CheckBounded<StoreBuffering>("store_buffering"); }

// The twin: with RMWs (and lock operations) of one object wrongly
// independent, each reduction loses outcomes, and the differential check
// sees it.
template <class Test>
void CheckWrongRuleIsCaught(const char* name) {
  const SearchOutcome stock = Explore<Test>(SearchKind::kExhaustive, 0, true, Reduction::kNone);
  ASSERT_TRUE(stock.complete) << name;
  for (Reduction r : {Reduction::kSleepSets, Reduction::kDpor}) {
    const SearchOutcome wrong = Explore<Test>(SearchKind::kExhaustive, 0, false, r, true);
    ASSERT_TRUE(wrong.complete) << name;
    EXPECT_LT(wrong.outcomes.size(), stock.outcomes.size())
        << name << (r == Reduction::kDpor ? " dpor" : " sleep sets");
  }
}

// The bounded twin: DPOR that only prunes by the bound (no conservative
// backtrack points) misses outcomes reachable within the bound; the bounded
// check sees it.
template <class Test>
void CheckUncompensatedBoundIsCaught(const char* name, unsigned k) {
  const SearchOutcome plain = Explore<Test>(SearchKind::kBounded, k, false, Reduction::kNone);
  const SearchOutcome naive =
      Explore<Test>(SearchKind::kBounded, k, false, Reduction::kDpor, false, true);
  ASSERT_TRUE(plain.complete && naive.complete) << name;
  EXPECT_LT(naive.outcomes.size(), plain.outcomes.size()) << name << " K=" << k;
}

TEST(Reduction, UncompensatedBoundIsCaught) {
  CheckUncompensatedBoundIsCaught<ThreeExchanges>("three_exchanges", 0);
  CheckUncompensatedBoundIsCaught<LockedLog>("locked_log", 0);
  CheckUncompensatedBoundIsCaught<StoreBuffering>("store_buffering", 0);
}

TEST(Reduction, WrongIndependenceRuleIsCaught) {
  CheckWrongRuleIsCaught<ThreeExchanges>("three_exchanges");
  CheckWrongRuleIsCaught<LockedLog>("locked_log");
}

}  // namespace
}  // namespace tlsm::model
