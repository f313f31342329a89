// BatchCache unit tests: the retention policy step by step, thread exit,
// close, isolation between caches, stats and misuse checks.
#include "engine/batch/batch_cache.h"
#include "engine/perf/perf_aggregate.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::BatchState;
using tlsm::batch::WriteBatch;

BatchCacheOptions Small(std::size_t cap = 4, std::size_t target = 2, std::size_t shards = 1,
                        std::size_t shard_cap = 4, std::size_t max_bytes = 1 << 16) {
  BatchCacheOptions o;
  o.thread_capacity = cap;
  o.thread_target = target;
  o.num_shards = shards;
  o.shard_capacity = shard_cap;
  o.max_batch_bytes = max_bytes;
  return o;
}

TEST(BatchCache, MissThenThreadCacheHit) {
  BatchCache c(Small());
  WriteBatch* b = c.Acquire();
  EXPECT_TRUE(c.Allocated(b));
  EXPECT_EQ(b->state(), BatchState::kHeld);
  b->Put(0, "k", "v");
  c.Release(b);
  EXPECT_EQ(c.ThreadCachedCount(), 1u);
  WriteBatch* again = c.Acquire();
  EXPECT_EQ(again, b);  // LIFO reuse of the same batch
  EXPECT_EQ(again->Count(), 0u);  // cleared on release
  c.Release(again);
  auto s = c.Stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.allocations, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.thread_hits, 1u);
  EXPECT_EQ(s.releases, 2u);
  EXPECT_EQ(s.thread_cached, 1u);
  EXPECT_EQ(s.outstanding(), 0u);
  EXPECT_EQ(s.threads, 1u);
}

// The inline hit path keeps every statistic exact (hits, releases, bytes).
TEST(BatchCache, ThreadCacheHitsKeepStatsExact) {
  BatchCache c(Small(4, 2, 1, 4));
  WriteBatch* first = c.Acquire();  // miss: creates this thread's cache
  first->Put(0, "key-0001", "value-0001");
  c.Release(first);
  const std::size_t cap = first->Capacity();
  for (int i = 0; i < 1000; ++i) {
    WriteBatch* b = c.Acquire();
    ASSERT_EQ(b, first);
    ASSERT_EQ(b->Count(), 0u);
    b->Put(0, "key-0001", "value-0001");
    ASSERT_EQ(b->Capacity(), cap);  // the reused buffer did not grow
    c.Release(b);
  }
  auto s = c.Stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.thread_hits, 1000u);
  EXPECT_EQ(s.shard_hits, 0u);
  EXPECT_EQ(s.releases, 1001u);
  EXPECT_EQ(s.thread_cached, 1u);
  EXPECT_EQ(s.bytes_retained, cap);
  // Fill the thread cache through the hit path: four held, four released.
  std::vector<WriteBatch*> b;
  for (int i = 0; i < 4; ++i) b.push_back(c.Acquire());
  s = c.Stats();
  EXPECT_EQ(s.thread_cached, 0u);
  EXPECT_EQ(s.bytes_retained, 0u);
  EXPECT_EQ(s.outstanding(), 4u);
  for (auto* x : b) c.Release(x);
  s = c.Stats();
  EXPECT_EQ(s.thread_cached, 4u);
  EXPECT_EQ(s.bytes_retained, cap + 3 * b[1]->Capacity());
  EXPECT_EQ(s.releases, 1005u);
  EXPECT_EQ(s.outstanding(), 0u);
}

// A batch released on a thread other than the one that acquired it goes to
// the releasing thread's cache (created by that release).
TEST(BatchCache, ReleaseOnAnotherThreadCachesThere) {
  BatchCache c(Small(4, 2, 1, 4));
  WriteBatch* b = c.Acquire();
  std::size_t there = 0;
  std::thread([&] {
    c.Release(b);
    there = c.ThreadCachedCount();
    EXPECT_EQ(c.Acquire(), b);  // a thread-cache hit on that thread
    c.Release(b);
  }).join();
  EXPECT_EQ(there, 1u);
  EXPECT_EQ(c.ThreadCachedCount(), 0u);  // not this thread's
  auto s = c.Stats();
  EXPECT_EQ(s.releases, 2u);
  EXPECT_EQ(s.thread_hits, 1u);
  EXPECT_EQ(s.shard_cached, 1u);  // the exited thread handed it to the shard
  EXPECT_EQ(s.outstanding(), 0u);
}

