// engine/version/super_version_cache.cc — see the header for the protocol.
#include "engine/version/super_version_cache.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace version {

using sync::Mutant;
using sync::MutantIs;
using sync::Order;

void SuperVersionCache::SlotUnref(void* slot, void* cache) {
  // Thread exit or column reclaim: the ReaderSlot already left its matrix
  // slot. Under mu_ (ReaderSlots are freed only under mu_, so an Install that
  // visited this one may use it until it releases mu_; handlers run after the
  // registry lock is released, and nothing holds mu_ while it takes the
  // registry lock's handlers, so this cannot deadlock). Its references may be
  // the last ones (an installer may have released the current reference
  // after the exiting thread collected its row): free them here.
  auto* r = static_cast<ReaderSlot*>(slot);
  auto* self = static_cast<SuperVersionCache*>(cache);
  SuperVersion* held = nullptr;
  SuperVersion* deferred = nullptr;
  {
    sync::MutexLock l(self->mu_);
    // relaxed: written only under mu_, which we hold.
    held = r->cached.Load(Order::kRelaxed);
    deferred = r->deferred.With([](SuperVersion* d) { return d; });
    sync::Delete(r);
  }
  if (IsRealSv(held)) ReleaseSuperVersion(held);
  if (deferred != nullptr) ReleaseSuperVersion(deferred);  // held across exit: misuse
}

SuperVersionCache::SuperVersionCache(std::uint32_t db_id, std::uint32_t cf_id)
    : db_id_(db_id),
      cf_id_(cf_id),
      slots_(&SuperVersionCache::SlotUnref, this) {
  sync::Name(*this, "cache(db %u, cf %u)", db_id, cf_id);
  sync::Name(mu_, "cache(db %u, cf %u).mu", db_id, cf_id);
  sync::Name(current_, "cache(db %u, cf %u).current", db_id, cf_id);
  sync::Name(current_version_, "cache(db %u, cf %u).current_version", db_id, cf_id);
  sync::Name(shut_down_, "cache(db %u, cf %u).shut_down", db_id, cf_id);
  sync::NameValue(InUseSentinel(), "kInUse");
  sync::NameValue(ObsoleteSentinel(), "kObsolete");
}

SuperVersionCache::~SuperVersionCache() {
  Shutdown();
  // slots_ is reclaimed next: its handler frees every ReaderSlot (whose
  // cached words hold nothing but sentinels in a correct build).
}

// Acquire's inline path (header) found no ReaderSlot, or an outer acquire.
AcquiredSv SuperVersionCache::AcquireSlow(ReaderSlot* r) {
  if (r != nullptr) {
    // Nested acquire (in_use is 1): the outer one borrows the slot's
    // reference. Take a plain reference and leave the slot to the outer Return.
    nested_.Add(1);
    SuperVersion* sv = RefCurrent();
    sync::ApiResult("nested -> %p", static_cast<const void*>(sv));
    return AcquiredSv{sv, /*cached=*/false, /*hit=*/false};
  }
  // First acquire on this thread: its ReaderSlot (the matrix's first write of
  // this column on this thread may allocate the row).
  // The matrix slot first (its row may allocate), then the ReaderSlot: a
  // std::bad_alloc from either leaves nothing behind, and Swap into an
  // existing slot allocates nothing.
  slots_.Reset(nullptr);
  r = sync::New<ReaderSlot>();
  {
    const unsigned t = sync::HistoryThread();
    sync::Name(*r, "reader slot[T%u] of cache(db %u, cf %u)", t, db_id_, cf_id_);
    sync::Name(r->cached, "reader slot[T%u].cached", t);
    sync::Name(r->in_use, "reader slot[T%u].in_use", t);
    sync::Name(r->deferred, "reader slot[T%u].deferred", t);
  }
  slots_.Swap(r);
  if (MutantIs(Mutant::sv_first_acquire_marks_in_use_late)) {
    // Injected: in_use is stored after the miss cached (and released mu_
    // over) the reference this acquire borrows: an Install that takes mu_
    // and reads in_use in the one step between them releases it.
    AcquiredSv a = AcquireMiss(r);
    r->in_use.Store(1, Order::kRelaxed);
    return a;
  }
  // relaxed: AcquireMiss takes mu_ next, which orders this store before any
  // Install that could scrape what the miss caches.
  r->in_use.Store(1, Order::kRelaxed);
  return AcquireMiss(r);
}

