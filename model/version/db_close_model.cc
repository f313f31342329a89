// model/version/db_close_model.cc — DB::Close racing calls already inside
// the DB and live handles and pins (docs/db.md, "Close with other threads
// inside a call").
#include "engine/db/db.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::PinnedView;
using tlsm::db::Status;

// Close vs in-flight calls, handles and pins — SV-SAFE, SV-DROP, SV-ONCE.
// Thread 0 reads through a handle; thread 1 pins the CF, writes (every
// write flushes, so its Install races Close's Shutdown), and reads its pin
// before and after the write; thread 2 closes the DB meanwhile.
// docs/db.md: a call already past its entry check finishes normally (a read
// returns the value, a write is applied), one that starts after Close's
// first step fails with Closed, a pin taken before Close still reads its
// snapshot, and the CF's memory goes only when the last handle, pin or
// in-flight call lets go. The SuperVersions are freed exactly once: none is
// alive once the callers are done and before they exit (quiescent point,
// thread 2) and at the end (Check()); the handle outlives the close and is the last to let go
// (Teardown), so freeing the CF with the close is a use after free.
struct CloseVsCalls : ModelTest<CloseVsCalls, 3> {
  DB* db = nullptr;
  ColumnFamily* cf = nullptr;
  Gate* calls_done = nullptr;  // each caller passes once its calls returned
  Gate* checked = nullptr;     // the callers stay alive (no exit) until then

  void Setup() {
    tlsm::db::Options o;
    o.memtable_max_entries = 1;  // every write flushes: Install races Shutdown
    db = tlsm::sync::New<DB>("d", o);
    cf = tlsm::sync::New<ColumnFamily>();
    Status s = db->CreateColumnFamily("a", cf);
    TLSM_INVARIANT(s.ok(), "MISUSE", "create CF failed");
    s = db->Put(*cf, "k", "v1");
    TLSM_INVARIANT(s.ok(), "MISUSE", "put failed");
    calls_done = tlsm::sync::New<Gate>();
    checked = tlsm::sync::New<Gate>();
  }
  static void ExpectV1OrClosed(const Status& s, const std::string& v) {
    TLSM_INVARIANT((s.ok() && v == "v1") || s.IsClosed(), "SV-DROP",
                   "a read racing Close returned neither the value nor Closed");
  }
  // The pin sees k as it was at Pin time and not k2, written after it.
  static void ExpectSnapshot(const PinnedView& pin) {
    std::string v;
    const Status s = pin.Get("k", &v);
    TLSM_INVARIANT(s.ok() && v == "v1", "SV-SAFE", "a pin taken before Close lost its snapshot");
    TLSM_INVARIANT(pin.Get("k2", &v).IsNotFound(), "SV-SAFE",
                   "a pin saw a write made after it was taken");
  }
  void Body(unsigned t) {
    if (t == 0) {
      std::string v;
      ExpectV1OrClosed(db->Get(*cf, "k", &v), v);
    } else if (t == 1) {
      PinnedView pin;
      const bool pinned = db->Pin(*cf, &pin).ok();
      if (pinned) ExpectSnapshot(pin);
      const Status w = db->Put(*cf, "k2", "v2");
      TLSM_INVARIANT(w.ok() || w.IsClosed(), "SV-DROP",
                     "a write racing Close failed with neither OK nor Closed");
      if (pinned) {
        ExpectSnapshot(pin);  // the write (and maybe the close) happened since
        pin.Release();
      }
    } else {
      TLSM_INVARIANT(db->Close().ok(), "MISUSE", "close failed");
      std::string v;
      TLSM_INVARIANT(db->Get(*cf, "k", &v).IsClosed(), "SV-DROP",
                     "a call that started after Close did not fail with Closed");
      calls_done->Wait(2);
      // Quiescent: every call and pin let go, the callers are alive (their
      // slots were scraped by Close, not released by an exit); the handle
      // still holds the CF.
      TLSM_INVARIANT(tlsm::version::LiveSuperVersions() == 0, "SV-DROP",
                     "a SuperVersion of the closed DB outlived its readers");
      TLSM_INVARIANT(cf->name() == "a", "SV-SAFE", "a live handle's CF was freed by Close");
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
    tlsm::sync::Delete(cf);  // the last reference: the CF's memory goes now
    tlsm::sync::Delete(db);
    tlsm::sync::Delete(calls_done);
    tlsm::sync::Delete(checked);
  }
};

TLSM_MODEL_SCENARIO(CloseVsCalls, "db.close_vs_calls",
                    (std::vector<std::string>{"SV-SAFE", "SV-DROP", "SV-ONCE"}),
                    "a DB is closed while a reader is inside Get and a pinning writer holds "
                    "a snapshot",
                    "SV-SAFE")

}  // namespace
}  // namespace tlsm::model
