// PerfContext / PerfAggregate unit tests: levels and gates, timers, Reset,
// dumps, per-thread isolation, aggregation across live and exited threads.
#include "engine/perf/perf_aggregate.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>
#include <vector>

namespace {

using namespace tlsm::perf;

class PerfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GetPerfContext()->Reset();
    SetPerfLevel(PerfLevel::kCounts);
  }
};

TEST_F(PerfTest, DefaultLevelCountsOperations) {
  std::thread([] {
    EXPECT_EQ(GetPerfLevel(), PerfLevel::kCounts);
    PerfCount(Counter::kGets);
    PerfCount(Counter::kPuts, 3);
    EXPECT_EQ(GetPerfContext()->Get(Counter::kGets), 1u);
    EXPECT_EQ(GetPerfContext()->Get(Counter::kPuts), 3u);
  }).join();
}

TEST_F(PerfTest, GatesPerLevel) {
  for (PerfLevel l : {PerfLevel::kDisabled, PerfLevel::kCounts, PerfLevel::kDetailedCounts,
                      PerfLevel::kTimings}) {
    GetPerfContext()->Reset();
    SetPerfLevel(l);
    for (std::size_t i = 0; i < kNumCounters; ++i) PerfCount(static_cast<Counter>(i), 2);
    for (std::size_t i = 0; i < kNumTimers; ++i) {
      PerfTimer t(static_cast<Timer>(i));
    }
    for (std::size_t i = 0; i < kNumCounters; ++i) {
      const auto c = static_cast<Counter>(i);
      EXPECT_EQ(GetPerfContext()->Get(c), l >= CounterLevel(c) ? 2u : 0u)
          << CounterName(c) << " at " << LevelName(l);
    }
    for (std::size_t i = 0; i < kNumTimers; ++i) {
      const auto t = static_cast<Timer>(i);
      EXPECT_EQ(GetPerfContext()->TimerCount(t), l >= TimerLevel(t) ? 1u : 0u) << TimerName(t);
    }
  }
  EXPECT_EQ(CounterLevel(Counter::kGets), PerfLevel::kCounts);
  EXPECT_EQ(CounterLevel(Counter::kBatchCacheHits), PerfLevel::kDetailedCounts);
  EXPECT_EQ(CounterLevel(Counter::kSvCacheHits), PerfLevel::kDetailedCounts);
  EXPECT_EQ(TimerLevel(Timer::kGetNanos), PerfLevel::kTimings);
}

