// model/tls/reuse_vs_live_thread_model.cc — a column reclaimed and its id
// reused while a thread that stored a value in the old column still runs.
#include "engine/tls/thread_local_ptr.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"
#include "model/tls/tracked_value.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

// Reclaim and reuse racing a live thread — TLS-INIT, TLS-ISO, TLS-ONCE.
// Thread 0 stores into columns A and C (its slot array now holds A's id),
// announces it is done with A, reads C again while thread 1 reclaims A and
// thread 2 creates column B — with nothing ordering B's creation after A's
// reclaim, so B gets A's id when the reclaim finished first and a fresh id
// otherwise; thread 2 then stores into B, its first write (a new row, linked
// while the reclaim may be walking the rows). Thread 0's first Get on B must
// read null either way, its value in C must be untouched, and its own value
// in B must read back.
// Quiescent point (thread 0, once the reclaim returned): va was handled
// exactly once, vb and vc not at all and still in their slots. The handlers
// check their column's tag (TLS-ISO); Check() that every value was handled
// exactly once (va by the reclaim, vc and vb by thread 0's exit, vb2 by
// thread 2's).
struct ReuseVsLiveThread : ModelTest<ReuseVsLiveThread, 3> {
  int tag_a = 1, tag_b = 2, tag_c = 3;
  ThreadLocalColumn* a = nullptr;
  ThreadLocalColumn* c = nullptr;
  Atomic<ThreadLocalColumn*>* b = nullptr;  // published by thread 2
  TrackedValue* va = nullptr;
  TrackedValue* vb = nullptr;
  TrackedValue* vc = nullptr;
  TrackedValue* vb2 = nullptr;  // thread 2's value in B: its row's first write
  Gate* done_with_a = nullptr;  // thread 0 no longer uses A
  Gate* b_published = nullptr;
  Gate* reclaimed = nullptr;    // A's destructor returned

  void Setup() {
    a = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_a});
    c = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_c});
    b = tlsm::sync::New<Atomic<ThreadLocalColumn*>>(nullptr);
    va = tlsm::sync::New<TrackedValue>(tag_a);
    vb = tlsm::sync::New<TrackedValue>(tag_b);
    vc = tlsm::sync::New<TrackedValue>(tag_c);
    vb2 = tlsm::sync::New<TrackedValue>(tag_b);
    done_with_a = tlsm::sync::New<Gate>();
    b_published = tlsm::sync::New<Gate>();
    reclaimed = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t == 0) {
      a->Reset(va);
      c->Reset(vc);
      done_with_a->Pass(2);
      TLSM_INVARIANT(c->Get() == vc, "TLS-ISO",
                     "reclaiming one column changed another column's slot");
      b_published->Wait();
      ThreadLocalColumn* fresh = b->Load(Order::kAcquire);
      TLSM_INVARIANT(fresh->Get() == nullptr, "TLS-INIT",
                     "a live thread's first Get on a new column read a stale value");
      fresh->Reset(vb);
      TLSM_INVARIANT(fresh->Get() == vb, "TLS-OWN", "a thread's Get lost what it stored");
      TLSM_INVARIANT(c->Get() == vc, "TLS-ISO",
                     "reclaiming one column changed another column's slot");
      reclaimed->Wait();  // quiescent: nobody else touches the matrix now
      TLSM_INVARIANT(va->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                     "a reclaimed column's value was not handled exactly once by the reclaim");
      TLSM_INVARIANT(vb->handled.Load(Order::kAcquire) == 0 &&
                         vc->handled.Load(Order::kAcquire) == 0,
                     "TLS-ISO", "a reclaim handled a value of a live column");
      TLSM_INVARIANT(fresh->Get() == vb && c->Get() == vc, "TLS-ISO",
                     "a reclaim cleared a live column's slot");
      return;  // exit: vb and vc go to their handlers
    }
    done_with_a->Wait();
    if (t == 1) {
      tlsm::sync::Delete(a);  // reclaim: va goes to A's handler, here
      reclaimed->Pass();
      return;
    }
    auto* fresh = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_b});
    b->Store(fresh, Order::kRelease);
    b_published->Pass();
    fresh->Reset(vb2);  // creates this thread's row while the reclaim may run
    TLSM_INVARIANT(fresh->Get() == vb2, "TLS-OWN", "a thread's Get lost what it stored");
  }
  void Check() {
    TLSM_INVARIANT(va->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                   "a value left in a reclaimed column was not handled exactly once");
    TLSM_INVARIANT(vb->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                   "a value in a reused column was not handled exactly once at thread exit");
    TLSM_INVARIANT(vc->handled.Load(Order::kAcquire) == 1, "TLS-ISO",
                   "a value of an untouched column was not handled exactly once");
    TLSM_INVARIANT(vb2->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                   "a value stored by a new row was not handled exactly once at thread exit");
  }
  void Teardown() {
    tlsm::sync::Delete(b->Load(Order::kAcquire));
    tlsm::sync::Delete(c);
    tlsm::sync::Delete(b);
    tlsm::sync::Delete(va);
    tlsm::sync::Delete(vb);
    tlsm::sync::Delete(vc);
    tlsm::sync::Delete(vb2);
    tlsm::sync::Delete(done_with_a);
    tlsm::sync::Delete(b_published);
    tlsm::sync::Delete(reclaimed);
  }
};

TLSM_MODEL_SCENARIO(ReuseVsLiveThread, "tls.reuse_vs_live_thread",
                    (std::vector<std::string>{"TLS-INIT", "TLS-ISO", "TLS-ONCE", "TLS-OWN"}),
                    "a column is reclaimed and its id reused while a thread that stored in it "
                    "keeps running",
                    "TLS-INIT")

}  // namespace
}  // namespace tlsm::model
