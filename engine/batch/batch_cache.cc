// engine/batch/batch_cache.cc — thread caches, shards, retention, close.
#include "engine/batch/batch_cache.h"

#include "engine/perf/perf_aggregate.h"
#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace batch {

using sync::Mutant;
using sync::MutantIs;
using sync::Order;

namespace detail {

// Counters of one thread cache, or the retired ones of the core.
struct Totals {
  std::uint64_t thread_hits = 0, shard_hits = 0, misses = 0, frees = 0, releases = 0,
                spills = 0;
  Totals& operator+=(const Totals& o) {
    thread_hits += o.thread_hits;
    shard_hits += o.shard_hits;
    misses += o.misses;
    frees += o.frees;
    releases += o.releases;
    spills += o.spills;
    return *this;
  }
};

struct Shard {
  sync::Mutex mu;
  sync::Cell<std::vector<WriteBatch*>> batches TLSM_GUARDED_BY(mu);  // oldest first
  sync::Cell<std::size_t> bytes TLSM_GUARDED_BY(mu){std::size_t{0}};  // Capacity() sum
  sync::Cell<bool> closed TLSM_GUARDED_BY(mu){false};                 // set by Close
  char pad[64];                                   // keep shards' locks apart
};

// The state shared by a BatchCache and its thread caches. References: the
// BatchCache (dropped by its destructor) and one per live thread cache
// (dropped by the column's unref handler), so a thread exiting while the DB
// closes still finds its shard and the retired totals alive.
struct BatchCore {
  explicit BatchCore(const BatchCacheOptions& o)
      : opts(o), num_shards(std::max<std::size_t>(1, o.num_shards)),
        shards(sync::NewArray<Shard>(num_shards)) {
    NameInHistory();
  }
  // Names the core and its shards in the model's history: "batch cache#1",
  // "batch cache#1 shard[0].mu", ... (the number counts caches per execution).
  // Runs in the constructor, before the core is shared: it takes the fields'
  // addresses for their names and touches no guarded state, so no lock.
  void NameInHistory() const TLSM_NO_THREAD_SAFETY_ANALYSIS {
    static const char kCaches = 0;  // HistorySerial's scope
    const unsigned n = sync::HistorySerial(&kCaches);
    sync::Name(*this, "batch cache#%u", n);
    sync::Name(refs, "batch cache#%u.refs", n);
    sync::Name(next_shard, "batch cache#%u.next_shard", n);
    sync::Name(mu, "batch cache#%u.mu", n);
    sync::Name(retired, "batch cache#%u.retired", n);
    for (std::size_t i = 0; i < num_shards; ++i) {
      sync::Name(shards[i], "batch cache#%u shard[%zu]", n, i);
      sync::Name(shards[i].mu, "batch cache#%u shard[%zu].mu", n, i);
      sync::Name(shards[i].batches, "batch cache#%u shard[%zu].batches", n, i);
      sync::Name(shards[i].bytes, "batch cache#%u shard[%zu].bytes", n, i);
      sync::Name(shards[i].closed, "batch cache#%u shard[%zu].closed", n, i);
    }
  }
  ~BatchCore() {
    Totals t = retired.With([](const Totals& x) { return x; });
    TLSM_INVARIANT(t.misses == t.frees, "NO-LEAK",
                   "a batch was still held by a caller when its BatchCache was destroyed");
    sync::DeleteArray(shards, num_shards);
  }
  void Ref() {
    // relaxed: the caller already holds a reference.
    refs.FetchAdd(1, Order::kRelaxed);
  }
  void Unref() {
    // acq_rel: the last owner sees every other owner's writes before freeing.
    if (refs.FetchSub(1, Order::kAcqRel) == 1) sync::Delete(this);
  }
  void Retire(const Totals& t) {
    mu.Lock();
    retired.WithMut([&](Totals& r) { r += t; });
    mu.Unlock();
  }

