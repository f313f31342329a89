// Stress: short-lived threads record into several aggregates while other
// threads fold them and aggregates are destroyed and recreated. While
// running, a fold never exceeds what was recorded (no double count); once
// quiescent, each aggregate's totals equal the contributions (PERF-SUM).
#include "engine/perf/perf_aggregate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

using namespace tlsm::perf;

constexpr int kAggs = 3;
constexpr int kWorkers = 6;

TEST(PerfStress, ThreadChurnFoldAndAggregateChurn) {
  std::shared_mutex mu[kAggs];
  std::unique_ptr<PerfAggregate> aggs[kAggs];
  std::atomic<std::uint64_t> recorded[kAggs] = {};  // since the last recreate
  for (auto& a : aggs) a = std::make_unique<PerfAggregate>();
  std::atomic<bool> stop{false};
  std::atomic<long> threads{0}, folds{0};

  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load()) {
      std::thread([&, s = rng()] {
        std::mt19937 r(s);
        SetPerfLevel(PerfLevel::kCounts);
        const std::uint64_t before = GetPerfContext()->Get(Counter::kGets);
        EXPECT_EQ(before, 0u);  // a fresh thread starts from zero
        std::uint64_t mine = 0;
        for (int i = 0; i < 200; ++i) {
          const int k = r() % kAggs;
          std::shared_lock<std::shared_mutex> l(mu[k]);
          const std::uint64_t n = 1 + r() % 3;
          recorded[k].fetch_add(n);  // before recording: a fold never sees more
          PerfCount(Counter::kGets, n, aggs[k].get());
          mine += n;
        }
        EXPECT_EQ(GetPerfContext()->Get(Counter::kGets), mine);  // PERF-LOCAL
      }).join();
      threads.fetch_add(1);
    }
  };
  std::vector<std::thread> ws;
  for (int i = 0; i < kWorkers; ++i) ws.emplace_back(worker, 100 + i);
  std::thread folder([&] {
    std::mt19937 r(1);
    while (!stop.load()) {
      const int k = r() % kAggs;
      std::unique_lock<std::shared_mutex> l(mu[k]);  // recorders paused
      const std::uint64_t total = aggs[k]->Totals().Get(Counter::kGets);
      EXPECT_LE(total, recorded[k].load());
      if (r() % 4 == 0) {
        aggs[k] = std::make_unique<PerfAggregate>();
        recorded[k].store(0);
      }
      folds.fetch_add(1);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop.store(true);
  for (auto& w : ws) w.join();
  folder.join();
  for (int k = 0; k < kAggs; ++k) {
    EXPECT_EQ(aggs[k]->Totals().Get(Counter::kGets), recorded[k].load());
    EXPECT_EQ(aggs[k]->LiveThreads(), 0u);
  }
  EXPECT_GT(threads.load(), 20);
  std::printf("threads=%ld folds=%ld\n", threads.load(), folds.load());
}

}  // namespace
