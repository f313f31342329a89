// engine/version/super_version_cache.h — the per-(DB, CF) SuperVersion cache.
//
// One matrix column per (DB, column family) caches, in each thread's slot, a
// reference to the current SuperVersion. A slot is in one of four states:
//
//            Acquire: Swap(kInUse)                 Return: CAS(kInUse -> sv)
//   null  ─────────────────────────┐        ┌──────────────────────────────┐
//   sv    ── (hit: no shared write)├─> kInUse ─┤                              ├─> sv
//   kObsolete ─────────────────────┘        │  Install/Shutdown: Scrape     │
//                                            └─> kObsolete (CAS fails:       │
//                                                reader drops its ref) ──────┘
//   Install/Shutdown Scrape: sv -> kObsolete (the scraped ref is released)
//
// Acquire and Return are inline in this header up to their hit paths (one
// exchange, one version load, one compare-and-swap); the rest is out of line.
//
// Acquire: Swap the in-use sentinel into the slot. A real SuperVersion that
//   comes out is current (Install scrapes every slot before it returns) and
//   is used without touching shared memory. Null or kObsolete: a miss — take
//   a new reference on the current SuperVersion under mu_ (the cache mutex;
//   the protocol is "current_ changes and the slow-path Ref happen under
//   mu_", so the current one cannot be freed between load and Ref). kInUse:
//   a nested acquire on this thread (an outer one holds the slot's SV): take
//   a plain reference under mu_ and leave the slot alone.
// Return: if sv is still the current version (an acquire load of the
//   version number: a shared read, never a shared write),
//   CompareAndSwap(kInUse -> sv) puts the reference back in the slot. If it
//   fails, an installer scraped the slot to kObsolete meanwhile (or a later
//   acquire on this thread re-took it): the reader drops its reference (and
//   frees the SuperVersion if it was last). The version check makes
//   overlapping acquires on one thread safe to return in any order (pins).
//   A nested acquire's plain reference is simply released.
// Install: under mu_, publish the new SuperVersion as current; Scrape every
//   slot to kObsolete; release each scraped reference; then release the old
//   current one. The order keeps SV-REFS: while a slot holds the old
//   SuperVersion the current reference still exists, so a slot never holds
//   the last reference and the scraped releases never free.
// Shutdown (CF drop / DB close): like Install with no successor; afterwards
//   Acquire returns an empty handle.
//
// Thread exit / column reclaim: the column's unref handler releases the
// slot's reference (ignoring sentinels). It needs no lock and may free (the
// value left the slot before the handler runs, possibly after the installer
// released the current reference).
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

// Sentinels stored in slots; never dereferenced. They are the addresses 1
// and 2 (no object lives there), so "a real SuperVersion" — neither null nor
// a sentinel — is one unsigned compare on the hit path (IsRealSv).
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

// A reference taken by Acquire. `cached` says whether Return must hand it back
// to the slot (true) or just release it (false: a nested acquire); `cached`
// implies `sv != nullptr`.
struct AcquiredSv {
  SuperVersion* sv = nullptr;
  bool cached = false;
  bool hit = false;  // came straight out of the slot (no shared write)
  bool invalidated = false;  // the slot had been scraped to kObsolete
  explicit operator bool() const { return sv != nullptr; }
};

// Slot states of one column at a quiescent point (tests and model checks).
struct SlotCensus {
  int in_use = 0;
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
  // frame: Swap(kInUse) on this thread's slot; then the acquire load of the
  // current version and CompareAndSwap(kInUse -> sv). These are the accesses
  // of the protocol above, in its order. Everything else (miss, nested
  // acquire, shutdown, a stale or scraped return) is AcquireSlow/ReturnSlow
  // in the .cc, which is also where the mutants live (docs/developing.md:
  // never in headers); see ReturnSlow for why the Return mutants still bite.
  AcquiredSv Acquire() {
    SuperVersion* got = slots_.Swap(InUseSentinel());
    // A real SuperVersion out of the slot is current (see above): a hit.
    if (IsRealSv(got)) [[likely]] return AcquiredSv{got, /*cached=*/true, /*hit=*/true};
    return AcquireSlow(got);
  }
  void Return(AcquiredSv a) {
    // Only a still-current SuperVersion goes back (see ReturnSlow for why);
    // the version load is a shared read, never a shared write.
    if (a.cached && a.sv->version() == current_version_.Load(sync::Order::kAcquire)) [[likely]] {
      SuperVersion* expected = InUseSentinel();
      if (slots_.CompareAndSwap(expected, a.sv)) [[likely]] return;
    }
    ReturnSlow(a.sv, a.cached);
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
  // `got` came out of the slot and is not a real SuperVersion.
  AcquiredSv AcquireSlow(SuperVersion* got);
  // Everything Return's inline path did not finish: a nested acquire, a
  // SuperVersion no longer current, a slot scraped meanwhile (failed CAS).
  void ReturnSlow(SuperVersion* sv, bool cached);
  void ScrapeAndRelease(SuperVersion* old) TLSM_REQUIRES(mu_);
  static void SlotUnref(SuperVersion* sv);

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
  // The matrix column: each thread's cached reference or a sentinel.
  tls::ThreadLocalPtr<SuperVersion> slots_;
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
