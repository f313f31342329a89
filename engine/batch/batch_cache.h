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
//   Allocation failure: the constructor and Acquire may throw
//   std::bad_alloc (a thread's first call makes its thread cache; a miss
//   allocates a batch); nothing is left behind then. Release, Close, the
//   destructor and thread exit never fail: a Release that cannot make this
//   thread's cache or a spill list frees the batch (counted in frees), and
//   a shard that cannot grow counts as full.
// Invariants: BATCH-OWN, BATCH-ISO, BATCH-BOUND, NO-LEAK (docs/invariants.md).
// Cost (the fast path contract): a thread-cache hit — Acquire with a batch
//   in the calling thread's cache, Release of one of this cache's batches
//   with room in the thread cache and Capacity() <= max_batch_bytes — is
//   inline below: one matrix Get by the column id kept in the cache (an
//   acquire load, no RMW: only the owner thread, its exit, or Close — never
//   concurrent with the owner's calls — change the slot), a pop or push on a
//   preallocated array, one load and store of the owner-only fill word
//   (count and bytes together), on Acquire the PerfContext gate (a compare
//   against a constant), on Release the origin check, Clear() and one
//   owner-only counter (thread hits are derived from it in Stats). No lock,
//   no allocation, no call. Everything else (first use on a thread, refill
//   from the shard, spill, oversize, misuse reports, mutants) is out of line
//   in batch_cache.cc. Debug builds and the model build add the owner-state
//   checks on both paths (BATCH-ISO on a hit, "MISUSE" on a double release;
//   one relaxed exchange per state change). docs/batch_cache.md has the
//   numbers and what each step costs.
#pragma once

#include "engine/batch/write_batch.h"
#include "engine/perf/perf_aggregate.h"
#include "engine/perf/perf_context.h"
#include "engine/tls/thread_local_ptr.h"

TLSM_BEGIN
namespace batch {

struct BatchCacheOptions {
  std::size_t thread_capacity = 8;  // batches a thread cache may hold (<= 65 535;
                                    // larger values are clamped)
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

// One thread's cache of one BatchCache: the value in the thread's slot of the
// cache's column. Owned by its thread (through the slot); handed to the
// column's unref handler at thread exit or column reclaim. Defined here so a
// thread-cache hit runs inline; the rest of its life is in batch_cache.cc.
// The fields every hit touches come first (64 bytes together in production).
struct ThreadCache {
  ThreadCache(BatchCore* c, std::uint32_t s, std::size_t capacity);

  // The cached batches: stack[0, count), oldest first, the newest on top.
  // Sized thread_capacity up front, so a hit never allocates; entries at and
  // above `count` are stale. Owner only.
  sync::Cell<std::vector<WriteBatch*>> stack;
  // How full `stack` is, as one word so that a hit loads and stores it once:
  // the batches in it (low kCountBits bits) and their Capacity() sum (the
  // rest). Owner-written (relaxed: one writer), read by Stats through Fold.
  static constexpr unsigned kCountBits = 16;
  static constexpr std::size_t kMaxCount = (std::size_t{1} << kCountBits) - 1;
  sync::Atomic<std::uint64_t> fill{0};
  static std::size_t CountOf(std::uint64_t f) { return f & kMaxCount; }
  static std::size_t BytesOf(std::uint64_t f) { return f >> kCountBits; }
  std::uint64_t Fill() const { return fill.Load(sync::Order::kRelaxed); }
  std::size_t Count() const { return CountOf(Fill()); }
  std::size_t Bytes() const { return BytesOf(Fill()); }
  // release: a Stats that reads the fill (acquire) sees `removed` at least as
  // recent (ThreadHits in batch_cache.cc). A plain store on x86.
  void SetFill(std::size_t count, std::size_t bytes) {
    fill.Store((std::uint64_t{bytes} << kCountBits) | count, sync::Order::kRelease);
  }
  // Batches the inline Release pushed (each one also a Release call). A hit
  // bumps no counter: thread hits are derived (ThreadHits in batch_cache.cc:
  // every batch that entered the stack and did not leave it by a spill or
  // the exit drain, and is not in it now, left it by a hit).
  sync::Atomic<std::uint64_t> fast_releases{0};
  // This thread's PerfContext, looked up once. Both live in slots of this
  // thread's row and leave it in the same teardown round, and the exit
  // handler does not use it, so it never dangles while the cache is in use.
  perf::PerfContext* const perf_ctx;