// in_use is 1; cached is null (first use) or kObsolete (scraped). Take a new
// reference under mu_ and store it in the slot; this acquire borrows it.
AcquiredSv SuperVersionCache::AcquireMiss(ReaderSlot* r) {
  misses_.Add(1);
  SuperVersion* stray = nullptr;
  AcquiredSv a;
  // Injected (mutant sv_ref_current_unlocked): the current pointer is read
  // before mu_ is taken, so an Install in between leaves the miss caching (and
  // referencing) the SuperVersion it replaced.
  SuperVersion* early = MutantIs(Mutant::sv_ref_current_unlocked)
                            ? current_.Load(Order::kAcquire)
                            : nullptr;
  {
    sync::MutexLock l(mu_);
    // An installer may have scraped the slot after this acquire stored
    // in_use = 1 and before its load of cached saw kObsolete, and so deferred
    // the scraped reference to this thread although nothing here borrows it
    // (both sides of the fence pair saw each other). in_use was 0 before this
    // acquire, so that reference is nobody's on this thread: release it.
    stray = r->deferred.WithMut([](SuperVersion*& d) {
      SuperVersion* v = d;
      d = nullptr;
      return v;
    });
    // relaxed: current_ and cached are written only under mu_, which we hold.
    SuperVersion* sv = early != nullptr ? early : current_.Load(Order::kRelaxed);
    SuperVersion* got = r->cached.Load(Order::kRelaxed);
    if (sv == nullptr) {
      // Shut down: no slot is left in use.
      r->in_use.Store(0, Order::kRelease);
    } else {
      sv->Ref();
      // release: the owner reads its own store; Install reads it under mu_.
      r->cached.Store(sv, Order::kRelease);
      a = AcquiredSv{sv, /*cached=*/true, /*hit=*/false,
                     /*invalidated=*/got == ObsoleteSentinel(), r};
    }
  }
  if (stray != nullptr) ReleaseSuperVersion(stray);
  sync::ApiResult(a.sv == nullptr ? "none" : "miss -> %p", static_cast<const void*>(a.sv));
  return a;
}

AcquiredSv SuperVersionCache::AcquireLoadsCachedFirstMutant(ReaderSlot* r) {
  // Injected: cached is loaded before in_use is stored. An Install whose
  // scrape and load of in_use both fall between the two finds the slot idle
  // and releases the reference this acquire then borrows as a hit.
  SuperVersion* sv = r->cached.Load(Order::kRelaxed);
  r->in_use.Store(1, Order::kRelaxed);
  sync::LightFence();
  if (IsRealSv(sv)) return AcquiredSv{sv, /*cached=*/true, /*hit=*/true, /*invalidated=*/false, r};
  return AcquireMiss(r);
}

void SuperVersionCache::ReturnLoadsCachedFirstMutant(const AcquiredSv& a) {
  // Injected: cached is loaded before in_use is cleared. An Install whose
  // scrape and load of in_use both fall between the two defers the scraped
  // reference to this Return, which compares the stale load, takes the fast
  // path and never releases it.
  SuperVersion* seen = a.slot->cached.Load(Order::kRelaxed);
  a.slot->in_use.Store(0, Order::kRelease);
  sync::LightFence();
  if (seen == a.sv) return;
  ReturnSlow(a);
}

