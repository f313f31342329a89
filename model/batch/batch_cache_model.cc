// model/batch/batch_cache_model.cc — Relacy scenarios of BatchCache.
//
// Batches are plain data in a sync::Cell: two threads holding the same batch
// and writing it are reported as a data race (BATCH-OWN), a batch freed
// while still referenced as use-after-free/double free, a batch never freed
// as a leak (NO-LEAK). The engine's own ownership checks (owner state,
// origin) report BATCH-OWN / BATCH-ISO directly.
#include "engine/batch/batch_cache.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::WriteBatch;
using tlsm::sync::Atomic;
using tlsm::sync::Order;

// Puts one op and checks the batch came cleared from the cache.
void UseBatch(BatchCache* cache, WriteBatch* b, unsigned t) {
  TLSM_INVARIANT(cache->Allocated(b), "BATCH-ISO", "Acquire returned another cache's batch");
  TLSM_INVARIANT(b->Count() == 0, "BATCH-OWN", "Acquire returned a batch that was not cleared");
  const char key[2] = {static_cast<char>('a' + t), 0};
  b->Put(0, key, "v");
  TLSM_INVARIANT(b->Count() == 1, "BATCH-OWN", "another owner changed a held batch");
}

// Accounting once quiescent: every allocated, unfreed batch is retained
// exactly once (callers hold none).
void CheckAccounting(const BatchCache& cache) {
  const auto s = cache.Stats();
  const std::uint64_t alive = s.allocations - s.frees;
  const std::uint64_t retained = s.thread_cached + s.shard_cached;
  TLSM_INVARIANT(retained <= alive, "BATCH-OWN",
                 "more batches retained than alive: a batch is in two places");
  TLSM_INVARIANT(retained >= alive, "NO-LEAK", "a batch is neither retained nor freed");
}

// (1) Two threads acquire and release through one shard — BATCH-OWN, NO-LEAK.
// Thread 0 fills the shard (its second release goes there) and exits (its
// thread cache goes to the shard too); thread 1 acquires twice from the same
// shard, so a batch the shard handed out and still keeps is handed out twice.
struct SharedShard : ModelTest<SharedShard, 2> {
  BatchCache* cache = nullptr;

  void Setup() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = 1;
    o.thread_target = 1;
    o.shard_capacity = 4;
    cache = tlsm::sync::New<BatchCache>(o);
  }
  void Body(unsigned t) {
    WriteBatch* a = cache->Acquire();
    UseBatch(cache, a, t);
    WriteBatch* b = cache->Acquire();
    UseBatch(cache, b, t);
    cache->Release(a);
    cache->Release(b);
    if (t == 1) {
      WriteBatch* c = cache->Acquire();
      UseBatch(cache, c, t);
      WriteBatch* d = cache->Acquire();
      UseBatch(cache, d, t);
      TLSM_INVARIANT(c != d, "BATCH-OWN", "one batch handed out twice");
      cache->Release(d);
      cache->Release(c);
    }
  }
  void Check() {
    CheckAccounting(*cache);
    auto s = cache->Stats();
    TLSM_INVARIANT(s.threads == 0 && s.thread_cached == 0, "BATCH-OWN",
                   "an exited thread's cache still holds batches");
  }
  void Teardown() { tlsm::sync::Delete(cache); }
};

TLSM_MODEL_SCENARIO(SharedShard, "batch.shared_shard",
                    (std::vector<std::string>{"BATCH-OWN", "NO-LEAK"}),
                    "two threads acquire/release through one shard; one exits meanwhile",
                    "BATCH-OWN")

// (2) Thread exit racing DB close and another thread's acquire/release —
// BATCH-OWN, BATCH-ISO, NO-LEAK. Threads 0 and 1 use the cache (thread 1
// acquires twice from the shard thread 0 fills), announce they are done and
// exit; thread 2 closes and destroys the cache as soon as both announced, so
// the exits' unref handlers race the column reclaim and the shard close.
struct ExitVsClose : ModelTest<ExitVsClose, 3> {
  BatchCache* cache = nullptr;
  Gate* done = nullptr;  // each user passes once

  void Setup() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = 1;
    o.thread_target = 1;
    o.shard_capacity = 1;  // thread exit overflows: the rest must be freed
    cache = tlsm::sync::New<BatchCache>(o);
    done = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t < 2) {
      WriteBatch* a = cache->Acquire();
      UseBatch(cache, a, t);
      WriteBatch* b = cache->Acquire();
      UseBatch(cache, b, t);
      cache->Release(a);  // into the thread cache
      cache->Release(b);  // thread cache full: to the shard (or freed)
      // The closer sees every use of the cache before it closes (the pass
      // happens-before its Wait returns).
      done->Pass();
      return;  // exit: the thread cache goes to the shard or is freed
    }
    done->Wait(2);
    tlsm::sync::Delete(cache);  // DB close: Close() + destroy
    cache = nullptr;
  }
  void Teardown() { tlsm::sync::Delete(done); }
  // NO-LEAK: Relacy's leak check (every batch freed after close) and the
  // core's own check (no batch held by a caller when its last ref goes).
};

