// Stress: threads churn (start, acquire/release on several caches, exit)
// while caches are closed and recreated concurrently. Checks ownership
// (a held batch is never touched by anyone else), isolation and, at every
// close, that every batch the cache allocated was freed (NO-LEAK).
#include "engine/batch/batch_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::WriteBatch;

constexpr int kCaches = 4;
constexpr int kWorkers = 8;

BatchCacheOptions Opts(unsigned seed) {
  BatchCacheOptions o;
  o.thread_capacity = 1 + seed % 4;
  o.thread_target = o.thread_capacity / 2;
  o.num_shards = 1 + seed % 3;
  o.shard_capacity = 1 + seed % 5;
  o.max_batch_bytes = 512;
  return o;
}

TEST(BatchCacheStress, ThreadChurnAgainstCacheClose) {
  std::shared_mutex mu[kCaches];
  std::unique_ptr<BatchCache> caches[kCaches];
  for (int k = 0; k < kCaches; ++k) caches[k] = std::make_unique<BatchCache>(Opts(k));

  std::atomic<bool> stop{false};
  std::atomic<long> ops{0}, closes{0}, threads{0};
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load()) {
      std::thread t([&, s = rng()] {
        std::mt19937 r(s);
        const std::string me = std::to_string(s);
        for (int i = 0; i < 50; ++i) {
          const int k = r() % kCaches;
          std::shared_lock<std::shared_mutex> l(mu[k]);
          BatchCache& c = *caches[k];
          WriteBatch* held[3];
          const int n = 1 + r() % 3;
          for (int j = 0; j < n; ++j) {
            held[j] = c.Acquire();
            ASSERT_TRUE(c.Allocated(held[j]));
            ASSERT_EQ(held[j]->Count(), 0u);
            const std::size_t vlen = r() % 8 == 0 ? 1000 : 10;  // some oversize
            held[j]->Put(j, me, std::string(vlen, 'v'));
          }
          std::this_thread::yield();
          for (int j = 0; j < n; ++j) {
            // Nobody else wrote our held batches (BATCH-OWN).
            ASSERT_EQ(held[j]->Count(), 1u);
            ASSERT_EQ(held[j]->begin()->key, me);
            c.Release(held[j]);
          }
          ops.fetch_add(n);
        }
      });
      t.join();
      threads.fetch_add(1);
    }
  };
  std::vector<std::thread> ws;
  for (int i = 0; i < kWorkers; ++i) ws.emplace_back(worker, 1000 + i);
  std::thread closer([&] {
    std::mt19937 r(7);
    while (!stop.load()) {
      const int k = r() % kCaches;
      {
        std::unique_lock<std::shared_mutex> l(mu[k]);
        caches[k]->Close();
        auto s = caches[k]->Stats();
        EXPECT_EQ(s.thread_cached + s.shard_cached, 0u);
        // Threads exiting right now may still free their caches: frees can
        // only catch up, never exceed allocations.
        EXPECT_LE(s.frees, s.allocations);
        caches[k] = std::make_unique<BatchCache>(Opts(r()));
      }
      closes.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop.store(true);
  for (auto& w : ws) w.join();
  closer.join();
  for (auto& c : caches) {
    auto s = c->Stats();
    EXPECT_EQ(s.outstanding(), 0u);
    EXPECT_EQ(s.threads, 0u);  // every churned thread exited
    EXPECT_LE(s.max_shard_cached, c->options().shard_capacity);
    c.reset();
  }
  EXPECT_GT(ops.load(), 1000);
  EXPECT_GT(closes.load(), 10);
  std::printf("ops=%ld threads=%ld closes=%ld\n", ops.load(), threads.load(), closes.load());
}

}  // namespace
