// model/harness/sampling_test.cc — the sampling schedulers (sampling_scheduler.h).
//
// Small programs run under SampledScheduler in-process: every sampler is
// deterministic from the execution index and independent of how the range
// is sliced; PCT without change points runs each thread to completion, with
// depth d splits at most d-1 runs, and a spinning thread is demoted so the
// thread it waits for runs; POS reaches both orders of a race; a failing
// execution of each sampler replays from its state alone, with the same
// history.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/harness/relacy_runner.h"
#include "model/harness/spin.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;

// Per-execution observations, written from inside the simulation (no
// allocation there): fixed arrays indexed by the completed-execution count.
constexpr std::size_t kMaxExecutions = 4096;
struct Observations {
  int runs[kMaxExecutions] = {};      // maximal runs of one thread in the recorded order
  int outcome[kMaxExecutions] = {};   // program-specific
  void Clear() { *this = Observations{}; }
};
Observations& Seen() {
  static Observations o;
  return o;
}
std::size_t Index() { return std::min<std::size_t>(CurrentBudget().completed, kMaxExecutions - 1); }

// Three threads each append their id to a shared order six times (a
// fetch_add for the position, a store of the id): the order's maximal runs
// are the schedule's runs of threads.
struct ThreeRunners : ModelTest<ThreeRunners, 3> {
  static constexpr int kSteps = 6;
  Atomic<int> next{0};
  Atomic<int> order[3 * kSteps];
  void Body(unsigned t) {
    for (int i = 0; i < kSteps; ++i) {
      const int at = next.FetchAdd(1, Order::kRelaxed);
      order[at].Store(static_cast<int>(t), Order::kRelaxed);
    }
  }
  void Check() {
    int runs = 1;
    for (int i = 1; i < 3 * kSteps; ++i)
      runs += order[i].Load(Order::kRelaxed) != order[i - 1].Load(Order::kRelaxed) ? 1 : 0;
    Seen().runs[Index()] = runs;
  }
};

// Thread 0 spins until thread 1, after a few steps of its own, sets a flag.
struct SpinWait : ModelTest<SpinWait, 2> {
  Atomic<int> flag{0};
  Atomic<int> work{0};
  void Body(unsigned t) {
    if (t == 0) {
      SpinUntil([&] { return flag.Load(Order::kAcquire) != 0; });
      return;
    }
    for (int i = 0; i < 4; ++i) work.FetchAdd(1, Order::kRelaxed);
    flag.Store(1, Order::kRelease);
  }
};

// Two threads store to one object: the final value says which went last.
struct StoreRace : ModelTest<StoreRace, 2> {
  Atomic<int> x{0};
  Atomic<int> side[2] = {Atomic<int>(0), Atomic<int>(0)};
  void Body(unsigned t) {
    side[t].Store(1, Order::kRelaxed);
    x.Store(static_cast<int>(t) + 1, Order::kRelaxed);
  }
  void Check() { Seen().outcome[Index()] = x.Load(Order::kRelaxed); }
};

// A lost update: load + store instead of fetch_add, each thread twice.
struct LostUpdate : ModelTest<LostUpdate, 2> {
  Atomic<int> n{0};
  void Body(unsigned) {
    for (int i = 0; i < 2; ++i) {
      const int v = n.Load(Order::kRelaxed);
      n.Store(v + 1, Order::kRelaxed);
    }
  }
  void Check() { TLSM_INVARIANT(n.Load(Order::kRelaxed) == 4, "LOST", "an increment was lost"); }
};

template <class Test>
RunResult Sample(SearchKind kind, std::uint64_t first, std::uint64_t n, unsigned depth = 3,
                 std::uint64_t length = 0, const std::string& history = "") {
  RunConfig cfg;
  cfg.search = kind;
  cfg.first_execution = first;
  cfg.executions = n;
  cfg.pct_depth = depth;
  cfg.schedule_length = length;
  cfg.history_path = history;
  ScenarioInfo info{"sampling_test", {"LOST"}, "", "MEMORY", Test::kThreads, nullptr};
  return RunRelacy<Test>(cfg, info);
}

const SearchKind kSamplers[] = {SearchKind::kRandom, SearchKind::kPct, SearchKind::kPos,
                                SearchKind::kPortfolio};