  const BatchCacheOptions opts;
  const std::size_t num_shards;
  Shard* const shards;
  sync::Atomic<std::uint32_t> next_shard{0};  // round-robin shard choice
  sync::Atomic<std::int64_t> refs{1};
  sync::Mutex mu;
  sync::Cell<Totals> retired TLSM_GUARDED_BY(mu);  // exited thread caches, close frees
};

ThreadCache::ThreadCache(BatchCore* c, std::uint32_t s, std::size_t capacity)
    : perf_ctx(perf::GetPerfContext()), core(c), shard(s) {
  const unsigned t = sync::HistoryThread();
  sync::Name(*this, "batch thread cache[T%u]", t);
  sync::Name(stack, "batch thread cache[T%u].stack", t);
  sync::Name(fill, "batch thread cache[T%u].fill", t);
  sync::Name(fast_releases, "batch thread cache[T%u].fast_releases", t);
  sync::Name(shard_hits, "batch thread cache[T%u].shard_hits", t);
  sync::Name(misses, "batch thread cache[T%u].misses", t);
  sync::Name(frees, "batch thread cache[T%u].frees", t);
  sync::Name(spills, "batch thread cache[T%u].spills", t);
  sync::Name(slow_releases, "batch thread cache[T%u].slow_releases", t);
  sync::Name(slow_pushes, "batch thread cache[T%u].slow_pushes", t);
  sync::Name(removed, "batch thread cache[T%u].removed", t);
  // Sized once: a thread-cache hit never allocates.
  stack.WithMut([&](std::vector<WriteBatch*>& v) { v.resize(capacity, nullptr); });
}

namespace {

// Batches that left tc's stack by a hit: every batch that entered it
// (pushed by the inline Release or a slow path) and neither left it by a
// spill nor is in it now. Exact when the owner is not running (its exit
// handler, or Stats when quiescent). While it runs, never more than the hits
// so far: the push counters are read first (acquire, pairing with
// BumpPushes, which follows the fill store), then the fill (acquire, pairing
// with SetFill, which follows the `removed` bump of a spill), then
// `removed`; so what is read after a counter is at least as recent as it. A
// later hit only lowers the count read; a later push or spill raises the
// batches counted out, hence the clamp at 0.
std::uint64_t ThreadHits(const ThreadCache& tc) {
  // Injected (batch_stats_hits_relaxed): the reads are not ordered.
  const Order acquire =
      MutantIs(Mutant::batch_stats_hits_relaxed) ? Order::kRelaxed : Order::kAcquire;
  const std::uint64_t in = tc.fast_releases.Load(acquire) + tc.slow_pushes.Load(acquire);
  const std::uint64_t fill = tc.fill.Load(acquire);
  const std::uint64_t out = tc.removed.Load(Order::kRelaxed) + ThreadCache::CountOf(fill);
  return in > out ? in - out : 0;
}

// The counters of a thread cache (relaxed reads: Stats, or its owner).
Totals Snapshot(const ThreadCache& tc) {
  Totals t;
  t.thread_hits = ThreadHits(tc);
  t.shard_hits = tc.shard_hits.Load(Order::kRelaxed);
  t.misses = tc.misses.Load(Order::kRelaxed);
  t.frees = tc.frees.Load(Order::kRelaxed);
  t.releases = tc.fast_releases.Load(Order::kRelaxed) + tc.slow_releases.Load(Order::kRelaxed);
  t.spills = tc.spills.Load(Order::kRelaxed);
  return t;
}

// Writes b at stack index i (i <= v.size()): slow paths only, where the
// stack may have to grow (thread_target > thread_capacity in a release
// build, or the batch_ignore_thread_capacity mutant).
void StackPut(std::vector<WriteBatch*>& v, std::size_t i, WriteBatch* b) {
  if (i < v.size()) {
    v[i] = b;
  } else {
    v.push_back(b);
  }
}

void FreeBatch(WriteBatch* b) { sync::Delete(b); }

// Puts `batches` (oldest first) into the shard up to its capacity; the ones
// that did not fit (or all, if the shard is closed) stay in *batches and
// the caller frees them outside the lock.
// Moves into the shard what fits (not closed, within shard_capacity) and
// leaves the rest in *batches, for the caller to free. Never throws: the
// shard's vector grows once up front, and a growth that fails counts as a
// full shard (the batches are freed instead of retained).
void PushToShard(BatchCore* core, std::uint32_t shard_index, std::vector<WriteBatch*>* batches,
                 bool* pushed_any) noexcept {
  Shard& shard = core->shards[shard_index];
  bool closed_before = false;
  if (MutantIs(Mutant::batch_push_checks_closed_early)) {
    // Injected: the closed flag is read in a lock section of its own.
    shard.mu.Lock();
    closed_before = shard.closed.With([](bool c) { return c; });
    shard.mu.Unlock();
  }
  shard.mu.Lock();
  const bool closed = MutantIs(Mutant::batch_push_checks_closed_early)
                          ? closed_before
                          : shard.closed.With([](bool c) { return c; });
  std::size_t added = 0;  // Capacity() of the batches the shard took
  shard.batches.WithMut([&](std::vector<WriteBatch*>& v) {
    const std::size_t cap = core->opts.shard_capacity;
    try {
      v.reserve(std::min(cap, v.size() + batches->size()));
    } catch (const std::bad_alloc&) {
      // Keep what capacity there is; the rest overflows.
    }
    std::size_t kept = 0;  // overflow, compacted to the front of *batches
    for (WriteBatch* b : *batches) {
      if (!closed && v.size() < cap && v.size() < v.capacity()) {
        BatchAccess::Transition(b, BatchState::kThreadCached, BatchState::kShardCached,
                                "BATCH-OWN", "a batch moved to a shard was not in a thread cache");
        v.push_back(b);  // within capacity: allocates nothing
        added += b->Capacity();
        *pushed_any = true;
      } else {
        (*batches)[kept++] = b;
      }
    }
    batches->resize(kept);  // shrinks: allocates nothing
  });
  shard.bytes.WithMut([&](std::size_t& n) { n += added; });
  shard.mu.Unlock();
}

void ThreadCacheExit(void* value, void*) {
  sync::ApiCall call("BatchCache thread exit");
  auto* tc = static_cast<ThreadCache*>(value);
  BatchCore* core = tc->core;
  // relaxed: the owner wrote it; its thread exit (this thread) or the column
  // reclaim (under the registry lock, after the owner's last use) orders it.
  const std::size_t n = tc->Count();
  // A handler must not fail: the stack's own buffer moves out (the thread
  // cache is freed below) and shrinks to the cached ones, allocating nothing.
  std::vector<WriteBatch*> overflow = tc->stack.WithMut([n](std::vector<WriteBatch*>& v) {
    std::vector<WriteBatch*> out;
    out.swap(v);
    out.resize(std::min(n, out.size()));
    return out;
  });
  bool pushed = false;
  PushToShard(core, tc->shard, &overflow, &pushed);
  Totals t = Snapshot(*tc);
  const std::uint64_t frees_before = t.frees;
  for (WriteBatch* b : overflow) {
    if (MutantIs(Mutant::batch_exit_leaks_overflow)) continue;  // injected leak
    FreeBatch(b);
    ++t.frees;
  }
  call.Result("%zu cached: %zu to shard %u, %llu freed", n, n - overflow.size(), tc->shard,
              static_cast<unsigned long long>(t.frees - frees_before));
  core->Retire(t);
  sync::Delete(tc);
  core->Unref();
}

struct SharedColumn {  // the batch_shared_thread_column mutant's one column
  tls::ThreadLocalColumn column{tls::UnrefHandler{&ThreadCacheExit, nullptr}};
};

}  // namespace
}  // namespace detail

