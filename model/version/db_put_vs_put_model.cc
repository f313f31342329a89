// model/version/db_put_vs_put_model.cc — two writers Put into one column
// family at the same time, each Put flushing (db.h: writes are serialized by
// the CF's write mutex; Flush seals the memtable and installs a new
// SuperVersion under it).
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::CfInfo;
using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Status;

// Put vs Put on one CF — SV-SAFE, SV-FRESH, SV-STALE, SV-ONCE, NO-LEAK.
// Threads 0 and 1 each Put one key into the default CF; every Put
// auto-flushes (memtable_max_entries 1), so one writer's append races the
// other's seal of the active memtable and its Install. The write mutex
// makes each Put atomic: no entry lands in a sealed or freed memtable
// (SV-SAFE: the memtable is reached through the SuperVersions that hold it;
// freed memory is poisoned), each write has its own sequence number, and a
// read that starts after both returned sees both (SV-FRESH). Quiescent point
// (thread 1, once both Puts returned, both writers alive): the values, two
// sequence numbers, versions 1..3 installed in order, no stale or in-use
// slot (SV-STALE), only the current SuperVersion alive (SV-ONCE); again at
// the end (Check()); Relacy's leak check after Teardown (NO-LEAK).
struct PutVsPut : ModelTest<PutVsPut, 2> {
  DB* db = nullptr;
  ColumnFamily* cf = nullptr;
  Gate* put_done = nullptr;  // thread 0 passes once its Put returned
  Gate* checked = nullptr;   // thread 0 stays alive (no exit) until then

  void Setup() {
    tlsm::db::Options o;
    o.memtable_max_entries = 1;  // every Put flushes: appends race seals
    db = tlsm::sync::New<DB>("d", o);
    cf = tlsm::sync::New<ColumnFamily>(db->DefaultColumnFamily());
    put_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  void ExpectValue(const char* key, const char* want) {
    std::string v;
    const Status s = db->Get(*cf, key, &v);
    TLSM_INVARIANT(s.ok() && v == want, "SV-FRESH",
                   "a Get after both Puts returned misses one of them");
  }
  void Body(unsigned t) {
    const Status s = db->Put(*cf, t == 0 ? "k0" : "k1", t == 0 ? "a" : "b");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
    if (t == 0) {
      put_done->Pass();
      checked->Wait();
      return;
    }
    put_done->Wait();
    ExpectValue("k0", "a");
    ExpectValue("k1", "b");
    CfInfo info;
    TLSM_INVARIANT(db->Describe(*cf, &info).ok(), "MISUSE", "describe failed");
    TLSM_INVARIANT(info.last_sequence == 2, "SV-FRESH",
                   "two writes to one CF did not get two sequence numbers");
    TLSM_INVARIANT(info.version == 3 && info.cache.installs == 3 && info.mem_entries == 0,
                   "SV-FRESH", "two flushing Puts did not install versions 2 and 3");
    TLSM_INVARIANT(info.slots.stale == 0 && info.slots.in_use == 0, "SV-STALE",
                   "a slot holds a stale SuperVersion or is left in use");
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a replaced SuperVersion outlived its installs");
    checked->Pass();
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a SuperVersion other than the current one is alive");
  }
  void Teardown() {
    tlsm::sync::Delete(cf);
    tlsm::sync::Delete(db);
    tlsm::sync::Delete(put_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(PutVsPut, "db.put_vs_put",
                    (std::vector<std::string>{"SV-SAFE", "SV-FRESH", "SV-STALE", "SV-ONCE",
                                              "NO-LEAK"}),
                    "two threads Put into one CF, each Put flushing, so an append races the "
                    "other's seal and install",
                    "SV-SAFE")

}  // namespace
}  // namespace tlsm::model