  // Cold: slow paths only.
  BatchCore* const core;  // holds a reference
  const std::uint32_t shard;
  sync::Atomic<std::uint64_t> shard_hits{0}, misses{0}, frees{0}, spills{0};
  // Release calls that took the slow path; batches the slow paths pushed
  // (a refill, a slow Release's batch); batches that left the stack other
  // than by a hit (spills; the exit drain leaves them counted in `count`).
  sync::Atomic<std::uint64_t> slow_releases{0}, slow_pushes{0}, removed{0};
};

// Owner-only counter bump (relaxed: one writer, Stats reads any recent value).
inline void Bump(sync::Atomic<std::uint64_t>& a, std::uint64_t n = 1) {
  a.Store(a.Load(sync::Order::kRelaxed) + n, sync::Order::kRelaxed);
}
// Bump of a counter of batches pushed onto the stack, after the fill word
// (and `removed`) were written. release: a Stats that reads the counter
// (acquire) before the fill word then sees a fill at least as recent, so the
// thread hits it derives never exceed the real ones (ThreadHits). A plain
// store on x86.
inline void BumpPushes(sync::Atomic<std::uint64_t>& a, std::uint64_t n = 1) {
  a.Store(a.Load(sync::Order::kRelaxed) + n, sync::Order::kRelease);
}
// PerfCount with everything inline (an out-of-line call costs more than the
// gate on the Acquire fast path).
inline void CountPerf(perf::PerfContext* ctx, perf::Counter c, perf::PerfAggregate* agg) {
  if (!ctx->Enabled(c)) return;
  ctx->block().Add(c, 1);
  if (agg != nullptr) agg->Add(c, 1);
}

}  // namespace detail

// Private access to WriteBatch for the cache (its owner state).
struct BatchAccess {
  static WriteBatch* Allocate(const void* origin) {
    return sync::New<WriteBatch>(WriteBatch::Origin{origin});
  }
  // Moves b from `from` to `to`; reports `id` when b was not in `from`.
  static void Transition(WriteBatch* b, BatchState from, BatchState to, const char* id,
                         const char* message) {
#if TLSM_DEBUG_CHECKS
    // relaxed: ownership hand-offs (mutex, slot) order these; the exchange
    // catches two owners racing on one batch.
    const auto prev = static_cast<BatchState>(
        b->state_.Exchange(static_cast<std::uint8_t>(to), sync::Order::kRelaxed));
    TLSM_INVARIANT(prev == from, id, message);
#else
    (void)b, (void)from, (void)to, (void)id, (void)message;
#endif
  }
};

class BatchCache {
 public:
  explicit BatchCache(BatchCacheOptions options = {});
  ~BatchCache();  // Close()
  BatchCache(const BatchCache&) = delete;
  BatchCache& operator=(const BatchCache&) = delete;

  // A cleared batch held by the caller. Inline thread-cache hit, else
  // AcquireSlow.
  WriteBatch* Acquire();
  // Gives b back: cleared, then retained or freed per the policy. Inline
  // when the thread cache has room and b is within max_batch_bytes, else
  // ReleaseSlow.
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
  // The calling thread's cache through column_ (inline), or nullptr. The
  // slow paths look up Column() instead, which is column_ except under the
  // batch_shared_thread_column mutant (whose caches live in another column,
  // so this returns nullptr and every call takes the slow path there).
  detail::ThreadCache* FastCache() const;
  // The thread-cache hit shared by the fast and the slow path: takes the
  // top of tc's stack (f = its fill, with a count > 0).
  WriteBatch* PopThreadCache(detail::ThreadCache* tc, std::uint64_t f);
  // Everything but a thread-cache hit (batch_cache.cc).
  WriteBatch* AcquireSlow();
  void ReleaseSlow(WriteBatch* b);

  const BatchCacheOptions options_;
  // The shared state: shards, retired stats, refcounted (each thread cache
  // holds a reference, so an exit handler racing Close never sees it freed).
  detail::BatchCore* const core_;
  // The thread-cache column; owned, destroyed (reclaimed) by Close.
  tls::ThreadLocalColumn* column_;
  // column_->id(), kept here so that a hit's lookup skips loading column_.
  const std::uint32_t column_id_;
};

inline detail::ThreadCache* BatchCache::FastCache() const {
  TLSM_INVARIANT(column_ != nullptr, "MISUSE", "BatchCache used after Close");
  return static_cast<detail::ThreadCache*>(tls::ThreadLocalColumn::GetById(column_id_));
}

inline WriteBatch* BatchCache::PopThreadCache(detail::ThreadCache* tc, std::uint64_t f) {
  const std::size_t n = detail::ThreadCache::CountOf(f);
  WriteBatch* b = tc->stack.WithMut([n](std::vector<WriteBatch*>& v) { return v[n - 1]; });
  TLSM_INVARIANT(Allocated(b), "BATCH-ISO", "a thread cache handed out another DB's batch");
  BatchAccess::Transition(b, BatchState::kThreadCached, BatchState::kHeld, "BATCH-OWN",
                          "a batch handed out by a thread cache was not cached there");
  tc->SetFill(n - 1, detail::ThreadCache::BytesOf(f) - b->Capacity());
  detail::CountPerf(tc->perf_ctx, perf::Counter::kBatchCacheHits, options_.perf_aggregate);
  return b;
}

inline WriteBatch* BatchCache::Acquire() {
  if (detail::ThreadCache* tc = FastCache()) {
    // The owner (this thread) is fill's only writer.
    const std::uint64_t f = tc->Fill();
    if (detail::ThreadCache::CountOf(f) != 0) return PopThreadCache(tc, f);
  }
  return AcquireSlow();
}

inline void BatchCache::Release(WriteBatch* b) {
  detail::ThreadCache* tc = FastCache();
  if (tc != nullptr && b != nullptr && Allocated(b)) {
    TLSM_INVARIANT(b->state() == BatchState::kHeld, "MISUSE",
                   "a batch was released twice (it is already cached)");
    // The owner is fill's only writer.
    const std::uint64_t f = tc->Fill();
    const std::size_t n = detail::ThreadCache::CountOf(f);
    const std::size_t cap = b->Capacity();  // Clear() keeps it
    if (n < options_.thread_capacity && cap <= options_.max_batch_bytes) {
      b->Clear();
      BatchAccess::Transition(b, BatchState::kHeld, BatchState::kThreadCached, "MISUSE",
                              "a batch was released twice (it is already cached)");
      tc->stack.WithMut([n, b](std::vector<WriteBatch*>& v) { v[n] = b; });
      tc->SetFill(n + 1, detail::ThreadCache::BytesOf(f) + cap);
      detail::BumpPushes(tc->fast_releases);
      return;
    }
  }
  ReleaseSlow(b);
}

}  // namespace batch
TLSM_END
