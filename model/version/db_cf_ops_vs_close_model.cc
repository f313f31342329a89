// model/version/db_cf_ops_vs_close_model.cc — column families created and
// dropped while the DB closes.
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Status;

// CreateColumnFamily / DropColumnFamily vs Close — SV-DROP, SV-ONCE.
// Thread 0 creates CF "b" and writes to it; thread 1 drops CF "a"; thread 2
// closes the DB meanwhile. docs/db.md: a call that starts after Close's
// first step fails with Closed, one already past it finishes; Close takes
// the whole CF map, so no CF may be left in the closed DB. Quiescent point
// (thread 2, once both callers returned and before they exit): the closed
// DB lists no CF and no SuperVersion of it is alive; again at the end
// (Check()). The handle of "b", if created, outlives the close (Teardown).
struct CfOpsVsClose : ModelTest<CfOpsVsClose, 3> {
  DB* db = nullptr;
  ColumnFamily* b = nullptr;  // thread 0's handle of the CF it creates
  Gate* calls_done = nullptr;
  Gate* checked = nullptr;  // the callers stay alive (no exit) until then

  void Setup() {
    tlsm::db::Options o;
    o.memtable_max_entries = 1;  // a write flushes: Install races Shutdown
    db = tlsm::sync::New<DB>("d", o);
    b = tlsm::sync::New<ColumnFamily>();
    Status s = db->CreateColumnFamily("a");
    TLSM_INVARIANT(s.ok(), "MISUSE", "create CF failed");
    calls_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  static void ExpectOkOrClosed(const Status& s) {
    TLSM_INVARIANT(s.ok() || s.IsClosed(), "SV-DROP",
                   "a CF call racing Close failed with neither OK nor Closed");
  }
  void Body(unsigned t) {
    if (t == 0) {
      const Status s = db->CreateColumnFamily("b", b);
      ExpectOkOrClosed(s);
      if (s.ok()) ExpectOkOrClosed(db->Put(*b, "k", "v"));
    } else if (t == 1) {
      ExpectOkOrClosed(db->DropColumnFamily("a"));
    } else {
      TLSM_INVARIANT(db->Close().ok(), "MISUSE", "close failed");
      calls_done->Wait(2);
      TLSM_INVARIANT(db->ListColumnFamilies().empty(), "SV-DROP",
                     "a column family survived DB close");
      TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 0, "SV-DROP",
                     "a SuperVersion of the closed DB outlived the close and its callers");
      checked->Pass(2);
      return;
    }
    calls_done->Pass();
    checked->Wait();
  }
  void Check() {
    TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 0, "SV-ONCE",
                   "a SuperVersion outlived DB close");
  }
  void Teardown() {
    tlsm::sync::Delete(b);
    tlsm::sync::Delete(db);
    tlsm::sync::Delete(calls_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(CfOpsVsClose, "db.cf_ops_vs_close",
                    (std::vector<std::string>{"SV-DROP", "SV-ONCE"}),
                    "a column family is created (and written) and another dropped while the "
                    "DB closes",
                    "SV-DROP")

}  // namespace
}  // namespace tlsm::model
