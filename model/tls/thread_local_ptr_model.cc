// model/tls/thread_local_ptr_model.cc — Relacy scenarios of the matrix.
#include "engine/tls/thread_local_ptr.h"
#include "model/harness/relacy_runner.h"
#include "model/harness/spin.h"
#include "model/tls/tracked_value.h"

namespace tlsm_model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

// (1) Thread exit racing column reclaim — TLS-ONCE, TLS-EXIT.
// Threads 0 and 1 store values (thread 0 also re-stores the same pointer,
// which must not run the handler), announce that they are done with the
// column, and exit; thread 2 waits for the announcements and reclaims the
// column while the exits run. Every value must be handled exactly once.
struct ExitVsReclaim : ModelTest<ExitVsReclaim, 3> {
  int tag = 1;
  ThreadLocalColumn* column = nullptr;
  TrackedValue* values[2] = {};
  Atomic<int>* done_using = nullptr;

  void Setup() {
    column = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag});
    for (auto& v : values) v = tlsm::sync::New<TrackedValue>(tag);
    done_using = tlsm::sync::New<Atomic<int>>(0);
  }
  void Body(unsigned t) {
    if (t < 2) {
      column->Reset(values[t]);
      if (t == 0) column->Reset(values[t]);  // same pointer: no handler
      done_using->FetchAdd(1, Order::kAcqRel);
      return;  // the harness runs this thread's row teardown now
    }
    SpinUntil([&] { return done_using->Load(Order::kAcquire) == 2; });
    tlsm::sync::Delete(column);
    column = nullptr;
  }
  void Check() {
    for (auto* v : values) {
      TLSM_INVARIANT(v->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                     "a value left in a slot was not handled exactly once");
    }
  }
  void Teardown() {
    for (auto* v : values) tlsm::sync::Delete(v);
    tlsm::sync::Delete(done_using);
  }
};

TLSM_MODEL_SCENARIO(ExitVsReclaim, "tls.exit_vs_reclaim",
                    (std::vector<std::string>{"TLS-ONCE", "TLS-EXIT"}),
                    "two threads exit while a third reclaims their column", "TLS-EXIT")

}  // namespace
}  // namespace tlsm_model