// Return's inline path (header) ends a borrow when the slot still holds the
// SuperVersion, and comes here for everything else: a nested acquire's plain
// reference (released), or a borrow whose slot an installer scraped between
// the Acquire and the Return. Then the installer either found in_use == 1 and
// left the scraped reference in `deferred` (this Return releases it), or read
// the Return's in_use == 0 and released it itself (the Return saw kObsolete
// too: the pair of fences lets both happen, never neither). mu_ decides:
// Install scrapes and defers under it.
//
// The mutant that changes Return lives here, not in the header: every return
// after a scrape reaches here.
void SuperVersionCache::ReturnSlow(const AcquiredSv& a) {
  if (a.sv == nullptr) return;
  if (!a.cached) {
    if (MutantIs(Mutant::sv_nested_return_clears_in_use)) {
      // Injected: a nested Return ends the outer acquire's borrow too.
      if (a.slot == nullptr) {
        ReaderSlot* r = slots_.Get();
        if (r != nullptr) r->in_use.Store(0, Order::kRelease);
      }
    }
    ReleaseSuperVersion(a.sv);
    return;
  }
  SuperVersion* deferred = nullptr;
  {
    sync::MutexLock l(mu_);
    deferred = a.slot->deferred.WithMut([](SuperVersion*& d) {
      SuperVersion* v = d;
      d = nullptr;
      return v;
    });
    if (MutantIs(Mutant::sv_return_recaches_scraped)) {
      if (deferred != nullptr) {
        // Injected: the scraped (stale) reference goes back into the slot,
        // overwriting the installer's obsolete mark.
        a.slot->cached.Store(deferred, Order::kRelease);
        return;
      }
    }
  }
  if (deferred == nullptr) return;  // the installer released it
  TLSM_INVARIANT(deferred == a.sv, "SV-REFS",
                 "a deferred reference is not the one this Return borrowed");
  ReleaseSuperVersion(deferred);
}

SuperVersion* SuperVersionCache::RefCurrent() {
  if (MutantIs(Mutant::sv_ref_current_unlocked)) {
    // Injected: the current pointer is read without mu_, so an Install can
    // publish its successor and release it (the last reference) before the
    // Ref below lands on freed memory.
    SuperVersion* cur = current_.Load(Order::kAcquire);
    if (cur != nullptr) cur->Ref();
    return cur;
  }
  sync::MutexLock l(mu_);
  // relaxed: current_ is only written under mu_, which we hold.
  SuperVersion* sv = current_.Load(Order::kRelaxed);
  if (sv != nullptr) sv->Ref();
  return sv;
}

std::uint64_t SuperVersionCache::CurrentVersion() const {
  return current_version_.Load(Order::kAcquire);
}

bool SuperVersionCache::IsShutDown() const { return shut_down_.Load(Order::kAcquire); }

void SuperVersionCache::Install(SuperVersion* sv) {
  sync::ApiCall call("Install");
  call.Result("%p", static_cast<const void*>(sv));
  TLSM_INVARIANT(sv != nullptr && !IsSentinel(sv), "MISUSE", "Install of a null SuperVersion");
  TLSM_INVARIANT(sv->db_id() == db_id_ && sv->cf_id() == cf_id_, "SV-ISO",
                 "Install of another (DB, CF)'s SuperVersion");
  sync::MutexLock l(mu_);
  if (shut_down_.Load(Order::kRelaxed)) {  // relaxed: written under mu_
    // A dropped CF takes no new SuperVersions; the caller's ref goes.
    ReleaseSuperVersion(sv);
    return;
  }
  SuperVersion* old = current_.Load(Order::kRelaxed);  // relaxed: under mu_
  TLSM_INVARIANT(old == nullptr || sv->version() > old->version(), "SV-FRESH",
                 "Install of a version not newer than the current one");
  // release: lock-free readers of the version number see the new one.
  current_.Store(sv, Order::kRelease);
  current_version_.Store(sv->version(), Order::kRelease);
  installs_.Add(1);
  const std::size_t scraped = ScrapeAndRelease(old);
  call.Result("%p, scraped %zu slots", static_cast<const void*>(sv), scraped);
}

