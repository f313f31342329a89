// model/harness/gate.h — blocking waits between simulated threads.
//
// A Gate is a counting semaphore: Pass(n) lets n waits through, Wait() blocks
// the calling simulated thread until it can take one. Unlike SpinUntil, a
// blocked thread leaves the scheduler's running set, so an execution spends no
// steps polling (a spin loop costs two events per poll, and several polls per
// step of the thread it waits for), and the trees of the exhaustive and
// bounded searches do not branch on every poll. The semaphore is built
// without spurious wakeups (a condition variable's random spurious wakeups
// would put the polling back). A wait that can never end is reported by
// Relacy as a deadlock.
//
// Ordering: Pass() happens-before the return of the Wait() it releases, the
// same edge as the release store / acquire load pair it replaces. Use it for
// scenario choreography only; an engine's own waiting must stay as it is.
//
// Allocate with tlsm::sync::New in Setup() and Delete in Teardown(), like any
// scenario object.
#pragma once

#include "model/harness/scenario.h"

namespace tlsm::model {

class Gate {
 public:
  Gate() { sem_.init(/*spurious_wakeups=*/false, 0, kMaxCount, $); }
  ~Gate() { sem_.deinit($); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Lets `n` waits (current or future) through.
  void Pass(unsigned n = 1) {
    unsigned before = 0;
    tlsm::sync::MarkSyncObject(this);  // the history names the semaphore after the gate
    tlsm::sync::DeclaredOp op(tlsm::sync::OpKind::kRmw, &sem_);
    const bool ok = sem_.post(n, before, $);
    RL_ASSERT(ok);
  }
  // Blocks until `n` passes were taken (one at a time, as they come).
  void Wait(unsigned n = 1) {
    for (unsigned i = 0; i < n; ++i) {
      tlsm::sync::MarkSyncObject(this);
      tlsm::sync::DeclaredOp op(tlsm::sync::OpKind::kRmw, &sem_);
      const rl::sema_wakeup_reason r = sem_.wait(/*try_wait=*/false, /*is_timed=*/false, $);
      RL_ASSERT(r == rl::sema_wakeup_reason_success);
    }
  }

 private:
  static constexpr unsigned kMaxCount = 1024;
  rl::semaphore<struct GateTag> sem_;
};

}  // namespace tlsm::model
