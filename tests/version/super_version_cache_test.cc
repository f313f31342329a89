// Unit tests of the SuperVersion cache (production build).
#include "engine/version/super_version_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace {

using tlsm::version::AcquiredSv;
using tlsm::version::ImmMemTable;
using tlsm::version::LiveSuperVersions;
using tlsm::version::Lookup;
using tlsm::version::MemTable;
using tlsm::version::ScopedSv;
using tlsm::version::SuperVersion;
using tlsm::version::SuperVersionCache;
using tlsm::version::SuperVersionMeta;

SuperVersion* MakeSv(std::uint64_t v, std::uint32_t db = 1, std::uint32_t cf = 2,
                     MemTable* mem = nullptr) {
  if (mem == nullptr) mem = tlsm::sync::New<MemTable>();
  return tlsm::sync::New<SuperVersion>(SuperVersionMeta{v, db, cf}, mem,
                                       std::vector<ImmMemTable*>{});
}

template <class F>
void OnThread(F&& f) {
  std::thread t(std::forward<F>(f));
  t.join();
}

TEST(SuperVersionCache, FirstAcquireMissesThenHits) {
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv a = c.Acquire();
  ASSERT_TRUE(a);
  EXPECT_FALSE(a.hit);
  EXPECT_EQ(a.sv->version(), 1u);
  c.Return(a);
  AcquiredSv b = c.Acquire();
  EXPECT_TRUE(b.hit);
  EXPECT_EQ(b.sv, a.sv);
  c.Return(b);
  EXPECT_EQ(c.Stats().misses, 1u);
  auto census = c.Census();
  EXPECT_EQ(census.current, 1);
  EXPECT_EQ(census.stale + census.in_use, 0);
}

TEST(SuperVersionCache, InstallInvalidatesAndFreesOld) {  // SV-STALE, SV-ONCE
  const auto base = LiveSuperVersions();
  {
    SuperVersionCache c(1, 2);
    c.Install(MakeSv(1));
    c.Return(c.Acquire());  // cache v1 here
    EXPECT_EQ(LiveSuperVersions(), base + 1);
    c.Install(MakeSv(2));
    EXPECT_EQ(LiveSuperVersions(), base + 1) << "old SV must be freed after scrape";
    EXPECT_EQ(c.Stats().invalidations, 1u);
    EXPECT_EQ(c.Census().obsolete, 1);
    ScopedSv s(&c);
    EXPECT_FALSE(s.hit());
    EXPECT_EQ(s->version(), 2u);
  }
  EXPECT_EQ(LiveSuperVersions(), base);
}

TEST(SuperVersionCache, ReturnAfterInstallDropsReadersRef) {  // SV-REFS
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv a = c.Acquire();
  c.Install(MakeSv(2));  // scrapes our in-use slot to obsolete
  EXPECT_EQ(LiveSuperVersions(), base + 2);  // reader still holds v1
  EXPECT_EQ(a.sv->version(), 1u);
  c.Return(a);  // the install deferred the slot's ref to us: last ref dropped
  EXPECT_EQ(LiveSuperVersions(), base + 1);
  EXPECT_EQ(c.Census().obsolete, 1);
}

TEST(SuperVersionCache, NestedAcquireTakesPlainRef) {
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv outer = c.Acquire();
  AcquiredSv inner = c.Acquire();
  ASSERT_TRUE(inner);
  EXPECT_FALSE(inner.cached);
  EXPECT_EQ(inner.sv, outer.sv);
  EXPECT_EQ(outer.sv->RefsForCheck(), 3);  // current + outer (slot's) + inner
  c.Return(inner);
  c.Return(outer);
  EXPECT_EQ(c.Census().current, 1);
  EXPECT_EQ(c.Stats().nested, 1u);
}

TEST(SuperVersionCache, NestedAcquireAfterInstallSeesNewOne) {  // SV-FRESH
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv outer = c.Acquire();
  c.Install(MakeSv(2));
  AcquiredSv inner = c.Acquire();  // nested (outer inside): a plain ref on v2
  EXPECT_FALSE(inner.cached);
  EXPECT_EQ(inner.sv->version(), 2u);
  c.Return(inner);
  c.Return(outer);  // slot scraped: drops v1 (deferred to this Return)
  auto census = c.Census();
  EXPECT_EQ(census.stale, 0);
  EXPECT_EQ(census.in_use, 0);
  EXPECT_EQ(LiveSuperVersions(), base + 1);
  ScopedSv s(&c);  // the next acquire caches v2
  EXPECT_EQ(s->version(), 2u);
  EXPECT_EQ(c.Census().current, 1);
}

TEST(SuperVersionCache, OverlappingAcquiresReturnedOutOfOrder) {  // SV-STALE
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv a = c.Acquire();
  c.Install(MakeSv(2));
  AcquiredSv b = c.Acquire();  // nested: a plain ref on v2
  EXPECT_EQ(b.sv->version(), 2u);
  c.Return(a);  // first: must not put v1 back
  c.Return(b);
  auto census = c.Census();
  EXPECT_EQ(census.stale, 0);
  EXPECT_EQ(census.in_use, 0);
  EXPECT_EQ(LiveSuperVersions(), base + 1);
}

TEST(SuperVersionCache, NestedReturnedFirstKeepsOuterBorrow) {  // SV-SAFE, SV-REFS
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv outer = c.Acquire();
  AcquiredSv inner = c.Acquire();
  c.Return(inner);
  EXPECT_EQ(c.Census().in_use, 1) << "the outer acquire is still inside";
  c.Install(MakeSv(2));  // must defer the slot's ref of v1 to the outer Return
  EXPECT_EQ(LiveSuperVersions(), base + 2);
  EXPECT_EQ(outer.sv->version(), 1u);
  EXPECT_EQ(outer.sv->RefsForCheck(), 1);  // the deferred ref
  c.Return(outer);
  EXPECT_EQ(LiveSuperVersions(), base + 1);
  EXPECT_EQ(c.Census().in_use, 0);
}

