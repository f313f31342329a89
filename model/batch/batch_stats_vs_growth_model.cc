// model/batch/batch_stats_vs_growth_model.cc — BatchCache::Stats() racing a
// thread that grows its matrix row (its first use of a second DB's cache,
// whose column id is beyond the row's slot array).
#include "engine/batch/batch_cache.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::BatchCacheStats;
using tlsm::batch::WriteBatch;

// Stats vs row growth — BATCH-OWN, NO-LEAK (and TLS-OWN: a Fold visits
// every non-null value). Cache `a` is created first, so its column has the
// lowest id; `b` (a second DB's) gets a higher one. Thread 0 acquires and
// releases one batch of `a` (a miss; the batch stays in its thread cache),
// making the oldest row; threads 1 and 2 then do the same (newer rows: the
// Fold of Stats visits them first, eight counter loads each). Thread 1 then
// lets thread 0 use `b` for the first time — its row grows: a new slot array
// replaces the old one under the registry lock, with the old values copied
// in — and calls a.Stats() meanwhile. Nobody uses `a` or exits during that
// Stats(): `a` is quiescent ("exact when quiescent", batch_cache.h), so it
// reports three thread caches of one batch each, whatever the growth does.
// Threads 0 and 2 exit only after it; then the caches went to the shard
// (Check()).
struct StatsVsGrowth : ModelTest<StatsVsGrowth, 3> {
  BatchCache* a = nullptr;
  BatchCache* b = nullptr;
  Gate* oldest = nullptr;    // thread 0 used a: its row is the oldest
  Gate* used = nullptr;      // thread 2 used a
  Gate* grow = nullptr;      // thread 0 may use b now
  Gate* counted = nullptr;   // the Stats() racing the growth is done

  static BatchCacheOptions Options() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = 1;
    o.thread_target = 0;
    o.shard_capacity = 4;
    return o;
  }
  void Setup() {
    a = tlsm::sync::New<BatchCache>(Options());  // also creates the PerfContext column
    b = tlsm::sync::New<BatchCache>(Options());
    oldest = tlsm::sync::New<Gate>();
    used = tlsm::sync::New<Gate>();
    grow = tlsm::sync::New<Gate>();
    counted = tlsm::sync::New<Gate>();
  }
  static void UseOnce(BatchCache* c) {
    WriteBatch* w = c->Acquire();  // a miss: this thread's first use
    c->Release(w);                 // into this thread's cache
  }
  void Body(unsigned t) {
    if (t == 0) {
      UseOnce(a);
      oldest->Pass(2);
      grow->Wait();
      UseOnce(b);  // the row grows: b's column is new to it
      counted->Wait();
      return;  // exit: both caches go to their shards
    }
    oldest->Wait();
    if (t == 2) {
      UseOnce(a);
      used->Pass();
      counted->Wait();
      return;
    }
    UseOnce(a);
    used->Wait();
    grow->Pass();
    const BatchCacheStats s = a->Stats();
    TLSM_INVARIANT(s.threads == 3 && s.thread_cached == 3 && s.misses == 3 && s.releases == 3,
                   "BATCH-OWN",
                   "Stats() of a quiescent cache missed a live thread cache (its row was "
                   "growing for another column)");
    TLSM_INVARIANT(s.outstanding() == 0, "NO-LEAK", "a quiescent Stats counts a batch as held");
    counted->Pass(2);
  }
  void Check() {
    const BatchCacheStats s = a->Stats();
    TLSM_INVARIANT(s.threads == 0 && s.thread_cached == 0 && s.shard_cached == 3, "BATCH-OWN",
                   "an exited thread's cache did not go to the shard");
    TLSM_INVARIANT(s.allocations - s.frees == s.shard_cached, "NO-LEAK",
                   "a batch is neither retained nor freed");
    TLSM_INVARIANT(b->Stats().shard_cached == 1, "BATCH-OWN",
                   "the second cache lost thread 0's batch");
  }
  void Teardown() {
    tlsm::sync::Delete(b);
    tlsm::sync::Delete(a);
    tlsm::sync::Delete(oldest);
    tlsm::sync::Delete(used);
    tlsm::sync::Delete(grow);
    tlsm::sync::Delete(counted);
  }
};

TLSM_MODEL_SCENARIO(StatsVsGrowth, "batch.stats_vs_growth",
                    (std::vector<std::string>{"BATCH-OWN", "NO-LEAK", "TLS-OWN"}),
                    "three threads use a batch cache, then one grows its row (its first use of "
                    "a second cache) while another reads the first one's Stats()",
                    "BATCH-OWN")

}  // namespace
}  // namespace tlsm::model