TEST(BatchCache, FullThreadCacheSpillsOldestToTarget) {
  BatchCache c(Small(4, 2, 1, 8));
  std::vector<WriteBatch*> b;
  for (int i = 0; i < 5; ++i) b.push_back(c.Acquire());
  for (auto* x : b) c.Release(x);
  // [0,1,2,3] full; releasing 4 spills 0,1 to the shard, keeps 2,3, adds 4.
  EXPECT_EQ(c.ThreadCachedCount(), 3u);
  EXPECT_EQ(c.ShardSizes(), std::vector<std::size_t>{2});
  auto s = c.Stats();
  EXPECT_EQ(s.spills, 2u);
  EXPECT_EQ(s.frees, 0u);
  EXPECT_EQ(c.Acquire(), b[4]);
  EXPECT_EQ(c.Acquire(), b[3]);
  EXPECT_EQ(c.Acquire(), b[2]);
  // Thread cache empty: refill takes target (2) from the shard, newest first.
  EXPECT_EQ(c.Acquire(), b[1]);
  EXPECT_EQ(c.ThreadCachedCount(), 1u);
  EXPECT_EQ(c.Acquire(), b[0]);
  s = c.Stats();
  EXPECT_EQ(s.shard_hits, 1u);
  EXPECT_EQ(s.thread_hits, 4u);
  for (auto* x : b) c.Release(x);
}

TEST(BatchCache, ShardOverflowIsFreed) {
  BatchCache c(Small(2, 0, 1, 1));
  std::vector<WriteBatch*> b;
  for (int i = 0; i < 4; ++i) b.push_back(c.Acquire());
  for (auto* x : b) c.Release(x);
  // [0,1] full; 2 spills both (target 0): 0 to the shard, 1 freed; then 3
  // fits: thread cache [2,3].
  EXPECT_EQ(c.ThreadCachedCount(), 2u);
  auto s = c.Stats();
  EXPECT_EQ(s.shard_cached, 1u);
  EXPECT_EQ(s.frees, 1u);
  EXPECT_EQ(s.outstanding(), 0u);
  EXPECT_LE(s.max_shard_cached, 1u);
}

TEST(BatchCache, OversizeBatchIsFreed) {
  BatchCache c(Small(4, 2, 1, 4, 256));
  WriteBatch* b = c.Acquire();
  b->Put(0, "k", std::string(1000, 'x'));
  c.Release(b);
  EXPECT_EQ(c.ThreadCachedCount(), 0u);
  auto s = c.Stats();
  EXPECT_EQ(s.frees, 1u);
  EXPECT_EQ(s.bytes_retained, 0u);
  WriteBatch* small = c.Acquire();
  small->Put(0, "k", "v");
  c.Release(small);
  s = c.Stats();
  EXPECT_EQ(s.thread_cached, 1u);
  EXPECT_GT(s.bytes_retained, 0u);
  EXPECT_LE(s.bytes_retained, 256u);
}

TEST(BatchCache, ZeroThreadCapacityGoesStraightToShard) {
  BatchCache c(Small(0, 0, 1, 2));
  WriteBatch* a = c.Acquire();
  WriteBatch* b = c.Acquire();
  WriteBatch* d = c.Acquire();
  c.Release(a);
  c.Release(b);
  c.Release(d);  // shard full: freed
  EXPECT_EQ(c.ThreadCachedCount(), 0u);
  EXPECT_EQ(c.ShardSizes(), std::vector<std::size_t>{2});
  EXPECT_EQ(c.Stats().frees, 1u);
  EXPECT_EQ(c.Acquire(), b);  // newest of the shard
  EXPECT_EQ(c.ThreadCachedCount(), 0u);
  c.Release(b);
}

TEST(BatchCache, ThreadExitHandsCacheToShard) {
  BatchCache c(Small(4, 2, 1, 3));
  std::set<WriteBatch*> seen;
  std::thread t([&] {
    std::vector<WriteBatch*> b;
    for (int i = 0; i < 4; ++i) b.push_back(c.Acquire());
    for (auto* x : b) {
      seen.insert(x);
      c.Release(x);
    }
  });
  t.join();
  auto s = c.Stats();
  EXPECT_EQ(s.threads, 0u);
  EXPECT_EQ(s.thread_cached, 0u);
  EXPECT_EQ(s.shard_cached, 3u);  // shard capacity 3: the 4th was freed
  EXPECT_EQ(s.frees, 1u);
  EXPECT_EQ(s.outstanding(), 0u);
  // This thread's first acquire refills from the shard: the exited thread's.
  WriteBatch* b = c.Acquire();
  EXPECT_TRUE(seen.count(b));
  c.Release(b);
}

TEST(BatchCache, ThreadsStickToRoundRobinShards) {
  BatchCache c(Small(1, 0, 3, 8));
  std::vector<int> shards(6);
  for (int i = 0; i < 6; ++i) {
    std::thread([&, i] {
      c.Release(c.Acquire());
      shards[i] = c.ThreadShard();
      EXPECT_EQ(c.ThreadShard(), shards[i]);
    }).join();
  }
  std::set<int> distinct(shards.begin(), shards.end());
  EXPECT_EQ(distinct.size(), 3u);
}

