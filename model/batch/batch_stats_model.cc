// model/batch/batch_stats_model.cc — BatchCache::Stats() racing another
// thread's Acquire / Release (batch_cache.h: "Stats: any thread; exact when
// quiescent").
#include "engine/batch/batch_cache.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::BatchCacheStats;
using tlsm::batch::WriteBatch;

// Stats vs Acquire / Release — BATCH-BOUND, BATCH-OWN, NO-LEAK.
// Thread 0 acquires two batches (two misses) and releases both: the first
// goes to its thread cache (capacity 1), the second spills the first to the
// one shard and takes its place. Thread 1 calls Stats() meanwhile: a racing
// Stats need not be exact, but it is data-race free (every shard is read
// under its mutex, every thread cache through Fold), stays within the
// bounds and never reports more than has happened. At the quiescent point
// (thread 0 done, still alive) Stats is exact; the racing one is at most
// it, counter by counter. After thread 0 exited (its cache went to the
// shard) the accounting closes again (Check()).
constexpr std::size_t kThreadCapacity = 1;
constexpr std::size_t kShardCapacity = 2;

struct StatsVsUse : ModelTest<StatsVsUse, 2> {
  BatchCache* cache = nullptr;
  Gate* used = nullptr;     // thread 0 passes once its releases returned
  Gate* checked = nullptr;  // thread 0 stays alive (no exit) until then

  void Setup() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = kThreadCapacity;
    o.thread_target = 0;  // a spill empties the thread cache
    o.shard_capacity = kShardCapacity;
    cache = tlsm::sync::New<BatchCache>(o);
    used = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  // What any Stats() may report while thread 0 runs its four calls.
  static void ExpectBounded(const BatchCacheStats& s) {
    TLSM_INVARIANT(s.max_thread_cached <= kThreadCapacity && s.threads <= 1, "BATCH-BOUND",
                   "Stats saw a thread cache beyond thread_capacity");
    TLSM_INVARIANT(s.max_shard_cached <= kShardCapacity && s.shard_cached <= kShardCapacity,
                   "BATCH-BOUND", "Stats saw a shard beyond shard_capacity");
    TLSM_INVARIANT(s.misses <= 2 && s.allocations <= 2 && s.releases <= 2 && s.spills <= 1 &&
                       s.hits == 0 && s.frees == 0,
                   "BATCH-OWN", "Stats reported more acquires, releases or spills than happened");
  }
  void Body(unsigned t) {
    if (t == 0) {
      WriteBatch* a = cache->Acquire();
      WriteBatch* b = cache->Acquire();
      TLSM_INVARIANT(a != b, "BATCH-OWN", "one batch handed out twice");
      cache->Release(a);  // into the thread cache
      cache->Release(b);  // full: a spills to the shard, b is cached
      used->Pass();
      checked->Wait();
      return;  // exit: b goes to the shard
    }
    const BatchCacheStats racing = cache->Stats();
    ExpectBounded(racing);
    used->Wait();
    // Quiescent: exact. Thread 0 holds no batch; a in the shard, b cached.
    const BatchCacheStats s = cache->Stats();
    ExpectBounded(s);
    TLSM_INVARIANT(s.misses == 2 && s.allocations == 2 && s.releases == 2 && s.spills == 1,
                   "BATCH-OWN", "a quiescent Stats is not exact");
    TLSM_INVARIANT(s.thread_cached == 1 && s.shard_cached == 1 && s.threads == 1, "BATCH-OWN",
                   "a quiescent Stats misplaces a batch");
    TLSM_INVARIANT(s.outstanding() == 0, "NO-LEAK", "a quiescent Stats counts a batch as held");
    TLSM_INVARIANT(racing.misses <= s.misses && racing.releases <= s.releases &&
                       racing.spills <= s.spills && racing.thread_cached + racing.shard_cached <=
                                                        s.allocations,
                   "BATCH-OWN", "a racing Stats reported more than the quiescent one");
    checked->Pass();
  }
  void Check() {
    const BatchCacheStats s = cache->Stats();
    TLSM_INVARIANT(s.threads == 0 && s.thread_cached == 0 && s.shard_cached == 2, "BATCH-OWN",
                   "an exited thread's cache did not go to the shard");
    TLSM_INVARIANT(s.allocations - s.frees == s.shard_cached, "NO-LEAK",
                   "a batch is neither retained nor freed");
  }
  void Teardown() {
    tlsm::sync::Delete(cache);
    tlsm::sync::Delete(used);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(StatsVsUse, "batch.stats_vs_use",
                    (std::vector<std::string>{"BATCH-BOUND", "BATCH-OWN", "NO-LEAK"}),
                    "Stats() on one thread while another acquires and releases (a spill to "
                    "the shard); exact once quiescent",
                    "BATCH-BOUND")

}  // namespace
}  // namespace tlsm::model
