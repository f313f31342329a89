// model/version/db_get_vs_overwrite_model.cc — a Get racing an overwrite of
// its key whose automatic flush merges the immutable tables (only the newest
// entry of each key survives a merge).
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Status;

// Get vs an overwrite that flushes and merges — SV-FRESH, SV-SAFE, SV-ONCE.
// Setup writes k = "a" (flushed: every Put seals the memtable, and at most
// one immutable table is kept, so a flush merges the sealed table into the
// older one). Thread 0 reads k (caching the SuperVersion in its slot) and
// then again, a cache hit unless an install scraped the slot; thread 1,
// after the first read, overwrites k = "b", which seals, merges away the
// entry "a" and installs. Every read finds "a" or "b": a
// read's snapshot must cover what its SuperVersion holds (the snapshot is
// taken after the SuperVersion is acquired).
// kPin: the racing read is a Pin and a read through the pinned view (the
// pin's snapshot), db.pin_vs_overwrite; otherwise a Get.
template <bool kPin>
struct GetVsOverwrite : ModelTest<GetVsOverwrite<kPin>, 2> {
  DB* db = nullptr;
  ColumnFamily* cf = nullptr;
  Gate* cached = nullptr;  // thread 0's first Get returned

  void Setup() {
    tlsm::db::Options o;
    o.memtable_max_entries = 1;     // every Put flushes
    o.max_immutable_memtables = 1;  // every flush after the first merges
    db = tlsm::sync::New<DB>("d", o);
    cf = tlsm::sync::New<ColumnFamily>(db->DefaultColumnFamily());
    const Status s = db->Put(*cf, "k", "a");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
    cached = tlsm::sync::New<Gate>();
    // The history's names (docs/developing.md); the DB names its own objects.
    tlsm::sync::Name(*cf, "cf handle 'default'");
    tlsm::sync::Name(*cached, "gate 'first Get returned'");
  }
  void ExpectAOrB() {
    std::string v;
    const Status s = db->Get(*cf, "k", &v);
    TLSM_INVARIANT(s.ok() && (v == "a" || v == "b"), "SV-FRESH",
                   "a Get of a key written before it started found nothing");
  }
  void ExpectPinnedAOrB() {
    tlsm::db::PinnedView pin;
    TLSM_INVARIANT(db->Pin(*cf, &pin).ok(), "MISUSE", "pin failed");
    std::string v;
    const Status s = pin.Get("k", &v);
    TLSM_INVARIANT(s.ok() && (v == "a" || v == "b"), "SV-FRESH",
                   "a pin taken after a key was written does not see it");
  }
  void Body(unsigned t) {
    if (t == 0) {
      ExpectAOrB();  // caches the SuperVersion in this thread's slot
      cached->Pass();
      // A hit, racing the overwrite (or a miss after its install).
      if (kPin) {
        ExpectPinnedAOrB();
      } else {
        ExpectAOrB();
      }
      return;
    }
    cached->Wait();
    const Status s = db->Put(*cf, "k", "b");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-ONCE",
                   "a SuperVersion other than the current one is alive");
  }
  void Teardown() {
    tlsm::sync::Delete(cf);
    tlsm::sync::Delete(db);
    tlsm::sync::Delete(cached);
  }
};

using GetVsOverwriteGet = GetVsOverwrite<false>;
using GetVsOverwritePin = GetVsOverwrite<true>;

TLSM_MODEL_SCENARIO(GetVsOverwriteGet, "db.get_vs_overwrite",
                    (std::vector<std::string>{"SV-FRESH", "SV-SAFE", "SV-ONCE", "NO-LEAK"}),
                    "a thread Gets a key twice while another overwrites it, and that Put's "
                    "flush merges the older entry away",
                    "SV-FRESH")

TLSM_MODEL_SCENARIO(GetVsOverwritePin, "db.pin_vs_overwrite",
                    (std::vector<std::string>{"SV-FRESH", "SV-SAFE", "SV-ONCE", "NO-LEAK"}),
                    "a thread Gets a key and then pins the CF and reads it while another "
                    "overwrites it, and that Put's flush merges the older entry away",
                    "SV-FRESH")

}  // namespace
}  // namespace tlsm::model
