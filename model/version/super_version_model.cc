// model/version/super_version_model.cc — Relacy scenarios of the SuperVersion
// cache itself (engine/version), without the DB host around it.
#include "engine/version/super_version_cache.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;
using tlsm::version::MemTable;
using tlsm::version::SuperVersion;
using tlsm::version::SuperVersionCache;
using tlsm::version::SuperVersionMeta;

constexpr std::uint32_t kDb = 7;
constexpr std::uint32_t kCf = 3;
constexpr std::uint64_t kAll = ~std::uint64_t{0};

SuperVersion* MakeSv(std::uint64_t v, MemTable* mem) {
  return tlsm::sync::New<SuperVersion>(SuperVersionMeta{v, kDb, kCf}, mem,
                                       std::vector<tlsm::version::ImmMemTable*>{});
}

// At a quiescent point (no acquire in flight): SV-STALE, SV-REFS, no slot in use.
void CheckQuiescent(SuperVersionCache* cache) {
  auto census = cache->Census();
  TLSM_INVARIANT(census.stale == 0, "SV-STALE",
                 "a slot holds a SuperVersion other than the current one");
  TLSM_INVARIANT(census.in_use == 0, "SV-REFS", "a slot is left in use");
  SuperVersion* cur = cache->RefCurrent();
  if (cur != nullptr) {
    const int refs = cur->RefsForCheck() - 1;  // minus the one just taken
    TLSM_INVARIANT(refs == 1 + census.current, "SV-REFS",
                   "refs != [current] + slots holding it (no reader holds one)");
    tlsm::version::ReleaseSuperVersion(cur);
  }
}

// One acquire/read/return, checking SV-FRESH against `installed` (the last
// version whose Install returned) and this thread's previous version.
void ReadOnce(SuperVersionCache* cache, Atomic<std::uint64_t>* installed, std::uint64_t* last) {
  const std::uint64_t floor = installed->Load(Order::kAcquire);
  auto a = cache->Acquire();
  TLSM_INVARIANT(a.sv != nullptr, "SV-SAFE", "acquire returned nothing on a live cache");
  const std::uint64_t v = a.sv->version();
  TLSM_INVARIANT(v >= floor, "SV-FRESH",
                 "an acquire that started after Install(v) returned saw an older version");
  TLSM_INVARIANT(v >= *last, "SV-FRESH", "one thread saw versions go backwards");
  TLSM_INVARIANT(a.sv->db_id() == kDb && a.sv->cf_id() == kCf, "SV-ISO",
                 "acquired a SuperVersion of another (DB, CF)");
  *last = v;
  std::string value;
  (void)a.sv->Get("k", kAll, &value);  // reads the memtable (SV-SAFE)
  cache->Return(a);
}

// (1) Two readers loop acquire/read/return while an installer writes into the
// current memtable and installs twice — SV-SAFE, SV-ONCE, SV-FRESH, SV-REFS,
// SV-STALE (checked at a barrier before the readers exit).
struct ReadersVsInstall : ModelTest<ReadersVsInstall, 3> {
  SuperVersionCache* cache = nullptr;
  MemTable* mem0 = nullptr;
  Atomic<std::uint64_t>* installed = nullptr;
  Gate* readers_done = nullptr;  // each reader passes once
  Gate* checked = nullptr;       // the installer passes both readers

  void Setup() {
    cache = tlsm::sync::New<SuperVersionCache>(kDb, kCf);
    mem0 = tlsm::sync::New<MemTable>();
    cache->Install(MakeSv(1, mem0));  // the SV owns mem0's first reference
    installed = tlsm::sync::New<Atomic<std::uint64_t>>(1);
    readers_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t < 2) {
      std::uint64_t last = 0;
      ReadOnce(cache, installed, &last);
      ReadOnce(cache, installed, &last);
      readers_done->Pass();
      checked->Wait();
      return;  // row teardown releases this thread's cached reference
    }
    // Installer: a write into the live memtable (lock-free readers see it),
    // then two installs.
    const std::string val = "a";
    mem0->Add(1, "k", &val);
    MemTable* mem1 = tlsm::sync::New<MemTable>();
    mem1->Add(2, "k", &val);
    cache->Install(MakeSv(2, mem1));
    installed->Store(2, Order::kRelease);
    mem1->Ref();
    cache->Install(MakeSv(3, mem1));
    installed->Store(3, Order::kRelease);
    readers_done->Wait();
    readers_done->Wait();
    CheckQuiescent(cache);
    checked->Pass(2);
  }
  void Check() {
    // Only the current SuperVersion is alive once every reader exited.
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a SuperVersion other than the current one is still alive");
    TLSM_INVARIANT(cache->CurrentVersion() == 3, "SV-FRESH", "current version is not 3");
  }
  void Teardown() {
    tlsm::sync::Delete(cache);
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 0, "SV-ONCE",
                   "a SuperVersion outlived its cache");
    tlsm::sync::Delete(installed);
    tlsm::sync::Delete(readers_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(ReadersVsInstall, "sv.readers_vs_install",
                    (std::vector<std::string>{"SV-SAFE", "SV-ONCE", "SV-FRESH", "SV-REFS",
                                              "SV-STALE"}),
                    "two readers acquire/read/return twice while an installer writes and "
                    "installs twice",
                    "SV-SAFE")

// (2) A reader thread ends (row teardown releases its cached reference)
// while the installer scrapes — SV-ONCE, TLS-EXIT.
struct ExitVsScrape : ModelTest<ExitVsScrape, 2> {
  SuperVersionCache* cache = nullptr;
  Atomic<std::uint64_t>* installed = nullptr;

  void Setup() {
    cache = tlsm::sync::New<SuperVersionCache>(kDb, kCf);
    cache->Install(MakeSv(1, tlsm::sync::New<MemTable>()));
    installed = tlsm::sync::New<Atomic<std::uint64_t>>(1);
  }
  void Body(unsigned t) {
    if (t == 0) {
      std::uint64_t last = 0;
      ReadOnce(cache, installed, &last);  // caches v1 in this thread's slot
      return;                             // exit races the scrape below
    }
    cache->Install(MakeSv(2, tlsm::sync::New<MemTable>()));
    installed->Store(2, Order::kRelease);
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "the replaced SuperVersion was not freed (or freed twice)");
  }
  void Teardown() {
    tlsm::sync::Delete(cache);
    tlsm::sync::Delete(installed);
  }
};

