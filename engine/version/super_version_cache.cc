// engine/version/super_version_cache.cc — see the header for the protocol.
#include "engine/version/super_version_cache.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace version {

using sync::Mutant;
using sync::MutantIs;
using sync::Order;

void SuperVersionCache::SlotUnref(SuperVersion* sv) {
  // Thread exit or column reclaim. The value already left its slot, so this
  // may be the last reference (an installer may have released the current
  // one after the exiting thread collected its row): free it here. No lock.
  if (sv == nullptr || IsSentinel(sv)) return;
  ReleaseSuperVersion(sv);
}

SuperVersionCache::SuperVersionCache(std::uint32_t db_id, std::uint32_t cf_id)
    : db_id_(db_id), cf_id_(cf_id), slots_(&SuperVersionCache::SlotUnref) {}

SuperVersionCache::~SuperVersionCache() {
  Shutdown();
  // slots_ is reclaimed next: its handler releases whatever a slot still
  // holds (nothing but sentinels in a correct build).
}

// Acquire's inline path (header) swapped kInUse into the slot and got
// something that is not a real SuperVersion.
AcquiredSv SuperVersionCache::AcquireSlow(SuperVersion* got) {
  if (got == InUseSentinel()) {
    // Nested acquire: the outer one owns the slot's reference. Take a plain
    // reference and leave the slot in use for the outer Return.
    nested_.Add(1);
    return AcquiredSv{RefCurrent(), /*cached=*/false, /*hit=*/false};
  }
  // Null (first use) or obsolete (scraped by an install): take a new ref.
  misses_.Add(1);
  SuperVersion* sv = RefCurrent();
  if (sv == nullptr) {
    // Shut down: put back what was there, so no slot is left in use.
    SuperVersion* expected = InUseSentinel();
    slots_.CompareAndSwap(expected, got);
    return AcquiredSv{};
  }
  AcquiredSv a{sv, /*cached=*/true, /*hit=*/false};
  a.invalidated = got == ObsoleteSentinel();
  return a;
}

// Return's inline path (header) puts a cached reference back with
// CompareAndSwap(kInUse -> sv) when sv's version is still the current one,
// and comes here for everything else. Only a still-current SuperVersion goes
// back: without the check, two overlapping acquires released out of order
// (A acquires v1; an install scrapes; B re-takes the slot for v2; A returns
// first) would let A's CAS find B's in-use mark and cache the stale v1. If an
// install happened after A's acquire, this thread's later Swap saw its
// scrape, so the acquire load of the version sees the newer version. An
// install that lands between the check and the CAS scrapes the slot: the CAS
// fails, or the scrape collects what it stored.
//
// So in the correct build what reaches here is released: a nested acquire's
// plain reference, a SuperVersion no longer current, or a reference whose
// slot an installer scraped to kObsolete (a later acquire on this thread may
// since have re-taken it).
//
// The mutants that change Return live here, not in the header. The inline
// path only ever completes a return that each of them completes the same
// way (the slot was kInUse and now holds sv); every other return reaches
// here and takes the injected path, so each mutant still injects its bug.
void SuperVersionCache::ReturnSlow(SuperVersion* sv, bool cached) {
  if (sv == nullptr) return;
  if (cached) {
    if (MutantIs(Mutant::sv_return_store_not_cas)) {
      // Injected: overwrites whatever an installer put there.
      slots_.Swap(sv);
      return;
    }
    if (MutantIs(Mutant::sv_return_skips_version_check)) {
      // Injected: CAS without the version check. Reached after the inline
      // check refused sv (then this CAS caches the stale one: the bug), or
      // after the inline CAS failed (then this one fails too: only this
      // thread ever puts kInUse back in its slot).
      SuperVersion* expected = InUseSentinel();
      if (slots_.CompareAndSwap(expected, sv)) return;
    }
  }
  ReleaseSuperVersion(sv);
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
  ScrapeAndRelease(old);
}

void SuperVersionCache::ScrapeAndRelease(SuperVersion* old) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: cache mutex held");
  if (MutantIs(Mutant::sv_release_old_before_scrape)) {
    // Injected: the current reference goes first; a slot may now hold the
    // last reference of `old`.
    if (old != nullptr) ReleaseSuperVersion(old);
    old = nullptr;
  }
  std::vector<SuperVersion*> scraped;
  const bool scrape = !MutantIs(Mutant::sv_install_without_scrape) &&
                      !(MutantIs(Mutant::sv_drop_without_scrape) &&
                        shut_down_.Load(Order::kRelaxed));
  if (scrape) slots_.Scrape(&scraped, ObsoleteSentinel());
  for (SuperVersion* p : scraped) {
    if (IsSentinel(p)) continue;  // in use by its thread, or already obsolete
    invalidations_.Add(1);
    if (MutantIs(Mutant::sv_scrape_ref_not_released)) continue;
    if (!MutantIs(Mutant::sv_release_old_before_scrape)) {
      TLSM_INVARIANT(p == old, "SV-STALE",
                     "a slot held a SuperVersion other than the current one");
    }
    if (ReleaseSuperVersion(p)) {
      TLSM_INVARIANT(false, "SV-REFS", "a slot held the last reference of a SuperVersion");
    }
    if (MutantIs(Mutant::sv_scrape_ref_released_twice)) ReleaseSuperVersion(p);
  }
  // Only now may the old current reference go: no slot holds `old` any more.
  if (old != nullptr) ReleaseSuperVersion(old);
}

void SuperVersionCache::Shutdown() {
  sync::MutexLock l(mu_);
  if (shut_down_.Load(Order::kRelaxed)) return;  // relaxed: under mu_
  shut_down_.Store(true, Order::kRelease);
  SuperVersion* old = current_.Load(Order::kRelaxed);
  current_.Store(nullptr, Order::kRelease);
  current_version_.Store(0, Order::kRelease);
  ScrapeAndRelease(old);
}

SlotCensus SuperVersionCache::Census() {
  sync::MutexLock l(mu_);
  SuperVersion* cur = current_.Load(Order::kRelaxed);  // relaxed: under mu_
  SlotCensus c;
  slots_.Fold([&](SuperVersion* v) {
    if (v == InUseSentinel()) {
      ++c.in_use;
    } else if (v == ObsoleteSentinel()) {
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
