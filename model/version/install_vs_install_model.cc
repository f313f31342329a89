// model/version/install_vs_install_model.cc — two flushing writers install
// SuperVersions of one column family, each then pinning it
// (super_version_cache.h: "Install and Shutdown on any thread (serialized by
// mu_)"; db.cc: a flush numbers and installs under the CF write mutex).
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::CfInfo;
using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::PinnedView;
using tlsm::db::Status;

// Install vs Install — SV-FRESH, SV-STALE, SV-ONCE, SV-SAFE.
// Threads 0 and 1 each Put a key into the CF; every Put flushes
// (memtable_max_entries 1: the flush of a full memtable), so each seals its
// entry and installs the next version, and the two installs race each
// other. Each writer then pins the CF, racing the other's install: Install
// requires a newer version than the current one (its SV-FRESH check), and
// a pin taken after the writer's own install returned has at least version
// 2 and reads the writer's key (SV-FRESH). Quiescent point (thread 1, once
// both writers are done, both alive): versions 1, 2, 3 installed one by one
// (version == installs == 3), nothing left unflushed, both keys read back,
// a new pin sees version 3, no slot is stale or in use (SV-STALE), only the
// current SuperVersion is alive (SV-ONCE); again at the end (Check()).
struct InstallVsInstall : ModelTest<InstallVsInstall, 2> {
  DB* db = nullptr;
  ColumnFamily* cf = nullptr;
  Gate* done = nullptr;     // thread 0 passes once its Put and pin are done
  Gate* checked = nullptr;  // thread 0 stays alive (no exit) until then

  void Setup() {
    tlsm::db::Options o;
    o.memtable_max_entries = 1;  // every Put flushes and installs
    db = tlsm::sync::New<DB>("d", o);
    cf = tlsm::sync::New<ColumnFamily>(db->DefaultColumnFamily());
    done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  // Pins the CF, checks it holds `key` (unless null), returns its version.
  std::uint64_t PinVersion(const char* key, const char* want) {
    PinnedView pin;
    TLSM_INVARIANT(db->Pin(*cf, &pin).ok(), "MISUSE", "pin failed");
    const std::uint64_t v = pin.version();
    if (key != nullptr) {
      std::string got;
      TLSM_INVARIANT(pin.Get(key, &got).ok() && got == want, "SV-FRESH",
                     "a pin taken after the writer's install misses its write");
    }
    pin.Release();
    return v;
  }
  void ExpectValue(const char* key, const char* want) {
    std::string v;
    const Status s = db->Get(*cf, key, &v);
    TLSM_INVARIANT(s.ok() && v == want, "SV-FRESH",
                   "a Get after both flushing writers returned misses a write");
  }
  void Body(unsigned t) {
    const char* key = t == 0 ? "a" : "b";
    const char* value = t == 0 ? "1" : "2";
    TLSM_INVARIANT(db->Put(*cf, key, value).ok(), "MISUSE", "put failed");
    TLSM_INVARIANT(PinVersion(key, value) >= 2, "SV-FRESH",
                   "a pin after the writer's install returned has an older version");
    if (t == 0) {
      done->Pass();
      checked->Wait();
      return;
    }
    done->Wait();
    CfInfo info;
    TLSM_INVARIANT(db->Describe(*cf, &info).ok(), "MISUSE", "describe failed");
    TLSM_INVARIANT(info.version == 3 && info.cache.installs == 3 && info.mem_entries == 0,
                   "SV-FRESH", "two flushing writers did not install versions 2 and 3");
    TLSM_INVARIANT(info.slots.stale == 0 && info.slots.in_use == 0, "SV-STALE",
                   "a slot holds a stale SuperVersion or is left in use");
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a replaced SuperVersion outlived its installs");
    ExpectValue("a", "1");
    ExpectValue("b", "2");
    TLSM_INVARIANT(PinVersion(nullptr, nullptr) == 3, "SV-FRESH",
                   "a pin after both installs returned is not the current version");
    checked->Pass();
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a SuperVersion other than the current one is alive");
  }
  void Teardown() {
    tlsm::sync::Delete(cf);
    tlsm::sync::Delete(db);
    tlsm::sync::Delete(done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(InstallVsInstall, "sv.install_vs_install",
                    (std::vector<std::string>{"SV-FRESH", "SV-STALE", "SV-ONCE", "SV-SAFE"}),
                    "two writers Put into one CF, each Put flushing (two installs racing), then "
                    "pin it",
                    "SV-SAFE")

}  // namespace
}  // namespace tlsm::model
