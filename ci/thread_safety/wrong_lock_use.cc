// ci/thread_safety/wrong_lock_use.cc — the teeth of the thread-safety check.
// ci/check_thread_safety.sh compiles this file twice with clang
// -Wthread-safety -Werror=thread-safety: with -DTLSM_TSA_LOCKED it must
// compile (the lock is held), without it it must fail with a thread-safety
// error (a TLSM_GUARDED_BY field touched without its mutex). Never built
// into any target.
#include "engine/sync/sync.h"

namespace {

struct Counter {
  tlsm::sync::Mutex mu;
  tlsm::sync::Cell<int> value TLSM_GUARDED_BY(mu){0};

  void AddLocked(int d) TLSM_REQUIRES(mu) {
    value.WithMut([d](int& v) { v += d; });
  }
  void Add(int d) {
#ifdef TLSM_TSA_LOCKED
    tlsm::sync::MutexLock l(mu);
#endif
    AddLocked(d);                           // wrong without the lock: REQUIRES(mu)
    value.WithMut([d](int& v) { v += d; });  // wrong without the lock: GUARDED_BY(mu)
  }
};

}  // namespace

int main() {
  Counter c;
  c.Add(1);
  return 0;
}