TLSM_MODEL_SCENARIO(ExitVsScrape, "sv.exit_vs_scrape",
                    (std::vector<std::string>{"SV-ONCE", "TLS-EXIT"}),
                    "a reader caches a SuperVersion and exits while an installer scrapes",
                    "TLS-EXIT")

// (5) Overlapping acquires on one thread returned out of order (a pin held
// across an install, then a second pin, the first released first) — SV-STALE:
// the first (stale) SuperVersion must not go back into the slot.
struct NestedOutOfOrder : ModelTest<NestedOutOfOrder, 2> {
  SuperVersionCache* cache = nullptr;
  Gate* installed = nullptr;  // passed once v2 is installed

  void Setup() {
    cache = tlsm::sync::New<SuperVersionCache>(kDb, kCf);
    cache->Install(MakeSv(1, tlsm::sync::New<MemTable>()));
    installed = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t == 0) {
      auto a = cache->Acquire();
      installed->Wait();
      auto b = cache->Acquire();
      TLSM_INVARIANT(b.sv->version() == 2, "SV-FRESH", "acquire after install saw v1");
      cache->Return(a);  // out of order: a first
      cache->Return(b);
      CheckQuiescent(cache);
      return;
    }
    cache->Install(MakeSv(2, tlsm::sync::New<MemTable>()));
    installed->Pass();
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a replaced SuperVersion is still alive");
  }
  void Teardown() {
    tlsm::sync::Delete(cache);
    tlsm::sync::Delete(installed);
  }
};

TLSM_MODEL_SCENARIO(NestedOutOfOrder, "sv.nested_out_of_order",
                    (std::vector<std::string>{"SV-STALE", "SV-FRESH", "SV-ONCE"}),
                    "one thread holds an acquire across an install, acquires again and "
                    "returns the first one first",
                    "SV-SAFE")

// (6) A nested acquire returned first while the outer one still reads, with
// an install racing both — SV-SAFE: the outer borrow of the slot's reference
// must stay protected (the installer defers its release) until the outer
// Return, not until the first Return on the thread.
struct NestedVsInstall : ModelTest<NestedVsInstall, 2> {
  SuperVersionCache* cache = nullptr;

  void Setup() {
    cache = tlsm::sync::New<SuperVersionCache>(kDb, kCf);
    MemTable* mem = tlsm::sync::New<MemTable>();
    const std::string val = "a";
    mem->Add(1, "k", &val);
    cache->Install(MakeSv(1, mem));
  }
  void Body(unsigned t) {
    if (t == 0) {
      auto a = cache->Acquire();  // borrows the slot's reference
      auto b = cache->Acquire();  // nested: a plain reference
      cache->Return(b);
      std::string value;
      (void)a.sv->Get("k", kAll, &value);  // SV-SAFE
      cache->Return(a);
      return;
    }
    cache->Install(MakeSv(2, tlsm::sync::New<MemTable>()));
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a replaced SuperVersion is still alive");
  }
  void Teardown() { tlsm::sync::Delete(cache); }
};

TLSM_MODEL_SCENARIO(NestedVsInstall, "sv.nested_vs_install",
                    (std::vector<std::string>{"SV-SAFE", "SV-ONCE"}),
                    "one thread acquires, acquires again (nested), returns the nested one "
                    "and reads through the outer one while an installer replaces it",
                    "SV-SAFE")

}  // namespace
}  // namespace tlsm::model