using detail::BatchCore;
using detail::FreeBatch;
using detail::Shard;
using detail::ThreadCache;

namespace {
// The options as the cache applies them: thread_capacity at most what a
// thread cache's fill word can count.
BatchCacheOptions Applied(BatchCacheOptions o) {
  o.thread_capacity = std::min(o.thread_capacity, ThreadCache::kMaxCount);
  o.thread_target = std::min(o.thread_target, ThreadCache::kMaxCount);
  return o;
}
}  // namespace

BatchCache::BatchCache(BatchCacheOptions options)
    : options_(Applied(options)),
      core_(sync::New<BatchCore>(options_)),
      column_(sync::UndoOnThrow(
          [] {
            return sync::New<tls::ThreadLocalColumn>(
                tls::UnrefHandler{&detail::ThreadCacheExit, nullptr});
          },
          [&] { core_->Unref(); })),
      column_id_(column_->id()) {
  TLSM_INVARIANT(options.thread_target <= options.thread_capacity, "MISUSE",
                 "BatchCacheOptions: thread_target > thread_capacity");
  // A failure below undoes the constructor (the destructor does not run).
  sync::UndoOnThrow(
      [&] {
        (void)Column();  // the shared-column mutant creates its column now
        perf::WarmUp();  // Acquire counts into PerfContext: create its column now
      },
      [&] {
        sync::Delete(column_);
        core_->Unref();
      });
}

