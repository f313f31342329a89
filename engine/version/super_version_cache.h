// engine/version/super_version_cache.h — the per-(DB, CF) SuperVersion cache.
//
// One matrix column per (DB, column family). Each thread's slot holds that
// thread's ReaderSlot (allocated on its first acquire): a cached reference
// (`cached`: a real SuperVersion, kObsolete, or null), an in-use word
// (`in_use`, written only by the owner) and a deferred reference (under mu_).
//
//   cached:  null ──miss──► sv ──Install/Shutdown (scrape)──► kObsolete ──miss──► sv'
//   in_use:  0 ──Acquire (outer)──► 1 ──Return (outer)──► 0
//
// Acquire (hit path, inline, no read-modify-write): in_use = 1 (a relaxed
//   store of the owner's own word); LightFence; load cached. A real
//   SuperVersion there is current and is lent to the reader (the slot keeps
//   its reference). Null or kObsolete: a miss — under mu_ take a reference on
//   the current SuperVersion and store it in `cached` (the protocol is
//   "current_ changes and the slow-path Ref happen under mu_"). in_use already
//   1: a nested acquire (an outer one borrows the slot's reference): a plain
//   reference under mu_.
// Return (hit path, inline): in_use = 0 (release); LightFence; if cached still
//   holds sv, done. Otherwise an installer scraped it meanwhile: under mu_,
//   take and release the deferred reference if the installer left it there
//   (it found in_use == 1), else the installer already released it. A
//   nested acquire's plain reference is simply released.
// Install: under mu_, publish the new SuperVersion; scrape every real
//   `cached` to kObsolete; HeavyBarrier; for each scraped one, if its owner's
//   in_use is 0, release the reference now, else defer it to that owner's
//   Return (`deferred`); then release the old current reference.
//   The LightFence / HeavyBarrier pair acts as two seq_cst fences
//   (engine/sync/sync.h): either the installer sees in_use == 1 (it defers),
//   or the reader's load of `cached` sees kObsolete (it misses, or, at
//   Return, looks for the deferred reference) — never neither. So a reader
//   never uses a SuperVersion whose slot reference was released, and every
//   scraped reference is released exactly once (by the installer or by the
//   Return). SV-REFS: a deferred reference is the reader's; the old current
//   reference is released after every scraped one, so a scrape never frees.
// Shutdown (CF drop / DB close): like Install with no successor; afterwards
//   Acquire returns an empty handle.
//
// Thread exit / column reclaim: the column's unref handler takes mu_,
// releases the ReaderSlot's cached and deferred references (it may free: an
// installer may have released the current reference meanwhile) and frees
// the ReaderSlot. ReaderSlots are freed only under mu_, so Install may use
// those its scrape visited until it releases mu_.
//
// Memory ordering: see docs/superversion.md ("Memory ordering"). In short:
// `cached` is written only under mu_ and read lock-free only by its owner;
// in_use is written only by its owner and read by Install after the
// HeavyBarrier (acquire, pairing with Return's release store, so the
// reader's reads of the SuperVersion happen before an installer frees it).
//
// Allocation failure: Acquire may throw std::bad_alloc only on a thread's
// first acquire of this cache (its ReaderSlot and matrix slot); nothing is
// left behind and the cache is unchanged. Return, Install, Shutdown,
// RefCurrent, Census and the destructor allocate nothing (Install's scrape
// works in fixed-size rounds on the stack) and never fail.
//
// Who may call what: Acquire/Return on any thread (Return on the thread that
// acquired); Install and Shutdown on any thread (serialized by mu_);
// destruction when no thread is inside Acquire/Return.
#pragma once

#include "engine/sync/sync.h"
#include "engine/tls/thread_local_ptr.h"
#include "engine/version/super_version.h"