std::size_t SuperVersionCache::ScrapeAndRelease(SuperVersion* old) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: cache mutex held");
  if (MutantIs(Mutant::sv_release_old_before_scrape)) {
    // Injected: the current reference goes first; a slot may now hold the
    // last reference of `old`.
    if (old != nullptr) ReleaseSuperVersion(old);
    old = nullptr;
  }
  struct Scraped {
    ReaderSlot* slot;
    SuperVersion* sv;
  };
  const bool scrape = !MutantIs(Mutant::sv_install_without_scrape) &&
                      !(MutantIs(Mutant::sv_drop_without_scrape) &&
                        shut_down_.Load(Order::kRelaxed));
  // Install and Shutdown never fail (Shutdown runs in destructors), so the
  // scrape allocates nothing: it works in rounds of at most kChunk slots, on
  // the stack. Each round is a whole scrape (phase 1, barrier, phase 2);
  // the next round's Fold finds the slots the previous one left real.
  // Everything runs under mu_, so no slot changes between rounds.
  constexpr std::size_t kChunk = 32;
  std::size_t total = 0;
  for (bool more = scrape; more;) {
    std::array<Scraped, kChunk> scraped;
    std::size_t n = 0;
    more = false;
    // Phase 1: every real cached reference becomes kObsolete. The
    // ReaderSlots stay valid after Fold returns: they are freed only under mu_.
    slots_.Fold([&](ReaderSlot* r) {
      // relaxed: cached is written only under mu_, which we hold.
      SuperVersion* p = r->cached.Load(Order::kRelaxed);
      if (!IsRealSv(p)) return;
      if (n == kChunk) {
        more = true;  // the next round takes it
        return;
      }
      // release: nothing to publish (a sentinel); the HeavyBarrier orders it
      // before the loads of in_use below.
      r->cached.Store(ObsoleteSentinel(), Order::kRelease);
      scraped[n++] = {r, p};
    });
    if (n == 0) break;
    total += n;
    // One barrier for the whole round: after it, either a reader's
    // in_use = 1 is visible here, or that reader's load of cached sees
    // kObsolete.
    if (!MutantIs(Mutant::sv_missing_heavy_barrier)) sync::HeavyBarrier();
    // Phase 2: release, or defer to a reader still inside.
    for (std::size_t i = 0; i < n; ++i) {
      const Scraped& s = scraped[i];
      invalidations_.Add(1);
      if (MutantIs(Mutant::sv_scrape_ref_not_released)) continue;
      if (!MutantIs(Mutant::sv_release_old_before_scrape)) {
        TLSM_INVARIANT(s.sv == old, "SV-STALE",
                       "a slot held a SuperVersion other than the current one");
      }
      // acquire: pairs with Return's release store of 0, so the reader's reads
      // of the SuperVersion happen before it is released here.
      const bool inside = s.slot->in_use.Load(Order::kAcquire) != 0;
      if (inside && !MutantIs(Mutant::sv_unref_not_deferred)) {
        s.slot->deferred.WithMut([&](SuperVersion*& d) {
          TLSM_INVARIANT(d == nullptr, "SV-REFS", "a second deferred reference for one slot");
          d = s.sv;
        });
        continue;
      }
      if (ReleaseSuperVersion(s.sv)) {
        TLSM_INVARIANT(false, "SV-REFS", "a slot held the last reference of a SuperVersion");
      }
      if (MutantIs(Mutant::sv_scrape_ref_released_twice)) ReleaseSuperVersion(s.sv);
    }
  }
  // Only now may the old current reference go: no slot holds `old` any more
  // (a deferred one is its reader's).
  if (old != nullptr) ReleaseSuperVersion(old);
  return total;
}

void SuperVersionCache::Shutdown() {
  sync::ApiCall call("Shutdown");
  sync::MutexLock l(mu_);
  if (shut_down_.Load(Order::kRelaxed)) return;  // relaxed: under mu_
  shut_down_.Store(true, Order::kRelease);
  SuperVersion* old = current_.Load(Order::kRelaxed);
  current_.Store(nullptr, Order::kRelease);
  current_version_.Store(0, Order::kRelease);
  const std::size_t scraped = ScrapeAndRelease(old);
  call.Result("scraped %zu slots", scraped);
}

SlotCensus SuperVersionCache::Census() {
  sync::MutexLock l(mu_);
  SuperVersion* cur = current_.Load(Order::kRelaxed);  // relaxed: under mu_
  SlotCensus c;
  slots_.Fold([&](ReaderSlot* r) {
    // acquire: a quiescent point's caller joined or synchronized with the
    // owners; in_use is otherwise only a hint here.
    const bool lent = r->in_use.Load(Order::kAcquire) != 0 ||
                      r->deferred.With([](SuperVersion* d) { return d != nullptr; });
    if (lent) ++c.in_use;
    SuperVersion* v = r->cached.Load(Order::kRelaxed);  // relaxed: under mu_
    if (v == nullptr) return;
    if (v == ObsoleteSentinel()) {
      ++c.obsolete;
    } else if (v == cur) {
      ++c.current;
    } else {
      ++c.stale;
    }
  });
  return c;
}

CacheStats SuperVersionCache::Stats() const {
  CacheStats s;
  s.misses = misses_.Read();
  s.nested = nested_.Read();
  s.installs = installs_.Read();
  s.invalidations = invalidations_.Read();
  return s;
}

}  // namespace version
TLSM_END