BatchCache::~BatchCache() {
  sync::ApiCall call("BatchCache destroy");
  Close();
  core_->Unref();
}

tls::ThreadLocalColumn* BatchCache::Column() const {
  if (MutantIs(Mutant::batch_shared_thread_column)) {
    return &sync::ProcessGlobal<detail::SharedColumn>().column;
  }
  return column_;
}

void* BatchCache::LocalCache() const {
  TLSM_INVARIANT(column_ != nullptr, "MISUSE", "BatchCache used after Close");
  return Column()->Get();
}

void* BatchCache::EnsureLocalCache() {
  if (void* tc = LocalCache()) return tc;
  // relaxed: only spreads threads over shards.
  const std::uint32_t shard = static_cast<std::uint32_t>(
      core_->next_shard.FetchAdd(1, Order::kRelaxed) % core_->num_shards);
  // The slot first (the row may allocate), then the cache; a failure of
  // either leaves nothing behind. Reset(tc) then allocates nothing.
  Column()->Reset(nullptr);
  auto* tc = sync::New<ThreadCache>(core_, shard, options_.thread_capacity);
  core_->Ref();  // the thread cache's reference
  Column()->Reset(tc);  // the slot was null: no handler runs
  return tc;
}

// Acquire without a thread-cache hit on the inline path: first use on this
// thread, an empty thread cache, or (batch_shared_thread_column mutant) a
// cache that lives in another column than column_.
WriteBatch* BatchCache::AcquireSlow() {
  // The slow path only: a thread-cache hit inline in Acquire is not marked.
  sync::ApiCall call("BatchCache::Acquire");
  auto* tc = static_cast<ThreadCache*>(EnsureLocalCache());
  // 1. The thread cache (no lock).
  // The owner (this thread) is fill's only writer.
  if (const std::uint64_t f = tc->Fill(); ThreadCache::CountOf(f) != 0) {
    WriteBatch* hit = PopThreadCache(tc, f);
    call.Result("thread-cache hit %p", static_cast<const void*>(hit));
    return hit;
  }
  WriteBatch* b = nullptr;
  // 2. The shard: take up to max(1, target) batches, newest first; the first
  // is returned, the rest refill the thread cache.
  Shard& shard = core_->shards[tc->shard];
  std::vector<WriteBatch*> taken;
  // Before the shard lock: a std::bad_alloc here changes nothing.
  taken.reserve(std::max<std::size_t>(1, options_.thread_target));
  std::size_t taken_bytes = 0;
  shard.mu.Lock();
  shard.batches.WithMut([&](std::vector<WriteBatch*>& v) {
    const std::size_t k = std::min(std::max<std::size_t>(1, options_.thread_target), v.size());
    for (std::size_t i = 0; i < k; ++i) {
      WriteBatch* x = v[v.size() - 1 - i];
      taken.push_back(x);
      taken_bytes += x->Capacity();
    }
    if (!MutantIs(Mutant::batch_refill_copies)) v.resize(v.size() - k);
  });
  shard.bytes.WithMut([&](std::size_t& n) { n -= std::min(n, taken_bytes); });
  shard.mu.Unlock();
  if (!taken.empty()) {
    b = taken.front();
    TLSM_INVARIANT(Allocated(b), "BATCH-ISO", "a shard handed out another DB's batch");
    BatchAccess::Transition(b, BatchState::kShardCached, BatchState::kHeld, "BATCH-OWN",
                            "a batch handed out by a shard was not cached there");
    if (taken.size() > 1) {
      std::size_t moved_bytes = 0;
      tc->stack.WithMut([&](std::vector<WriteBatch*>& v) {
        // Newest of the rest ends on top; the thread cache was empty.
        std::size_t top = 0;
        for (std::size_t i = taken.size(); i-- > 1;) {
          WriteBatch* x = taken[i];
          BatchAccess::Transition(x, BatchState::kShardCached, BatchState::kThreadCached,
                                  "BATCH-OWN", "a batch refilled from a shard was not cached there");
          detail::StackPut(v, top++, x);
          moved_bytes += x->Capacity();
        }
      });
      tc->SetFill(taken.size() - 1, moved_bytes);
      detail::BumpPushes(tc->slow_pushes, taken.size() - 1);
    }
    detail::Bump(tc->shard_hits);
    detail::CountPerf(tc->perf_ctx, perf::Counter::kBatchCacheHits, options_.perf_aggregate);
    call.Result("shard hit %p, %zu refilled", static_cast<const void*>(b), taken.size() - 1);
    return b;
  }
  // 3. Allocate.
  b = BatchAccess::Allocate(core_);
  b->NameInHistory(sync::HistorySerial(core_));
  call.Result("miss: new %p", static_cast<const void*>(b));
  detail::Bump(tc->misses);
  detail::CountPerf(tc->perf_ctx, perf::Counter::kBatchCacheMisses, options_.perf_aggregate);
  return b;
}

