// model/tls/fold_counters_vs_reset_model.cc — a Fold that sums counter
// blocks (one per thread, several relaxed counters each, like PerfContext's)
// racing the owner's Reset, which replaces its block and frees the old one.
#include <array>

#include "engine/tls/thread_local_ptr.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

// A thread's block of counters; the owner writes, a Fold sums.
struct CounterBlock {
  static constexpr int kCounters = 8;
  explicit CounterBlock(int v) {
    for (auto& c : counters) c.Store(v, Order::kRelaxed);
  }
  std::array<Atomic<int>, kCounters> counters;
};

void FreeBlock(void* v, void*) { tlsm::sync::Delete(static_cast<CounterBlock*>(v)); }

void SumBlock(void* v, void* arg) {
  int s = 0;
  // relaxed: the owner published the block with the slot's exchange; the
  // Fold's load of the slot orders these loads after the counters' stores.
  for (auto& c : static_cast<CounterBlock*>(v)->counters) s += c.Load(Order::kRelaxed);
  static_cast<Atomic<int>*>(arg)->FetchAdd(s, Order::kRelaxed);
}

// Fold over counter blocks vs the owner's Reset — TLS-ONCE, no use after
// free. Thread 0 (the owner) publishes block 1 and then replaces it with
// block 2 (the handler frees block 1). Thread 1 publishes a block of its own
// in a newer row (so a Fold visits it before the owner's) and then folds:
// the Fold must never visit a freed block (Reset waits for the Folds that
// may still see the value it replaced), and its sum is made of whole
// published blocks: its own and the owner's current one, if the owner has
// not exited yet (TLS-OWN).
struct FoldCountersVsReset : ModelTest<FoldCountersVsReset, 2> {
  ThreadLocalColumn* x = nullptr;
  Gate* published = nullptr;  // the owner's first block is in its slot
  Atomic<int>* sum = nullptr;

  void Setup() {
    x = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&FreeBlock, nullptr});
    published = tlsm::sync::New<Gate>();
    sum = tlsm::sync::New<Atomic<int>>(0);
  }
  void Body(unsigned t) {
    if (t == 0) {
      x->Reset(tlsm::sync::New<CounterBlock>(1));
      published->Pass();
      x->Reset(tlsm::sync::New<CounterBlock>(2));  // frees block 1
      return;  // exit frees block 2
    }
    published->Wait();
    x->Reset(tlsm::sync::New<CounterBlock>(4));  // this thread's row: newer, visited first
    x->Fold(&SumBlock, sum);
  }
  void Check() {
    const int s = sum->Load(Order::kAcquire);
    constexpr int k = CounterBlock::kCounters;
    // The owner's row is gone if it exited before the Fold.
    TLSM_INVARIANT(s == 4 * k || s == 4 * k + 1 * k || s == 4 * k + 2 * k, "TLS-OWN",
                   "the Fold's sum is not its own block plus at most one of the owner's");
  }
  void Teardown() {
    tlsm::sync::Delete(x);  // reclaim frees what is left (thread 1's block)
    tlsm::sync::Delete(published);
    tlsm::sync::Delete(sum);
  }
};

TLSM_MODEL_SCENARIO(FoldCountersVsReset, "tls.fold_counters_vs_reset",
                    (std::vector<std::string>{"TLS-ONCE", "TLS-OWN", "NO-LEAK"}),
                    "a Fold sums per-thread counter blocks while the owner of an older row "
                    "replaces its block (the handler frees the old one)",
                    "TLS-ONCE")

}  // namespace
}  // namespace tlsm::model
