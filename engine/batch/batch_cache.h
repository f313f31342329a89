// engine/batch/batch_cache.h — per-DB reuse of write batches.
//
//   BatchCache cache(BatchCacheOptions{});      // one per DB instance
//   WriteBatch* b = cache.Acquire();            // thread cache, shard, or new
//   b->Put(cf, key, value); ... apply b ...
//   cache.Release(b);                           // cleared and retained/freed
//   cache.Close();                              // DB close (also ~BatchCache)
//
// Layout (docs/batch_cache.md has the picture):
//   thread cache  one matrix column per BatchCache: each thread keeps up to
//                 `thread_capacity` cleared batches, LIFO, no lock.
//   shards        `num_shards` mutex-protected pools; a thread sticks to the
//                 shard picked round-robin when its thread cache was created.
// Acquire: pop the thread cache; else take up to max(1, thread_target)
//   batches from the thread's shard (one is returned, the rest refill the
//   thread cache); else allocate (a miss).
// Release: the batch is cleared; one whose Capacity() exceeds
//   `max_batch_bytes` is freed. If the thread cache is full, its oldest
//   batches are spilled to the shard until `thread_target` remain; a shard at
//   `shard_capacity` frees the overflow. Then the batch is cached.
// Thread exit (the column's unref handler): the thread's cached batches go to
//   its shard, oldest first, up to shard capacity; the rest are freed.
// Close (DB close or the destructor): every retained batch is freed: the
//   shards now, every thread cache by reclaiming the column. A thread exiting
//   concurrently frees its own (the shared core outlives every thread cache).
//
// Contract
//   Acquire/Release: any thread, concurrently, until Close starts. Release
//   takes only batches this cache handed out and still held by the caller:
//   a batch of another cache (BATCH-ISO) or one already released ("MISUSE")
//   is reported by debug checks and never retained. Every acquired batch
//   must be released before Close (a batch still held at close is reported
//   as "NO-LEAK" when the last reference to the cache's core goes).
//   Stats: any thread; exact when quiescent.
// Invariants: BATCH-OWN, BATCH-ISO, BATCH-BOUND, NO-LEAK (docs/invariants.md).
// Cost: Acquire/Release on a warm thread cache take no lock and allocate
//   nothing (one slot load, a vector pop/push, owner-only relaxed counters).
#pragma once

#include "engine/batch/write_batch.h"
#include "engine/tls/thread_local_ptr.h"

TLSM_BEGIN
namespace perf {
class PerfAggregate;
}
namespace batch {

struct BatchCacheOptions {
  std::size_t thread_capacity = 8;  // batches a thread cache may hold
  std::size_t thread_target = 4;    // left in a full thread cache after a spill
  std::size_t num_shards = 4;       // shared pools (>= 1)
  std::size_t shard_capacity = 64;  // batches a shard may hold
  std::size_t max_batch_bytes = std::size_t{1} << 20;  // larger ones are freed
  // Optional: also count hits/misses into this DB aggregate (not owned).
  perf::PerfAggregate* perf_aggregate = nullptr;
};

struct BatchCacheStats {
  std::uint64_t hits = 0;          // acquires served by a thread cache or shard
  std::uint64_t thread_hits = 0;   // ... of which by the thread cache
  std::uint64_t shard_hits = 0;    // ... of which by the shard
  std::uint64_t misses = 0;        // acquires that had to allocate
  std::uint64_t allocations = 0;   // batches allocated (== misses)
  std::uint64_t frees = 0;         // batches freed (oversize, overflow, exit, close)
  std::uint64_t releases = 0;      // Release calls
  std::uint64_t spills = 0;        // batches moved from a thread cache to a shard
  std::size_t thread_cached = 0;   // batches in live thread caches
  std::size_t shard_cached = 0;    // batches in shards
  std::size_t bytes_retained = 0;  // Capacity() of every retained batch
  std::size_t max_thread_cached = 0;  // largest live thread cache
  std::size_t max_shard_cached = 0;   // largest shard
  std::size_t threads = 0;            // live thread caches
  // Batches held by callers: allocations - frees - retained.
  std::uint64_t outstanding() const {
    return allocations - frees - thread_cached - shard_cached;
  }
};

namespace detail {
struct BatchCore;
}

class BatchCache {
 public:
  explicit BatchCache(BatchCacheOptions options = {});
  ~BatchCache();  // Close()
  BatchCache(const BatchCache&) = delete;
  BatchCache& operator=(const BatchCache&) = delete;

  // A cleared batch held by the caller.
  WriteBatch* Acquire();
  // Gives b back: cleared, then retained or freed per the policy.
  void Release(WriteBatch* b);
  // Frees every retained batch and every thread cache. Idempotent. No
  // Acquire/Release may run concurrently or afterwards.
  void Close();
  bool closed() const { return column_ == nullptr; }

  BatchCacheStats Stats() const;
  const BatchCacheOptions& options() const { return options_; }
  // True when b was allocated by this cache (BATCH-ISO).
  bool Allocated(const WriteBatch* b) const { return b->origin() == core_; }
  // Batches in the calling thread's cache (0 if it has none).
  std::size_t ThreadCachedCount() const;
  // The shard the calling thread sticks to, or -1 if it has no thread cache.
  int ThreadShard() const;
  // Batches in each shard.
  std::vector<std::size_t> ShardSizes() const;

 private:
  tls::ThreadLocalColumn* Column() const;
  void* LocalCache() const;  // the calling thread's cache or nullptr
  void* EnsureLocalCache();  // creates it on first use

  const BatchCacheOptions options_;
  // The shared state: shards, retired stats, refcounted (each thread cache
  // holds a reference, so an exit handler racing Close never sees it freed).
  detail::BatchCore* const core_;
  // The thread-cache column; owned, destroyed (reclaimed) by Close.
  tls::ThreadLocalColumn* column_;
};

}  // namespace batch
TLSM_END