TLSM_MODEL_SCENARIO(ExitVsClose, "batch.exit_vs_close",
                    (std::vector<std::string>{"BATCH-OWN", "BATCH-ISO", "NO-LEAK"}),
                    "two threads use and exit while a third closes the cache", "BATCH-OWN")

// (3) Two DBs shared by two threads — BATCH-ISO. Each thread uses both
// caches in opposite order; every batch must come from the cache asked.
struct TwoDbs : ModelTest<TwoDbs, 2> {
  BatchCache* caches[2] = {};

  void Setup() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = 2;
    o.thread_target = 1;
    o.shard_capacity = 2;
    for (auto& c : caches) c = tlsm::sync::New<BatchCache>(o);
  }
  void Body(unsigned t) {
    for (unsigned i = 0; i < 2; ++i) {
      BatchCache* c = caches[(t + i) % 2];
      WriteBatch* b = c->Acquire();
      UseBatch(c, b, t);
      c->Release(b);
    }
    BatchCache* c = caches[t];
    WriteBatch* b = c->Acquire();  // from this thread's cache of c
    UseBatch(c, b, t);
    c->Release(b);
  }
  void Check() {
    for (auto* c : caches) CheckAccounting(*c);
  }
  void Teardown() {
    for (auto* c : caches) tlsm::sync::Delete(c);
  }
};

TLSM_MODEL_SCENARIO(TwoDbs, "batch.two_dbs", (std::vector<std::string>{"BATCH-ISO", "NO-LEAK"}),
                    "two threads use two DBs' caches in opposite order", "BATCH-ISO")

// (4) Retention bounds — BATCH-BOUND. Thread capacity 2, target 1, shard
// capacity 1, max batch 64 bytes. Each thread grows one batch past the limit
// and releases four; the thread cache never exceeds its capacity, the shard
// its capacity, and no batch handed out later is oversize.
constexpr std::size_t kMaxBytes = 64;
struct RetentionBounds : ModelTest<RetentionBounds, 2> {
  BatchCache* cache = nullptr;

  void Setup() {
    BatchCacheOptions o;
    o.num_shards = 1;
    o.thread_capacity = 2;
    o.thread_target = 1;
    o.shard_capacity = 1;
    o.max_batch_bytes = kMaxBytes;
    cache = tlsm::sync::New<BatchCache>(o);
  }
  void CheckBounds() {
    TLSM_INVARIANT(cache->ThreadCachedCount() <= 2, "BATCH-BOUND",
                   "a thread cache holds more than thread_capacity batches");
    for (std::size_t n : cache->ShardSizes()) {
      TLSM_INVARIANT(n <= 1, "BATCH-BOUND", "a shard holds more than shard_capacity batches");
    }
  }
  void Body(unsigned t) {
    WriteBatch* b[4];
    for (auto& x : b) {
      x = cache->Acquire();
      TLSM_INVARIANT(x->Capacity() <= kMaxBytes, "BATCH-BOUND",
                     "an oversize batch was retained and handed out again");
    }
    b[0]->Put(0, "big", std::string(2 * kMaxBytes, 'x'));
    for (auto* x : b) {
      cache->Release(x);
      CheckBounds();
    }
    for (auto& x : b) {
      x = cache->Acquire();
      TLSM_INVARIANT(x->Capacity() <= kMaxBytes, "BATCH-BOUND",
                     "an oversize batch was retained and handed out again");
    }
    for (auto* x : b) cache->Release(x);
    CheckBounds();
  }
  void Check() {
    auto s = cache->Stats();
    TLSM_INVARIANT(s.shard_cached <= 1 && s.bytes_retained <= s.shard_cached * kMaxBytes,
                   "BATCH-BOUND", "retained batches or bytes exceed the limits");
    CheckAccounting(*cache);
  }
  void Teardown() { tlsm::sync::Delete(cache); }
};

TLSM_MODEL_SCENARIO(RetentionBounds, "batch.retention_bounds",
                    (std::vector<std::string>{"BATCH-BOUND", "NO-LEAK"}),
                    "two threads overfill small thread caches and a shard; one batch is oversize",
                    "BATCH-OWN")

}  // namespace
}  // namespace tlsm::model