TEST(Sampling, SameSeedSameSchedulesWhateverTheSlice) {
  for (SearchKind k : kSamplers) {
    const RunResult a = Sample<ThreeRunners>(k, 0, 400, 3, 60);
    const RunResult b = Sample<ThreeRunners>(k, 0, 400, 3, 60);
    const RunResult tail = Sample<ThreeRunners>(k, 200, 200, 3, 60);
    ASSERT_FALSE(a.failed) << SearchName(k) << " " << a.message;
    ASSERT_EQ(a.schedule_hashes.size(), 400u) << SearchName(k);
    EXPECT_EQ(a.schedule_hashes, b.schedule_hashes) << SearchName(k);
    EXPECT_TRUE(std::equal(tail.schedule_hashes.begin(), tail.schedule_hashes.end(),
                           a.schedule_hashes.begin() + 200))
        << SearchName(k) << ": execution i must not depend on where its slice starts";
    const std::set<std::uint64_t> distinct(a.schedule_hashes.begin(), a.schedule_hashes.end());
    EXPECT_GT(distinct.size(), 10u) << SearchName(k) << ": executions must differ";
  }
}

TEST(Sampling, PctWithoutChangePointsRunsEachThreadToCompletion) {
  Seen().Clear();
  const RunResult r = Sample<ThreeRunners>(SearchKind::kPct, 0, 300, 1, 0);
  ASSERT_FALSE(r.failed) << r.message;
  for (std::size_t i = 0; i < 300; ++i) EXPECT_EQ(Seen().runs[i], 3) << "execution " << i;
}

TEST(Sampling, PctDepthBoundsTheRunsOfThreads) {
  // L: the learning run's scheduling points (depth 1, no change point).
  const std::uint64_t length = Sample<ThreeRunners>(SearchKind::kPct, 0, 1, 1, 0).max_steps;
  ASSERT_GT(length, 18u);
  for (unsigned d : {2u, 3u, 4u}) {
    Seen().Clear();
    const RunResult r = Sample<ThreeRunners>(SearchKind::kPct, 0, 2000, d, length);
    ASSERT_FALSE(r.failed) << r.message;
    int most = 0;
    for (std::size_t i = 0; i < 2000; ++i) {
      // Each change point splits at most one run of a thread in two.
      EXPECT_LE(Seen().runs[i], 3 + static_cast<int>(d) - 1) << "d=" << d << " execution " << i;
      most = std::max(most, Seen().runs[i]);
    }
    EXPECT_EQ(most, 3 + static_cast<int>(d) - 1) << "d=" << d << ": no execution used every change point";
  }
}

TEST(Sampling, PctDemotesASpinningThread) {
  // Without the demotion, an execution where the spinner has the higher
  // priority never lets the setter run: Relacy reports a livelock.
  for (unsigned d : {1u, 2u, 3u}) {
    const RunResult r = Sample<SpinWait>(SearchKind::kPct, 0, 500, d, 40);
    EXPECT_FALSE(r.failed) << "d=" << d << ": " << r.invariant << " " << r.message;
    EXPECT_EQ(r.executions, 500u);
  }
}

TEST(Sampling, PosReachesBothOrdersOfARace) {
  Seen().Clear();
  const RunResult r = Sample<StoreRace>(SearchKind::kPos, 0, 400);
  ASSERT_FALSE(r.failed) << r.message;
  std::set<int> outcomes(std::begin(Seen().outcome), std::begin(Seen().outcome) + 400);
  EXPECT_EQ(outcomes, (std::set<int>{1, 2}));
}

// The history without raw addresses (in one process the allocator hands
// out other addresses on the second run; tlsm's own histories label them).
std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::regex_replace(text, std::regex("0x[0-9a-f]+"), "0x");
}

TEST(Sampling, AFailingExecutionReplaysFromItsStateAlone) {
  for (SearchKind k : kSamplers) {
    const std::string h1 = ::testing::TempDir() + "sampling_found.txt";
    const std::string h2 = ::testing::TempDir() + "sampling_replayed.txt";
    const RunResult found = Sample<LostUpdate>(k, 0, 2000, 3, 30, h1);
    ASSERT_TRUE(found.failed) << SearchName(k);
    ASSERT_EQ(found.invariant, "LOST");
    RunConfig cfg;
    // A replay names only the search kind and the state: the state carries
    // the sampler, depth and L of the execution (a portfolio's: its slot's).
    cfg.search = k;
    cfg.initial_state = found.final_state;
    cfg.history_path = h2;
    ScenarioInfo info{"sampling_test", {"LOST"}, "", "MEMORY", 2, nullptr};
    const RunResult again = RunRelacy<LostUpdate>(cfg, info);
    ASSERT_TRUE(again.failed) << SearchName(k) << " state " << found.final_state;
    EXPECT_EQ(again.failing_execution, found.failing_execution) << SearchName(k);
    EXPECT_EQ(again.final_state, found.final_state) << SearchName(k);
    EXPECT_EQ(ReadAll(h2), ReadAll(h1)) << SearchName(k) << ": the replayed history differs";
  }
}

}  // namespace
}  // namespace tlsm::model