// Release when the inline path cannot retain b in the thread cache: misuse
// (reported here), first use on this thread, oversize, a full thread cache
// (spill) or thread_capacity 0.
void BatchCache::ReleaseSlow(WriteBatch* b) {
  // The slow path only: a release into a thread cache with room, inline in
  // Release, is not marked.
  sync::ApiCall call("BatchCache::Release");
  call.Result("%p", static_cast<const void*>(b));
  TLSM_INVARIANT(b != nullptr, "MISUSE", "Release(nullptr)");
  if (b == nullptr) return;
  if (!Allocated(b)) {
    // Never retain another cache's (or a standalone) batch.
    TLSM_INVARIANT(false, "BATCH-ISO", "a batch was released to a BatchCache that did not allocate it");
    return;
  }
  TLSM_INVARIANT(b->state() == BatchState::kHeld, "MISUSE",
                 "a batch was released twice (it is already cached)");
  // Release never fails (DB calls return their batch from a destructor):
  // without memory for this thread's cache, or for a spill list, b is
  // freed instead of retained, and counted in the retired totals.
  ThreadCache* tc = nullptr;
  std::vector<WriteBatch*> spill;
  try {
    tc = static_cast<ThreadCache*>(EnsureLocalCache());
    if (tc->Count() >= options_.thread_capacity) {
      spill.reserve(tc->Count() + 1);  // the owner reads its own fill
    }
  } catch (const std::bad_alloc&) {
    call.Result("freed %p (no thread cache)", static_cast<const void*>(b));
    FreeBatch(b);
    detail::Totals t;
    t.releases = 1;
    t.frees = 1;
    core_->Retire(t);
    return;
  }
  detail::Bump(tc->slow_releases);
  b->Clear();
  const std::size_t cap = b->Capacity();
  if (cap > options_.max_batch_bytes && !MutantIs(Mutant::batch_oversize_retained)) {
    call.Result("freed %p (oversize)", static_cast<const void*>(b));
    FreeBatch(b);  // grown too big: not worth keeping
    detail::Bump(tc->frees);
    return;
  }
  BatchAccess::Transition(b, BatchState::kHeld, BatchState::kThreadCached, "MISUSE",
                          "a batch was released twice (it is already cached)");
  const std::size_t capacity = options_.thread_capacity;
  const bool bounded = !MutantIs(Mutant::batch_ignore_thread_capacity);
  // relaxed: the owner (this thread) is count's only writer.
  const std::size_t have = tc->Count();
  // Room in the thread cache (no lock, no allocation) — reached here on a
  // thread's first release or under the shared-column mutant.
  if (have < capacity || !bounded) {
    tc->stack.WithMut([&](std::vector<WriteBatch*>& v) { detail::StackPut(v, have, b); });
    tc->SetFill(have + 1, tc->Bytes() + cap);
    detail::BumpPushes(tc->slow_pushes);
    call.Result("cached %p", static_cast<const void*>(b));
    return;
  }
  // Full: spill the oldest until `target` remain, then cache b (or, with
  // capacity 0, send b to the shard too).
  std::size_t spill_bytes = 0;  // of batches that were in the thread cache
  std::size_t new_count = 0;
  bool cached_here = false;
  tc->stack.WithMut([&](std::vector<WriteBatch*>& v) {
    const std::size_t n = have - std::min(options_.thread_target, have);
    const auto first = v.begin(), kept = v.begin() + static_cast<std::ptrdiff_t>(n),
               last = v.begin() + static_cast<std::ptrdiff_t>(have);
    spill.assign(first, kept);
    std::copy(kept, last, first);  // the kept (newest) ones move to the bottom
    for (WriteBatch* x : spill) spill_bytes += x->Capacity();
    std::size_t m = have - n;
    if (m < capacity) {
      v[m++] = b;
      cached_here = true;
    } else {
      spill.push_back(b);
    }
    new_count = m;
  });
  detail::Bump(tc->removed, have - (new_count - (cached_here ? 1 : 0)));  // before the fill
  tc->SetFill(new_count, tc->Bytes() + (cached_here ? cap : 0) - spill_bytes);
  if (cached_here) detail::BumpPushes(tc->slow_pushes);
  call.Result(cached_here ? "cached %p, %zu older spilled" : "%p and %zu older to the shard",
              static_cast<const void*>(b), spill.size() - (cached_here ? 0 : 1));
  if (spill.empty()) return;
  const std::size_t spilled = spill.size();
  bool pushed = false;
  std::vector<WriteBatch*>& overflow = spill;
  detail::PushToShard(core_, tc->shard, &overflow, &pushed);
  detail::Bump(tc->spills, spilled - overflow.size());
  if (!overflow.empty()) {
    call.Result(cached_here ? "cached %p, %zu older spilled, %zu freed (shard full)"
                            : "%p and %zu older to the shard, %zu freed (shard full)",
                static_cast<const void*>(b), spilled - (cached_here ? 0 : 1), overflow.size());
  }
  for (WriteBatch* x : overflow) FreeBatch(x);
  detail::Bump(tc->frees, overflow.size());
}

