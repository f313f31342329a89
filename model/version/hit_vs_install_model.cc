// model/version/hit_vs_install_model.cc — a cache hit racing an Install
// that scrapes several threads' slots.
#include "engine/version/super_version_cache.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::version::MemTable;
using tlsm::version::SuperVersion;
using tlsm::version::SuperVersionCache;
using tlsm::version::SuperVersionMeta;

constexpr std::uint32_t kDb = 7;
constexpr std::uint32_t kCf = 4;
constexpr std::uint64_t kAll = ~std::uint64_t{0};

SuperVersion* MakeSv(std::uint64_t v, MemTable* mem) {
  return tlsm::sync::New<SuperVersion>(SuperVersionMeta{v, kDb, kCf}, mem,
                                       std::vector<tlsm::version::ImmMemTable*>{});
}

void ReadOnce(SuperVersionCache* cache) {
  auto a = cache->Acquire();
  TLSM_INVARIANT(a.sv != nullptr, "SV-SAFE", "acquire returned nothing on a live cache");
  std::string value;
  (void)a.sv->Get("k", kAll, &value);  // reads the memtable (SV-SAFE)
  cache->Return(a);
}

// Acquires vs an Install over several cached slots — SV-SAFE, SV-ONCE,
// SV-REFS, SV-STALE. Threads 1 and 2 each cache v1 in their slot (one read);
// thread 2 then installs v2, thread 1 parks until the end. Thread 0 reads
// twice after them (its row is the newest: an Install's scrape visits it
// first and the other two rows after it), a first acquire (a miss) and a
// hit, both racing the Install. No acquire may borrow a reference the
// Install released: it keeps v1 (the Install defers v1's release to its
// Return) or takes v2. Once both are done no slot is left in use (a
// reference deferred to the reader's Return was released by it) or stale.
// At the end only v2 is alive.
// Threads 1..kThreads-1 cache v1; the last of them installs. Three: the
// bounded K=2 search completes (a fourth thread puts it past its budget).
constexpr unsigned kThreads = 3;
struct HitVsInstall : ModelTest<HitVsInstall, kThreads> {
  SuperVersionCache* cache = nullptr;
  Gate* cached = nullptr;  // each of threads 1..kThreads-1 cached v1
  Gate* installed = nullptr;  // the installer's Install returned
  Gate* done = nullptr;    // thread 0 is done: the parked threads may exit

  void Setup() {
    cache = tlsm::sync::New<SuperVersionCache>(kDb, kCf);
    MemTable* mem = tlsm::sync::New<MemTable>();
    mem->NameInHistory(1, kDb, kCf);  // the history's names (docs/developing.md)
    const std::string val = "a";
    mem->Add(1, "k", &val);
    cache->Install(MakeSv(1, mem));
    cached = tlsm::sync::New<Gate>();
    installed = tlsm::sync::New<Gate>();
    done = tlsm::sync::New<Gate>();
    tlsm::sync::Name(*cached, "gate 'v1 cached'");
    tlsm::sync::Name(*installed, "gate 'v2 installed'");
    tlsm::sync::Name(*done, "gate 'reads done'");
  }
  void Body(unsigned t) {
    if (t == 0) {
      cached->Wait(kThreads - 1);
      ReadOnce(cache);  // first acquire, a miss: the newest row
      ReadOnce(cache);  // a hit (or a miss after a scrape)
      installed->Wait();
      // Quiescent (the parked thread is outside any acquire): no slot is in
      // use or holds a deferred reference, and none holds v1.
      const auto census = cache->Census();
      TLSM_INVARIANT(census.in_use == 0, "SV-REFS",
                     "a slot is left in use (a deferred reference nobody will release)");
      TLSM_INVARIANT(census.stale == 0, "SV-STALE", "a slot holds a replaced SuperVersion");
      done->Pass(kThreads - 2);
      return;
    }
    ReadOnce(cache);
    cached->Pass();
    if (t == kThreads - 1) {
      MemTable* mem = tlsm::sync::New<MemTable>();
      mem->NameInHistory(2, kDb, kCf);
      cache->Install(MakeSv(2, mem));
      installed->Pass();
      return;
    }
    done->Wait();  // parked: this row stays linked, its slot cached
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a replaced SuperVersion is still alive");
  }
  void Teardown() {
    tlsm::sync::Delete(cache);
    tlsm::sync::Delete(cached);
    tlsm::sync::Delete(installed);
    tlsm::sync::Delete(done);
  }
};

TLSM_MODEL_SCENARIO(HitVsInstall, "sv.hit_vs_install",
                    (std::vector<std::string>{"SV-SAFE", "SV-ONCE", "SV-REFS", "SV-STALE"}),
                    "a first acquire and a cache hit race an Install that scrapes the "
                    "reader's slot first and two more after it",
                    "SV-SAFE")

}  // namespace
}  // namespace tlsm::model
