// model/version/db_model.cc — Relacy scenarios of the SuperVersion cache
// inside the DB host (engine/db): CF drop racing readers, two DBs sharing
// threads.
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::PinnedView;
using tlsm::db::Status;
using tlsm::sync::Atomic;
using tlsm::sync::Order;

// (3) CF drop racing readers that hold (Pin) and cache SuperVersions — SV-DROP.
// After the drop and the readers' last calls, no slot of the dropped CF holds
// a SuperVersion or is left in use, and every SuperVersion of the CF is gone.
struct DropVsReaders : ModelTest<DropVsReaders, 3> {
  DB* db = nullptr;
  ColumnFamily* cf = nullptr;
  Gate* readers_done = nullptr;
  Gate* checked = nullptr;

  void Setup() {
    db = tlsm::sync::New<DB>("d");
    cf = tlsm::sync::New<ColumnFamily>();
    Status s = db->CreateColumnFamily("a", cf);
    TLSM_INVARIANT(s.ok(), "MISUSE", "create CF failed");
    s = db->Put(*cf, "k", "v1");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
    readers_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  static void ExpectValue(const Status& s, const std::string& v) {
    TLSM_INVARIANT((s.ok() && v == "v1") || s.IsDropped(), "SV-DROP",
                   "a read of the CF returned neither its value nor Dropped");
  }
  void Body(unsigned t) {
    if (t < 2) {
      std::string v;
      ExpectValue(db->Get(*cf, "k", &v), v);  // caches the SuperVersion
      if (t == 0) {
        PinnedView pin;  // holds the slot's SuperVersion across the drop
        Status s = db->Pin(*cf, &pin);
        if (s.ok()) {
          std::string w;
          ExpectValue(db->Get(*cf, "k", &w), w);  // nested acquire
          ExpectValue(pin.Get("k", &w), w);
        }
      } else {
        ExpectValue(db->Get(*cf, "k", &v), v);
      }
      readers_done->Pass();
      checked->Wait();
      return;
    }
    Status s = db->DropColumnFamily("a");
    TLSM_INVARIANT(s.ok(), "MISUSE", "drop failed");
    readers_done->Wait(2);
    tlsm::db::CfInfo info;
    s = db->Describe(*cf, &info);
    TLSM_INVARIANT(s.ok(), "MISUSE", "describe failed");
    TLSM_INVARIANT(info.slots.in_use == 0, "SV-DROP", "a slot of a dropped CF is left in use");
    TLSM_INVARIANT(info.slots.current == 0 && info.slots.stale == 0, "SV-DROP",
                   "a slot of a dropped CF still holds a SuperVersion");
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-DROP",
                   "a SuperVersion of the dropped CF is still alive");
    checked->Pass(2);
  }
  void Check() {
    // Only the default CF's current SuperVersion remains.
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 1, "SV-DROP",
                   "a SuperVersion of the dropped CF outlived the readers");
  }
  void Teardown() {
    tlsm::sync::Delete(cf);
    tlsm::sync::Delete(db);
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 0, "SV-ONCE",
                   "a SuperVersion outlived DB close");
    tlsm::sync::Delete(readers_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(DropVsReaders, "sv.drop_vs_readers",
                    (std::vector<std::string>{"SV-DROP", "SV-ONCE", "SV-SAFE"}),
                    "a column family is dropped while two readers cache, pin and nest "
                    "acquires of its SuperVersion",
                    "SV-SAFE")

// (4) Two DBs with two CFs each, shared reader threads, installs in one DB —
// SV-ISO: every Get sees its own (DB, CF)'s data; installs in DB a never
// invalidate DB b's (or another CF's) slots.
struct TwoDbs : ModelTest<TwoDbs, 3> {
  DB* dbs[2] = {};
  ColumnFamily* cfs[2][2] = {};  // [db][0 = default, 1 = "x"]
  Gate* readers_done = nullptr;
  Gate* checked = nullptr;

  static std::string Expected(int d, int c) {
    return std::string(d == 0 ? "a" : "b") + (c == 0 ? "/default" : "/x");
  }
  void Setup() {
    for (int d = 0; d < 2; ++d) {
      dbs[d] = tlsm::sync::New<DB>(d == 0 ? "a" : "b");
      cfs[d][0] = tlsm::sync::New<ColumnFamily>(dbs[d]->DefaultColumnFamily());
      cfs[d][1] = tlsm::sync::New<ColumnFamily>();
      Status s = dbs[d]->CreateColumnFamily("x", cfs[d][1]);
      TLSM_INVARIANT(s.ok(), "MISUSE", "create CF failed");
      for (int c = 0; c < 2; ++c) {
        s = dbs[d]->Put(*cfs[d][c], "k", Expected(d, c));
        TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
      }
    }
    readers_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  void Read(int d, int c) {
    std::string v;
    Status s = dbs[d]->Get(*cfs[d][c], "k", &v);
    const bool ok = s.ok() && (v == Expected(d, c) || (d == 0 && c == 1 && v == "a/x2"));
    TLSM_INVARIANT(ok, "SV-ISO", "a Get returned another (DB, CF)'s data");
  }
  void Body(unsigned t) {
    if (t < 2) {
      // The two readers walk the four (DB, CF) pairs in opposite orders.
      for (int i = 0; i < 4; ++i) {
        const int j = t == 0 ? i : 3 - i;
        Read(j / 2, j % 2);
      }
      Read(0, 1);  // again, after a possible install
      readers_done->Pass();
      checked->Wait();
      return;
    }
    Status s = dbs[0]->Put(*cfs[0][1], "k", "a/x2");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
    s = dbs[0]->Flush(*cfs[0][1]);
    TLSM_INVARIANT(s.ok(), "MISUSE", "flush failed");
    readers_done->Wait(2);
    for (int d = 0; d < 2; ++d) {
      for (int c = 0; c < 2; ++c) {
        tlsm::db::CfInfo info;
        s = dbs[d]->Describe(*cfs[d][c], &info);
        TLSM_INVARIANT(s.ok(), "MISUSE", "describe failed");
        const bool installed_here = d == 0 && c == 1;
        TLSM_INVARIANT(info.version == (installed_here ? 2u : 1u), "SV-ISO",
                       "an install changed another (DB, CF)'s version");
        TLSM_INVARIANT(installed_here || (info.cache.invalidations == 0 &&
                                          info.slots.obsolete == 0),
                       "SV-ISO", "an install invalidated another (DB, CF)'s slots");
        TLSM_INVARIANT(info.slots.stale == 0 && info.slots.in_use == 0, "SV-STALE",
                       "a slot holds a non-current SuperVersion at a quiescent point");
      }
    }
    checked->Pass(2);
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 4, "SV-ONCE",
                   "SuperVersions alive != one per (DB, CF)");
  }
  void Teardown() {
    for (int d = 0; d < 2; ++d) {
      for (auto* c : cfs[d]) tlsm::sync::Delete(c);
      tlsm::sync::Delete(dbs[d]);
    }
    tlsm::sync::Delete(readers_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(TwoDbs, "sv.two_dbs",
                    (std::vector<std::string>{"SV-ISO", "SV-STALE", "SV-ONCE"}),
                    "two DBs x two CFs read by shared threads while DB a installs in one CF",
                    "SV-SAFE")
// Its bounded K=2 search is 897 015 executions (~2 460 events each): 96 s of
// CPU on this project's 2-vCPU reference machine, three times the default
// 30 s. The longer budget lets the default run complete (verify) it.
const BoundedBudget two_dbs_bounded_budget{"sv.two_dbs", 300};

}  // namespace
}  // namespace tlsm::model