void BatchCache::Close() {
  if (column_ == nullptr) return;
  sync::ApiCall call("BatchCache::Close");
  // 1. Close the shards and free what they hold. A thread exiting from now
  //    on frees its own batches instead of handing them back.
  std::uint64_t freed = 0;
  for (std::size_t i = 0; i < core_->num_shards; ++i) {
    Shard& s = core_->shards[i];
    if (MutantIs(Mutant::batch_close_marks_closed_late)) {
      // Injected: the shard is emptied first and marked closed in a lock
      // section of its own; batches an exiting thread pushes in between
      // stay in a closed shard that nobody frees.
      s.mu.Lock();
      std::vector<WriteBatch*> all =
          s.batches.WithMut([](std::vector<WriteBatch*>& v) { return std::move(v); });
      s.batches.WithMut([](std::vector<WriteBatch*>& v) { v.clear(); });
      s.bytes.WithMut([](std::size_t& n) { n = 0; });
      s.mu.Unlock();
      s.mu.Lock();
      s.closed.WithMut([](bool& c) { c = true; });
      s.mu.Unlock();
      for (WriteBatch* b : all) {
        FreeBatch(b);
        ++freed;
      }
      continue;
    }
    s.mu.Lock();
    s.closed.WithMut([](bool& c) { c = true; });
    std::vector<WriteBatch*> all =
        s.batches.WithMut([](std::vector<WriteBatch*>& v) { return std::move(v); });
    s.batches.WithMut([](std::vector<WriteBatch*>& v) { v.clear(); });
    s.bytes.WithMut([](std::size_t& n) { n = 0; });
    s.mu.Unlock();
    for (WriteBatch* b : all) {
      BatchAccess::Transition(b, BatchState::kShardCached, BatchState::kShardCached, "BATCH-OWN",
                              "a batch freed from a shard was not cached there");
      FreeBatch(b);
      ++freed;
    }
  }
  detail::Totals t;
  t.frees = freed;
  call.Result("%llu freed from the shards", static_cast<unsigned long long>(freed));
  core_->Retire(t);
  // 2. Reclaim the column: the handler frees every live thread's cache here
  //    (the shards are closed). A thread that exits concurrently and already
  //    took its cache out of its slot frees it itself.
  tls::ThreadLocalColumn* c = column_;
  column_ = nullptr;
  sync::Delete(c);
}