TEST_F(PerfTest, TimerMeasuresScope) {
  SetPerfLevel(PerfLevel::kTimings);
  {
    PerfTimer t(Timer::kFlushNanos);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(GetPerfContext()->TimerCount(Timer::kFlushNanos), 1u);
  EXPECT_GE(GetPerfContext()->TimerNanos(Timer::kFlushNanos), 2'000'000u);
  PerfTimer t(Timer::kFlushNanos);
  t.Stop();
  t.Stop();  // idempotent
  EXPECT_EQ(GetPerfContext()->TimerCount(Timer::kFlushNanos), 2u);
}

TEST_F(PerfTest, TimerStartedBelowLevelRecordsNothing) {
  SetPerfLevel(PerfLevel::kCounts);
  {
    PerfTimer t(Timer::kGetNanos);
    SetPerfLevel(PerfLevel::kTimings);  // raised mid-scope: still not running
  }
  EXPECT_EQ(GetPerfContext()->TimerCount(Timer::kGetNanos), 0u);
}

TEST_F(PerfTest, ResetKeepsLevel) {
  SetPerfLevel(PerfLevel::kDetailedCounts);
  PerfCount(Counter::kSvCacheHits, 4);
  GetPerfContext()->Reset();
  EXPECT_EQ(GetPerfContext()->Get(Counter::kSvCacheHits), 0u);
  EXPECT_EQ(GetPerfLevel(), PerfLevel::kDetailedCounts);
}

TEST_F(PerfTest, Dumps) {
  SetPerfLevel(PerfLevel::kTimings);
  PerfCount(Counter::kGets, 7);
  { PerfTimer t(Timer::kWriteNanos); }
  const std::string text = GetPerfContext()->ToString();
  EXPECT_NE(text.find("level = timings"), std::string::npos) << text;
  EXPECT_NE(text.find("gets = 7"), std::string::npos) << text;
  EXPECT_NE(text.find("write_nanos = "), std::string::npos) << text;
  const std::string nonzero = GetPerfContext()->ToString(/*exclude_zero=*/true);
  EXPECT_EQ(nonzero.find("puts"), std::string::npos) << nonzero;
  auto j = nlohmann::json::parse(GetPerfContext()->ToJson());
  EXPECT_EQ(j["level"], "timings");
  EXPECT_EQ(j["counters"]["gets"], 7);
  EXPECT_EQ(j["counters"]["batch_cache_hits"], 0);
  EXPECT_EQ(j["timers"]["write_nanos"]["count"], 1);
  EXPECT_EQ(j["counters"].size(), kNumCounters);
  EXPECT_EQ(j["timers"].size(), kNumTimers);
}

TEST_F(PerfTest, ThreadsHaveTheirOwnContexts) {
  PerfCount(Counter::kGets, 100);
  std::vector<PerfContext*> ctxs(4);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&, i] {
      ctxs[i] = GetPerfContext();
      for (int k = 0; k <= i; ++k) PerfCount(Counter::kGets);
      EXPECT_EQ(GetPerfContext()->Get(Counter::kGets), static_cast<std::uint64_t>(i + 1));
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(GetPerfContext()->Get(Counter::kGets), 100u);
  for (int i = 0; i < 4; ++i) EXPECT_NE(ctxs[i], GetPerfContext());
}

TEST_F(PerfTest, AggregateSumsLiveAndExitedThreads) {
  PerfAggregate agg;
  std::atomic<int> recorded{0};
  std::atomic<bool> release{false};
  std::thread live([&] {
    PerfCount(Counter::kGets, 5, &agg);
    recorded.fetch_add(1);
    while (!release.load()) std::this_thread::yield();
  });
  std::thread([&] { PerfCount(Counter::kGets, 3, &agg); }).join();  // exits first
  std::thread([&] {
    SetPerfLevel(PerfLevel::kDisabled);
    PerfCount(Counter::kGets, 1000, &agg);  // gated: not counted anywhere
  }).join();
  while (recorded.load() < 1) std::this_thread::yield();
  EXPECT_EQ(agg.Totals().Get(Counter::kGets), 8u);
  EXPECT_EQ(agg.Retired().Get(Counter::kGets), 3u);
  EXPECT_EQ(agg.LiveThreads(), 1u);
  release.store(true);
  live.join();
  EXPECT_EQ(agg.Totals().Get(Counter::kGets), 8u);
  EXPECT_EQ(agg.Retired().Get(Counter::kGets), 8u);
  EXPECT_EQ(agg.LiveThreads(), 0u);
}

TEST_F(PerfTest, AggregatesAreIndependent) {
  PerfAggregate a, b;
  PerfCount(Counter::kPuts, 2, &a);
  PerfCount(Counter::kPuts, 5, &b);
  EXPECT_EQ(a.Totals().Get(Counter::kPuts), 2u);
  EXPECT_EQ(b.Totals().Get(Counter::kPuts), 5u);
  EXPECT_EQ(GetPerfContext()->Get(Counter::kPuts), 7u);
}

TEST_F(PerfTest, AggregateDestroyedWhileThreadsHoldBlocks) {
  auto agg = std::make_unique<PerfAggregate>();
  std::atomic<int> recorded{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&] {
      PerfCount(Counter::kWrites, 1, agg.get());
      recorded.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
    });
  }
  while (recorded.load() < 4) std::this_thread::yield();
  EXPECT_EQ(agg->Totals().Get(Counter::kWrites), 4u);
  agg.reset();  // reclaims the column: the live blocks are retired and freed
  go.store(true);
  for (auto& t : ts) t.join();
}

TEST_F(PerfTest, SnapshotArithmetic) {
  PerfSnapshot a, b;
  a.counters[0] = 1;
  b.counters[0] = 2;
  b.timer_count[1] = 3;
  a += b;
  EXPECT_EQ(a.Get(Counter::kGets), 3u);
  EXPECT_EQ(a.Count(Timer::kWriteNanos), 3u);
  EXPECT_FALSE(a == b);
  PerfSnapshot c;
  c += a;
  EXPECT_TRUE(c == a);
}

}  // namespace