TEST(BatchCache, CloseFreesEverything) {
  auto c = std::make_unique<BatchCache>(Small(4, 2, 2, 4));
  std::vector<WriteBatch*> b;
  for (int i = 0; i < 10; ++i) b.push_back(c->Acquire());
  for (auto* x : b) c->Release(x);
  c->Close();
  EXPECT_TRUE(c->closed());
  auto s = c->Stats();
  EXPECT_EQ(s.allocations, 10u);
  EXPECT_EQ(s.frees, 10u);
  EXPECT_EQ(s.thread_cached + s.shard_cached, 0u);
  EXPECT_EQ(s.bytes_retained, 0u);
  c->Close();  // idempotent
  c.reset();
}

TEST(BatchCache, CloseWithLiveThreadCaches) {
  // Threads keep their caches (they are parked) while the cache closes.
  auto c = std::make_unique<BatchCache>(Small(4, 2, 2, 4));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&] {
      WriteBatch* a = c->Acquire();
      WriteBatch* b = c->Acquire();
      c->Release(a);
      c->Release(b);
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
    });
  }
  while (ready.load() < 4) std::this_thread::yield();
  c.reset();  // reclaims the column: every parked thread's cache is freed
  go.store(true);
  for (auto& t : ts) t.join();
  EXPECT_EQ(tlsm::tls::GetMatrixStats().rows, 1u);  // this thread's row only
}

TEST(BatchCache, TwoCachesNeverMix) {
  BatchCache a(Small()), b(Small());
  std::vector<WriteBatch*> from_a, from_b;
  for (int i = 0; i < 6; ++i) {
    from_a.push_back(a.Acquire());
    from_b.push_back(b.Acquire());
  }
  for (auto* x : from_a) a.Release(x);
  for (auto* x : from_b) b.Release(x);
  for (int i = 0; i < 6; ++i) {
    WriteBatch* x = a.Acquire();
    WriteBatch* y = b.Acquire();
    EXPECT_TRUE(a.Allocated(x));
    EXPECT_FALSE(b.Allocated(x));
    EXPECT_TRUE(b.Allocated(y));
    a.Release(x);
    b.Release(y);
  }
}

TEST(BatchCache, CountsIntoPerfContextAndAggregate) {
  tlsm::perf::PerfAggregate agg;
  BatchCacheOptions o = Small();
  o.perf_aggregate = &agg;
  BatchCache c(o);
  std::thread([&] {
    tlsm::perf::SetPerfLevel(tlsm::perf::PerfLevel::kDetailedCounts);
    c.Release(c.Acquire());
    c.Release(c.Acquire());
    auto* ctx = tlsm::perf::GetPerfContext();
    EXPECT_EQ(ctx->Get(tlsm::perf::Counter::kBatchCacheMisses), 1u);
    EXPECT_EQ(ctx->Get(tlsm::perf::Counter::kBatchCacheHits), 1u);
  }).join();
  auto t = agg.Totals();
  EXPECT_EQ(t.Get(tlsm::perf::Counter::kBatchCacheMisses), 1u);
  EXPECT_EQ(t.Get(tlsm::perf::Counter::kBatchCacheHits), 1u);
}

#if TLSM_DEBUG_CHECKS
TEST(BatchCacheDeathTest, DoubleReleaseIsMisuse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small());
        WriteBatch* b = c.Acquire();
        c.Release(b);
        c.Release(b);
      },
      "MISUSE");
}

// The double-release check comes before the room test, so a full thread
// cache (where the inline path would hand over to ReleaseSlow) still reports.
TEST(BatchCacheDeathTest, DoubleReleaseWithFullThreadCacheIsMisuse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small(1, 0, 1, 4));
        WriteBatch* a = c.Acquire();
        WriteBatch* b = c.Acquire();
        c.Release(a);  // thread cache full now
        c.Release(b);  // spills a, keeps b
        c.Release(b);
      },
      "MISUSE");
}

// ... and a batch cached by another thread's cache, released on a thread
// that has no cache yet (ReleaseSlow's check).
TEST(BatchCacheDeathTest, DoubleReleaseOnAnotherThreadIsMisuse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small());
        WriteBatch* b = c.Acquire();
        c.Release(b);  // in this thread's cache
        std::thread([&] { c.Release(b); }).join();
      },
      "MISUSE");
}

TEST(BatchCacheDeathTest, ReleaseNullIsMisuse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small());
        c.Release(c.Acquire());
        c.Release(nullptr);
      },
      "MISUSE");
}

TEST(BatchCacheDeathTest, PutAfterReleaseIsMisuse) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small());
        WriteBatch* b = c.Acquire();
        c.Release(b);
        b->Put(0, "k", "v");
      },
      "MISUSE");
}

TEST(BatchCacheDeathTest, ReleaseToAnotherCacheIsBatchIso) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache a(Small());
        BatchCache b(Small());
        b.Release(a.Acquire());
      },
      "BATCH-ISO");
  EXPECT_DEATH(
      {
        BatchCache a(Small());
        WriteBatch standalone;
        a.Release(&standalone);
      },
      "BATCH-ISO");
}

TEST(BatchCacheDeathTest, BatchHeldAtCloseIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        BatchCache c(Small());
        (void)c.Acquire();
      },
      "NO-LEAK");
}
#endif

}  // namespace