TLSM_BEGIN
namespace version {

// Sentinels stored in a ReaderSlot's cached word; never dereferenced. They
// are the addresses 1 and 2 (no object lives there), so "a real
// SuperVersion" — neither null nor a sentinel — is one unsigned compare on
// the hit path (IsRealSv). kInUse is no longer stored by the cache (in_use
// says it); it stays reserved so no value means two things.
inline SuperVersion* InUseSentinel() {
  return reinterpret_cast<SuperVersion*>(std::uintptr_t{1});
}
inline SuperVersion* ObsoleteSentinel() {
  return reinterpret_cast<SuperVersion*>(std::uintptr_t{2});
}
inline bool IsSentinel(const SuperVersion* p) {
  return p == InUseSentinel() || p == ObsoleteSentinel();
}
inline bool IsRealSv(const SuperVersion* p) {
  return reinterpret_cast<std::uintptr_t>(p) > std::uintptr_t{2};
}

// One thread's state for one cache: the value of its matrix slot. Allocated
// by the owner's first acquire, freed by the unref handler under mu_.
struct ReaderSlot {
  // The slot's reference: a real SuperVersion, kObsolete, or null. Written
  // only under mu_ (the owner's miss, Install's scrape, the handler); read
  // lock-free only by the owner.
  sync::Atomic<SuperVersion*> cached{nullptr};
  // 1 while the owner is between an outer Acquire and its Return. Written
  // only by the owner; read by Install (after its HeavyBarrier) and Census.
  sync::Atomic<std::uint32_t> in_use{0};
  // A scraped reference Install found the owner using (in_use == 1); the
  // owner's Return releases it. Under mu_.
  sync::Cell<SuperVersion*> deferred{nullptr};
};

// A reference taken by Acquire. `cached` says whether it is borrowed from the
// thread's slot (true: Return ends the borrow) or a plain reference (false: a
// nested acquire; Return releases it); `cached` implies `sv != nullptr` and
// `slot != nullptr`.
struct AcquiredSv {
  SuperVersion* sv = nullptr;
  bool cached = false;
  bool hit = false;  // came straight out of the slot (no shared write)
  bool invalidated = false;  // the slot had been scraped to kObsolete
  ReaderSlot* slot = nullptr;  // the acquiring thread's slot (cached only)
  explicit operator bool() const { return sv != nullptr; }
};

// Slot states of one column at a quiescent point (tests and model checks).
struct SlotCensus {
  int in_use = 0;   // slots whose owner is inside an acquire, or with a deferred reference
  int obsolete = 0;
  int current = 0;  // slots holding the current SuperVersion
  int stale = 0;    // slots holding another SuperVersion (SV-STALE)
};

struct CacheStats {
  std::uint64_t misses = 0;         // acquires that took the slow path
  std::uint64_t nested = 0;         // acquires that found the slot in use
  std::uint64_t installs = 0;
  std::uint64_t invalidations = 0;  // real references scraped out of slots
};

class SuperVersionCache {
 public:
  SuperVersionCache(std::uint32_t db_id, std::uint32_t cf_id);
  // REQUIRES: no thread inside Acquire/Return. Shuts down if not done yet.
  ~SuperVersionCache();
  SuperVersionCache(const SuperVersionCache&) = delete;
  SuperVersionCache& operator=(const SuperVersionCache&) = delete;

  // Acquire and Return are inline up to their hit paths — no call, no stack
  // frame, no read-modify-write: the owner's stores to its own in_use word,
  // a LightFence each, and loads of its own cached word. Everything else
  // (first use, miss, nested acquire, shutdown, a return after a scrape) is
  // AcquireSlow/ReturnSlow in the .cc. The one mutant on the inline path
  // (sv_missing_light_fence) is a MutantIs branch, a constant false in a
  // production build, so the fence is unconditional there.
  AcquiredSv Acquire() {
    sync::ApiCall call("Acquire");
    ReaderSlot* r = slots_.Get();
    // relaxed: in_use is written only by this thread.
    if (r != nullptr && r->in_use.Load(sync::Order::kRelaxed) == 0) [[likely]] {
      if (sync::MutantIs(sync::Mutant::sv_acquire_loads_cached_first)) {
        return AcquireLoadsCachedFirstMutant(r);
      }
      // relaxed + fence: the fence orders the store before the load of
      // cached against Install's scrape + HeavyBarrier + load of in_use.
      r->in_use.Store(1, sync::Order::kRelaxed);
      if (ReaderFence()) sync::LightFence();
      // relaxed: cached is written only under mu_, by this thread (miss) or
      // an installer (kObsolete: no data to see); a real value came from
      // this thread's own miss, which read the SuperVersion under mu_.
      SuperVersion* sv = r->cached.Load(sync::Order::kRelaxed);
      if (IsRealSv(sv)) [[likely]] {
        call.Result("hit %p", static_cast<const void*>(sv));
        return AcquiredSv{sv, /*cached=*/true, /*hit=*/true, /*invalidated=*/false, r};
      }
      return AcquireMiss(r);  // sets the call's result (ApiResult)
    }
    return AcquireSlow(r);
  }
  // By reference: an AcquiredSv is 24 bytes; a by-value copy made GCC build
  // it with narrow stores and reload it with one 16-byte load (a failed
  // store-to-load forwarding, ~4 ns on the hit path).
  void Return(const AcquiredSv& a) {
    sync::ApiCall call("Return");
    if (a.cached) [[likely]] {
      if (sync::MutantIs(sync::Mutant::sv_return_loads_cached_first)) {
        return ReturnLoadsCachedFirstMutant(a);
      }
      // release: the reader's reads of *a.sv happen before an installer that
      // reads 0 (with acquire) releases the slot's reference.
      a.slot->in_use.Store(0, sync::Order::kRelease);
      if (ReaderFence()) sync::LightFence();
      // relaxed: only the pointer is compared (a.sv may be freed by now).
      if (a.slot->cached.Load(sync::Order::kRelaxed) == a.sv) [[likely]] return;
    }
    ReturnSlow(a);
  }