BatchCacheStats BatchCache::Stats() const {
  struct Acc {
    detail::Totals t;
    std::size_t count = 0, bytes = 0, max_count = 0, threads = 0;
  } acc;
  BatchCacheStats s;
  // Live thread caches (the visitor runs under the registry lock and takes
  // no lock), then the retired totals and the shards, each under its lock.
  if (column_ != nullptr) {
    Column()->Fold(
        [](void* v, void* a) {
          auto* tc = static_cast<const ThreadCache*>(v);
          auto* acc = static_cast<Acc*>(a);
          acc->t += detail::Snapshot(*tc);
          const std::uint64_t f = tc->Fill();
          const std::size_t n = ThreadCache::CountOf(f);
          acc->count += n;
          acc->max_count = std::max(acc->max_count, n);
          acc->bytes += ThreadCache::BytesOf(f);
          ++acc->threads;
        },
        &acc);
  }
  core_->mu.Lock();
  acc.t += core_->retired.With([](const detail::Totals& r) { return r; });
  core_->mu.Unlock();
  s.thread_hits = acc.t.thread_hits;
  s.shard_hits = acc.t.shard_hits;
  s.hits = s.thread_hits + s.shard_hits;
  s.misses = acc.t.misses;
  s.allocations = acc.t.misses;
  s.frees = acc.t.frees;
  s.releases = acc.t.releases;
  s.spills = acc.t.spills;
  s.thread_cached = acc.count;
  s.max_thread_cached = acc.max_count;
  s.threads = acc.threads;
  s.bytes_retained = acc.bytes;
  for (std::size_t i = 0; i < core_->num_shards; ++i) {
    Shard& sh = core_->shards[i];
    auto count = [](const std::vector<WriteBatch*>& v) { return v.size(); };
    auto bytes = [](std::size_t b) { return b; };
    std::size_t n = 0;
    if (MutantIs(Mutant::batch_stats_shard_unlocked)) {
      // Injected: no shard mutex; a racing spill or refill writes the shard.
      n = sh.batches.With(count);
      s.bytes_retained += sh.bytes.With(bytes);
    } else {
      sh.mu.Lock();
      n = sh.batches.With(count);
      s.bytes_retained += sh.bytes.With(bytes);
      sh.mu.Unlock();
    }
    s.shard_cached += n;
    s.max_shard_cached = std::max(s.max_shard_cached, n);
  }
  return s;
}

std::size_t BatchCache::ThreadCachedCount() const {
  auto* tc = static_cast<const ThreadCache*>(LocalCache());
  // The calling thread is the owner and fill's only writer.
  return tc == nullptr ? 0 : tc->Count();
}

int BatchCache::ThreadShard() const {
  auto* tc = static_cast<const ThreadCache*>(LocalCache());
  return tc == nullptr ? -1 : static_cast<int>(tc->shard);
}

std::vector<std::size_t> BatchCache::ShardSizes() const {
  std::vector<std::size_t> out;
  out.reserve(core_->num_shards);  // no allocation under a shard lock
  for (std::size_t i = 0; i < core_->num_shards; ++i) {
    Shard& sh = core_->shards[i];
    sh.mu.Lock();
    out.push_back(sh.batches.With([](const std::vector<WriteBatch*>& v) { return v.size(); }));
    sh.mu.Unlock();
  }
  return out;
}

}  // namespace batch
TLSM_END