TEST(SuperVersionCache, PinHeldAcrossManyInstalls) {  // an iterator; SV-ONCE
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv pin = c.Acquire();
  for (std::uint64_t v = 2; v <= 20; ++v) {
    c.Install(MakeSv(v));
    ScopedSv s(&c);  // nested while the pin is held
    EXPECT_EQ(s->version(), v);
  }
  EXPECT_EQ(pin.sv->version(), 1u);
  EXPECT_EQ(LiveSuperVersions(), base + 2);  // the pinned one + current
  c.Return(pin);
  EXPECT_EQ(LiveSuperVersions(), base + 1);
  EXPECT_EQ(c.Census().stale, 0);
}

TEST(SuperVersionCache, ShutdownWhileInsideDefersToReturn) {  // SV-DROP
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  AcquiredSv a = c.Acquire();
  c.Shutdown();
  EXPECT_EQ(LiveSuperVersions(), base + 1);  // the reader still holds v1
  c.Return(a);
  EXPECT_EQ(LiveSuperVersions(), base);
  EXPECT_EQ(c.Census().in_use, 0);
}

// The fence mode the seam chose: the fallback exactly when the environment
// forces it (ctest runs this binary a second time with
// TLSM_SYNC_NO_MEMBARRIER=1); otherwise membarrier when the kernel has it.
TEST(AsymmetricFence, ModeFollowsEnvironmentAndKernel) {
  const char* off = std::getenv("TLSM_SYNC_NO_MEMBARRIER");
  const bool forced = off != nullptr && off[0] != '\0' && off[0] != '0';
  const bool want_fallback = std::getenv("TLSM_EXPECT_FENCE_FALLBACK") != nullptr;
  EXPECT_EQ(forced, want_fallback) << "the fallback run must set both variables";
  if (forced) {
    EXPECT_EQ(tlsm::sync::AsymmetricFenceMode(), tlsm::sync::FenceMode::kSeqCstFences);
  } else if (std::getenv("TLSM_EXPECT_MEMBARRIER") != nullptr) {
    EXPECT_EQ(tlsm::sync::AsymmetricFenceMode(), tlsm::sync::FenceMode::kMembarrier);
  }
  tlsm::sync::HeavyBarrier();  // either mode: returns
  tlsm::sync::LightFence();
}

TEST(SuperVersionCache, ThreadExitReleasesCachedRef) {  // TLS-ONCE, SV-ONCE
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  SuperVersion* v1 = nullptr;
  OnThread([&] {
    ScopedSv s(&c);
    v1 = s.get();
  });
  EXPECT_EQ(v1->RefsForCheck(), 1);  // the slot's ref went at thread exit
  c.Install(MakeSv(2));
  EXPECT_EQ(LiveSuperVersions(), base + 1);
}

TEST(SuperVersionCache, ShutdownEmptiesSlotsAndFailsAcquire) {  // SV-DROP
  const auto base = LiveSuperVersions();
  SuperVersionCache c(1, 2);
  c.Install(MakeSv(1));
  c.Return(c.Acquire());
  c.Shutdown();
  EXPECT_EQ(LiveSuperVersions(), base);
  EXPECT_FALSE(c.Acquire());
  auto census = c.Census();
  EXPECT_EQ(census.in_use, 0);
  EXPECT_EQ(census.current + census.stale, 0);
  c.Install(MakeSv(2));  // ignored after shutdown, freed
  EXPECT_EQ(LiveSuperVersions(), base);
}

TEST(SuperVersionCache, ColumnReclaimReleasesOtherThreadsSlots) {
  const auto base = LiveSuperVersions();
  auto* c = tlsm::sync::New<SuperVersionCache>(1, 2);
  c->Install(MakeSv(1));
  std::atomic<bool> cached{false}, go{false};
  std::thread t([&] {
    c->Return(c->Acquire());
    cached = true;
    while (!go) std::this_thread::yield();
  });
  while (!cached) std::this_thread::yield();
  tlsm::sync::Delete(c);
  EXPECT_EQ(LiveSuperVersions(), base);
  go = true;
  t.join();
}

TEST(MemTable, SnapshotBoundsAndTombstones) {
  MemTable m;
  std::string a = "a", b = "b";
  m.Add(1, "k", &a);
  m.Add(2, "k", &b);
  m.Add(3, "k", nullptr);
  std::string v;
  EXPECT_EQ(m.Get("k", 1, &v), Lookup::kFound);
  EXPECT_EQ(v, "a");
  EXPECT_EQ(m.Get("k", 2, &v), Lookup::kFound);
  EXPECT_EQ(v, "b");
  EXPECT_EQ(m.Get("k", 3, &v), Lookup::kDeleted);
  EXPECT_EQ(m.Get("x", 3, &v), Lookup::kNotFound);
  auto snap = m.Snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_TRUE(snap["k"].deleted);
  ImmMemTable imm(std::move(snap));
  EXPECT_EQ(imm.Get("k", 3, &v), Lookup::kDeleted);
}

#if !defined(NDEBUG)
TEST(SuperVersionCacheDeathTest, InstallOfAnotherCfsSvAborts) {  // SV-ISO
  EXPECT_DEATH(
      {
        SuperVersionCache c(1, 2);
        c.Install(MakeSv(1, 1, 3));
      },
      "SV-ISO");
}
#endif

}  // namespace