  // Makes `sv` current; takes over the caller's reference (SuperVersion is
  // created with refs == 1). sv must belong to this (DB, CF) (SV-ISO) and have
  // a higher version than the current one (SV-FRESH).
  void Install(SuperVersion* sv);
  // Invalidates every slot and releases the current SuperVersion. Idempotent.
  void Shutdown();
  bool IsShutDown() const;

  // A new reference on the current SuperVersion (nullptr after Shutdown).
  SuperVersion* RefCurrent();
  // The current version number (0 before the first install / after shutdown).
  std::uint64_t CurrentVersion() const;

  SlotCensus Census();
  CacheStats Stats() const;
  std::uint32_t db_id() const { return db_id_; }
  std::uint32_t cf_id() const { return cf_id_; }
  std::uint32_t column_id() const { return slots_.id(); }

 private:
  // Acquire's other paths: no ReaderSlot yet (r null: creates it, then
  // AcquireMiss) or a nested acquire (in_use already 1: a plain reference).
  AcquiredSv AcquireSlow(ReaderSlot* r);
  // in_use is 1 and cached holds no real SuperVersion (null or kObsolete).
  AcquiredSv AcquireMiss(ReaderSlot* r);
  // Injected (sv_acquire_loads_cached_first): the hit path with its load of
  // cached before the store of in_use.
  AcquiredSv AcquireLoadsCachedFirstMutant(ReaderSlot* r);
  // Injected (sv_return_loads_cached_first): Return's inline path with its
  // load of cached before the store of in_use.
  void ReturnLoadsCachedFirstMutant(const AcquiredSv& a);
  // Everything Return's inline path did not finish: a nested acquire's
  // plain reference, or a borrow whose slot an installer scraped meanwhile.
  void ReturnSlow(const AcquiredSv& a);
  // Returns the number of slots it scraped.
  std::size_t ScrapeAndRelease(SuperVersion* old) TLSM_REQUIRES(mu_);
  static void SlotUnref(void* slot, void* cache);

  const std::uint32_t db_id_;
  const std::uint32_t cf_id_;
  mutable sync::Mutex mu_;
  // Written under mu_; read under mu_ (slow path) or, for version checks
  // only, lock-free with acquire.
  sync::Atomic<SuperVersion*> current_{nullptr};
  sync::Atomic<std::uint64_t> current_version_{0};  // written under mu_
  sync::Atomic<bool> shut_down_{false};             // written under mu_
  // Statistics; relaxed, written on slow paths only.
  sync::Statistic<std::uint64_t> misses_{0};
  sync::Statistic<std::uint64_t> nested_{0};
  sync::Statistic<std::uint64_t> installs_{0};
  sync::Statistic<std::uint64_t> invalidations_{0};
  // false only in the mutant that drops the reader's light fences; set in
  // the .cc, where mutants live. Read only by the model build (ReaderFence):
  // production always fences, so the hit path loads no flag for it (the
  // mutant is a model-only one, like the other memory-order mutants).
  static bool ReaderFence() { return !sync::MutantIs(sync::Mutant::sv_missing_light_fence); }
  // The matrix column: each thread's ReaderSlot.
  tls::ThreadLocalPtr<ReaderSlot> slots_;
};

// RAII: acquires on construction, returns on destruction (same thread).
class ScopedSv {
 public:
  explicit ScopedSv(SuperVersionCache* c) : cache_(c), a_(c->Acquire()) {}
  ~ScopedSv() {
    if (a_) cache_->Return(a_);
  }
  ScopedSv(const ScopedSv&) = delete;
  ScopedSv& operator=(const ScopedSv&) = delete;
  SuperVersion* get() const { return a_.sv; }
  SuperVersion* operator->() const { return a_.sv; }
  explicit operator bool() const { return a_.sv != nullptr; }
  bool hit() const { return a_.hit; }

 private:
  SuperVersionCache* cache_;
  AcquiredSv a_;
};

}  // namespace version
TLSM_END
